/**
 * Builders for reward tests: a tip submitted through the API and then given a conclusion. The conclusion is
 * written directly (the workflow's own tests cover how a tip gets there); the reward service is what these
 * tests exercise.
 */
import { env } from 'cloudflare:test';
import { NATIONAL_2018 } from '../../worker/domain/reward-rules';
import { approveReward, notifyReward, proposeReward, type RewardActor } from '../../worker/services/rewards';
import { realName, submitTip, validTip, tipIdOf } from './tips';

export const officer: RewardActor = { id: 'staff-officer-1', roles: ['reward_officer'] };
export const officer2: RewardActor = { id: 'staff-officer-2', roles: ['reward_officer'] };
export const approver: RewardActor = { id: 'staff-approver-1', roles: ['reward_approver'] };
export const both: RewardActor = { id: 'staff-both-1', roles: ['reward_officer', 'reward_approver'] };
export const dispatcher: RewardActor = { id: 'staff-dispatcher-1', roles: ['dispatcher'] };
/** Every 第七条 item confirmed as not excluding (worker/domain/reward-rules.ts ELIGIBILITY_CHECKS), reporter identifiable. */
export const ELIGIBLE = {
  checklist: {
    discovery: 'not_found',
    governmentDuty: 'no',
    enterpriseDuty: 'no',
    closeRelative: 'no',
    instructed: 'no',
  },
  identifiable: true,
};

/**
 * A tip concluded 属实 (by default) with what 核查 verified: `verifiedType` defaults to the reported `type`, so a test
 * that is about a difference between the two says so; 瞒报谎报 tips carry `accidentLevel` and `concealedDeaths`.
 */
export async function concludedTip(
  opts: {
    type?: string;
    verifiedType?: string | null;
    accidentLevel?: string;
    concealedDeaths?: number;
    penaltyFen?: number;
    conclusion?: string;
    anonymous?: boolean;
    createdAt?: number;
  } = {},
): Promise<{ id: string; trackingNo: string; queryCode: string }> {
  const res = await submitTip(
    validTip({
      type: opts.type ?? 'major_hazard',
      reporter: opts.anonymous === false ? realName() : { anonymous: true },
    }),
  );
  if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
  const receipt = (await res.json()) as { trackingNo: string; queryCode: string };
  const id = await tipIdOf(receipt.trackingNo);
  await env.DB.prepare(
    `UPDATE tips SET state = 'closed', public_status = 'concluded', conclusion = ?, penalty_fen = ?, concluded_at = ?, closed_at = ?,
       verified_type = ?, accident_level = ?, concealed_deaths = ?, created_at = COALESCE(?, created_at) WHERE id = ?`,
  )
    .bind(
      opts.conclusion ?? 'true',
      opts.penaltyFen ?? 20_000_000,
      Date.now(),
      Date.now(),
      opts.verifiedType === undefined ? (opts.type ?? 'major_hazard') : opts.verifiedType,
      opts.accidentLevel ?? null,
      opts.concealedDeaths ?? null,
      opts.createdAt ?? null,
      id,
    )
    .run();
  return { id, ...receipt };
}

/**
 * Put a reward under a rule set with the `claimByCode` option (as some provinces have): an anonymous reporter may then
 * claim on the tracking number + query code alone. The set takes effect in 2100, so no other proposal picks it up.
 */
export async function allowClaimByCode(rewardId: string): Promise<void> {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO reward_rules (id, name, version, effective_from, rules, created_at) VALUES ('test-by-code', '某省标准（允许凭码领取）', 99, ?, ?, 0)`,
  )
    .bind(Date.parse('2100-01-01T00:00:00+08:00'), JSON.stringify({ ...NATIONAL_2018.rules, claimByCode: true }))
    .run();
  await env.DB.prepare("UPDATE rewards SET rule_id = 'test-by-code' WHERE id = ?").bind(rewardId).run();
}

/**
 * A reward for `tipId` taken to 已通知: proposed by the officer with every 第七条 item ruled out, approved by the
 * approver, notified at `now`; with `claimByCode`, under a rule set that lets an anonymous reporter claim on the receipt.
 */
export async function notifiedReward(
  tipId: string,
  opts: { claimByCode?: boolean; now?: number } = {},
): Promise<string> {
  const { rewardId } = await proposeReward(env, { tipId, actor: officer, eligibility: ELIGIBLE });
  if (opts.claimByCode) await allowClaimByCode(rewardId);
  await approveReward(env, { rewardId, actor: approver });
  await notifyReward(env, { rewardId, actor: officer, now: opts.now });
  return rewardId;
}
