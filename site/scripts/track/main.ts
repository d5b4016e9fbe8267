/**
 * 进度查询 in the browser: open with number + code, then use the short-lived token (kept in this tab only) to
 * refresh, reply with evidence and object. Everything shown is set as text.
 */
import { LIMITS } from '../../../worker/domain/limits';
import { parsePublicId, parseQueryCode, parseTrackingNo } from '../../../worker/services/codes';
import type { ReporterView } from '../../../worker/schemas/track';
import { type Answer, messageOf as errorMessage, request } from '../shared/api';
import { el } from '../shared/dom';
import { TicketError, Uploads } from '../report/uploads';
import { formatDate, formatDateTime } from '../shared/format';

type View = ReporterView;

const FOLLOWUP_TEXT: Record<string, (dueDate: string) => string> = {
  open: (d) => `督办人员正在回访，将于 ${d} 前在“与工作人员沟通”中答复您。`,
  stood: () => '督办人员已回访答复：维持原结论，理由见“与工作人员沟通”。',
  reopened: () => '督办人员已回访答复：举报已重新进入复查，复查结论将在本页公布。',
  objected: () => '您已提出异议，举报进入复查，回访随之结束。',
};

const TOKEN_KEY = 'anquan.track.token';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const when = (iso: string) => formatDateTime(iso);

/** The lookup's calls: the bearer token of the open lookup when there is one. */
const call = (path: string, init: { json?: unknown; token?: string } = {}) =>
  request<Record<string, unknown>>(path, {
    json: init.json,
    headers: init.token ? { authorization: `Bearer ${init.token}` } : {},
  });

const messageOf = (a: Answer) => errorMessage(a.error);
let token = sessionStorage.getItem(TOKEN_KEY) ?? '';

function render(v: View) {
  $('ask').hidden = true;
  $('view').hidden = false;
  $('v-no').textContent = v.trackingNo;
  const badge = $('v-status');
  badge.textContent = v.statusLabel;
  badge.className = `status-badge ${v.status}`;
  $('v-new').textContent = v.newMessages
    ? `工作人员给您发来 ${v.newMessages} 条新留言，请查看下方“与工作人员沟通”。`
    : '';

  const facts = $('v-facts');
  facts.replaceChildren();
  const fact = (k: string, val: string | null | undefined) => {
    if (!val) return;
    facts.append(el('dt', k), el('dd', val));
  };
  fact('提交时间', when(v.submittedAt));
  fact('承办单位', v.handlingUnit ?? (v.status === 'pending' ? '等待受理后确定' : null));
  for (const d of v.deadlines) fact(d.label, formatDate(d.date));
  if (v.extension) fact('延期', `已批准延长 ${v.extension.days} 天：${v.extension.reason}`);
  if (v.conclusion) {
    fact('核查结论', v.conclusion.verdict);
    fact('处理决定', v.conclusion.decision);
    fact('结论时间', when(v.conclusion.concludedAt));
    if (v.objection.final) fact('异议', '已按您的异议复查并作出复查结论，不能再次提出异议');
  }
  fact('不予受理理由', v.rejectReason);
  if (v.merged)
    fact(
      '合并办理',
      `本举报已与举报 ${v.merged.primaryTrackingNo} 合并办理，该举报当前状态：${v.merged.primaryStatus}。`,
    );

  const reward = $('v-reward');
  reward.hidden = !v.reward;
  reward.replaceChildren();
  if (v.reward) {
    const box = el('div', undefined, 'reward');
    box.append(el('h3', '举报奖励'));
    if (v.reward.status === 'notified') {
      const dl = el('dl', undefined, 'facts');
      const add = (k: string, val: string) => dl.append(el('dt', k), el('dd', val));
      add('奖励金额', v.reward.amount);
      add('领取地点', v.reward.where);
      add('请携带', v.reward.whatToBring);
      add('领取期限', `${formatDate(v.reward.claimDeadline)}前（逾期未领视为放弃）`);
      box.append(el('p', '您的举报经核查属实，依照举报奖励办法给予奖励。'), dl);
    } else if (v.reward.status === 'paid') box.append(el('p', `奖励 ${v.reward.amount} 已发放。感谢您的举报！`));
    else box.append(el('p', '奖励领取期限已过。'));
    reward.append(box);
  }

  // An anonymous reporter is told the claim terms and may add a real identity (the number + code prove the tip).
  $('identity-box').hidden = !v.claim.canAddIdentity;
  $('id-explain').textContent = v.claim.claimByCode
    ? '您是匿名举报。本地奖励办法允许匿名举报人凭举报编号和查询码领取奖励，请妥善保管回执；您也可以在下面补充真实身份。'
    : '您是匿名举报。按照《安全生产领域举报奖励办法》，举报奖励发给能够确认身份的举报人，由本人凭有效身份证件领取，匿名举报难以获得奖励。如希望在举报经核查属实后领取奖励，请在下面补充真实姓名、手机号码和身份证号码。';

  const tl = $('v-timeline');
  tl.replaceChildren(
    ...v.timeline.map((e) => {
      const li = el('li');
      li.append(el('time', when(e.at)), el('span', e.text));
      return li;
    }),
  );

  const msgs = $('v-messages');
  msgs.replaceChildren();
  if (!v.messages.length) msgs.append(el('p', '暂无留言。工作人员如有问题会在这里询问您。'));
  for (const m of v.messages) {
    const div = el('div', undefined, `msg ${m.from}${m.isNew ? ' new' : ''}`);
    const head = el('time', `${when(m.at)} · ${m.from === 'staff' ? '工作人员' : '我'}`);
    div.append(head);
    if (m.isNew) div.append(el('span', '新留言', 'new-flag'));
    div.append(el('p', m.body));
    msgs.append(div);
  }
  $('reply-box').hidden = !v.canMessage;
  const r = v.rating;
  $('rating-box').hidden = !r.open && !r.level;
  $('rate-form').hidden = !r.open;
  $('rate-until').textContent = r.until ? formatDate(r.until) : '';
  $('rate-current').textContent = [
    r.levelLabel ? `您的评价：${r.levelLabel}${r.reason ? `（${r.reason}）` : ''}。` : '',
    r.followup ? FOLLOWUP_TEXT[r.followup.state]!(formatDate(r.followup.dueDate)) : '',
  ].join('');
  if (r.level) {
    const radio = document.querySelector<HTMLInputElement>(`#rate-form input[value="${CSS.escape(r.level)}"]`);
    if (radio) radio.checked = true;
  }
  $('objection-box').hidden = !v.objection.open;
  $('obj-until').textContent = v.objection.until ? formatDate(v.objection.until) : '';
}

function leave(message = '') {
  token = '';
  sessionStorage.removeItem(TOKEN_KEY);
  $('view').hidden = true;
  $('ask').hidden = false;
  $('ask-error').textContent = message;
}

async function refresh() {
  if (!token) return;
  const r = await call('/api/track/view', { token });
  if (r.status === 200) render(r.body as unknown as View);
  else leave(messageOf(r));
}

// The tracking number may arrive in the URL (from the receipt's QR code); never the code.
const params = new URLSearchParams(location.search);
if (params.get('no')) ($('t-no') as HTMLInputElement).value = params.get('no')!;

/**
 * The number and code as the server reads them (dashes, spaces, lower case, O for 0 are fine). A code that
 * cannot be one is refused here, next to its field, and never sent: it could not open anything, and each
 * refused check counts against this network's attempts.
 */
const ASK_FIELDS = [
  {
    id: 't-no',
    parse: parseTrackingNo,
    empty: '请填写举报编号',
    wrong: '举报编号格式不正确：应为 AQ 加 10 位字母或数字，如 AQ-7K3M9-QXP2D，请对照回执核对。',
    /** A 公开编号 (GK-…, as listed in open data and Open311) is not the key to the lookup: say so. */
    other: (v: string) =>
      parsePublicId(v) ? '这是公开数据中的公开编号（GK-…），不能用于查询进度：请输入回执上的举报编号（AQ-…）。' : null,
  },
  {
    id: 't-code',
    parse: parseQueryCode,
    empty: '请填写查询码',
    wrong:
      '查询码格式不正确：应为 12 位字母或数字，如 K3M9-QXP2-D7AB（不区分大小写，短横线可不输入），请对照回执核对。',
  },
] as const;

function askProblems(): HTMLInputElement | null {
  let first: HTMLInputElement | null = null;
  for (const f of ASK_FIELDS) {
    const input = $<HTMLInputElement>(f.id);
    const slot = $(`e-${f.id}`);
    const value = input.value.trim();
    const problem = !value ? f.empty : f.parse(value) ? '' : ('other' in f && f.other(value)) || f.wrong;
    slot.textContent = problem;
    slot.hidden = !problem;
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    if (problem && !first) first = input;
  }
  return first;
}

$('ask-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const trackingNo = ($('t-no') as HTMLInputElement).value.trim();
  const queryCode = ($('t-code') as HTMLInputElement).value.trim();
  const wrong = askProblems();
  if (wrong) {
    $('ask-error').textContent = '';
    wrong.focus();
    return;
  }
  $('ask-error').textContent = '';
  const r = await call('/api/track', { json: { trackingNo, queryCode } });
  if (r.status !== 200) {
    $('ask-error').textContent = messageOf(r);
    return;
  }
  const opened = r.body as { token: string; view: View };
  token = opened.token;
  sessionStorage.setItem(TOKEN_KEY, token);
  ($('t-code') as HTMLInputElement).value = '';
  render(opened.view);
  $('view-title').focus();
});

const uploads = new Uploads(
  $('r-file-list') as HTMLUListElement,
  { maxFiles: LIMITS.attachments.maxFiles, maxBytes: LIMITS.attachments.maxBytes },
  () => undefined,
  (m) => ($('reply-error').textContent = m),
  // Evidence uploads are authorised by the open lookup itself (its token), not by a second Turnstile check.
  async () => {
    const r = await call('/api/uploads/ticket', { token, json: {} });
    if (r.status === 401) {
      leave(messageOf(r));
      throw new TicketError(messageOf(r));
    }
    if (r.status !== 200) throw new TicketError(messageOf(r));
    return (r.body as { ticket: string }).ticket;
  },
);
$('r-files').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  if (input.files) uploads.add(input.files);
  input.value = '';
});

/**
 * A form of the open lookup, in one place: `send` its request (or return what is wrong before sending); an expired
 * lookup closes, a refusal is said in the form's error line, and an accepted one shows the new view with `done`.
 */
function lookupForm(
  formId: string,
  errorId: string,
  send: () => Promise<Answer<Record<string, unknown>>> | string,
  done: string,
  after?: () => void,
) {
  $(formId).addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = send();
    if (typeof r === 'string') {
      $(errorId).textContent = r;
      return;
    }
    const a = await r;
    if (a.status === 401) return leave(messageOf(a));
    if (!a.ok) {
      $(errorId).textContent = messageOf(a);
      return;
    }
    $(errorId).textContent = '';
    after?.();
    render(a.body as unknown as View);
    $('v-new').textContent = done;
  });
}

lookupForm(
  'reply-form',
  'reply-error',
  () =>
    uploads.busy
      ? '附件仍在上传，请稍候。'
      : call('/api/track/messages', {
          token,
          json: {
            body: ($('r-body') as HTMLTextAreaElement).value,
            attachments: uploads.done.map((f) => ({ id: f.id, claim: f.claim })),
          },
        }),
  '已发送，工作人员会尽快查看。',
  () => {
    ($('r-body') as HTMLTextAreaElement).value = '';
    uploads.done = [];
    $('r-file-list').replaceChildren();
  },
);

lookupForm(
  'obj-form',
  'obj-error',
  () => call('/api/track/objection', { token, json: { reason: ($('o-reason') as HTMLTextAreaElement).value } }),
  '已收到您的异议，举报进入复查。',
);

lookupForm(
  'rate-form',
  'rate-error',
  () => {
    const level = document.querySelector<HTMLInputElement>('#rate-form input[name="level"]:checked')?.value;
    if (!level) return '请选择一项评价。';
    const reason = ($('rate-reason') as HTMLTextAreaElement).value.trim();
    return call('/api/track/rating', { token, json: { level, ...(reason ? { reason } : {}) } });
  },
  '已收到您的评价，谢谢。',
);

const value = (id: string) => ($(id) as HTMLInputElement).value.trim();
lookupForm(
  'id-form',
  'id-error',
  () =>
    call('/api/track/identity', {
      token,
      json: { name: value('id-name'), mobile: value('id-mobile'), idNumber: value('id-number') },
    }),
  '已加密保存您的真实身份。举报经核查属实并符合奖励条件的，将通知您凭本人有效身份证件领取奖励。',
  () => {
    for (const id of ['id-name', 'id-mobile', 'id-number']) ($(id) as HTMLInputElement).value = '';
  },
);

$('refresh').addEventListener('click', () => void refresh());
$('leave').addEventListener('click', () => leave());
void refresh();
