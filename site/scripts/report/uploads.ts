/**
 * Attachment uploads: each file goes up on its own with a visible progress bar, can be retried when the
 * network fails, and can be removed. The server decides the type from the bytes; we only pre-check size.
 * Every upload carries a ticket from the page (`TicketSource`: the report form's Turnstile check, or the
 * reporter's open lookup); an expired ticket is renewed once.
 */
import type { UploadResult } from '../../../worker/schemas/tip';
import { type Answer, answerOf } from '../shared/api';
import { h } from '../shared/dom';
import type { UploadedFile } from './draft';

export interface UploadLimits {
  maxFiles: number;
  maxBytes: { image: number; audio: number; video: number };
}

const KIND_LABEL: Record<string, string> = { image: '照片', video: '视频', audio: '录音' };
const guessKind = (f: File) => (f.type.startsWith('video') ? 'video' : f.type.startsWith('audio') ? 'audio' : 'image');
const fmt = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

/** An upload ticket (`renew`: the last one was refused); rejects with a `TicketError` the reporter can read. */
export type TicketSource = (renew: boolean) => Promise<string>;
export class TicketError extends Error {}

/** POST the raw file with XMLHttpRequest (fetch has no upload progress). Resolves with the server's answer. */
function send(file: File, ticket: string, onProgress: (fraction: number) => void): Promise<Answer<UploadResult>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/uploads');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-upload-ticket', ticket);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      resolve(answerOf<UploadResult>(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.ontimeout = () => reject(new Error('timeout'));
    xhr.timeout = 5 * 60 * 1000;
    xhr.send(file);
  });
}

export class Uploads {
  /** Files uploaded successfully (restored from the draft, or new). */
  done: UploadedFile[] = [];
  private pending = new Set<string>();

  constructor(
    private list: HTMLUListElement,
    readonly limits: UploadLimits,
    private onChange: () => void,
    private onError: (message: string) => void,
    private ticket: TicketSource,
  ) {}

  get busy() {
    return this.pending.size > 0;
  }

  /** Forget every file (the form starts afresh). */
  reset() {
    this.done = [];
    this.list.replaceChildren();
  }

  restore(files: UploadedFile[]) {
    for (const f of files) {
      this.done.push(f);
      const li = this.item(f.name);
      this.markDone(li, f);
    }
  }

  add(files: FileList | File[]) {
    for (const file of Array.from(files)) {
      if (this.done.length + this.pending.size >= this.limits.maxFiles) {
        this.onError(`附件最多 ${this.limits.maxFiles} 个，“${file.name}”未添加。`);
        break;
      }
      const kind = guessKind(file);
      const cap = this.limits.maxBytes[kind as keyof UploadLimits['maxBytes']];
      if (file.size > cap) {
        this.onError(`“${file.name}”太大（${fmt(file.size)}），${KIND_LABEL[kind]}不能超过 ${fmt(cap)}。`);
        continue;
      }
      this.start(file, this.item(file.name, file));
    }
  }

  /** A file's row; a photo chosen on this device gets a thumbnail (decoded here, nothing is sent for it). */
  private item(name: string, file?: File): HTMLLIElement {
    const li = h('li', { class: 'file-item' });
    if (file?.type.startsWith('image/')) {
      // The file name next to it says what it is.
      const img = h('img', { class: 'file-thumb', alt: '', decoding: 'async' });
      const url = URL.createObjectURL(file);
      img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
      img.addEventListener(
        'error',
        () => {
          URL.revokeObjectURL(url);
          img.remove();
          li.classList.remove('with-thumb');
        },
        { once: true },
      );
      img.src = url;
      li.classList.add('with-thumb');
      li.append(img);
    }
    li.append(
      h('span', { class: 'file-name' }, name),
      h('progress', { max: 100, value: 0, 'aria-label': `“${name}”上传进度` }),
      h('span', { class: 'file-state' }),
      h('span', { class: 'file-actions' }),
    );
    this.list.append(li);
    return li;
  }

  private parts(li: HTMLLIElement) {
    return {
      bar: li.querySelector('progress') as HTMLProgressElement,
      state: li.querySelector('.file-state') as HTMLSpanElement,
      actions: li.querySelector('.file-actions') as HTMLSpanElement,
      name: (li.querySelector('.file-name') as HTMLSpanElement).textContent ?? '',
    };
  }

  private button(label: string, onClick: () => void, cls = 'link') {
    return h('button', { type: 'button', class: cls, onclick: onClick }, label);
  }

  private async start(file: File, li: HTMLLIElement) {
    const token = `${file.name}:${file.size}:${Math.random()}`;
    this.pending.add(token);
    this.onChange();
    const p = this.parts(li);
    p.bar.hidden = false;
    p.bar.value = 0;
    p.state.textContent = '正在上传…';
    p.actions.replaceChildren();
    const post = async (renew: boolean) => {
      const ticket = await this.ticket(renew);
      p.state.textContent = '正在上传…';
      return send(file, ticket, (f) => {
        p.bar.value = Math.round(f * 100);
        p.state.textContent = `正在上传 ${Math.round(f * 100)}%`;
      });
    };
    try {
      let res = await post(false);
      if (res.status === 403 && res.error?.code === 'UPLOAD_TICKET') res = await post(true);
      if (res.status === 201 && res.body?.id) {
        const uploaded: UploadedFile = {
          id: res.body.id,
          claim: res.body.claim,
          name: file.name,
          kind: res.body.kind,
          bytes: res.body.bytes,
        };
        this.done.push(uploaded);
        this.markDone(li, uploaded);
      } else {
        const msg = res.error?.message ?? '上传失败。';
        const retryable = res.status >= 500 || res.status === 429 || res.status === 0;
        this.markFailed(li, file, msg, retryable);
      }
    } catch (e) {
      this.markFailed(li, file, e instanceof TicketError ? e.message : '网络连接中断，上传未完成。', true);
    } finally {
      this.pending.delete(token);
      this.onChange();
    }
  }

  private markDone(li: HTMLLIElement, f: UploadedFile) {
    const p = this.parts(li);
    p.bar.value = 100;
    p.bar.hidden = true;
    li.classList.remove('failed');
    p.state.textContent = `已上传（${KIND_LABEL[f.kind] ?? '文件'}，${fmt(f.bytes)}）`;
    p.actions.replaceChildren(
      this.button(`删除“${f.name}”`, () => {
        this.done = this.done.filter((d) => d.id !== f.id);
        li.remove();
        this.onChange();
      }),
    );
  }

  private markFailed(li: HTMLLIElement, file: File, message: string, retryable: boolean) {
    const p = this.parts(li);
    li.classList.add('failed');
    p.bar.hidden = true;
    p.state.textContent = message;
    const remove = this.button(`移除“${file.name}”`, () => li.remove());
    p.actions.replaceChildren(
      ...(retryable
        ? [this.button(`重试上传“${file.name}”`, () => this.start(file, li), 'secondary'), remove]
        : [remove]),
    );
  }
}
