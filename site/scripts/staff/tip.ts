/**
 * The tip page. Everything is built with DOM APIs from the JSON (never HTML strings), so whatever a reporter
 * typed is shown as text. Action buttons come from the server's `actions` list (the state machine decides).
 */
import { api, ApiFailure, whoami } from './api';
import { clear, date, dateTime, dueCell, h, oneFieldForm, onSubmit, panel } from './dom';
import * as L from './labels';
import { money } from '../shared/format';
import type { Action } from '../../../worker/domain/workflow';
import type { ReferenceData, RevealedIdentity, TipDetail as Detail } from '../../../worker/schemas/staff';

const FOLLOWUP_STATES: Record<string, string> = {
  open: '待回访答复',
  stood: '已答复：维持原结论',
  reopened: '已答复：重新复查',
  objected: '举报人提出异议，转入复查',
};

type FieldSpec =
  | { name: string; label: string; kind: 'text' | 'textarea' | 'date' | 'number'; required?: boolean }
  | { name: string; label: string; kind: 'select'; options: { code: string; label: string }[]; required?: boolean }
  | { name: string; label: string; kind: 'bool' };

let departments: { code: string; label: string }[] = [];
/** Lead departments per domain: the 交办 default first, then a second lead where the plan names two. */
let leadsOf = new Map<string, string[]>();
const FORMS: Record<Action, () => FieldSpec[]> = {
  accept: () => [],
  reject: () => [
    { name: 'reason', label: '不予受理理由', kind: 'select', options: [...L.REJECT_REASONS], required: true },
    { name: 'note', label: '说明（可选）', kind: 'textarea' },
  ],
  assign: () => [
    { name: 'departmentId', label: '承办单位', kind: 'select', options: departments, required: true },
    { name: 'dueDate', label: '交办期限（不填则为办结期限）', kind: 'date' },
    { name: 'instructions', label: '交办要求（内部）', kind: 'textarea' },
  ],
  return: () => [{ name: 'reason', label: '退回理由', kind: 'textarea', required: true }],
  conclude: () => [
    { name: 'conclusion', label: '核查结论', kind: 'select', options: [...L.CONCLUSIONS], required: true },
    {
      name: 'verifiedType',
      label: '核查认定类别（属实、部分属实时必填；奖励按核查认定的类别计算，不按举报人所选）',
      kind: 'select',
      options: [...L.VERIFIED_TYPES],
    },
    { name: 'decision', label: '处理决定（举报人可见）', kind: 'textarea', required: true },
    { name: 'penaltyYuan', label: '行政处罚金额（元，可选）', kind: 'number' },
    { name: 'hazardLevel', label: '隐患等级', kind: 'select', options: [...L.HAZARD_LEVELS] },
    { name: 'riskColour', label: '风险颜色', kind: 'select', options: [...L.RISK_COLOURS] },
    { name: 'rectificationRequired', label: '需要整改', kind: 'bool' },
  ],
  rectify: () => [
    { name: 'report', label: '整改完成情况（整改方案已随核查结论记录）', kind: 'textarea', required: true },
  ],
  recheck: () => [
    { name: 'passed', label: '复查合格，予以销号', kind: 'bool' },
    { name: 'note', label: '复查意见', kind: 'textarea', required: true },
    { name: 'newDeadline', label: '新的整改时限（复查未通过时填写）', kind: 'date' },
  ],
  merge: () => [{ name: 'primaryTrackingNo', label: '并入的主举报编号', kind: 'text', required: true }],
  request_extension: () => [
    { name: 'days', label: '延期天数（最多 30 天）', kind: 'number', required: true },
    { name: 'reason', label: '延期理由（举报人可见）', kind: 'textarea', required: true },
  ],
  decide_extension: () => [
    { name: 'approve', label: '批准延期', kind: 'bool' },
    { name: 'note', label: '审批意见', kind: 'textarea' },
  ],
  followup_stand: () => [
    {
      name: 'answer',
      label: '答复举报人：维持原结论的理由（发送到与举报人的沟通中）',
      kind: 'textarea',
      required: true,
    },
  ],
  followup_reopen: () => [
    { name: 'answer', label: '答复举报人：重新复查的说明（发送到与举报人的沟通中）', kind: 'textarea', required: true },
  ],
};

/** 瞒报谎报事故: the finally confirmed accident grade and the concealed deaths (shown for that category only). */
const ACCIDENT_FIELDS: FieldSpec[] = [
  {
    name: 'accidentLevel',
    label: '最终确认的事故等级',
    kind: 'select',
    options: [...L.ACCIDENT_LEVELS],
    required: true,
  },
  { name: 'concealedDeaths', label: '查实的瞒报谎报死亡人数', kind: 'number', required: true },
];

/** The 五到位 plan (整改方案), recorded with a conclusion that orders 整改; its 时限 starts the rectification clock. */
const PLAN_FIELDS: FieldSpec[] = [
  { name: 'rectification.measures', label: '整改措施', kind: 'textarea', required: true },
  { name: 'rectification.responsibility', label: '责任人', kind: 'text', required: true },
  { name: 'rectification.funds', label: '资金落实', kind: 'text', required: true },
  { name: 'rectification.deadline', label: '整改时限', kind: 'date', required: true },
  { name: 'rectification.plan', label: '应急预案', kind: 'textarea', required: true },
];

const id = new URLSearchParams(location.search).get('id') ?? '';
const root = document.getElementById('tip')!;

/** The path the API names a field by in its errors (the action's input is checked on its own; 元 are sent as 分). */
const errorPath = (name: string) => (name === 'penaltyYuan' ? 'penaltyFen' : name);

function control(f: FieldSpec) {
  const fid = `a-${f.name}`;
  const err = h('span', { class: 'field-error', id: `${fid}-err`, 'data-error-for': errorPath(f.name) });
  if (f.kind === 'bool')
    return h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: f.name, id: fid }), f.label, err);
  const input =
    f.kind === 'select'
      ? h(
          'select',
          { name: f.name, id: fid, required: f.required, 'aria-describedby': `${fid}-err` },
          h('option', { value: '' }, '请选择'),
          f.options.map((o) => h('option', { value: o.code }, o.label)),
        )
      : f.kind === 'textarea'
        ? h('textarea', {
            name: f.name,
            id: fid,
            rows: 3,
            required: f.required,
            maxlength: 2000,
            'aria-describedby': `${fid}-err`,
          })
        : h('input', {
            type: f.kind,
            name: f.name,
            id: fid,
            required: f.required,
            min: f.kind === 'number' ? 0 : null,
            step: f.name === 'penaltyYuan' ? '0.01' : null,
            'aria-describedby': `${fid}-err`,
          });
  return h('label', {}, f.label, input, err);
}

function collect(form: HTMLFormElement, fields: FieldSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const el = form.elements.namedItem(f.name) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (f.kind === 'bool') out[f.name] = (el as HTMLInputElement).checked;
    else if (el.value.trim() === '') continue;
    else if (f.name === 'penaltyYuan') out.penaltyFen = Math.round(Number(el.value) * 100);
    else if (f.kind === 'number') out[f.name] = Number(el.value);
    else if (f.name.includes('.')) {
      const [group, key] = f.name.split('.') as [string, string];
      out[group] ??= {};
      (out[group] as Record<string, unknown>)[key] = el.value;
    } else out[f.name] = el.value;
  }
  return out;
}

/** Fields of an action form shown only when an answer asks for them (hidden at first). */
const fieldGroup = (legend: string, fields: FieldSpec[]) =>
  h('fieldset', { class: 'stack', hidden: true }, h('legend', {}, legend), fields.map(control));

function actionForm(t: Detail, action: Action) {
  const fields = FORMS[action]();
  const conclude = action === 'conclude';
  // A conclusion that orders 整改 records the 五到位 plan with it (shown once 需要整改 is ticked).
  const plan = conclude ? fieldGroup('整改方案（五到位：措施、责任人、资金、时限、预案）', PLAN_FIELDS) : null;
  const accident = conclude ? fieldGroup('瞒报谎报事故的核查认定', ACCIDENT_FIELDS) : null;
  const form: HTMLFormElement = h(
    'form',
    { class: 'stack panel', 'aria-label': L.actionLabel(action) },
    h('h3', {}, L.actionLabel(action)),
    fields.map(control),
    accident,
    plan,
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, `确认${L.actionLabel(action)}`)),
  );
  const required = form.elements.namedItem('rectificationRequired');
  if (plan && required instanceof HTMLInputElement)
    required.addEventListener('change', () => (plan.hidden = !required.checked));
  const verified = form.elements.namedItem('verifiedType');
  if (accident && verified instanceof HTMLSelectElement)
    verified.addEventListener('change', () => {
      accident.hidden = verified.value !== 'concealed_accident';
      for (const el of accident.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'))
        el.disabled = accident.hidden;
    });
  for (const el of accident?.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select') ?? [])
    el.disabled = true;
  const allFields = () => [
    ...fields,
    ...(accident && !accident.hidden ? ACCIDENT_FIELDS : []),
    ...(plan && !plan.hidden ? PLAN_FIELDS : []),
  ];
  // 交办 defaults to the domain's 牵头单位 (admin-editable routing); where the plan names two, both are offered.
  const dept = form.elements.namedItem('departmentId');
  const leads = leadsOf.get(t.domain) ?? [];
  if (action === 'assign' && dept instanceof HTMLSelectElement) {
    dept.value = leads[0] ?? '';
    if (leads.length > 1) {
      const names = leads.map((id) => departments.find((d) => d.code === id)?.label ?? id);
      dept.after(
        h(
          'p',
          { 'data-co-leads': leads.join(' ') },
          `本领域原文写明两个牵头单位：${names.join('、')}。请按隐患所在位置和职责选择其一。`,
        ),
      );
    }
  }
  onSubmit(
    form,
    () =>
      api(`/api/staff/tips/${encodeURIComponent(t.id)}/actions/${action}`, {
        json: { version: t.version, input: collect(form, allFields()) },
      }),
    `已${L.actionLabel(action)}。`,
    render,
  );
  return form;
}

/** The two one-text forms under a tip: a message to the reporter and an internal note. */
const TEXT_FORMS = {
  messages: {
    path: 'messages',
    id: 'msg-body',
    rows: 3,
    title: '给举报人留言',
    label: '给举报人留言（举报人凭查询码可见）',
    button: { class: 'primary', text: '发送留言' },
    done: '留言已发送。',
  },
  notes: {
    path: 'notes',
    id: 'note-body',
    rows: 2,
    title: '内部备注',
    label: '内部备注（举报人不可见）',
    button: { class: 'secondary', text: '保存备注' },
    done: undefined,
  },
} as const;

function textForm(t: Detail, spec: (typeof TEXT_FORMS)[keyof typeof TEXT_FORMS]) {
  const body = h('textarea', {
    name: 'body',
    id: spec.id,
    rows: spec.rows,
    maxlength: 2000,
    required: true,
    'aria-describedby': `${spec.id}-err`,
  });
  const form = oneFieldForm({
    title: spec.title,
    class: 'stack no-print',
    label: spec.label,
    control: [body, h('span', { class: 'field-error', id: `${spec.id}-err`, 'data-error-for': 'body' })],
    submit: spec.button.text,
    submitClass: spec.button.class,
  });
  onSubmit(
    form,
    () => api(`/api/staff/tips/${encodeURIComponent(t.id)}/${spec.path}`, { json: { body: body.value } }),
    spec.done,
    render,
  );
  return form;
}

function facts(pairs: [string, Node | string | null | undefined][]) {
  return h(
    'dl',
    { class: 'facts' },
    pairs
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v as Node | string)]),
  );
}

function attachmentEl(a: Detail['attachments'][number]) {
  const media =
    a.kind === 'image'
      ? h('img', { src: a.url, alt: '举报附件照片', loading: 'lazy' })
      : a.kind === 'video'
        ? h('video', { src: a.url, controls: true, preload: 'none' })
        : h('audio', { src: a.url, controls: true, preload: 'none' });
  return h(
    'li',
    {},
    media,
    h('br'),
    h(
      'a',
      { href: a.url, target: '_blank', rel: 'noopener' },
      `${a.origin === 'evidence' ? '补充证据' : '附件'} · ${Math.ceil(a.bytes / 1024)} KB`,
    ),
  );
}

async function render() {
  let t: Detail;
  try {
    t = await api<Detail>(`/api/staff/tips/${encodeURIComponent(id)}`);
  } catch (e) {
    clear(root, h('p', {}, e instanceof ApiFailure ? e.message : '加载失败'));
    return;
  }
  document.title = `${t.trackingNo} · 举报详情 · 工作台`;
  const actionsBox = h('div', { class: 'no-print' });
  const buttons = h(
    'div',
    { class: 'actions no-print' },
    t.actions.map((a) =>
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-action': a, onclick: () => clear(actionsBox, actionForm(t, a)) },
        L.actionLabel(a),
      ),
    ),
    h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, '打印交办单'),
  );
  const identityBox = h('div', { class: 'no-print' });
  if (t.canReveal) {
    const reason = h('input', { name: 'reason', id: 'reveal-reason', maxlength: 500, required: true });
    const f = oneFieldForm({
      title: '查看举报人身份',
      class: 'stack',
      label: '查看实名举报人身份的理由（记入审计日志）',
      control: reason,
      submit: '查看身份',
      submitClass: 'secondary',
    });
    onSubmit(f, async () => {
      const who = await api<RevealedIdentity>(`/api/staff/tips/${encodeURIComponent(t.id)}/reveal`, {
        json: { reason: reason.value },
      });
      clear(
        identityBox,
        h(
          'div',
          { class: 'identity', role: 'region', 'aria-label': '举报人身份（保密）' },
          h('strong', {}, '举报人身份（依法保密，不得外传）'),
          facts([
            [who.coSigners?.length ? '姓名（第一署名人）' : '姓名', who.name],
            ['手机', who.mobile],
            ['身份证号', who.idNumber],
            ['邮箱', who.email],
            ...(who.coSigners?.length ? [['其他联名人', who.coSigners.join('、')] as [string, string]] : []),
          ]),
        ),
      );
    });
    identityBox.append(f);
  }
  const msgForm = textForm(t, TEXT_FORMS.messages);
  const noteForm = textForm(t, TEXT_FORMS.notes);

  clear(
    root,
    h('h1', {}, `举报 ${t.trackingNo}`),
    h(
      'p',
      {},
      h('span', { class: 'badge' }, L.state(t.state)),
      ' 公开状态：',
      L.publicStatus(t.publicStatus),
      t.riskColour
        ? [' ', h('span', { class: `badge risk-${t.riskColour}` }, `${L.labelIn(L.RISK_COLOURS, t.riskColour)}色风险`)]
        : null,
    ),
    buttons,
    actionsBox,
    h(
      'div',
      { class: 'grid-2' },
      panel(
        'h-facts',
        '举报内容',
        facts([
          ['举报类型（举报时所选）', L.tipType(t.type)],
          ['行业领域', L.domain(t.domain)],
          ['被举报单位/场所', t.unitName],
          ['地址', t.townName && !t.address.startsWith(t.townName) ? `${t.townName} ${t.address}` : t.address],
          ['位置', t.location ? `${t.location.lat.toFixed(5)}, ${t.location.lng.toFixed(5)}` : null],
          ['发现时间', dateTime(t.seenAt)],
          ['提交时间', dateTime(t.createdAt)],
          [
            '举报人',
            `${t.anonymous ? '匿名' : '实名（身份另行加密保存）'}${t.signatories > 1 ? ` · 联名举报（${t.signatories} 人署名）` : ''}${t.isEmployee ? ' · 本单位从业人员' : ''}`,
          ],
          ['来源', t.source === 'web' ? '网站' : t.source],
        ]),
        h('h3', {}, '问题描述'),
        h('p', { class: 'body-text', id: 'description' }, t.description),
        t.attachments.length
          ? [h('h3', {}, '附件'), h('ul', { class: 'attachments no-print' }, t.attachments.map(attachmentEl))]
          : null,
        identityBox,
      ),
      panel(
        'h-handling',
        '办理情况',
        facts([
          ['承办单位', t.departmentName ?? '—'],
          ['当前期限', t.dueKind ? h('span', {}, `${L.DUE_KIND_LABELS[t.dueKind] ?? ''} `, dueCell(t.dueAt)) : '—'],
          ['超期', t.overdueKind ? h('strong', { class: 'overdue' }, L.OVERDUE_LABELS[t.overdueKind] ?? '超期') : null],
          ['办结期限（核查）', t.concludeDueAt ? date(t.concludeDueAt) : null],
          ['整改时限', t.rectifyDueAt ? date(t.rectifyDueAt) : null],
          ['整改完成', t.rectifiedAt ? dateTime(t.rectifiedAt) : t.rectifyDueAt ? '未完成' : null],
          ['整改复查期限', t.recheckDueAt ? date(t.recheckDueAt) : null],
          [
            '延期',
            t.extension
              ? `${{ requested: '已申请', approved: '已批准', refused: '未批准' }[t.extension.state] ?? t.extension.state} ${t.extension.days} 天：${t.extension.reason ?? ''}`
              : null,
          ],
          ['核查结论', t.conclusion ? L.labelIn(L.CONCLUSIONS, t.conclusion) : null],
          // What 核查 found, beside what the reporter chose (rewards follow this one).
          [
            '核查认定类别',
            t.verifiedType
              ? `${L.verifiedType(t.verifiedType)}${t.verifiedType !== t.type ? `（举报时所选：${L.tipType(t.type)}）` : ''}`
              : null,
          ],
          ['事故等级（最终确认）', t.accidentLevel ? L.labelIn(L.ACCIDENT_LEVELS, t.accidentLevel) : null],
          ['瞒报谎报死亡人数（查实）', t.concealedDeaths != null ? `${t.concealedDeaths} 人` : null],
          ['处理决定', t.decision],
          ['行政处罚', t.penaltyFen != null ? money(t.penaltyFen) : null],
          ['隐患等级', t.hazardLevel ? L.labelIn(L.HAZARD_LEVELS, t.hazardLevel) : null],
          ['不予受理理由', t.rejectReason ? L.labelIn(L.REJECT_REASONS, t.rejectReason) : null],
          [
            '已并入',
            t.mergedInto
              ? h('a', { href: `/staff/tip/?id=${encodeURIComponent(t.mergedInto.id)}` }, t.mergedInto.trackingNo)
              : null,
          ],
        ]),
        t.rectification
          ? [
              h('h3', {}, '整改方案（五到位）'),
              facts([
                ['措施', t.rectification.measures],
                ['责任人', t.rectification.responsibility],
                ['资金', t.rectification.funds],
                ['时限', t.rectification.deadline],
                ['预案', t.rectification.plan],
              ]),
            ]
          : null,
        t.mergedTips.length
          ? [
              h('h3', {}, '并入本件的重复举报'),
              h(
                'ul',
                {},
                t.mergedTips.map((m) =>
                  h(
                    'li',
                    {},
                    h('a', { href: `/staff/tip/?id=${encodeURIComponent(m.id)}` }, m.trackingNo),
                    ` · ${dateTime(m.createdAt)}`,
                  ),
                ),
              ),
            ]
          : null,
        t.duplicates.length
          ? [
              h('h3', {}, '疑似重复（同单位或地址、同领域、30 天内）'),
              h(
                'ul',
                { class: 'no-print' },
                t.duplicates.map((d) =>
                  h(
                    'li',
                    {},
                    h('a', { href: `/staff/tip/?id=${encodeURIComponent(d.id)}` }, d.trackingNo),
                    ` · ${d.unitName} · ${d.address} · ${L.state(d.state)}`,
                  ),
                ),
              ),
            ]
          : null,
      ),
    ),
    t.ratings.length
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-ratings', id: 'ratings' },
          h('h2', { id: 'h-ratings' }, '举报人评价与回访'),
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['结论送达', '评价', '理由', '评价时间', '回访'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              t.ratings.map((r) =>
                h(
                  'tr',
                  {},
                  h('td', {}, date(r.conclusionAt)),
                  h(
                    'td',
                    {},
                    h(
                      'strong',
                      { class: r.level === 'dissatisfied' || r.level === 'very_dissatisfied' ? 'overdue' : null },
                      r.levelLabel,
                    ),
                  ),
                  h('td', { class: 'body-text' }, r.reason ?? '—'),
                  h('td', {}, dateTime(r.ratedAt)),
                  h(
                    'td',
                    {},
                    r.followup
                      ? h(
                          'span',
                          {},
                          FOLLOWUP_STATES[r.followup.state] ?? r.followup.state,
                          r.followup.state === 'open'
                            ? h('span', {}, ' · 答复期限 ', dueCell(r.followup.dueAt))
                            : r.followup.decidedAt
                              ? ` · ${dateTime(r.followup.decidedAt)}${r.followup.decidedBy ? ` · ${r.followup.decidedBy}` : ''}`
                              : '',
                          r.followup.answer ? h('div', { class: 'body-text' }, r.followup.answer) : null,
                        )
                      : '—',
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
    panel(
      'h-timeline',
      '办理记录',
      h(
        'ol',
        { class: 'timeline' },
        t.events.map((e) =>
          h(
            'li',
            { class: e.public ? null : 'internal' },
            h('time', {}, dateTime(e.at)),
            h('strong', {}, L.EVENT_LABELS[e.kind] ?? e.kind),
            e.staffName ? ` · ${e.staffName}` : '',
            e.public ? '' : '（内部）',
            e.publicText ? h('div', { class: 'body-text' }, e.publicText) : null,
            e.data && typeof e.data === 'object' && ('text' in e.data || 'reason' in e.data || 'note' in e.data)
              ? h(
                  'div',
                  { class: 'body-text' },
                  String(
                    (e.data as Record<string, unknown>).text ??
                      (e.data as Record<string, unknown>).reason ??
                      (e.data as Record<string, unknown>).note ??
                      '',
                  ),
                )
              : null,
          ),
        ),
      ),
      noteForm,
    ),
    h(
      'section',
      { class: 'panel no-print', 'aria-labelledby': 'h-messages' },
      h('h2', { id: 'h-messages' }, '与举报人沟通'),
      t.messages.length
        ? h(
            'ol',
            { class: 'timeline' },
            t.messages.map((m) =>
              h(
                'li',
                { class: m.author === 'reporter' ? 'internal' : null },
                h('time', {}, dateTime(m.at)),
                h(
                  'strong',
                  {},
                  m.author === 'reporter' ? '举报人' : `工作人员${m.staffName ? `（${m.staffName}）` : ''}`,
                ),
                m.author === 'staff' ? (m.readByReporterAt ? ' · 举报人已读' : ' · 举报人未读') : '',
                h('div', { class: 'body-text' }, m.body),
              ),
            ),
          )
        : h('p', {}, '暂无留言。'),
      t.state === 'merged' ? null : msgForm,
    ),
  );
}

(async () => {
  await whoami();
  const ref = await api<ReferenceData>('/api/staff/reference');
  departments = ref.departments.filter((d) => d.active).map((d) => ({ code: d.id, label: d.name }));
  leadsOf = new Map(
    ref.domains.map((d) => [d.code, [d.lead_department_id, d.co_lead_department_id].filter((x): x is string => !!x)]),
  );
  await render();
})();
