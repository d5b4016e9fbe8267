/**
 * The reward workflow (docs/rules.md, "Rewards"): proposed → approved (by a different person) → notified (the reporter sees
 * it in the lookup view) → paid, or expired (the scheduled job, 60 days after the notice unless extended), or
 * declined. Every step checks the actor's role, writes a ledger event (`reward_events`, append-only) and an
 * audit row in the same batch, and is guarded by the reward's version, so two people acting at once cannot
 * both succeed.
 *
 * Actors are `{ id, roles }` as the staff session provides them. Only the reward roles act here:
 * 奖励经办 (reward_officer) proposes, notifies and records payment; 奖励审批 (reward_approver) approves,
 * extends and declines.
 */
import type { Row } from '../db/rows';
import type { rewards } from '../db/schema';
import type { Env } from '../env';
import { codeList } from '../domain/catalog';
import {
  checkEligibility,
  computeReward,
  type EligibilityAnswers,
  RewardRuleSetSchema,
  type AccidentLevel,
  type RewardComputation,
  type RewardRuleSet,
  yuan,
} from '../domain/reward-rules';
import { rewardActionRefusal, type RewardAction, type RewardStatus } from '../domain/reward-workflow';
import { writeWithAudit } from '../lib/audit';
import { timingSafeEqual } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { hit } from '../lib/ratelimit';
import type { RewardCandidates, RewardList, RewardListRow, RewardRuleSets } from '../schemas/staff';
import { claimDeadline, extendClaimDeadline } from '../domain/deadlines';
import { calendarAround } from './calendar';
import { formatTrackingNo, hashQueryCode, parseQueryCode, parseTrackingNo } from './codes';
import { timeLimits } from './settings';

export interface RewardActor {
  id: string;
  roles: readonly string[];
}

export type { RewardStatus };

/**
 * What staff confirm before proposing (docs/rules.md, "Eligibility", "Exclusions"): the 第七条 checklist, item by
 * item (`checkEligibility` in worker/domain/reward-rules.ts), and — apart from it, since it is a claim condition and
 * not an exclusion — whether the reporter can be identified.
 */
export interface EligibilityInput {
  checklist: EligibilityAnswers;
  /** The reporter can be identified (real name, or an identity added later from the lookup). */
  identifiable: boolean;
}

export const CLAIM_VERIFICATIONS = codeList({
  real_name_id: '实名举报人出示身份证件，与举报登记信息一致',
  // Only under a rule set with the `claimByCode` option; checked by payReward.
  tracking_and_code: '匿名举报人出示举报编号和查询码，系统核验一致（仅限允许凭码领取的奖励标准）',
});
export type ClaimVerification = (typeof CLAIM_VERIFICATIONS)[number]['code'];

export const PAY_METHODS = codeList({ bank_transfer: '银行转账', cash: '现金', other: '其他' });

/** The workflow table (worker/domain/reward-workflow.ts) decides: the role, the state, the different person. */
function assertAction(action: RewardAction, actor: RewardActor | 'system', reward: RewardRow | null) {
  const refusal = rewardActionRefusal(action, reward, actor);
  if (refusal) throw new ApiError(refusal.code, refusal.message ? { message: refusal.message } : {});
}

/** The rewards columns this service reads, typed from the schema. */
type RewardRow = Pick<
  Row<typeof rewards>,
  'id' | 'tip_id' | 'rule_id' | 'status' | 'amount_fen' | 'proposed_by' | 'approved_by' | 'claim_deadline' | 'version'
>;

async function loadReward(env: Env, id: string): Promise<RewardRow> {
  const r = await env.DB.prepare(
    'SELECT id, tip_id, rule_id, status, amount_fen, proposed_by, approved_by, claim_deadline, version FROM rewards WHERE id = ?',
  )
    .bind(id)
    .first<RewardRow>();
  if (!r) throw new ApiError('NOT_FOUND');
  return r;
}

/** The rule set in force at `at`: the one with the latest `effective_from` not after it. */
export async function ruleSetAt(
  env: Env,
  at: number,
): Promise<{ id: string; name: string; version: number; rules: RewardRuleSet }> {
  const row = await env.DB.prepare(
    'SELECT id, name, version, rules FROM reward_rules WHERE effective_from <= ? ORDER BY effective_from DESC, version DESC LIMIT 1',
  )
    .bind(at)
    .first<{ id: string; name: string; version: number; rules: string }>();
  if (!row) throw new ApiError('UNAVAILABLE', { message: '尚未配置奖励标准。' });
  return { ...row, rules: RewardRuleSetSchema.parse(JSON.parse(row.rules)) };
}

/** Every rule set, the latest in force first (newest effective date, then newest version). */
export async function listRuleSets(env: Env): Promise<RewardRuleSets> {
  const { results } = await env.DB.prepare(
    'SELECT id, name, version, effective_from, rules, created_at FROM reward_rules ORDER BY effective_from DESC, version DESC',
  ).all<Omit<RewardRuleSets['rules'][number], 'rules'> & { rules: string }>();
  return { rules: results.map((r) => ({ ...r, rules: JSON.parse(r.rules) as Record<string, unknown> })) };
}

/** Add a rule set (e.g. a province's) that applies to decisions from `effectiveFrom` on. */
export async function addRuleSet(
  env: Env,
  input: { actor: RewardActor & { roles: readonly string[] }; name: string; effectiveFrom: number; rules: unknown },
): Promise<string> {
  if (!input.actor.roles.includes('admin')) throw new ApiError('FORBIDDEN');
  const parsed = RewardRuleSetSchema.safeParse(input.rules);
  if (!parsed.success) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: parsed.error.issues.map((i) => ({
        path: `rules.${i.path.join('.')}`,
        code: i.code.toUpperCase(),
        message: i.message,
      })),
    });
  }
  const id = crypto.randomUUID();
  const version =
    ((await env.DB.prepare('SELECT MAX(version) AS v FROM reward_rules').first<{ v: number | null }>())?.v ?? 0) + 1;
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        'INSERT INTO reward_rules (id, name, version, effective_from, rules, created_at) VALUES (?,?,?,?,?,?)',
      ).bind(id, input.name, version, input.effectiveFrom, JSON.stringify(parsed.data), Date.now()),
    ],
    [
      {
        actor: input.actor.id,
        action: 'reward.rules.added',
        detail: { ruleId: id, name: input.name, effectiveFrom: input.effectiveFrom },
      },
    ],
  );
  return id;
}

interface TipFacts {
  id: string;
  type: string;
  state: string;
  conclusion: string | null;
  penalty_fen: number | null;
  merged_into_id: string | null;
  anonymous: number;
  /** People who signed the tip: more than one is a 联名举报, paid to the first signatory (the registered reporter). */
  signatories: number;
  created_at: number;
}

/**
 * Who gets the reward for a tip: among the primary tip and the duplicates merged into it, the earliest
 * reporter has priority (docs/rules.md, "Several reporters").
 */
export async function beneficiaryTip(env: Env, tipId: string): Promise<TipFacts> {
  const tip = await env.DB.prepare(
    'SELECT id, type, state, conclusion, penalty_fen, merged_into_id, anonymous, signatories, created_at FROM tips WHERE id = ?',
  )
    .bind(tipId)
    .first<TipFacts>();
  if (!tip) throw new ApiError('NOT_FOUND');
  const primaryId = tip.merged_into_id ?? tip.id;
  const earliest = await env.DB.prepare(
    `SELECT id, type, state, conclusion, penalty_fen, merged_into_id, anonymous, signatories, created_at FROM tips
     WHERE id = ?1 OR merged_into_id = ?1 ORDER BY created_at, id LIMIT 1`,
  )
    .bind(primaryId)
    .first<TipFacts>();
  return earliest!;
}

export interface ProposalPreview {
  tipId: string;
  beneficiaryTipId: string;
  rule: { id: string; name: string; version: number };
  computation: RewardComputation;
  /** What the reporter chose and what 核查 verified: the computation uses the verified facts only. */
  verified: {
    reportedType: string;
    verifiedType: string | null;
    penaltyFen: number | null;
    accidentLevel: AccidentLevel | null;
    concealedDeaths: number | null;
  };
  /**
   * Checks staff must confirm; `anonymousNeedsProof` reminds that an anonymous reporter proves authorship at claim;
   * `jointSignatories` (> 1 for a 联名举报) that the reward goes to the first signatory alone.
   */
  flags: { anonymousNeedsProof: boolean; isEarliestReporter: boolean; jointSignatories: number };
}

interface VerifiedFacts {
  id: string;
  conclusion: string | null;
  penalty_fen: number | null;
  type: string;
  verified_type: string | null;
  accident_level: AccidentLevel | null;
  concealed_deaths: number | null;
  merged_into_id: string | null;
}
const VERIFIED_FACTS_SQL =
  'SELECT id, conclusion, penalty_fen, type, verified_type, accident_level, concealed_deaths, merged_into_id FROM tips WHERE id = ?';

/**
 * What a proposal would be, with the computation shown (nothing is written). The amount follows what 核查 verified
 * on the primary tip — category, 行政处罚金额, accident grade and concealed deaths — never the type the reporter
 * chose (docs/rules.md, "Reward amount").
 */
export async function previewReward(env: Env, input: { tipId: string; now?: number }): Promise<ProposalPreview> {
  const primary = await env.DB.prepare(VERIFIED_FACTS_SQL).bind(input.tipId).first<VerifiedFacts>();
  if (!primary) throw new ApiError('NOT_FOUND');
  const primaryId = primary.merged_into_id ?? primary.id;
  const facts =
    primaryId === primary.id
      ? primary
      : await env.DB.prepare(VERIFIED_FACTS_SQL).bind(primaryId).first<VerifiedFacts>();
  if (!facts || (facts.conclusion !== 'true' && facts.conclusion !== 'partly_true')) {
    throw new ApiError('INVALID_TRANSITION', { message: '举报经核查属实或部分属实后才能提出奖励。' });
  }
  const rule = await ruleSetAt(env, input.now ?? Date.now());
  const computation = computeReward(rule.rules, {
    verifiedType: facts.verified_type,
    penaltyFen: facts.penalty_fen,
    accidentLevel: facts.accident_level,
    concealedDeaths: facts.concealed_deaths,
  });
  const beneficiary = await beneficiaryTip(env, primaryId);
  return {
    tipId: primaryId,
    beneficiaryTipId: beneficiary.id,
    rule: { id: rule.id, name: rule.name, version: rule.version },
    computation,
    verified: {
      reportedType: facts.type,
      verifiedType: facts.verified_type,
      penaltyFen: facts.penalty_fen,
      accidentLevel: facts.accident_level,
      concealedDeaths: facts.concealed_deaths,
    },
    flags: {
      anonymousNeedsProof: beneficiary.anonymous === 1,
      isEarliestReporter: beneficiary.id === input.tipId,
      jointSignatories: beneficiary.signatories,
    },
  };
}

/**
 * 奖励经办 proposes a reward for a tip concluded 属实/部分属实. The amount may be adjusted within the rule's
 * bounds, with a reason. The reward is recorded on the earliest reporter's tip among merged duplicates.
 */
export async function proposeReward(
  env: Env,
  input: {
    tipId: string;
    actor: RewardActor;
    eligibility: EligibilityInput;
    amountFen?: number;
    adjustReason?: string;
    now?: number;
  },
): Promise<{ rewardId: string; amountFen: number; beneficiaryTipId: string }> {
  assertAction('propose', input.actor, null);
  const now = input.now ?? Date.now();
  const preview = await previewReward(env, input);
  const c = preview.computation;
  if (!c.eligible) throw new ApiError('INVALID_TRANSITION', { message: c.reason ?? '不符合奖励条件。' });
  // 第七条, item by item: every item answered, none excluding; then the claim condition.
  const el = checkEligibility(input.eligibility.checklist ?? {});
  if (el.unconfirmed.length) {
    throw new ApiError('ELIGIBILITY_UNCONFIRMED', {
      fields: el.unconfirmed.map((u) => ({
        path: `eligibility.checklist.${u.code}`,
        code: 'UNCONFIRMED',
        message: `请确认：${u.question}（${u.clause}）`,
      })),
    });
  }
  if (el.excluded.length) {
    const first = el.excluded[0]!;
    throw new ApiError('REWARD_EXCLUDED', {
      message: `${first.question}：${first.answer}。按《安全生产领域举报奖励办法》${first.clause}，该举报不予奖励。`,
      fields: el.excluded.map((x) => ({
        path: `eligibility.checklist.${x.code}`,
        code: 'EXCLUDED',
        message: `${x.answer}（${x.clause}）`,
      })),
    });
  }
  if (!input.eligibility.identifiable) throw new ApiError('REPORTER_UNIDENTIFIED');
  const ex = { checklist: el.record, identifiable: true };

  let amount = c.amountFen;
  if (input.amountFen !== undefined && input.amountFen !== c.amountFen) {
    if (!Number.isInteger(input.amountFen) || input.amountFen < c.minFen || input.amountFen > c.maxFen) {
      throw new ApiError('VALIDATION_FAILED', {
        fields: [
          {
            path: 'amountFen',
            code: 'OUT_OF_BOUNDS',
            message: `调整后的金额须在 ¥${c.minFen / 100}–¥${c.maxFen / 100} 之间`,
          },
        ],
      });
    }
    if (!input.adjustReason?.trim()) {
      throw new ApiError('VALIDATION_FAILED', {
        fields: [{ path: 'adjustReason', code: 'REQUIRED', message: '调整金额须说明理由' }],
      });
    }
    amount = input.amountFen;
  }
  const tipId = preview.beneficiaryTipId;
  const id = crypto.randomUUID();
  const computation = { ...c, rule: preview.rule, flags: preview.flags, verified: preview.verified };
  // One live reward per item: a guard makes a second concurrent proposal write nothing.
  const noLive = `NOT EXISTS (SELECT 1 FROM rewards WHERE tip_id = ? AND status NOT IN ('declined', 'expired'))`;
  const results = await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        `INSERT INTO rewards (id, tip_id, rule_id, status, amount_fen, computation, proposed_by, exclusions, adjust_reason, version, created_at, updated_at)
         SELECT ?, ?, ?, 'proposed', ?, ?, ?, ?, ?, 1, ?, ? WHERE ${noLive}`,
      ).bind(
        id,
        tipId,
        preview.rule.id,
        amount,
        JSON.stringify(computation),
        input.actor.id,
        JSON.stringify(ex),
        input.adjustReason ?? null,
        now,
        now,
        tipId,
      ),
      env.DB.prepare(
        `INSERT INTO reward_events (id, reward_id, tip_id, at, kind, actor, amount_fen, detail)
         SELECT ?, ?, ?, ?, 'proposed', ?, ?, ? WHERE EXISTS (SELECT 1 FROM rewards WHERE id = ?)`,
      ).bind(
        crypto.randomUUID(),
        id,
        tipId,
        now,
        input.actor.id,
        amount,
        JSON.stringify({
          computed: c.amountFen,
          adjustReason: input.adjustReason ?? null,
          rule: preview.rule,
          clause: c.clause,
          verifiedType: preview.verified.verifiedType,
        }),
        id,
      ),
    ],
    [
      {
        actor: input.actor.id,
        action: 'reward.proposed',
        tipId,
        at: now,
        detail: { rewardId: id, amountFen: amount, computedFen: c.amountFen },
      },
    ],
    { sql: noLive, params: [tipId] },
  );
  if (!results[0]?.meta.changes) throw new ApiError('CONFLICT', { message: '该举报已有进行中的奖励，请刷新后查看。' });
  return { rewardId: id, amountFen: amount, beneficiaryTipId: tipId };
}

/** A version-guarded status change with its ledger event and audit row. */
async function step(
  env: Env,
  r: RewardRow,
  opts: {
    actor: string;
    kind: string;
    set: Record<string, unknown>;
    detail?: Record<string, unknown>;
    now: number;
    amountFen?: number;
    /** A public timeline event on the tip, written in the same batch. */
    publicEvent?: { kind: string; text: string };
  },
) {
  const cols = Object.keys(opts.set);
  const guard = { sql: 'EXISTS (SELECT 1 FROM rewards WHERE id = ? AND version = ?)', params: [r.id, r.version] };
  const results = await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        `INSERT INTO reward_events (id, reward_id, tip_id, at, kind, actor, amount_fen, detail)
         SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql}`,
      ).bind(
        crypto.randomUUID(),
        r.id,
        r.tip_id,
        opts.now,
        opts.kind,
        opts.actor,
        opts.amountFen ?? r.amount_fen,
        JSON.stringify(opts.detail ?? {}),
        ...guard.params,
      ),
      ...(opts.publicEvent
        ? [
            env.DB.prepare(
              `INSERT INTO tip_events (id, tip_id, at, kind, public, public_text) SELECT ?, ?, ?, ?, 1, ? WHERE ${guard.sql}`,
            ).bind(
              crypto.randomUUID(),
              r.tip_id,
              opts.now,
              opts.publicEvent.kind,
              opts.publicEvent.text,
              ...guard.params,
            ),
          ]
        : []),
      env.DB.prepare(
        `UPDATE rewards SET ${cols.map((c) => `${c} = ?`).join(', ')}, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
      ).bind(...cols.map((c) => opts.set[c]), opts.now, r.id, r.version),
    ],
    [
      {
        actor: opts.actor,
        action: `reward.${opts.kind}`,
        tipId: r.tip_id,
        at: opts.now,
        detail: { rewardId: r.id, ...(opts.detail ?? {}) },
      },
    ],
    guard,
  );
  if (!results.at(-1)?.meta.changes) throw new ApiError('CONFLICT');
}

/** 奖励审批 approves; never the person who proposed. */
export async function approveReward(env: Env, input: { rewardId: string; actor: RewardActor; now?: number }) {
  const r = await loadReward(env, input.rewardId);
  assertAction('approve', input.actor, r);
  await step(env, r, {
    actor: input.actor.id,
    kind: 'approved',
    set: { status: 'approved', approved_by: input.actor.id },
    now: input.now ?? Date.now(),
  });
}

/** 奖励经办 notifies the reporter: the lookup view shows amount, what to bring, where, and the claim deadline. */
export async function notifyReward(env: Env, input: { rewardId: string; actor: RewardActor; now?: number }) {
  const r = await loadReward(env, input.rewardId);
  assertAction('notify', input.actor, r);
  const now = input.now ?? Date.now();
  const limits = await timeLimits(env);
  const deadline = claimDeadline(now, limits, await calendarAround(env, now, limits.rewardClaimDays));
  await step(env, r, {
    actor: input.actor.id,
    kind: 'notified',
    set: { status: 'notified', notified_at: now, claim_deadline: deadline },
    detail: { claimDeadline: deadline },
    publicEvent: { kind: 'reward_notified', text: '举报奖励已核定，请在领取期限内领取' },
    now,
  });
}

/** 奖励审批 extends an unclaimed notice, with a reason, before it expires. */
export async function extendClaim(
  env: Env,
  input: { rewardId: string; actor: RewardActor; days: number; reason: string; now?: number },
) {
  const r = await loadReward(env, input.rewardId);
  assertAction('extend', input.actor, r);
  // An extension is granted before the claim period ends; after it, the reward expires (the scheduled job).
  if (r.claim_deadline !== null && (input.now ?? Date.now()) > r.claim_deadline) {
    throw new ApiError('INVALID_TRANSITION', { message: '领取期限已过，不能再延长。' });
  }
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > 60) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'days', code: 'OUT_OF_BOUNDS', message: '延长天数须在 1–60 天之间' }],
    });
  }
  if (!input.reason?.trim())
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'reason', code: 'REQUIRED', message: '请填写延长理由' }],
    });
  const deadline = extendClaimDeadline(r.claim_deadline!, input.days);
  await step(env, r, {
    actor: input.actor.id,
    kind: 'extended',
    set: { claim_deadline: deadline, extension_reason: input.reason.trim() },
    detail: { days: input.days, reason: input.reason.trim(), claimDeadline: deadline },
    now: input.now ?? Date.now(),
  });
}

/**
 * An anonymous claimant proves authorship with the receipt: the tracking number must be the rewarded tip's and
 * the query code must match its stored hash (compared in constant time). Nothing of it is stored — the ledger
 * records only that this check passed. Five tries per reward per hour, so a claimant cannot guess at the desk.
 * An anonymous tip can only be paid this way (payReward refuses another method).
 */
async function checkClaimCode(
  env: Env,
  r: RewardRow,
  claim: { trackingNo: string; queryCode: string } | undefined,
  now: number,
) {
  const mismatch = () =>
    new ApiError('VALIDATION_FAILED', {
      fields: [
        {
          path: 'claim.queryCode',
          code: 'CLAIM_CODE_MISMATCH',
          message: '举报编号或查询码与该奖励的举报不一致，不能按匿名方式兑付',
        },
      ],
    });
  if (!claim?.trackingNo || !claim.queryCode) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'claim', code: 'REQUIRED', message: '匿名领取须当场输入领取人出示的举报编号和查询码' }],
    });
  }
  await hit(env, `reward-claim:${r.id}`, { limit: 5, windowMs: 3_600_000 }, now).catch((e: unknown) => {
    if (e instanceof ApiError) {
      throw new ApiError('RATE_LIMITED', {
        message: `核验次数过多，请 ${Math.ceil((e.retryAfter ?? 3600) / 60)} 分钟后再试。`,
        retryAfter: e.retryAfter,
      });
    }
    throw e;
  });
  const tip = await env.DB.prepare('SELECT tracking_no, query_code_hash FROM tips WHERE id = ?')
    .bind(r.tip_id)
    .first<{ tracking_no: string; query_code_hash: string }>();
  const no = parseTrackingNo(claim.trackingNo);
  const code = parseQueryCode(claim.queryCode);
  if (!tip || !no || !code) throw mismatch();
  const ok =
    timingSafeEqual(await hashQueryCode(env, tip.tracking_no, code), tip.query_code_hash) && no === tip.tracking_no;
  if (!ok) throw mismatch();
}

/** 奖励经办 records payment: date, method, voucher, and how the claimant proved authorship (no identity stored). */
export async function payReward(
  env: Env,
  input: {
    rewardId: string;
    actor: RewardActor;
    paidAt: number;
    method: string;
    voucherNo: string;
    verification: ClaimVerification;
    /** Required for `tracking_and_code`: what the claimant showed, checked and then forgotten. */
    claim?: { trackingNo: string; queryCode: string };
    now?: number;
  },
) {
  const r = await loadReward(env, input.rewardId);
  assertAction('pay', input.actor, r);
  const now = input.now ?? Date.now();
  if (r.claim_deadline !== null && now > r.claim_deadline)
    throw new ApiError('INVALID_TRANSITION', { message: '已超过领取期限。' });
  if (!PAY_METHODS.some((m) => m.code === input.method)) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'method', code: 'INVALID_VALUE', message: '请选择支付方式' }],
    });
  }
  if (!CLAIM_VERIFICATIONS.some((v) => v.code === input.verification)) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'verification', code: 'INVALID_VALUE', message: '请选择领取人身份核验方式' }],
    });
  }
  if (!input.voucherNo?.trim() || input.voucherNo.length > 64) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'voucherNo', code: 'REQUIRED', message: '请填写凭证号' }],
    });
  }
  // An anonymous reporter has no registered identity to compare an ID card with. Under the national default the
  // reward goes to an identifiable reporter claiming with a valid ID: the reporter adds a real identity from the
  // lookup first. Only a rule set with the `claimByCode` option pays on the receipt alone (docs/rules.md, "Claim terms").
  const facts = await env.DB.prepare(
    "SELECT t.anonymous, json_extract(rr.rules, '$.claimByCode') AS by_code FROM tips t, reward_rules rr WHERE t.id = ? AND rr.id = ?",
  )
    .bind(r.tip_id, r.rule_id)
    .first<{ anonymous: number; by_code: number | null }>();
  const anonymous = facts?.anonymous === 1;
  const byCode = facts?.by_code === 1;
  if (input.verification === 'tracking_and_code' && !byCode) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [
        {
          path: 'verification',
          code: 'CLAIM_BY_CODE_NOT_ALLOWED',
          message:
            '本奖励标准不允许仅凭举报编号和查询码领取：奖励发给能够确认身份的举报人，凭有效身份证件领取。匿名举报人可先在查询页补充真实身份。',
        },
      ],
    });
  }
  if (anonymous && input.verification !== 'tracking_and_code') {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [
        {
          path: 'verification',
          code: 'ANONYMOUS_NEEDS_CODE',
          message:
            '这是匿名举报，没有登记的身份可以核对：请举报人先在查询页补充真实身份，或按本奖励标准凭举报编号和查询码核验',
        },
      ],
    });
  }
  if (input.verification === 'tracking_and_code') await checkClaimCode(env, r, input.claim, now);
  await step(env, r, {
    actor: input.actor.id,
    kind: 'paid',
    set: {
      status: 'paid',
      paid_at: input.paidAt,
      pay_method: input.method,
      voucher_no: input.voucherNo.trim(),
      claimant_verification: input.verification,
    },
    detail: {
      paidAt: input.paidAt,
      method: input.method,
      voucherNo: input.voucherNo.trim(),
      verification: input.verification,
    },
    now,
  });
}

/** 奖励审批 declines a proposal (or an approved reward not yet notified), with a reason. */
export async function declineReward(
  env: Env,
  input: { rewardId: string; actor: RewardActor; reason: string; now?: number },
) {
  const r = await loadReward(env, input.rewardId);
  assertAction('decline', input.actor, r);
  if (!input.reason?.trim())
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'reason', code: 'REQUIRED', message: '请填写不予奖励的理由' }],
    });
  await step(env, r, {
    actor: input.actor.id,
    kind: 'declined',
    set: { status: 'declined', decline_reason: input.reason.trim() },
    detail: { reason: input.reason.trim() },
    now: input.now ?? Date.now(),
  });
}

/**
 * The scheduled job: rewards notified and not claimed by their deadline expire. Idempotent: each reward is
 * moved with its version guard, so a second or interrupted-and-retried run expires nothing twice.
 */
export async function expireRewards(env: Env, now: number): Promise<number> {
  const { results } = await env.DB.prepare(
    "SELECT id, tip_id, rule_id, status, amount_fen, proposed_by, approved_by, claim_deadline, version FROM rewards WHERE status = 'notified' AND claim_deadline < ? LIMIT 200",
  )
    .bind(now)
    .all<RewardRow>();
  let n = 0;
  for (const r of results) {
    assertAction('expire', 'system', r);
    try {
      await step(env, r, {
        actor: 'system',
        kind: 'expired',
        set: { status: 'expired' },
        detail: { claimDeadline: r.claim_deadline },
        now,
      });
      n++;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'CONFLICT')) throw e; // someone else moved it: nothing to do
    }
  }
  return n;
}

/** The reward row the reporter's lookup view shows for the tip `tip` yields (an SQL expression): the latest notified, paid or expired one, with its claim option. */
export const rewardNoticeSql = (
  tip: string,
) => `SELECT r.amount_fen, r.status, r.claim_deadline, r.paid_at, json_extract(rr.rules, '$.claimByCode') AS by_code
   FROM rewards r JOIN reward_rules rr ON rr.id = r.rule_id
  WHERE r.tip_id = ${tip} AND r.status IN ('notified', 'paid', 'expired') ORDER BY r.created_at DESC LIMIT 1`;
export interface RewardNoticeRow {
  amount_fen: number;
  status: string;
  claim_deadline: number;
  paid_at: number | null;
  /** The reward's rule set lets an anonymous reporter claim on the receipt alone (`claimByCode`). */
  by_code: number | null;
}

/**
 * What the reporter's lookup view shows once a reward is notified (null before that): built from the row of
 * rewardNoticeSql, the stored `reward_claim_place` setting and whether the tip is (still) anonymous, which the
 * lookup reads in its own batch. What to bring follows the claim terms (docs/rules.md, "Claim terms").
 */
export function rewardNotice(
  r: RewardNoticeRow | null | undefined,
  placeSetting: string | null | undefined,
  anonymous: boolean,
  signatories = 1,
) {
  if (!r) return null;
  const where = placeSetting ? (JSON.parse(placeSetting) as string) : '区应急管理局举报受理窗口（工作日 9:00–17:00）';
  return {
    status: r.status as 'notified' | 'paid' | 'expired',
    amountFen: r.amount_fen,
    amount: yuan(r.amount_fen),
    claimDeadline: new Date(r.claim_deadline).toISOString(),
    where,
    whatToBring: anonymous
      ? r.by_code === 1
        ? '举报编号和查询码（本地奖励办法允许匿名举报人凭举报编号和查询码领取，工作人员当场核验）；领取时需提供收款账户。'
        : '奖励发给能够确认身份的举报人：请先在本页“补充真实身份”登记姓名和身份证号码，再由本人携带有效身份证件原件以及举报编号和查询码领取，并提供本人银行账户。'
      : signatories > 1
        ? `联名举报（${signatories} 人署名）的奖励发给第一署名人：请第一署名人本人（或其书面委托的其他署名人，另带委托书）携带有效身份证件原件，以及举报编号和查询码领取，并提供银行账户。`
        : '本人有效身份证件原件，以及举报编号和查询码；领取时需提供本人银行账户。',
    paidAt: r.paid_at ? new Date(r.paid_at).toISOString() : null,
  };
}

/** The console's reward list: the 200 newest rewards, of one status or all, with their tip, rule set and people. */
export async function listRewards(env: Env, status?: RewardStatus): Promise<RewardList> {
  const { results } = await env.DB.prepare(
    `SELECT r.id, r.tip_id, t.tracking_no, t.type, t.domain, r.status, r.amount_fen, r.computation, r.proposed_by, r.approved_by,
            r.notified_at, r.claim_deadline, r.paid_at, r.adjust_reason, r.decline_reason, r.created_at,
            p.display_name AS proposer, a.display_name AS approver, t.verified_type,
            rr.name AS rule_name, rr.version AS rule_version
       FROM rewards r JOIN tips t ON t.id = r.tip_id JOIN reward_rules rr ON rr.id = r.rule_id LEFT JOIN staff p ON p.id = r.proposed_by LEFT JOIN staff a ON a.id = r.approved_by
      ${status ? 'WHERE r.status = ?' : ''} ORDER BY r.created_at DESC LIMIT 200`,
  )
    .bind(...(status ? [status] : []))
    .all<Omit<RewardListRow, 'computation'> & { computation: string }>();
  return {
    rewards: results.map((r) => ({
      ...r,
      tracking_no: formatTrackingNo(r.tracking_no),
      computation: JSON.parse(r.computation) as RewardListRow['computation'],
    })),
  };
}

/**
 * Tips waiting for a reward proposal, with the amount each would get: primary tips concluded 属实/部分属实 with
 * no reward yet (live, paid or otherwise decided), the 50 newest conclusions first.
 */
export async function rewardCandidates(env: Env): Promise<RewardCandidates> {
  const { results } = await env.DB.prepare(
    `SELECT t.id, t.tracking_no, t.type, t.verified_type, t.domain, t.conclusion, t.penalty_fen, t.concluded_at FROM tips t
      WHERE t.conclusion IN ('true', 'partly_true') AND t.merged_into_id IS NULL AND t.concluded_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM rewards r JOIN tips x ON x.id = r.tip_id WHERE x.id = t.id OR x.merged_into_id = t.id)
      ORDER BY t.concluded_at DESC LIMIT 50`,
  ).all<{
    id: string;
    tracking_no: string;
    type: string;
    verified_type: string | null;
    domain: string;
    conclusion: string;
    penalty_fen: number | null;
    concluded_at: number;
  }>();
  const candidates: RewardCandidates['candidates'] = [];
  for (const t of results) {
    const p = await previewReward(env, { tipId: t.id });
    candidates.push({
      tipId: t.id,
      trackingNo: formatTrackingNo(t.tracking_no),
      type: t.type,
      verifiedType: t.verified_type,
      domain: t.domain,
      conclusion: t.conclusion,
      concludedAt: t.concluded_at,
      eligible: p.computation.eligible,
      reason: p.computation.reason ?? null,
      amountFen: p.computation.amountFen,
      clause: p.computation.clause,
    });
  }
  return { candidates };
}
