/**
 * The reward desk. Each button appears only for the role that takes that step and the status it applies to;
 * the server checks both again (and that the approver is not the proposer).
 */
import { yuan } from '../../../worker/domain/money';
import { ELIGIBILITY_CHECKS } from '../../../worker/domain/reward-eligibility';
import { api, can, whoami, type Me } from './api';
import {
  attempt,
  clear,
  date,
  dateTime,
  flash,
  h,
  oneFieldForm,
  onSubmit,
  panel,
  select,
  showSections,
  table,
} from './dom';
import * as L from './labels';
import type {
  QueuePage,
  RewardCandidates,
  RewardList,
  RewardListRow as Reward,
  RewardPreview,
  RewardReport,
  RewardRuleSets,
} from '../../../worker/schemas/staff';

const STATUS: Record<string, string> = {
  proposed: '待审批',
  approved: '已审批，待通知',
  notified: '已通知，待领取',
  paid: '已发放',
  expired: '逾期未领',
  declined: '不予奖励',
};
const root = document.getElementById('rewards')!;
let me: Me;
/** A capability of the signed-in person (from /api/staff/me; the API checks again). */
const has = (capability: string) => can(me, capability);

const step = (id: string, what: string, json: unknown = {}) =>
  attempt(() => api(`/api/staff/rewards/${encodeURIComponent(id)}/${what}`, { json }), '已完成。', render);

function rowActions(r: Reward) {
  const out: Node[] = [];
  if (r.status === 'proposed' && has('rewards.approve')) {
    out.push(
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-step': 'approve', onclick: () => step(r.id, 'approve') },
        '审批同意',
      ),
    );
    const reason = h('input', { 'aria-label': '不予奖励理由', maxlength: 500, placeholder: '不予奖励理由' });
    out.push(
      reason,
      h(
        'button',
        { type: 'button', class: 'link', onclick: () => step(r.id, 'decline', { reason: reason.value }) },
        '不予奖励',
      ),
    );
  }
  if (r.status === 'approved' && has('rewards.propose'))
    out.push(
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-step': 'notify', onclick: () => step(r.id, 'notify') },
        '通知举报人领取',
      ),
    );
  if (r.status === 'notified' && has('rewards.propose')) {
    const f = h(
      'form',
      { class: 'filters', 'aria-label': `登记兑付 ${r.tracking_no}` },
      h('label', {}, '发放日期', h('input', { type: 'date', name: 'paidOn', required: true })),
      h(
        'label',
        {},
        '方式',
        select('method', [
          ['bank_transfer', '银行转账'],
          ['cash', '现金'],
          ['other', '其他'],
        ]),
      ),
      h('label', {}, '凭证号', h('input', { name: 'voucherNo', required: true, maxlength: 64 })),
      h(
        'label',
        {},
        '领取人核验',
        select('verification', [
          ['real_name_id', '实名：身份证件与登记一致'],
          ['tracking_and_code', '匿名：举报编号与查询码核验一致（仅限允许凭码领取的奖励标准）'],
        ]),
      ),
      // An anonymous claimant types (or shows) the receipt; the server checks it and keeps nothing of it.
      h(
        'label',
        { class: 'claim', hidden: true },
        '领取人出示的举报编号',
        h('input', { name: 'claimNo', maxlength: 40, autocomplete: 'off' }),
      ),
      h(
        'label',
        { class: 'claim', hidden: true },
        '领取人出示的查询码',
        h('input', { name: 'claimCode', maxlength: 40, autocomplete: 'off' }),
      ),
      h('button', { class: 'primary', type: 'submit' }, '登记兑付'),
    );
    const verification = f.querySelector('select[name=verification]') as HTMLSelectElement;
    verification.addEventListener('change', () => {
      for (const l of f.querySelectorAll<HTMLElement>('label.claim'))
        l.hidden = verification.value !== 'tracking_and_code';
    });
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const d = new FormData(f);
      const anonymous = d.get('verification') === 'tracking_and_code';
      void step(r.id, 'pay', {
        paidOn: String(d.get('paidOn')),
        method: String(d.get('method')),
        voucherNo: String(d.get('voucherNo')),
        verification: String(d.get('verification')),
        ...(anonymous
          ? { claim: { trackingNo: String(d.get('claimNo')), queryCode: String(d.get('claimCode')) } }
          : {}),
      });
    });
    out.push(f);
  }
  if (r.status === 'notified' && has('rewards.approve')) {
    const days = h('input', { type: 'number', min: 1, max: 60, value: 30, 'aria-label': '延长天数' });
    const reason = h('input', { 'aria-label': '延长理由', maxlength: 500, placeholder: '延长理由' });
    out.push(
      days,
      reason,
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => step(r.id, 'extend', { days: Number(days.value), reason: reason.value }),
        },
        '延长领取期限',
      ),
    );
  }
  return out;
}

function proposeSection() {
  const result = h('div', { id: 'preview' });
  const no = h('input', { id: 'p-no', name: 'trackingNo', required: true, maxlength: 20 });
  const form = oneFieldForm({ title: '奖励测算', class: 'filters', label: '举报编号', control: no, submit: '测算' });
  onSubmit(form, async () => {
    const found = await api<QueuePage>(`/api/staff/tips?view=all&limit=1&q=${encodeURIComponent(no.value)}`);
    const tip = found.rows[0];
    if (!tip) return flash('找不到该举报编号。');
    const p = await api<RewardPreview>(`/api/staff/tips/${encodeURIComponent(tip.id)}/reward-preview`);
    const c = p.computation;
    // 第七条, item by item: radio groups with nothing chosen, each naming its clause. The server refuses an
    // unanswered item (ELIGIBILITY_UNCONFIRMED) and an excluding answer (REWARD_EXCLUDED).
    const checks = ELIGIBILITY_CHECKS.map((c) =>
      h(
        'fieldset',
        { class: 'check', 'data-check': c.code },
        h('legend', {}, `${c.question}？（${c.clause}）`),
        c.options.map((o) =>
          h(
            'label',
            { class: 'inline' },
            h('input', { type: 'radio', name: `check-${c.code}`, value: o.code }),
            o.label,
          ),
        ),
        h('span', { class: 'field-error', 'data-error-for': `eligibility.checklist.${c.code}` }),
      ),
    );
    // A claim condition, not an exclusion: kept outside the exclusions box.
    const identifiable = h(
      'label',
      { class: 'inline' },
      h('input', { type: 'checkbox', name: 'identifiable' }),
      '可以确认举报人身份（实名举报人，或已在查询页补充真实身份的匿名举报人）',
    );
    const amount = h('input', {
      type: 'number',
      name: 'amountYuan',
      min: c.minFen / 100,
      max: c.maxFen / 100,
      step: '0.01',
      value: c.amountFen / 100,
    });
    const adjust = h('input', { name: 'adjustReason', maxlength: 500 });
    const pf = h(
      'form',
      { class: 'stack panel', 'aria-label': '提出奖励' },
      h('h3', {}, '测算结果'),
      // The rule set, its version and the clause applied; the category is what 核查 verified.
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, '奖励标准'),
        h('dd', { 'data-rule': '' }, `${p.rule.name} 第 ${p.rule.version} 版`),
        h('dt', {}, '适用条款'),
        h('dd', { 'data-clause': '' }, c.clause ?? '（该标准未注明条款）'),
        h('dt', {}, '核查认定类别'),
        h(
          'dd',
          {},
          p.verified.verifiedType ? L.verifiedType(p.verified.verifiedType) : '未记录',
          p.verified.accidentLevel
            ? `（${L.labelIn(L.ACCIDENT_LEVELS, p.verified.accidentLevel)}，瞒报谎报死亡 ${p.verified.concealedDeaths ?? 0} 人）`
            : '',
        ),
        h('dt', {}, '举报时所选'),
        h('dd', {}, L.tipType(p.verified.reportedType)),
      ),
      h(
        'ol',
        {},
        c.steps.map((s) => h('li', {}, s)),
      ),
      c.eligible
        ? h('p', {}, `建议金额：${yuan(c.amountFen)}（可在 ${yuan(c.minFen)}–${yuan(c.maxFen)} 之间调整并说明理由）`)
        : h('p', { class: 'field-error' }, c.reason ?? '不符合奖励条件'),
      p.flags.anonymousNeedsProof
        ? h(
            'p',
            {},
            '匿名举报：按国家规定，奖励发给能够确认身份的举报人、凭有效身份证件领取；举报人可以在进度查询中补充真实身份。只有允许凭举报编号和查询码领取的奖励标准，才能不补充身份领取。',
          )
        : null,
      p.flags.jointSignatories > 1
        ? h(
            'p',
            {},
            `联名举报（${p.flags.jointSignatories} 人署名）：奖励发给第一署名人（登记的实名举报人），或由其书面委托的其他署名人领取；其他联名人不另行奖励。`,
          )
        : null,
      p.flags.isEarliestReporter
        ? null
        : h('p', {}, '注意：合并的重复举报中另有更早的举报人，奖励将记在最早的举报上。'),
      h(
        'fieldset',
        { class: 'stack', 'aria-describedby': 'checklist-note' },
        h('legend', {}, '奖励条件与排除情形（《安全生产领域举报奖励办法》第七条，请逐项核实）'),
        h(
          'p',
          { id: 'checklist-note' },
          '经核查属实、且生产经营单位和负有安全监管职责的部门此前没有发现或虽发现但未依法处理的，给予奖励；负有安全生产管理、监管、监察职责的工作人员及其近亲属或其授意他人的举报不在奖励之列。',
        ),
        checks,
      ),
      h('fieldset', {}, h('legend', {}, '领取条件'), identifiable),
      h('label', {}, '奖励金额（元）', amount),
      h('label', {}, '调整理由（金额与建议不同时必填）', adjust),
      c.eligible && has('rewards.propose') ? h('button', { class: 'primary', type: 'submit' }, '提出奖励') : null,
    );
    // Each unanswered or excluding item says why beside it (its data-error-for slot).
    onSubmit(
      pf,
      (d) => {
        const amountFen = Math.round(Number(amount.value) * 100);
        return api('/api/staff/rewards', {
          json: {
            tipId: tip.id,
            eligibility: {
              checklist: Object.fromEntries(
                ELIGIBILITY_CHECKS.flatMap((k) => {
                  const v = d.get(`check-${k.code}`);
                  return v ? [[k.code, String(v)]] : [];
                }),
              ),
              identifiable: d.has('identifiable'),
            },
            ...(amountFen !== c.amountFen ? { amountFen, adjustReason: adjust.value } : {}),
          },
        });
      },
      '奖励已提出，等待审批。',
      () => {
        clear(result);
        return render();
      },
    );
    clear(result, pf);
  });
  return panel('h-propose', '奖励测算与提出', form, result);
}

async function candidatesSection() {
  const { candidates } = await api<RewardCandidates>('/api/staff/rewards/candidates');
  return panel(
    'h-cand',
    '待提出奖励（核查属实或部分属实）',
    candidates.length
      ? h(
          'ul',
          { class: 'timeline' },
          candidates.map((c) =>
            h(
              'li',
              {},
              h('a', { href: `/staff/tip/?id=${encodeURIComponent(c.tipId)}` }, c.trackingNo),
              ` · 核查认定：${c.verifiedType ? L.verifiedType(c.verifiedType) : '未记录'}（举报时所选：${L.tipType(c.type)}） · ${L.labelIn(L.CONCLUSIONS, c.conclusion)} · 办结 ${date(c.concludedAt)} · `,
              c.eligible ? `测算 ${yuan(c.amountFen)}` : `不予奖励：${c.reason ?? ''}`,
              has('rewards.propose') && c.eligible
                ? [
                    ' ',
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'link',
                        onclick: () => {
                          (document.getElementById('p-no') as HTMLInputElement).value = c.trackingNo;
                          (document.querySelector('form[aria-label="奖励测算"]') as HTMLFormElement).requestSubmit();
                        },
                      },
                      '测算并提出',
                    ),
                  ]
                : null,
            ),
          ),
        )
      : h('p', {}, '暂无待提出奖励的举报。'),
  );
}

async function rulesSection() {
  const { rules } = await api<RewardRuleSets>('/api/staff/reward-rules');
  const form = h(
    'form',
    { class: 'stack', 'aria-label': '新增奖励标准' },
    h('h3', {}, '新增奖励标准（如本省标准），自指定日期起适用；已作出的奖励保留原标准'),
    h('label', {}, '名称', h('input', { name: 'name', required: true, maxlength: 100 })),
    h('label', {}, '起用日期', h('input', { type: 'date', name: 'effectiveFrom', required: true })),
    h(
      'label',
      {},
      '规则（JSON，金额单位为分，比例单位为万分之一）',
      h('textarea', { name: 'rules', rows: 10, required: true }, JSON.stringify(rules[0]?.rules ?? {}, null, 2)),
    ),
    h('button', { class: 'primary', type: 'submit' }, '新增'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const d = new FormData(form);
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(d.get('rules')));
    } catch {
      return flash('规则不是有效的 JSON。');
    }
    void attempt(
      () =>
        api('/api/staff/reward-rules', {
          json: { name: String(d.get('name')), effectiveFrom: String(d.get('effectiveFrom')), rules: parsed },
        }),
      '奖励标准已新增。',
      render,
    );
  });
  return panel(
    'h-rules',
    '奖励标准',
    h(
      'ul',
      {},
      rules.map((r) => h('li', {}, `${r.name}（第 ${r.version} 版，${date(r.effective_from)} 起适用）`)),
    ),
    has('reward_rules.manage') ? form : null,
  );
}

const render = () =>
  showSections(root, async (parts) => {
    if (has('rewards.preview')) parts.push(await candidatesSection(), proposeSection());
    const { rewards } = await api<RewardList>('/api/staff/rewards');
    parts.push(
      panel(
        'h-list',
        '奖励办理',
        rewards.length
          ? table(
              '奖励列表',
              ['举报编号', '金额', '状态', '经办 / 审批', '领取期限', '操作'],
              rewards.map((r) =>
                h(
                  'tr',
                  { 'data-reward': r.tracking_no },
                  h(
                    'td',
                    {},
                    h('a', { href: `/staff/tip/?id=${encodeURIComponent(r.tip_id)}` }, r.tracking_no),
                    h('br'),
                    h(
                      'small',
                      {},
                      r.verified_type ? `核查认定：${L.verifiedType(r.verified_type)}` : L.tipType(r.type),
                    ),
                  ),
                  h(
                    'td',
                    {},
                    yuan(r.amount_fen),
                    r.computation.rule
                      ? h(
                          'div',
                          { class: 'body-text' },
                          `${r.computation.rule.name} 第 ${r.computation.rule.version} 版${r.computation.clause ? ` · ${r.computation.clause}` : ''}`,
                        )
                      : null,
                    r.adjust_reason ? h('div', { class: 'body-text' }, `调整：${r.adjust_reason}`) : null,
                  ),
                  h(
                    'td',
                    {},
                    STATUS[r.status] ?? r.status,
                    r.decline_reason ? h('div', { class: 'body-text' }, r.decline_reason) : null,
                  ),
                  h('td', {}, `${r.proposer ?? '—'} / ${r.approver ?? '—'}`),
                  h(
                    'td',
                    {},
                    r.claim_deadline ? date(r.claim_deadline) : '—',
                    r.paid_at ? h('div', {}, `发放 ${dateTime(r.paid_at)}`) : null,
                  ),
                  h('td', {}, rowActions(r)),
                ),
              ),
              { hideCaption: true },
            )
          : h('p', {}, '暂无奖励。'),
        h('p', {}, h('a', { href: '/api/staff/rewards/ledger.csv' }, '下载奖励台账 CSV（不含举报人身份）')),
      ),
    );
    const report = await api<RewardReport>('/api/staff/rewards/report');
    parts.push(
      panel(
        'h-report',
        '奖励统计',
        table(
          '按年度、领域、承办单位',
          ['年度', '行业领域', '承办单位', '提出', '发放', '发放金额'],
          (report.rows ?? []).map((r) =>
            h(
              'tr',
              {},
              h('td', {}, r.year),
              h('td', {}, r.domainLabel),
              h('td', {}, r.departmentName ?? '—'),
              h('td', {}, r.proposed),
              h('td', {}, r.paid),
              h('td', {}, yuan(r.paidFen)),
            ),
          ),
          { hideCaption: true },
        ),
      ),
    );
    if (has('reward_rules.read')) parts.push(await rulesSection());
  });

(async () => {
  me = await whoami();
  await render();
})();
