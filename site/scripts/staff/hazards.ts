/** The hazard ledger page (隐患台账): filters kept in the URL, keyset paging, the CSV link and print. */
import { api, ApiFailure, can, whoami } from './api';
import { clear, date, dueCell, flash, h } from './dom';

import type { HazardPage, HazardRow } from '../../../worker/schemas/hazards';
import type { ReferenceData } from '../../../worker/schemas/staff';

const form = document.getElementById('filters') as HTMLFormElement;
const rowsEl = document.getElementById('rows')!;
const more = document.getElementById('more') as HTMLButtonElement;
const count = document.getElementById('count')!;
let cursor: string | null = null;

function params(): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v)) p.set(k, String(v));
  return p;
}

function rowEl(r: HazardRow) {
  return h(
    'tr',
    { class: [r.overdue ? 'overdue' : '', r.category === 'major' ? 'major' : ''].join(' ').trim() || null },
    h(
      'td',
      { class: 'no' },
      h('a', { href: `/staff/hazard/?id=${encodeURIComponent(r.id)}` }, r.trackingNo),
      h('br'),
      h('span', { class: `badge ${r.category === 'major' ? 'major' : 'general'}` }, r.categoryLabel),
      r.riskColour ? [' ', h('span', { class: `badge risk-${r.riskColour}` }, riskLabel(r.riskColour))] : null,
    ),
    h('td', { class: 'unit' }, h('div', {}, r.unitName), h('small', {}, r.address)),
    h(
      'td',
      { 'data-label': '领域' },
      r.domainName,
      h('br'),
      h('small', {}, `${r.townName} · ${r.departmentName ?? '未交办'}`),
      h('br'),
      h('small', {}, `认定 ${date(r.foundAt)}`),
    ),
    h(
      'td',
      { 'data-label': '整改方案' },
      r.plan
        ? [
            h('div', {}, r.plan.measures),
            h('small', {}, `责任人：${r.plan.responsibility}；资金：${r.plan.funds}；预案：${r.plan.plan}`),
          ]
        : h('small', {}, '未责令整改'),
    ),
    h(
      'td',
      { 'data-label': '整改时限' },
      r.rectifyDueAt ? (r.overdue ? dueCell(r.rectifyDueAt) : date(r.rectifyDueAt)) : '—',
      r.overdue ? [' ', h('span', { class: 'badge overdue-kind' }, '整改超期')] : null,
      r.rectifiedAt ? [h('br'), h('small', {}, `整改完成 ${date(r.rectifiedAt)}`)] : null,
    ),
    h(
      'td',
      { 'data-label': '督办·复查' },
      r.listed === 'listed' ? h('strong', { class: 'listed' }, r.listedLabel) : r.listedLabel,
      h('br'),
      h(
        'small',
        {},
        r.recheckLabel,
        r.recheckAt ? ` ${date(r.recheckAt)}` : '',
        r.recheckFailures ? `（未通过 ${r.recheckFailures} 次）` : '',
      ),
    ),
    h(
      'td',
      { 'data-label': '状态' },
      r.statusLabel,
      r.closedAt ? [h('br'), h('small', {}, `销号 ${date(r.closedAt)}`)] : null,
    ),
  );
}

const RISK: Record<string, string> = { red: '红', orange: '橙', yellow: '黄', blue: '蓝' };
const riskLabel = (c: string) => `${RISK[c] ?? c}色`;

async function load(append = false) {
  const p = params();
  if (append && cursor) p.set('cursor', cursor);
  history.replaceState(null, '', `?${params().toString()}`);
  const exportParams = params();
  exportParams.delete('sort');
  (document.getElementById('export') as HTMLAnchorElement).href =
    `/api/staff/hazards/export.csv?${exportParams.toString()}`;
  try {
    const page = await api<HazardPage>(`/api/staff/hazards?${p.toString()}`);
    if (!append) clear(rowsEl);
    if (!append && page.rows.length === 0) rowsEl.append(h('tr', {}, h('td', { colspan: 7 }, '没有符合条件的隐患。')));
    for (const r of page.rows) rowsEl.append(rowEl(r));
    count.textContent = `共 ${page.total} 条隐患${p.get('overdue') ? '（整改超期）' : ''}。`;
    cursor = page.next;
    more.hidden = !cursor;
    document.body.dataset.ready = '1';
  } catch (e) {
    clear(rowsEl, h('tr', {}, h('td', { colspan: 7 }, '加载失败。')));
    flash(e instanceof ApiFailure ? e.message : '加载失败');
  }
}

(async () => {
  const me = await whoami();
  // The console follows /api/staff/me's capabilities (the API decides again on every call).
  if (!can(me, 'hazards.read')) {
    form.hidden = true;
    clear(rowsEl, h('tr', {}, h('td', { colspan: 7 }, '您没有查看隐患台账的权限。')));
    return;
  }
  (document.getElementById('export') as HTMLElement).hidden = !can(me, 'hazards.export');
  const ref = await api<ReferenceData>('/api/staff/reference');
  const deptSel = document.getElementById('f-dept')!;
  for (const d of ref.departments.filter((x) => x.active)) deptSel.append(h('option', { value: d.id }, d.name));
  // Restore filters from the URL (the dashboard links here with them).
  for (const [k, v] of new URLSearchParams(location.search)) {
    const el = form.elements.namedItem(k);
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = v === el.value;
    else if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) el.value = v;
  }
  await load();
})();

form.addEventListener('submit', (e) => {
  e.preventDefault();
  cursor = null;
  void load();
});
more.addEventListener('click', () => void load(true));
document.getElementById('print-list')?.addEventListener('click', () => window.print());
