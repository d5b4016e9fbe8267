/**
 * One hazard as a 交办单 (/staff/hazard/?id=…): everything the ledger holds about it, in the order a paper
 * 交办单 has it, with a print button; the print CSS (site/styles/staff.css) keeps only the sheet. Text only.
 */
import { api, ApiFailure, whoami } from './api';
import { clear, date, dateTime, flash, h } from './dom';
import type { HazardDetail as Detail } from '../../../worker/schemas/hazards';

const CONCLUSION: Record<string, string> = { true: '属实', partly_true: '部分属实' };
const RISK: Record<string, string> = { red: '红', orange: '橙', yellow: '黄', blue: '蓝' };

function field(label: string, ...value: (Node | string)[]) {
  return [h('dt', {}, label), h('dd', {}, ...value)];
}

function render(d: Detail) {
  const r = d.hazard;
  const sheet = document.getElementById('hazard')!;
  const plan = r.plan;
  clear(
    sheet,
    h('h1', { id: 'sheet-title' }, `隐患整改交办单（${r.categoryLabel}）`),
    h('p', { class: 'sheet-no' }, `举报编号：${r.trackingNo}　打印时间：${dateTime(Date.now())}`),
    h(
      'dl',
      { class: 'sheet-fields' },
      field('被举报单位/场所', r.unitName),
      field('地址', r.address),
      field('行业领域', r.domainName),
      field('镇（街道）', r.townName),
      field('承办单位', r.departmentName ?? '未交办'),
      field('隐患类别', r.categoryLabel, r.riskColour ? `（风险颜色：${RISK[r.riskColour] ?? r.riskColour}）` : ''),
      field('核查认定', `${date(r.foundAt)} · ${CONCLUSION[r.conclusion] ?? ''}`),
      field('处理决定', d.decision ?? '—'),
      field('挂牌督办', r.listedLabel),
      field('当前状态', r.statusLabel, r.overdue ? '（整改超期）' : ''),
    ),
    h('h2', {}, '整改方案（五到位）'),
    plan
      ? h(
          'table',
          { class: 'sheet-table' },
          h('caption', { class: 'visually-hidden' }, '整改方案（五到位）'),
          h(
            'tbody',
            {},
            [
              ['整改措施', plan.measures],
              ['责任人', plan.responsibility],
              ['资金落实', plan.funds],
              ['整改时限', date(r.rectifyDueAt)],
              ['应急预案', plan.plan],
            ].map(([k, v]) => h('tr', {}, h('th', { scope: 'row', class: 'sheet-key' }, k!), h('td', {}, v!))),
          ),
        )
      : h('p', {}, '核查结论未责令整改。'),
    h('h2', {}, '整改、复查与销号'),
    h(
      'table',
      { class: 'sheet-table' },
      h('caption', { class: 'visually-hidden' }, '整改、复查与销号经过'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, '日期'),
          h('th', { scope: 'col' }, '事项'),
          h('th', { scope: 'col' }, '情况'),
          h('th', { scope: 'col' }, '经办人'),
        ),
      ),
      h(
        'tbody',
        {},
        d.steps.map((s) =>
          h(
            'tr',
            {},
            h('td', {}, date(s.at)),
            h('td', {}, s.label),
            h('td', {}, s.text ?? '—'),
            h('td', {}, s.staffName ?? '—'),
          ),
        ),
      ),
    ),
    h(
      'dl',
      { class: 'sheet-fields' },
      field('复查结果', r.recheckLabel, r.recheckAt ? `（${date(r.recheckAt)}）` : ''),
      field('销号日期', r.closedAt ? date(r.closedAt) : '未销号'),
    ),
    h('div', { class: 'sheet-sign' }, h('p', {}, '承办单位（盖章）：'), h('p', {}, '经办人：'), h('p', {}, '日期：')),
    h(
      'p',
      { class: 'no-print actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, '打印交办单'),
      ' ',
      h('a', { href: `/staff/tip/?id=${encodeURIComponent(r.id)}` }, '查看举报详情'),
    ),
  );
  document.title = `隐患整改交办单 ${r.trackingNo} · 工作台 · 安全生产举报平台`;
  document.body.dataset.ready = '1';
}

(async () => {
  await whoami();
  const id = new URLSearchParams(location.search).get('id') ?? '';
  try {
    render(await api<Detail>(`/api/staff/hazards/${encodeURIComponent(id)}`));
  } catch (e) {
    const msg = e instanceof ApiFailure ? e.message : '加载失败';
    clear(document.getElementById('hazard')!, h('p', {}, msg));
    flash(msg);
  }
})();
