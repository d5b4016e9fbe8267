/**
 * 数据公开 in the browser: fetch /api/public/stats and /api/public/open-data, then draw the key figures, the
 * charts (each with its data table) and the download list. Everything shown is set as text.
 */
import { getJson } from '../shared/api';
import { barChart, columnChart, countText, el, pct, rateChart, tileMap } from './charts';
import { districtKpis, drawBreakdowns, reportLinks } from './ontime';
import type { OpenDataIndex, PublicStats } from '../../../worker/routes/public/stats';
import type { OntimeRecord, ReportList } from '../../../worker/routes/public/ontime';
import { formatDateTime, moneyYuan } from '../shared/format';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const monthLabel = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5))}月`;
const monthShort = (m: string) => (m.endsWith('-01') ? `${m.slice(2, 4)}年1月` : `${Number(m.slice(5))}月`);

function drawStats(s: PublicStats) {
  $('kpi-total').textContent = countText(s.total);
  $('kpi-concluded').textContent = countText(s.timeliness.concluded);
  $('kpi-ontime').textContent = pct(s.timeliness.onTimeRate);
  $('kpi-median').textContent = s.timeliness.medianDays === null ? '—' : `${s.timeliness.medianDays} 天`;
  $('kpi-window').textContent =
    `办结相关数字统计 ${monthLabel(s.timeliness.from)}至${monthLabel(s.timeliness.to)}；办结不足 5 件时不计算比例和中位数（显示“—”）。`;

  columnChart(
    $('chart-trend'),
    '每月收到的举报件数',
    s.months.map((m) => ({ label: monthLabel(m.month), short: monthShort(m.month), value: m.count })),
    '举报件数',
  );
  barChart(
    $('chart-domain'),
    '各行业领域累计收到的举报件数',
    s.byDomain.map((d) => ({ label: d.label, value: d.count })),
    '举报件数',
  );
  tileMap(
    $('chart-town'),
    '各镇（街道）累计收到的举报件数',
    s.byTown.map((t) => ({ code: t.code, label: t.label, value: t.count })),
    '举报件数',
  );
  rateChart(
    $('chart-ontime'),
    '近 12 个月每月按期办结率',
    s.timeliness.months.map((m) => ({
      label: monthLabel(m.month),
      short: monthShort(m.month),
      rate: m.onTimeRate,
      count: m.concluded,
    })),
  );
  barChart(
    $('chart-type'),
    '各举报类型累计件数',
    s.byType.map((t) => ({ label: t.label, value: t.count })),
    '举报件数',
  );
  barChart(
    $('chart-status'),
    '当前办理状态',
    s.byStatus.map((t) => ({ label: t.label, value: t.count })),
    '举报件数',
  );

  const rewards = $('rewards');
  rewards.replaceChildren();
  if (!s.rewards.length) {
    rewards.append(el('p', '尚无已发放的举报奖励。', 'data-note'));
  } else {
    const table = el('table', undefined, 'data-table');
    table.append(el('caption', '每年发放的举报奖励（不足 5 笔的年份不公开金额）'));
    const head = el('tr');
    for (const h of ['年份', '发放笔数', '发放总额']) {
      const th = el('th', h);
      th.scope = 'col';
      head.append(th);
    }
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    for (const r of s.rewards) {
      const tr = el('tr');
      const th = el('th', `${r.year}年`);
      th.scope = 'row';
      tr.append(th, el('td', countText(r.count)), el('td', r.totalYuan === null ? '不公开' : moneyYuan(r.totalYuan)));
      tbody.append(tr);
    }
    table.append(thead, tbody);
    rewards.append(table);
  }
}

function drawDownloads(index: OpenDataIndex) {
  const list = $('downloads');
  list.replaceChildren();
  if (!index.months.length) {
    list.append(el('li', '暂无已办结的举报。'));
    return;
  }
  for (const m of index.months) {
    const li = el('li');
    li.append(el('span', monthLabel(m.month), 'month'));
    const csv = el('a', 'CSV');
    csv.href = m.csv;
    csv.setAttribute('aria-label', `${monthLabel(m.month)} CSV`);
    csv.setAttribute('download', '');
    const json = el('a', 'JSON');
    json.href = m.json;
    json.setAttribute('aria-label', `${monthLabel(m.month)} JSON`);
    li.append(csv, json);
    list.append(li);
  }
}

function drawRecord(r: OntimeRecord, reports: ReportList['reports']) {
  rateChart(
    $('chart-record'),
    '近 12 个月全区按期办结率（超期未办结计入）',
    r.months.map((m) => ({
      label: `${monthLabel(m.month)}${m.final ? '' : '（截至目前）'}`,
      short: monthShort(m.month),
      rate: m.district.onTimeRate,
      count: m.district.concluded,
    })),
  );
  const select = $('record-month') as HTMLSelectElement;
  select.replaceChildren(
    ...[...r.months]
      .reverse()
      .map((m) => new Option(`${monthLabel(m.month)}${m.final ? '' : '（截至目前）'}`, m.month)),
  );
  const show = () => {
    const m = r.months.find((x) => x.month === select.value);
    if (!m) return;
    districtKpis($('record-kpis'), m.district);
    drawBreakdowns($('chart-record-dept'), $('chart-record-domain'), m);
  };
  select.onchange = show;
  // The latest month with final figures first, else the running one.
  select.value = [...r.months].reverse().find((m) => m.final)?.month ?? r.months.at(-1)?.month ?? '';
  show();
  reportLinks($('reports'), reports);
  const dl = $('ontime-downloads');
  dl.replaceChildren();
  for (const m of [...r.months].reverse()) {
    const li = el('li');
    li.append(el('span', monthLabel(m.month), 'month'));
    for (const ext of ['csv', 'json']) {
      const a = el('a', ext.toUpperCase());
      a.href = `/api/public/ontime.${ext}?month=${m.month}`;
      a.setAttribute('aria-label', `${monthLabel(m.month)}按时办结记录 ${ext.toUpperCase()}`);
      li.append(a);
    }
    dl.append(li);
  }
}

async function load() {
  const status = $('data-status');
  try {
    const get = getJson;
    const [stats, index, record, reports] = await Promise.all([
      get<PublicStats>('/api/public/stats'),
      get<OpenDataIndex>('/api/public/open-data'),
      get<OntimeRecord>('/api/public/ontime'),
      get<ReportList>('/api/public/reports'),
    ]);
    drawStats(stats);
    drawDownloads(index);
    drawRecord(record, reports.reports);
    const at = formatDateTime(stats.generatedAt);
    status.textContent = `数据更新于 ${at}。`;
    document.getElementById('data-app')?.setAttribute('data-ready', '1');
  } catch {
    status.textContent = '统计数据暂时无法加载，请稍后刷新页面重试。';
    status.classList.add('data-error');
  }
}

void load();
