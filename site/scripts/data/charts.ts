/**
 * Small SVG charts built with DOM APIs (no innerHTML, no inline styles: colours come from classes in
 * site/styles/data.css). Every chart is a <figure> with a caption, an SVG with role="img" and a summary
 * label, and a <details> holding the same numbers as a table for screen readers and for anyone who prefers
 * numbers.
 */

import { el } from '../shared/dom';
import { count } from '../shared/format';

export { el };

/** A published count: a number, or "<5" for any count below five. */
export type Count = number | '<5';

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes (values are set as attributes, never parsed as markup). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The value a bar is drawn at: "<5" is drawn as a stub (its true size is not published). */
const drawn = (c: Count) => (c === '<5' ? 0 : c);
export const countText = (c: Count) => (c === '<5' ? '<5' : count(c));
export const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/** A data-table cell: text, or text linking somewhere (e.g. the staff dashboard's overdue list of a department). */
export type Cell = string | { text: string; href: string };

/** The figure shell: caption, the chart (labelled by `summary`), and the data table in a <details>. */
function figure(
  host: HTMLElement,
  caption: string,
  summary: string,
  chart: SVGSVGElement,
  headers: string[],
  rows: Cell[][],
) {
  host.replaceChildren();
  host.append(el('figcaption', caption));
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', summary);
  chart.setAttribute('focusable', 'false');
  host.append(chart);
  const details = el('details', undefined, 'chart-table');
  details.append(el('summary', '查看数据表'));
  const wrap = el('div', undefined, 'table-scroll');
  // Focusable, so a keyboard user can scroll a table wider than the screen.
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', `${caption}（数据表）`);
  const table = el('table', undefined, 'data-table');
  table.append(el('caption', caption));
  const thead = el('thead');
  const hr = el('tr');
  for (const h of headers) {
    const th = el('th', h);
    th.scope = 'col';
    hr.append(th);
  }
  thead.append(hr);
  const tbody = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    r.forEach((cell, i) => {
      const c = i === 0 ? el('th') : el('td');
      if (i === 0) (c as HTMLTableCellElement).scope = 'row';
      if (typeof cell === 'string') c.textContent = cell;
      else {
        const a = el('a', cell.text);
        a.href = cell.href;
        c.append(a);
      }
      tr.append(c);
    });
    tbody.append(tr);
  }
  table.append(thead, tbody);
  wrap.append(table);
  details.append(wrap);
  host.append(details);
}

/**
 * The drawing width in SVG units: the figure's width on screen (within 300–640), so that text drawn at 12–14
 * units stays 12–14 px on a phone instead of shrinking with a wide drawing.
 */
const widthOf = (host: HTMLElement) => Math.round(Math.min(640, Math.max(300, host.clientWidth || 640)));

/** Axis steps that are whole counts: 5 steps when the top is 5, 10 or 50 × 10^n, else 4. */
const stepsFor = (max: number) => (max % 4 === 0 ? 4 : 5);

/** A "nice" upper bound for an axis (1, 2 or 5 × 10^n). */
function niceMax(v: number): number {
  if (v <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((x) => x >= v)!;
}

/** Vertical bars over time (e.g. tips per month). */
export function columnChart(
  host: HTMLElement,
  caption: string,
  points: { label: string; short: string; value: Count }[],
  unit: string,
) {
  const W = widthOf(host);
  const H = 240;
  const left = 44;
  const bottom = 28;
  const top = 12;
  const max = niceMax(Math.max(5, ...points.map((p) => drawn(p.value))));
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg' });
  const plotH = H - top - bottom;
  const step = (W - left - 8) / Math.max(1, points.length);
  const n = stepsFor(max);
  for (let i = 0; i <= n; i++) {
    const y = top + plotH - (plotH * i) / n;
    chart.append(svg('line', { x1: left, x2: W - 4, y1: y, y2: y, class: 'grid' }));
    chart.append(svg('text', { x: left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, count((max * i) / n)));
  }
  // Room for a month label every `every` bars (about 44 units each).
  const every = Math.max(1, Math.ceil(44 / step));
  points.forEach((p, i) => {
    const v = drawn(p.value);
    const h = p.value === '<5' ? 3 : (plotH * v) / max;
    const x = left + i * step + step * 0.15;
    chart.append(
      svg('rect', {
        x,
        y: top + plotH - h,
        width: step * 0.7,
        height: h,
        class: p.value === '<5' ? 'bar suppressed' : 'bar',
      }),
    );
    if (i % every === 0) {
      chart.append(svg('text', { x: x + step * 0.35, y: H - 10, class: 'axis', 'text-anchor': 'middle' }, p.short));
    }
  });
  const peak = points.reduce((a, b) => (drawn(b.value) > drawn(a.value) ? b : a), points[0]!);
  const summary = `柱状图：${points[0]?.label ?? ''}至${points.at(-1)?.label ?? ''}每月${unit}，最多的是${peak.label}（${countText(peak.value)}）。详细数字见数据表。`;
  figure(
    host,
    caption,
    summary,
    chart,
    ['月份', unit],
    points.map((p) => [p.label, countText(p.value)]),
  );
}

/** Horizontal bars for categories, largest first. */
export function barChart(host: HTMLElement, caption: string, items: { label: string; value: Count }[], unit: string) {
  const sorted = [...items].sort((a, b) => drawn(b.value) - drawn(a.value));
  const rowH = 26;
  const W = widthOf(host);
  const labelW = Math.min(190, Math.round(W * 0.42));
  const H = sorted.length * rowH + 8;
  const max = niceMax(Math.max(5, ...sorted.map((i) => drawn(i.value))));
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg' });
  sorted.forEach((it, i) => {
    const y = 4 + i * rowH;
    const w = it.value === '<5' ? 3 : ((W - labelW - 70) * drawn(it.value)) / max;
    chart.append(svg('text', { x: labelW - 8, y: y + 17, class: 'label', 'text-anchor': 'end' }, it.label));
    chart.append(
      svg('rect', {
        x: labelW,
        y: y + 4,
        width: Math.max(w, 1),
        height: rowH - 8,
        class: it.value === '<5' ? 'bar suppressed' : 'bar',
      }),
    );
    chart.append(svg('text', { x: labelW + w + 6, y: y + 17, class: 'value' }, countText(it.value)));
  });
  const top3 = sorted
    .slice(0, 3)
    .map((i) => `${i.label}（${countText(i.value)}）`)
    .join('、');
  figure(
    host,
    caption,
    `条形图：${caption}，最多的是${top3}。详细数字见数据表。`,
    chart,
    ['类别', unit],
    sorted.map((i) => [i.label, countText(i.value)]),
  );
}

/** A rate per month as a line with points (0–100 %); months without a rate leave a gap. */
export function rateChart(
  host: HTMLElement,
  caption: string,
  points: { label: string; short: string; rate: number | null; count: Count }[],
) {
  const W = widthOf(host);
  const H = 220;
  const left = 44;
  const top = 12;
  const bottom = 28;
  const plotH = H - top - bottom;
  const step = (W - left - 8) / Math.max(1, points.length);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg' });
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    chart.append(svg('line', { x1: left, x2: W - 4, y1: y, y2: y, class: 'grid' }));
    chart.append(svg('text', { x: left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, `${i * 25}%`));
  }
  // One line segment per run of months that have a rate; a month without one leaves a gap.
  const segments: string[][] = [[]];
  const dots: SVGCircleElement[] = [];
  points.forEach((p, i) => {
    const x = left + i * step + step / 2;
    if (i % Math.max(1, Math.ceil(44 / step)) === 0)
      chart.append(svg('text', { x, y: H - 10, class: 'axis', 'text-anchor': 'middle' }, p.short));
    if (p.rate === null) {
      if (segments.at(-1)!.length) segments.push([]);
      return;
    }
    const y = top + plotH - plotH * p.rate;
    segments.at(-1)!.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    dots.push(svg('circle', { cx: x, cy: y, r: 4, class: 'dot' }));
  });
  const d = segments
    .filter((s) => s.length)
    .map((s) => `M${s.join('L')}`)
    .join(' ');
  if (d) chart.append(svg('path', { d, class: 'line' }));
  chart.append(...dots);
  const known = points.filter((p) => p.rate !== null);
  const summary = known.length
    ? `折线图：${points[0]?.label}至${points.at(-1)?.label}每月按期办结率，在 ${pct(Math.min(...known.map((p) => p.rate!)))} 到 ${pct(Math.max(...known.map((p) => p.rate!)))} 之间。详细数字见数据表。`
    : '折线图：近 12 个月每月办结的举报都不足 5 件，暂不计算按期办结率。';
  figure(
    host,
    caption,
    summary,
    chart,
    ['月份', '办结件数', '按期办结率'],
    points.map((p) => [p.label, countText(p.count), pct(p.rate)]),
  );
}

/** Where each 镇街 sits in the tile cartogram (column, row): roughly as they lie on the map of 济阳区. */
const TILE_AT: Record<string, [number, number]> = {
  duoshi: [0, 0],
  xinshi: [1, 0],
  renfeng: [2, 0],
  jibei: [1, 1],
  huihe: [2, 1],
  sungeng: [0, 2],
  jiyang: [1, 2],
  qudi: [2, 2],
  cuizhai: [0, 3],
  taiping: [1, 3],
};

/** A tile cartogram: one equal tile per 镇街, shaded by its count in five classes. */
export function tileMap(
  host: HTMLElement,
  caption: string,
  towns: { code: string; label: string; value: Count }[],
  unit: string,
) {
  const size = 118;
  const gap = 6;
  const max = Math.max(5, ...towns.map((t) => drawn(t.value)));
  const cls = (v: Count) =>
    v === '<5' ? 'tile suppressed' : `tile c${Math.min(5, 1 + Math.floor((4 * drawn(v)) / max))}`;
  // Towns not in the layout (added by an admin later) go in a row below.
  let extra = 0;
  const placed = towns.map((t) => ({
    ...t,
    at: TILE_AT[t.code] ?? ([extra % 4, 4 + Math.floor(extra++ / 4)] as [number, number]),
  }));
  const cols = Math.max(3, ...placed.map((p) => p.at[0] + 1));
  const rows = Math.max(...placed.map((p) => p.at[1] + 1), 1);
  const W = cols * (size + gap);
  const H = rows * (size + gap) + 30;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg tiles' });
  for (const t of placed) {
    const x = t.at[0] * (size + gap);
    const y = t.at[1] * (size + gap);
    const c = cls(t.value);
    chart.append(svg('rect', { x, y, width: size, height: size, rx: 8, class: c }));
    chart.append(
      svg(
        'text',
        {
          x: x + size / 2,
          y: y + size / 2 - 6,
          class: `tile-label ${c.includes('c4') || c.includes('c5') ? 'on-dark' : ''}`,
          'text-anchor': 'middle',
        },
        t.label,
      ),
    );
    chart.append(
      svg(
        'text',
        {
          x: x + size / 2,
          y: y + size / 2 + 20,
          class: `tile-value ${c.includes('c4') || c.includes('c5') ? 'on-dark' : ''}`,
          'text-anchor': 'middle',
        },
        countText(t.value),
      ),
    );
  }
  // Legend: light → dark.
  const ly = H - 22;
  chart.append(svg('text', { x: 0, y: ly + 13, class: 'axis' }, '少'));
  for (let i = 1; i <= 5; i++)
    chart.append(svg('rect', { x: 14 + (i - 1) * 26, y: ly, width: 24, height: 16, class: `tile c${i}` }));
  chart.append(svg('text', { x: 14 + 5 * 26 + 4, y: ly + 13, class: 'axis' }, '多'));
  const sorted = [...towns].sort((a, b) => drawn(b.value) - drawn(a.value));
  const summary = `示意地图：各镇（街道）${unit}，最多的是${sorted
    .slice(0, 3)
    .map((t) => `${t.label}（${countText(t.value)}）`)
    .join('、')}。详细数字见数据表。`;
  figure(
    host,
    caption,
    summary,
    chart,
    ['镇（街道）', unit],
    sorted.map((t) => [t.label, countText(t.value)]),
  );
}

/**
 * Horizontal bars of a rate (0–100 %) per category, in the given order; a category without a rate (fewer than 5
 * behind it) shows "—" and no bar. The data table carries every column given in `headers`/`rows`.
 */
export function rateBarChart(
  host: HTMLElement,
  caption: string,
  items: { label: string; rate: number | null }[],
  headers: string[],
  rows: string[][],
) {
  const rowH = 26;
  const W = widthOf(host);
  const labelW = Math.min(190, Math.round(W * 0.42));
  const H = items.length * rowH + 8;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg' });
  items.forEach((it, i) => {
    const y = 4 + i * rowH;
    const w = it.rate === null ? 0 : (W - labelW - 70) * it.rate;
    chart.append(svg('text', { x: labelW - 8, y: y + 17, class: 'label', 'text-anchor': 'end' }, it.label));
    if (it.rate !== null)
      chart.append(svg('rect', { x: labelW, y: y + 4, width: Math.max(w, 1), height: rowH - 8, class: 'bar' }));
    chart.append(svg('text', { x: labelW + w + 6, y: y + 17, class: 'value' }, pct(it.rate)));
  });
  const known = items.filter((i) => i.rate !== null);
  const summary = known.length
    ? `条形图：${caption}，在 ${pct(Math.min(...known.map((i) => i.rate!)))} 到 ${pct(Math.max(...known.map((i) => i.rate!)))} 之间；不足 5 件的不计算（显示“—”）。详细数字见数据表。`
    : `条形图：${caption}，各项都不足 5 件，暂不计算比例。详细数字见数据表。`;
  figure(host, caption, summary, chart, headers, rows);
}

/** A series of a grouped chart: its name (legend and table header), a colour class (s1–s4 in data.css), its values. */
export interface Series {
  name: string;
  cls: 's1' | 's2' | 's3' | 's4';
  values: number[];
}

/** The legend of a grouped chart, drawn at the top of the SVG (the summary label and the table carry the same). */
function legend(chart: SVGSVGElement, series: Series[], W: number) {
  let x = 0;
  let y = 14;
  for (const s of series) {
    const w = 22 + s.name.length * 13 + 14;
    if (x + w > W) {
      x = 0;
      y += 20;
    }
    chart.append(svg('rect', { x, y: y - 11, width: 14, height: 14, class: `bar ${s.cls}` }));
    chart.append(svg('text', { x: x + 20, y, class: 'axis' }, s.name));
    x += w;
  }
  return y + 10;
}

/**
 * Grouped vertical bars over time (e.g. per month: hazards found, rectified on time, overdue, closed), with a
 * legend, and a data table with one column per series; `extra` adds cells (e.g. links) to each table row.
 */
export function groupedColumnChart(
  host: HTMLElement,
  caption: string,
  points: { label: string; short: string }[],
  series: Series[],
  unit: string,
  extra?: { header: string; cells: Cell[] },
) {
  const W = widthOf(host);
  const left = 44;
  const bottom = 28;
  const chart = svg('svg', { viewBox: `0 0 ${W} 10`, class: 'chart-svg' });
  const top = legend(chart, series, W) + 8;
  const H = top + 200 + bottom;
  chart.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const plotH = H - top - bottom;
  const max = niceMax(Math.max(5, ...series.flatMap((s) => s.values)));
  const n = stepsFor(max);
  for (let i = 0; i <= n; i++) {
    const y = top + plotH - (plotH * i) / n;
    chart.append(svg('line', { x1: left, x2: W - 4, y1: y, y2: y, class: 'grid' }));
    chart.append(
      svg(
        'text',
        { x: left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' },
        ((max * i) / n).toLocaleString('zh-CN'),
      ),
    );
  }
  const step = (W - left - 8) / Math.max(1, points.length);
  const barW = (step * 0.8) / Math.max(1, series.length);
  const every = Math.max(1, Math.ceil(44 / step));
  points.forEach((p, i) => {
    const x0 = left + i * step + step * 0.1;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      const h = (plotH * v) / max;
      chart.append(
        svg('rect', {
          x: x0 + k * barW,
          y: top + plotH - h,
          width: Math.max(1, barW - 1),
          height: h,
          class: `bar ${s.cls}`,
        }),
      );
    });
    if (i % every === 0)
      chart.append(svg('text', { x: x0 + step * 0.4, y: H - 10, class: 'axis', 'text-anchor': 'middle' }, p.short));
  });
  const totals = series.map(
    (s) => `${s.name}共 ${s.values.reduce((a, b) => a + b, 0).toLocaleString('zh-CN')} ${unit}`,
  );
  const summary = `分组柱状图：${points[0]?.label ?? ''}至${points.at(-1)?.label ?? ''}每月${totals.join('，')}。详细数字见数据表。`;
  figure(
    host,
    caption,
    summary,
    chart,
    ['月份', ...series.map((s) => s.name), ...(extra ? [extra.header] : [])],
    points.map((p, i) => [
      p.label,
      ...series.map((s) => (s.values[i] ?? 0).toLocaleString('zh-CN')),
      ...(extra ? [extra.cells[i] ?? ''] : []),
    ]),
  );
}

/**
 * Grouped horizontal bars per category (e.g. per department: hazards found and overdue), largest first by the
 * first series; the data table has one column per series plus `extra` cells (e.g. a link to the overdue list).
 */
export function groupedBarChart(
  host: HTMLElement,
  caption: string,
  items: { label: string; values: number[]; extra?: Cell[] }[],
  series: Omit<Series, 'values'>[],
  unit: string,
  extraHeaders: string[] = [],
) {
  const sorted = [...items].sort((a, b) => (b.values[0] ?? 0) - (a.values[0] ?? 0));
  const W = widthOf(host);
  const labelW = Math.min(190, Math.round(W * 0.42));
  const barH = 14;
  const rowH = series.length * barH + 10;
  const chart = svg('svg', { viewBox: `0 0 ${W} 10`, class: 'chart-svg' });
  const top = legend(chart, series as Series[], W) + 6;
  const H = top + Math.max(1, sorted.length) * rowH + 4;
  chart.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const max = niceMax(Math.max(5, ...sorted.flatMap((i) => i.values)));
  sorted.forEach((it, i) => {
    const y = top + i * rowH;
    chart.append(svg('text', { x: labelW - 8, y: y + rowH / 2 + 4, class: 'label', 'text-anchor': 'end' }, it.label));
    series.forEach((s, k) => {
      const v = it.values[k] ?? 0;
      const w = ((W - labelW - 50) * v) / max;
      chart.append(
        svg('rect', { x: labelW, y: y + 4 + k * barH, width: Math.max(w, 1), height: barH - 2, class: `bar ${s.cls}` }),
      );
      chart.append(
        svg('text', { x: labelW + w + 4, y: y + 4 + k * barH + 11, class: 'axis' }, v.toLocaleString('zh-CN')),
      );
    });
  });
  const top3 = sorted
    .slice(0, 3)
    .map((i) => `${i.label}（${series.map((s, k) => `${s.name} ${i.values[k] ?? 0}`).join('、')}）`)
    .join('；');
  figure(
    host,
    caption,
    sorted.length ? `分组条形图：${caption}，最多的是${top3}。详细数字见数据表。` : `条形图：${caption}，暂无数据。`,
    chart,
    ['类别', ...series.map((s) => `${s.name}（${unit}）`), ...extraHeaders],
    sorted.map((i) => [
      i.label,
      ...series.map((_, k) => (i.values[k] ?? 0).toLocaleString('zh-CN')),
      ...(i.extra ?? []),
    ]),
  );
}
