/**
 * Reward reports for staff (by year, domain and department, with totals), the ledger as CSV without any
 * identity (its export audited), and the public aggregate figures (number of rewards and total paid per year).
 */
import type { Env } from '../env';
import { label, labelIn, VERIFIED_TYPES } from '../domain/catalog';
import { audit } from '../lib/audit';
import { csvText } from '../lib/csv';

export interface RewardReportRow {
  year: string;
  domain: string;
  domainLabel: string;
  departmentId: string | null;
  departmentName: string | null;
  proposed: number;
  paid: number;
  paidFen: number;
  expired: number;
  declined: number;
}

/** Rewards grouped by year (China time) of proposal, domain and handling department, plus a total row. */
export async function rewardReport(env: Env, opts: { year?: string } = {}) {
  const { results } = await env.DB.prepare(
    `SELECT strftime('%Y', r.created_at / 1000 + 8 * 3600, 'unixepoch') AS year, t.domain, t.department_id, d.name AS department_name,
            COUNT(*) AS proposed,
            SUM(r.status = 'paid') AS paid,
            SUM(CASE WHEN r.status = 'paid' THEN r.amount_fen ELSE 0 END) AS paid_fen,
            SUM(r.status = 'expired') AS expired,
            SUM(r.status = 'declined') AS declined
     FROM rewards r JOIN tips t ON t.id = r.tip_id LEFT JOIN departments d ON d.id = t.department_id
     WHERE (?1 IS NULL OR strftime('%Y', r.created_at / 1000 + 8 * 3600, 'unixepoch') = ?1)
     GROUP BY 1, 2, 3 ORDER BY 1 DESC, 2, 3`,
  )
    .bind(opts.year ?? null)
    .all<{
      year: string;
      domain: string;
      department_id: string | null;
      department_name: string | null;
      proposed: number;
      paid: number;
      paid_fen: number;
      expired: number;
      declined: number;
    }>();
  const rows: RewardReportRow[] = results.map((r) => ({
    year: r.year,
    domain: r.domain,
    domainLabel: label.domain(r.domain),
    departmentId: r.department_id,
    departmentName: r.department_name,
    proposed: r.proposed,
    paid: r.paid,
    paidFen: r.paid_fen,
    expired: r.expired,
    declined: r.declined,
  }));
  const total = rows.reduce(
    (t, r) => ({
      proposed: t.proposed + r.proposed,
      paid: t.paid + r.paid,
      paidFen: t.paidFen + r.paidFen,
      expired: t.expired + r.expired,
      declined: t.declined + r.declined,
    }),
    { proposed: 0, paid: 0, paidFen: 0, expired: 0, declined: 0 },
  );
  return { rows, total };
}

/** The whole ledger for a staff download, with the audit row of who exported it and how many rows. */
export async function exportRewardLedger(env: Env, actor: { id: string }): Promise<{ csv: string; rows: number }> {
  const csv = await rewardLedgerCsv(env);
  // The header line not counted.
  const rows = csv.trim().split(/\r?\n/).length - 1;
  await audit(env, { actor: actor.id, action: 'rewards.ledger_exported', detail: { filter: {}, rows } });
  return { csv, rows };
}

/** The reward ledger as CSV: events with amounts, never a name, phone, ID number or query code. */
export async function rewardLedgerCsv(env: Env, opts: { from?: number; to?: number } = {}): Promise<string> {
  const { results } = await env.DB.prepare(
    `SELECT e.at, e.kind, e.amount_fen, e.reward_id, t.tracking_no, t.type, t.verified_type, t.domain, d.name AS department,
            rr.name AS rule_name, rr.version AS rule_version, json_extract(r.computation, '$.clause') AS clause
     FROM reward_events e JOIN tips t ON t.id = e.tip_id JOIN rewards r ON r.id = e.reward_id
     JOIN reward_rules rr ON rr.id = r.rule_id LEFT JOIN departments d ON d.id = t.department_id
     WHERE e.at >= ? AND e.at <= ? ORDER BY e.at, e.id`,
  )
    .bind(opts.from ?? 0, opts.to ?? Number.MAX_SAFE_INTEGER)
    .all<{
      at: number;
      kind: string;
      amount_fen: number | null;
      reward_id: string;
      tracking_no: string;
      type: string;
      verified_type: string | null;
      domain: string;
      department: string | null;
      rule_name: string;
      rule_version: number;
      clause: string | null;
    }>();
  const KIND: Record<string, string> = {
    proposed: '提出',
    approved: '审批通过',
    notified: '通知领取',
    extended: '延长领取期限',
    paid: '已发放',
    expired: '逾期未领',
    declined: '不予奖励',
  };
  // Each amount with the rule set, its version and the clause applied; the reporter's choice beside what 核查 found.
  const lines: unknown[][] = [
    [
      '时间',
      '事件',
      '金额（元）',
      '奖励编号',
      '举报编号',
      '举报时所选类型',
      '核查认定类别',
      '奖励标准',
      '标准版本',
      '适用条款',
      '行业领域',
      '承办单位',
    ],
  ];
  for (const r of results) {
    lines.push([
      new Date(r.at).toISOString(),
      KIND[r.kind] ?? r.kind,
      r.amount_fen === null ? '' : (r.amount_fen / 100).toFixed(2),
      r.reward_id,
      r.tracking_no,
      label.tipType(r.type),
      r.verified_type ? labelIn(VERIFIED_TYPES, r.verified_type) : '',
      r.rule_name,
      `第 ${r.rule_version} 版`,
      r.clause ?? '',
      label.domain(r.domain),
      r.department ?? '',
    ]);
  }
  return csvText(lines);
}

/** Public figures: rewards paid per year (China time) — count and total. */
export async function publicRewardFigures(env: Env) {
  const { results } = await env.DB.prepare(
    `SELECT strftime('%Y', paid_at / 1000 + 8 * 3600, 'unixepoch') AS year, COUNT(*) AS count, SUM(amount_fen) AS total_fen
     FROM rewards WHERE status = 'paid' AND paid_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
  ).all<{ year: string; count: number; total_fen: number }>();
  return results.map((r) => ({ year: r.year, count: r.count, totalFen: r.total_fen }));
}
