/**
 * The on-time record (按时办结记录) in the browser, shared by /data/ and the monthly report page /data/monthly/:
 * the published figures of /api/public/ontime and /api/public/reports/{month} drawn as charts with their data
 * tables. Everything is set as text.
 */
import type {
  OntimeFigures as Figures,
  OntimeMonth as RecordMonth,
  ReportList,
} from '../../../worker/routes/public/ontime';
import { countText, el, pct, rateBarChart } from './charts';

/** The figures of one group and month, and one month of the record (worker/routes/public/ontime.ts). */
export type { OntimeFigures as Figures, OntimeMonth as RecordMonth } from '../../../worker/routes/public/ontime';

export const monthLabel = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5))}月`;
export const monthShort = (m: string) => (m.endsWith('-01') ? `${m.slice(2, 4)}年1月` : `${Number(m.slice(5))}月`);
const days = (d: number | null) => (d === null ? '—' : `${d} 天`);

/** The columns of every figures table. */
export const HEADERS = [
  '名称',
  '收到',
  '办结',
  '按期办结',
  '超期未办结',
  '按期办结率',
  '办结用时中位数',
  '整改完成',
  '按期整改率',
  '评价数',
  '满意率',
];
export const cells = (f: Figures) => [
  f.label,
  countText(f.received),
  countText(f.concluded),
  countText(f.concludedOnTime),
  countText(f.openOverdue),
  pct(f.onTimeRate),
  days(f.medianDays),
  countText(f.rectified),
  pct(f.rectifiedOnTimeRate),
  countText(f.ratings),
  pct(f.satisfiedShare),
];

/** On-time rate by department and by domain for one month, each chart with the full table. */
export function drawBreakdowns(dept: HTMLElement, domain: HTMLElement, m: RecordMonth) {
  const charts = [
    [dept, '各承办单位', m.departments],
    [domain, '各行业领域', m.domains],
  ] as const;
  for (const [host, groups, rows] of charts)
    rateBarChart(
      host,
      `${monthLabel(m.month)}${groups}按期办结率`,
      rows.map((f) => ({ label: f.label, rate: f.onTimeRate })),
      HEADERS,
      rows.map(cells),
    );
}

/** The published 月度通报 as a list of links (a line saying there is none yet when the list is empty). */
export function reportLinks(ul: HTMLElement, reports: ReportList['reports']) {
  ul.replaceChildren(...(reports.length ? [] : [el('li', '暂无已发布的月度通报。')]));
  for (const rep of reports) {
    const li = el('li');
    const a = el('a', `${monthLabel(rep.month)}通报`);
    a.href = rep.url;
    li.append(a);
    ul.append(li);
  }
}

/** Key figures of the district for one month, as a definition list. */
export function districtKpis(host: HTMLElement, f: Figures) {
  host.replaceChildren();
  const pairs: [string, string][] = [
    ['收到举报', countText(f.received)],
    ['办结', countText(f.concluded)],
    ['超期未办结', countText(f.openOverdue)],
    ['按期办结率', pct(f.onTimeRate)],
    ['办结用时中位数', days(f.medianDays)],
    ['按期整改率', pct(f.rectifiedOnTimeRate)],
    ['满意率', `${pct(f.satisfiedShare)}（${countText(f.ratings)} 条评价）`],
  ];
  for (const [k, v] of pairs) {
    const d = el('div');
    d.append(el('dt', k), el('dd', v));
    host.append(d);
  }
}
