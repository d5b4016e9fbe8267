/** 月度通报 in the browser: one ended month's final figures from /api/public/reports/{month}, or the list. */
import type { ReportList } from '../../../worker/routes/public/ontime';
import { request } from '../shared/api';
import { el } from '../shared/dom';
import { districtKpis, drawBreakdowns, monthLabel, type RecordMonth, reportLinks } from './ontime';
import { formatDateTime } from '../shared/format';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const month = new URLSearchParams(location.search).get('month') ?? '';

async function list(note = '') {
  const r = await request<ReportList>('/api/public/reports');
  reportLinks($('report-list'), r.body?.reports ?? []);
  $('report-list-box').hidden = false;
  $('report-status').textContent = note;
}

async function load() {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return list('');
  const r = await request<RecordMonth>(`/api/public/reports/${month}`);
  if (!r.ok) return list(r.error?.message ?? '该月通报暂时无法加载。');
  const m = r.body!;
  const title = `${monthLabel(m.month)}安全生产举报办理情况通报`;
  document.title = `${title} · 安全生产举报`;
  $('report-title').textContent = title;
  $('report-published').textContent = `系统于 ${formatDateTime(m.publishedAt!)} 根据当月数据自动生成，发布后不再更改。`;
  districtKpis($('report-kpis'), m.district);
  $('report-body').hidden = false;
  drawBreakdowns($('report-dept'), $('report-domain'), m);
  const dl = $('report-downloads');
  dl.replaceChildren('下载本月数据：');
  for (const ext of ['csv', 'json']) {
    const a = el('a', ext.toUpperCase());
    a.href = `/api/public/ontime.${ext}?month=${m.month}`;
    dl.append(' ', a);
  }
  $('report-status').textContent = '';
  $('report-app').setAttribute('data-ready', '1');
}

void load();
