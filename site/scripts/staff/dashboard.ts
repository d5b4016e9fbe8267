/**
 * The staff dashboard (统计分析, 一张图): /api/staff/hazards/dashboard drawn with the charts of 数据公开
 * (site/scripts/data/charts.ts: SVG with a summary label and a data table each). Every overdue figure links to the
 * ledger filtered to 整改超期 (and to that month, department, domain or 镇街): the overdue list is one click away.
 */
import { api, ApiFailure, can, whoami } from './api';
import { clear, flash, h } from './dom';
import { groupedBarChart, groupedColumnChart, tileMap, type Cell } from '../data/charts';
import { monthLabel, monthShort } from '../data/ontime';
import type { Dashboard as DashboardData } from '../../../worker/schemas/hazards';

type Figures = DashboardData['totals'];
type Group = DashboardData['departments'][number];

const form = document.getElementById('dash-filters') as HTMLFormElement;
const SERIES = [
  { name: '发现', cls: 's1' },
  { name: '按期整改', cls: 's2' },
  { name: '整改超期', cls: 's3' },
  { name: '已销号', cls: 's4' },
] as const;

/** The last day of a month (YYYY-MM), for the ledger's date filter. */
const monthEnd = (m: string) => {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, mo, 0)).toISOString().slice(0, 10);
};

/** The ledger filtered to this period (and group), 整改超期 only when `overdue`. */
function ledgerLink(d: DashboardData, extra: Record<string, string> = {}, overdue = true): string {
  const p = new URLSearchParams({ from: `${d.from}-01`, to: monthEnd(d.to), ...extra });
  const category = new FormData(form).get('category');
  if (category) p.set('category', String(category));
  if (overdue) p.set('overdue', '1');
  return `/staff/hazards/?${p.toString()}`;
}

const overdueCell = (n: number, href: string): Cell => (n ? { text: `查看超期 ${n} 条`, href } : '—');
const onTimeRate = (f: Figures) => (f.rectified ? `${((f.rectifiedOnTime / f.rectified) * 100).toFixed(1)}%` : '—');

function kpis(d: DashboardData) {
  const host = document.getElementById('dash-kpis')!;
  const item = (label: string, value: Node | string) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
  clear(
    host,
    item('发现隐患', String(d.totals.found)),
    item('整改完成（按期）', `${d.totals.rectified}（${d.totals.rectifiedOnTime}）`),
    item(
      '整改超期',
      h(
        'a',
        { href: ledgerLink(d), id: 'kpi-overdue' },
        `${d.totals.overdue} 条`,
        h('span', { class: 'visually-hidden' }, '，查看超期清单'),
      ),
    ),
    item('已销号', String(d.totals.closed)),
    item('按期整改率', onTimeRate(d.totals)),
  );
}

function draw(d: DashboardData) {
  document.getElementById('dash-scope')!.textContent = d.scope === 'department' ? '（仅本单位承办的隐患）' : '（全区）';
  kpis(d);
  groupedColumnChart(
    document.getElementById('chart-months')!,
    `${monthLabel(d.from)}至${monthLabel(d.to)}每月发现的隐患及其整改情况`,
    d.months.map((m) => ({ label: monthLabel(m.month), short: monthShort(m.month) })),
    [
      { ...SERIES[0], values: d.months.map((m) => m.found) },
      { ...SERIES[1], values: d.months.map((m) => m.rectifiedOnTime) },
      { ...SERIES[2], values: d.months.map((m) => m.overdue) },
      { ...SERIES[3], values: d.months.map((m) => m.closed) },
    ],
    '条',
    {
      header: '超期清单',
      cells: d.months.map((m) => overdueCell(m.overdue, ledgerLink({ ...d, from: m.month, to: m.month }))),
    },
  );
  const groups = (list: Group[], param: string) =>
    list.map((g) => ({
      label: g.label,
      values: [g.found, g.overdue],
      extra: [
        String(g.rectified),
        String(g.rectifiedOnTime),
        String(g.closed),
        overdueCell(g.overdue, ledgerLink(d, g.key ? { [param]: g.key } : {})),
      ] as Cell[],
    }));
  const bars = [
    ['chart-depts', '各承办单位发现的隐患与整改超期', d.departments, 'departmentId'],
    ['chart-domains', '各行业领域发现的隐患与整改超期', d.domains, 'domain'],
  ] as const;
  for (const [chart, title, list, param] of bars)
    groupedBarChart(document.getElementById(chart)!, title, groups(list, param), [SERIES[0], SERIES[2]], '条', [
      '整改完成',
      '按期整改',
      '已销号',
      '超期清单',
    ]);
  tileMap(
    document.getElementById('chart-towns')!,
    '各镇（街道）发现的隐患',
    d.towns.map((t) => ({ code: t.key, label: t.label, value: t.found })),
    '发现的隐患（条）',
  );
  document.getElementById('dash-app')!.dataset.ready = '1';
}

async function load() {
  const p = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v)) p.set(k, String(v));
  history.replaceState(null, '', `?${p.toString()}`);
  try {
    const d = await api<DashboardData>(`/api/staff/hazards/dashboard?${p.toString()}`);
    (form.elements.namedItem('from') as HTMLInputElement).value = d.from;
    (form.elements.namedItem('to') as HTMLInputElement).value = d.to;
    draw(d);
  } catch (e) {
    flash(e instanceof ApiFailure ? e.message : '加载失败');
  }
}

(async () => {
  const me = await whoami();
  if (!can(me, 'hazards.read')) {
    form.hidden = true;
    clear(document.getElementById('dash-kpis')!, h('p', {}, '您没有查看隐患统计分析的权限。'));
    return;
  }
  for (const [k, v] of new URLSearchParams(location.search)) {
    const el = form.elements.namedItem(k);
    if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) el.value = v;
  }
  await load();
})();

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void load();
});
