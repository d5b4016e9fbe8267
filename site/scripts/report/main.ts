/**
 * /report/ behaviour: draft keeping, client-side checks (same schema as the API), attachments, Turnstile,
 * submission with an idempotency key, and the receipt flow.
 */
import { formatDateTime, formatTime } from '../shared/format';
import {
  drafts,
  freshDraft,
  hasContent,
  SENT_KEY,
  wasSubmitted,
  type Draft,
  type Identity,
  type Receipt,
} from './draft';
import { getJson, NETWORK_ERROR, request } from '../shared/api';
import { h } from '../shared/dom';
import { drawQr } from '../shared/qr';
import { receiptText, saveAsImage } from './receipt';
import { Turnstile } from './turnstile';
import { TicketError, Uploads } from './uploads';
import type { PublicConfig } from '../../../worker/routes/public/health';
import { check, type FieldError } from './validate';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('report-form');
const views = { form: $('form-view'), receipt: $('receipt-view'), done: $('done-view') };
const TEXT_FIELDS = ['type', 'domain', 'unitName', 'townId', 'address', 'seenAt', 'description'] as const;
const WHO_FIELDS = ['name', 'mobile', 'idNumber', 'email', 'coSigners'] as const;

let draft: Draft = drafts.load() ?? freshDraft();
let submitting = false;
/** Set once the server has stored this draft's tip: from then on nothing of it is written to the device. */
let sent = false;

const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement | null;
const radios = (name: string) => Array.from(form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`));

function show(view: keyof typeof views) {
  for (const [k, el] of Object.entries(views)) el.hidden = k !== view;
}

// ---------- draft ----------

function collectIdentity(): Identity {
  return {
    name: input('name')!.value,
    mobile: input('mobile')!.value,
    idNumber: input('idNumber')!.value,
    email: input('email')!.value,
    emailOptIn: $<HTMLInputElement>('f-emailOptIn').checked,
    coSigners: input('coSigners')!.value,
  };
}

let saveTimer = 0;
/** Save the draft shortly after typing stops, or at once (`now`) before leaving or submitting. */
function saveDraft(now = false) {
  window.clearTimeout(saveTimer);
  const write = () => {
    // A submitted tip is never written back (a late timer, pagehide after the receipt, …).
    if (sent || views.form.hidden) return;
    const fields: Draft['fields'] = {};
    for (const f of TEXT_FIELDS) fields[f] = input(f)!.value;
    fields.isEmployee = radios('isEmployee').find((r) => r.checked)?.value ?? '';
    fields.mode = radios('mode').find((r) => r.checked)?.value ?? 'anonymous';
    fields.notice = $<HTMLInputElement>('f-notice').checked;
    fields.privacy = $<HTMLInputElement>('f-privacy').checked;
    const who = collectIdentity();
    const next = { ...draft, fields, files: uploads.done };
    if (!hasContent(next, who)) {
      // Nothing entered (or everything cleared again): keep no draft, so an empty form is never "restored".
      drafts.discard(draft.idempotencyKey);
      draft = { ...next, savedAt: 0 };
      return;
    }
    draft = { ...next, savedAt: Date.now() };
    if (!drafts.save(draft)) return;
    drafts.saveIdentity(who);
    $('draft-status').textContent = `草稿已自动保存在本机（${formatTime(Date.now())}）`;
  };
  if (now) write();
  else saveTimer = window.setTimeout(write, 300);
}

function restoreDraft() {
  const f = draft.fields;
  for (const name of TEXT_FIELDS) if (typeof f[name] === 'string' && f[name]) input(name)!.value = f[name] as string;
  for (const r of radios('isEmployee')) r.checked = r.value === f.isEmployee;
  for (const r of radios('mode')) r.checked = r.value === (f.mode || 'anonymous');
  $<HTMLInputElement>('f-notice').checked = !!f.notice;
  $<HTMLInputElement>('f-privacy').checked = !!f.privacy;
  const who = drafts.loadIdentity();
  if (who) {
    for (const k of WHO_FIELDS) input(k)!.value = who[k] ?? '';
    $<HTMLInputElement>('f-emailOptIn').checked = !!who.emailOptIn;
  }
  if (draft.location) showLocation(draft.location);
  // A link from an article (/report/?domain=gas) preselects its 行业领域 when the draft has none.
  const domain = new URLSearchParams(location.search).get('domain');
  const select = input('domain') as unknown as HTMLSelectElement | null;
  if (select && !select.value && domain && [...select.options].some((o) => o.value === domain)) select.value = domain;
  if (!input('seenAt')!.value) input('seenAt')!.value = localDateTime(new Date());
  if (draft.savedAt) $('draft-status').textContent = '已恢复您上次未提交的草稿。';
  toggleRealName();
  updateCounter();
}

const localDateTime = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

// ---------- fields ----------

/**
 * Real-name fields for a real-name report; for an anonymous one the claim terms (an anonymous tip is hard to reward,
 * identity can be added later from the lookup); and, before submitting, why an employee reporting the employer must
 * give a real name (69号 第四条 — the submission schema refuses it too, here and at the Worker).
 */
function toggleRealName() {
  const anonymous = radios('mode').find((r) => r.checked)?.value !== 'real';
  const employee = radios('isEmployee').find((r) => r.checked)?.value === 'yes';
  $('real-name-fields').hidden = anonymous;
  $('anon-claim-note').hidden = !anonymous;
  $('employee-note').hidden = !(anonymous && employee);
}

function updateCounter() {
  const n = [...input('description')!.value.trim()].length;
  $('c-description').textContent = `${n} / ${input('description')!.maxLength}`;
}

function showLocation(loc: { lat: number; lng: number } | null) {
  draft.location = loc;
  $('clear-location').hidden = !loc;
  $('location-text').textContent = loc
    ? `已获取位置：北纬 ${loc.lat.toFixed(5)}，东经 ${loc.lng.toFixed(5)}`
    : '仅在您点击按钮并同意后获取，便于工作人员找到现场。';
}

$('locate').addEventListener('click', () => {
  if (!navigator.geolocation) {
    $('location-text').textContent = '此浏览器不支持定位，请在“详细地址”中写明位置。';
    return;
  }
  $('location-text').textContent = '正在获取位置…';
  navigator.geolocation.getCurrentPosition(
    (p) => {
      showLocation({ lat: Number(p.coords.latitude.toFixed(6)), lng: Number(p.coords.longitude.toFixed(6)) });
      saveDraft();
    },
    () => ($('location-text').textContent = '未能获取位置（可能未允许定位），请在“详细地址”中写明位置。'),
    { enableHighAccuracy: true, timeout: 15_000 },
  );
});
$('clear-location').addEventListener('click', () => {
  showLocation(null);
  saveDraft();
});

// ---------- building the request body ----------

/** 联名人: one name per line (a comma or 、 also separates), blanks dropped. */
const coSigners = (text: string) =>
  text
    .split(/[\n,，、;；]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function body(token: string) {
  const mode = radios('mode').find((r) => r.checked)?.value;
  const emp = radios('isEmployee').find((r) => r.checked)?.value;
  const seen = input('seenAt')!.value;
  const who = collectIdentity();
  return {
    type: input('type')!.value || undefined,
    domain: input('domain')!.value || undefined,
    unitName: input('unitName')!.value,
    address: input('address')!.value,
    townId: input('townId')!.value,
    location: draft.location,
    seenAt: seen ? new Date(seen).toISOString() : '',
    description: input('description')!.value,
    isEmployee: emp === 'yes' ? true : emp === 'no' ? false : undefined,
    reporter:
      mode === 'real'
        ? {
            anonymous: false,
            name: who.name,
            mobile: who.mobile,
            idNumber: who.idNumber.trim(),
            email: who.email.trim(),
            emailOptIn: who.emailOptIn,
            ...(coSigners(who.coSigners).length ? { coSigners: coSigners(who.coSigners) } : {}),
          }
        : { anonymous: true },
    attachments: uploads.done.map(({ id, claim }) => ({ id, claim })),
    consent: { notice: $<HTMLInputElement>('f-notice').checked, privacy: $<HTMLInputElement>('f-privacy').checked },
    turnstileToken: token || undefined,
  };
}

// ---------- errors ----------

const FIELD_FOCUS: Record<string, string> = {
  type: 'f-type',
  domain: 'f-domain',
  unitName: 'f-unitName',
  townId: 'f-townId',
  address: 'f-address',
  location: 'locate',
  seenAt: 'f-seenAt',
  description: 'f-description',
  isEmployee: 'f-isEmployee',
  reporter: 'f-name',
  'reporter.name': 'f-name',
  'reporter.mobile': 'f-mobile',
  'reporter.idNumber': 'f-idNumber',
  'reporter.email': 'f-email',
  'reporter.coSigners': 'f-coSigners',
  attachments: 'f-files',
  'consent.notice': 'f-notice',
  'consent.privacy': 'f-privacy',
  turnstileToken: 'turnstile-widget',
};

/** Errors for nested paths (location.lat, attachments.3) are shown at their field. */
function fieldOf(path: string) {
  if (path.startsWith('location')) return 'location';
  if (path.startsWith('attachments')) return 'attachments';
  if (path === 'reporter.anonymous') return 'reporter';
  if (path.startsWith('reporter.coSigners')) return 'reporter.coSigners';
  return path;
}

function clearErrors() {
  for (const el of form.querySelectorAll<HTMLElement>('.error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  $('error-summary').hidden = true;
  $('error-list').replaceChildren();
}

/** Where a field's error is shown: its block in the form (the summary lists errors in this order). */
const placeOf = (field: string): Element =>
  form.querySelector(`[data-field="${CSS.escape(field)}"]`) ??
  document.getElementById(`e-${field}`) ??
  $('e-turnstileToken');

function showErrors(errors: FieldError[]) {
  clearErrors();
  const seen = new Set<string>();
  const list = $('error-list');
  // The schema's order is not the page's (and the server's answer may come in any order): follow the form.
  const ordered = [...errors].sort((a, b) => {
    const pa = placeOf(fieldOf(a.path));
    const pb = placeOf(fieldOf(b.path));
    return pa === pb ? 0 : pa.compareDocumentPosition(pb) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  });
  for (const e of ordered) {
    const field = fieldOf(e.path);
    if (seen.has(field)) continue;
    seen.add(field);
    const slot = document.getElementById(`e-${field}`) ?? $('e-turnstileToken');
    slot.textContent = e.message;
    slot.hidden = false;
    const target = FIELD_FOCUS[field] ?? '';
    const control = document.getElementById(target) ?? (field === 'isEmployee' ? radios('isEmployee')[0] : null);
    control?.setAttribute('aria-invalid', 'true');
    const focus = (ev: Event) => {
      ev.preventDefault();
      (control ?? slot).focus();
    };
    list.append(h('li', {}, h('a', { href: `#${control?.id || `e-${field}`}`, onclick: focus }, e.message)));
  }
  $('error-summary').hidden = false;
  $('error-summary').focus();
}

// ---------- submission ----------

const status = (text: string) => ($('submit-status').textContent = text);

async function submit(ev: Event) {
  ev.preventDefault();
  if (submitting) return;
  saveDraft(true);
  if (uploads.busy) {
    status('请等待附件上传完成后再提交。');
    return;
  }
  const problems = check(body(turnstile.token || 'pending'));
  if (!turnstile.token) {
    problems.push(
      turnstile.failed
        ? {
            path: 'turnstileToken',
            code: 'TURNSTILE_FAILED',
            message: '人机验证未通过：请刷新页面再试（已填写的内容不会丢失）；仍无法通过时，可拨打举报电话 12350。',
          }
        : { path: 'turnstileToken', code: 'TURNSTILE_MISSING', message: '请先完成人机验证' },
    );
  }
  if (problems.length) {
    showErrors(problems);
    return;
  }
  clearErrors();
  submitting = true;
  $<HTMLButtonElement>('submit').disabled = true;
  status('正在提交，请稍候…');
  const key = draft.idempotencyKey;
  // The kit never throws: a lost connection is an answer with status 0. The key stays with the draft until the
  // server has stored the tip, so sending again returns the same receipt instead of a second tip.
  const res = await request<Receipt>('/api/tips', { json: body(turnstile.token), headers: { 'idempotency-key': key } });
  submitting = false;
  $<HTMLButtonElement>('submit').disabled = false;
  if (res.ok) {
    // Stored: this draft and its key are finished, before anything else can run.
    sent = true;
    window.clearTimeout(saveTimer);
    drafts.submitted(key);
    drafts.saveReceipt(res.body as Receipt);
    showReceipt(res.body as Receipt);
    return;
  }
  turnstile.reset();
  const err = res.error ?? NETWORK_ERROR;
  if (res.status === 0)
    status('网络连接中断，举报尚未确认提交。已填写的内容保存在本机，恢复网络后请再次点击“提交举报”（不会重复提交）。');
  else if (err.fields?.length) showErrors(err.fields);
  else if (err.code.startsWith('TURNSTILE'))
    showErrors([{ path: 'turnstileToken', code: err.code, message: err.message }]);
  else
    status(
      `${err.message}${err.retryAfter ? `（约 ${Math.ceil(err.retryAfter / 60)} 分钟后可再试）` : ''} 已填写的内容已保存在本机。`,
    );
}

// ---------- receipt ----------

function showReceipt(r: Receipt) {
  show('receipt');
  $('r-trackingNo').textContent = r.trackingNo;
  $('r-queryCode').textContent = r.queryCode;
  $('r-createdAt').textContent = formatDateTime(r.createdAt);
  const canvas = $<HTMLCanvasElement>('r-qr');
  drawQr(canvas.getContext('2d')!, r.trackUrl, 0, 0, canvas.width);
  $('receipt-title').focus();
  window.addEventListener('beforeunload', warnUnsaved);
}

function warnUnsaved(e: BeforeUnloadEvent) {
  e.preventDefault();
  e.returnValue = '';
}

const receiptStatus = (t: string) => ($('receipt-status').textContent = t);
$('copy').addEventListener('click', async () => {
  const r = drafts.loadReceipt();
  if (!r) return;
  try {
    await navigator.clipboard.writeText(receiptText(r));
    receiptStatus('已复制举报编号和查询码，请粘贴保存到备忘录等安全的地方。');
  } catch {
    receiptStatus('无法自动复制，请手动抄写举报编号和查询码。');
  }
});
$('print').addEventListener('click', () => window.print());
$('save-image').addEventListener('click', async () => {
  const r = drafts.loadReceipt();
  if (!r) return;
  try {
    await saveAsImage(r);
    receiptStatus('回执图片已生成，请确认已保存到相册或文件中。');
  } catch {
    receiptStatus('无法生成图片，请截屏或抄写保存。');
  }
});
$<HTMLInputElement>('saved-check').addEventListener('change', (e) => {
  $<HTMLButtonElement>('saved-done').disabled = !(e.target as HTMLInputElement).checked;
});
$('saved-done').addEventListener('click', () => {
  drafts.clearReceipt();
  window.removeEventListener('beforeunload', warnUnsaved);
  show('done');
  $('done-title').focus();
});

// ---------- upload tickets ----------

/** Uploads need a ticket, bought with a Turnstile token once for the form (one at a time; renewed on expiry). */
let ticket: { value: string; expires: number } | null = null;
let buying: Promise<string> | null = null;
function uploadTicket(renew: boolean): Promise<string> {
  if (!renew && ticket && ticket.expires - Date.now() > 60_000) return Promise.resolve(ticket.value);
  buying ??= (async () => {
    const token = await turnstile.take().catch(() => {
      throw new TicketError(
        '人机验证未通过，附件无法上传：请刷新页面再试（已填写的内容不会丢失）；仍无法通过时，可拨打举报电话 12350。',
      );
    });
    const res = await request<{ ticket: string; expiresAt: string }>('/api/uploads/ticket', {
      json: { turnstileToken: token },
    });
    if (!res.ok || !res.body) throw new TicketError(res.error?.message ?? '暂时无法上传附件，请稍后重试。');
    ticket = { value: res.body.ticket, expires: Date.parse(res.body.expiresAt) };
    return ticket.value;
  })().finally(() => (buying = null));
  return buying;
}

// ---------- start ----------

const uploads = new Uploads(
  $<HTMLUListElement>('file-list'),
  {
    maxFiles: Number($('report-app').dataset.maxFiles),
    maxBytes: { image: 10 << 20, audio: 20 << 20, video: 50 << 20 },
  },
  () => saveDraft(),
  (message) => {
    const slot = $('e-attachments');
    slot.textContent = message;
    slot.hidden = false;
  },
  uploadTicket,
);
const turnstile = new Turnstile($('turnstile-widget'), () => {
  const slot = $('e-turnstileToken');
  slot.hidden = true;
});

const pending = drafts.loadReceipt();
if (pending) {
  showReceipt(pending);
} else {
  restoreDraft();
  uploads.restore(draft.files);
}

form.addEventListener('input', (e) => {
  if ((e.target as HTMLElement).id === 'f-description') updateCounter();
  saveDraft();
});
form.addEventListener('change', (e) => {
  const t = e.target as HTMLInputElement;
  if (t.name === 'mode' || t.name === 'isEmployee') toggleRealName();
  if (t.id === 'f-files' && t.files) {
    $('e-attachments').hidden = true;
    uploads.add(t.files);
    t.value = '';
  }
  saveDraft();
});
form.addEventListener('submit', submit);
// Another tab submitted the draft this tab also holds: start this one afresh rather than offer the sent report again.
window.addEventListener('storage', (e) => {
  if (e.key !== SENT_KEY || sent || views.form.hidden || !wasSubmitted(draft.idempotencyKey)) return;
  window.clearTimeout(saveTimer);
  form.reset();
  uploads.reset();
  draft = freshDraft();
  showLocation(null);
  clearErrors();
  drafts.clearIdentity();
  restoreDraft();
  $('draft-status').textContent = '这份草稿已在另一个窗口提交，此处已换成空白表单。';
});
// Leaving, reloading or switching apps on a phone: write the draft now rather than after the debounce.
window.addEventListener('pagehide', () => !views.form.hidden && saveDraft(true));
document.addEventListener(
  'visibilitychange',
  () => document.visibilityState === 'hidden' && !views.form.hidden && saveDraft(true),
);

/** What the form reads of GET /api/config (declared by the Worker in worker/routes/public/health.ts). */
getJson<PublicConfig>('/api/config')
  .then(async (cfg) => {
    // 镇街 are maintained by admins: replace the built-in list with the current one, keeping the choice.
    const sel = input('townId') as unknown as HTMLSelectElement;
    const chosen = sel.value;
    sel.replaceChildren(new Option('请选择', ''), ...cfg.towns.map((t) => new Option(t.name, t.id)));
    sel.value = chosen;
    if (cfg.limits) Object.assign(uploads.limits, { maxFiles: cfg.limits.maxFiles, maxBytes: cfg.limits.maxBytes });
    await turnstile.load(cfg.turnstile);
  })
  .catch((e) => {
    console.error('config/turnstile', e);
    const slot = $('e-turnstileToken');
    slot.textContent = '人机验证加载失败，请检查网络后刷新页面（已填写的内容不会丢失）。';
    slot.hidden = false;
  });
