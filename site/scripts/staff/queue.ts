/** The queue page: filters kept in the URL, keyset paging, reminders, bulk 交办. */
import { api, ApiFailure, can, whoami } from './api';
import { clear, dateTime, dueCell, flash, h, onSubmit } from './dom';
import * as L from './labels';
import { isMajorHazard } from '../../../worker/domain/workflow';
import type {
  BulkAssignResult,
  QueuePage,
  QueueRow as Row,
  ReferenceData,
  Reminders,
} from '../../../worker/schemas/staff';

const form = document.getElementById('filters') as HTMLFormElement;
const rowsEl = document.getElementById('rows')!;
const more = document.getElementById('more') as HTMLButtonElement;
const bulk = document.getElementById('bulk') as HTMLFormElement;
let departments = new Map<string, string>();
let cursor: string | null = null;
let canAssign = false;
const selected = new Map<string, number>();

function params(): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v)) p.set(k, String(v));
  return p;
}

function rowEl(r: Row) {
  const box =
    canAssign && (r.state === 'accepted' || r.state === 'returned')
      ? h('input', {
          type: 'checkbox',
          'aria-label': `选择 ${r.trackingNo}`,
          onchange: (e: Event) => {
            if ((e.target as HTMLInputElement).checked) selected.set(r.id, r.version);
            else selected.delete(r.id);
            bulk.hidden = selected.size === 0;
          },
        })
      : null;
  // 重大事故隐患 stand out by a word badge and a bar along the row; a reported one not yet determined says so.
  const major = isMajorHazard(r);
  return h(
    'tr',
    { class: [r.overdue ? 'overdue' : '', major ? 'major' : ''].join(' ').trim() || null },
    h('td', { class: 'pick' }, box),
    h(
      'td',
      { class: 'no' },
      h('a', { href: `/staff/tip/?id=${encodeURIComponent(r.id)}` }, r.trackingNo),
      major
        ? [
            ' ',
            h(
              'span',
              { class: 'badge major' },
              r.hazardLevel === 'major' || r.verifiedType === 'major_hazard' ? '⚠ 重大隐患' : '⚠ 重大隐患（待认定）',
            ),
          ]
        : null,
      r.reporterMessagePending ? [' ', h('span', { class: 'badge msg' }, '新留言')] : null,
    ),
    h(
      'td',
      { class: 'unit' },
      h('div', {}, r.unitName),
      h('small', {}, r.address.startsWith(L.town(r.townId)) ? r.address : `${L.town(r.townId)} · ${r.address}`),
    ),
    h('td', { 'data-label': '类型' }, L.tipType(r.type), h('br'), h('small', {}, L.domain(r.domain))),
    h(
      'td',
      { 'data-label': '状态' },
      L.state(r.state),
      r.riskColour
        ? [' ', h('span', { class: `badge risk-${r.riskColour}` }, `${L.labelIn(L.RISK_COLOURS, r.riskColour)}色`)]
        : null,
      r.rating ? [h('br'), h('small', { class: r.lowRating ? 'overdue' : null }, `评价：${r.rating}`)] : null,
    ),
    h('td', { 'data-label': '承办' }, r.departmentId ? (departments.get(r.departmentId) ?? r.departmentId) : '—'),
    h(
      'td',
      { 'data-label': '期限' },
      r.dueKind ? h('small', {}, L.DUE_KIND_LABELS[r.dueKind] ?? r.dueKind) : null,
      r.overdueLabel ? [' ', h('span', { class: 'badge overdue-kind' }, r.overdueLabel)] : null,
      h('br'),
      dueCell(r.dueAt),
      r.followupDueAt ? [h('br'), h('small', {}, '回访答复期限 '), dueCell(r.followupDueAt)] : null,
    ),
  );
}

async function load(append = false) {
  const p = params();
  if (append && cursor) p.set('cursor', cursor);
  history.replaceState(null, '', `?${params().toString()}`);
  (document.getElementById('export') as HTMLAnchorElement).href = `/api/staff/tips/export.csv?${params().toString()}`;
  try {
    const page = await api<QueuePage>(`/api/staff/tips?${p.toString()}`);
    if (!append) clear(rowsEl);
    if (!append && page.rows.length === 0) rowsEl.append(h('tr', {}, h('td', { colspan: 7 }, '没有符合条件的举报。')));
    for (const r of page.rows) rowsEl.append(rowEl(r));
    cursor = page.next;
    more.hidden = !cursor;
  } catch (e) {
    flash(e instanceof ApiFailure ? e.message : '加载失败');
  }
}

async function loadReminders() {
  const list = document.getElementById('reminders')!;
  const { reminders } = await api<Reminders>('/api/staff/reminders');
  const levels: Record<string, string> = { remind: '提醒', urge: '催办', escalate: '督办', listed: '挂牌督办' };
  const kinds: Record<string, string> = { ...L.DUE_KIND_LABELS, followup: '回访答复期限' };
  clear(list);
  if (!reminders.length) list.append(h('li', {}, '暂无提醒。'));
  for (const r of reminders.slice(0, 20)) {
    const li = h(
      'li',
      { class: r.read_at ? null : 'internal' },
      h('strong', {}, levels[r.level] ?? r.level),
      ' ',
      h('a', { href: `/staff/tip/?id=${encodeURIComponent(r.tip_id)}` }, r.unit_name),
      r.due_at ? ` · ${kinds[r.due_kind] ?? ''} ${dateTime(r.due_at)}` : '',
      r.read_at
        ? null
        : [
            ' ',
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                onclick: async () => {
                  await api(`/api/staff/reminders/${encodeURIComponent(r.id)}/read`, { method: 'POST', json: {} });
                  li.classList.remove('internal');
                },
              },
              '标为已读',
            ),
          ],
    );
    list.append(li);
  }
}

(async () => {
  const me = await whoami();
  canAssign = can(me, 'tips.bulk_assign');
  const ref = await api<ReferenceData>('/api/staff/reference');
  departments = new Map(ref.departments.map((d) => [d.id, d.name]));
  const deptSel = document.getElementById('f-dept')!;
  const bulkSel = document.getElementById('bulk-dept')!;
  for (const d of ref.departments.filter((x) => x.active)) {
    deptSel.append(h('option', { value: d.id }, d.name));
    bulkSel.append(h('option', { value: d.id }, d.name));
  }
  // Restore filters from the URL.
  const q = new URLSearchParams(location.search);
  for (const [k, v] of q) {
    const el = form.elements.namedItem(k);
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = v === el.value;
    else if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) el.value = v;
  }
  await Promise.all([load(), loadReminders().catch(() => undefined)]);
})();

form.addEventListener('submit', (e) => {
  e.preventDefault();
  cursor = null;
  void load();
});
more.addEventListener('click', () => void load(true));
onSubmit(bulk, async (data) => {
  const dueDate = String(data.get('dueDate') ?? '');
  const r = await api<BulkAssignResult>('/api/staff/tips/bulk-assign', {
    json: {
      tips: [...selected].map(([id, version]) => ({ id, version })),
      departmentId: String(data.get('departmentId')),
      ...(dueDate ? { dueDate } : {}),
    },
  });
  const failed = r.results.filter((x) => !x.ok);
  flash(
    failed.length
      ? `${r.results.length - failed.length} 条已交办，${failed.length} 条未能交办：${failed[0]!.error?.message ?? ''}`
      : `已交办 ${r.results.length} 条。`,
    !failed.length,
  );
  selected.clear();
  bulk.hidden = true;
  cursor = null;
  await load();
});
