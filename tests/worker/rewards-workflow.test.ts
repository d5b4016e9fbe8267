import { createScheduledController, createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index';
import { sealAudit, verifyAudit } from '../../worker/lib/audit';
import {
  addRuleSet,
  approveReward,
  declineReward,
  expireRewards,
  extendClaim,
  notifyReward,
  payReward,
  previewReward,
  proposeReward,
} from '../../worker/services/rewards';
import { reporterView } from '../../worker/services/track';
import {
  allowClaimByCode,
  approver,
  both,
  concludedTip,
  dispatcher,
  ELIGIBLE,
  officer,
  officer2,
  notifiedReward,
} from '../support/rewards';

/** What the reporter's lookup view shows of the reward. */
const rewardNotice = async (tipId: string) => (await reporterView(env, tipId)).reward;
const DAY = 86_400_000;
const status = async (id: string) =>
  (await env.DB.prepare('SELECT status FROM rewards WHERE id = ?').bind(id).first<{ status: string }>())!.status;
const ledger = async (id: string) =>
  (
    await env.DB.prepare('SELECT kind, actor, amount_fen FROM reward_events WHERE reward_id = ? ORDER BY at, rowid')
      .bind(id)
      .all()
  ).results;

describe('reward workflow', () => {
  it('a joint report (联名举报) is paid to the first signatory, and the reporter is told so', async () => {
    const tip = await concludedTip({ anonymous: false });
    await env.DB.prepare('UPDATE tips SET signatories = 3 WHERE id = ?').bind(tip.id).run();
    const preview = await previewReward(env, { tipId: tip.id });
    expect(preview.flags).toMatchObject({ jointSignatories: 3, anonymousNeedsProof: false });
    await notifiedReward(tip.id);
    expect((await rewardNotice(tip.id))!.whatToBring).toContain('联名举报（3 人署名）的奖励发给第一署名人');
    // Exactly one reward for the tip, whatever the number of signatories.
    expect(
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM rewards WHERE tip_id = ?').bind(tip.id).first<{ n: number }>())!
        .n,
    ).toBe(1);
  });

  it('an anonymous claimant gets five tries per hour at the desk (a rule set that allows claiming by code)', async () => {
    const tip = await concludedTip();
    const rewardId = await notifiedReward(tip.id, { claimByCode: true });
    const pay = (queryCode: string) =>
      payReward(env, {
        rewardId,
        actor: officer,
        paidAt: Date.now(),
        method: 'cash',
        voucherNo: 'PZ-9',
        verification: 'tracking_and_code',
        claim: { trackingNo: tip.trackingNo, queryCode },
      });
    for (let i = 0; i < 5; i++)
      await expect(pay('2222-2222-2222')).rejects.toMatchObject({ fields: [{ code: 'CLAIM_CODE_MISMATCH' }] });
    await expect(pay(tip.queryCode)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/^核验次数过多，请 \d+ 分钟后再试。$/),
    });
    expect(await status(rewardId)).toBe('notified');
  });

  it('propose → approve by another person → notify → pay, each step in the ledger and the audit chain', async () => {
    const tip = await concludedTip({ penaltyFen: 1_000_000_00 }); // ¥1,000,000 fine
    const preview = await previewReward(env, { tipId: tip.id });
    expect(preview.computation.amountFen).toBe(15_000_000);
    expect(preview.computation.steps[0]).toBe('行政处罚金额 ¥1,000,000 × 15% = ¥150,000');
    expect(preview.flags.anonymousNeedsProof).toBe(true);

    const { rewardId, amountFen } = await proposeReward(env, {
      tipId: tip.id,
      actor: officer,
      eligibility: ELIGIBLE,
    });
    expect(amountFen).toBe(15_000_000);
    // Under a rule set that lets an anonymous reporter claim on the receipt alone (off in the national default).
    await allowClaimByCode(rewardId);
    await approveReward(env, { rewardId, actor: approver });
    const now = Date.now();
    await notifyReward(env, { rewardId, actor: officer, now });
    const notice = await rewardNotice(tip.id);
    expect(notice).toMatchObject({ status: 'notified', amount: '¥150,000', amountFen: 15_000_000 });
    expect(notice!.whatToBring).toContain('举报编号和查询码');
    expect(Date.parse(notice!.claimDeadline)).toBeGreaterThan(now + 59 * DAY);
    expect(Date.parse(notice!.claimDeadline)).toBeLessThan(now + 61 * DAY);
    // The anonymous claimant's receipt is checked at the desk: missing, another tip's or a wrong code → refused.
    const pay = (claim?: { trackingNo: string; queryCode: string }) =>
      payReward(env, {
        rewardId,
        actor: officer,
        paidAt: Date.now(),
        method: 'bank_transfer',
        voucherNo: 'PZ-2026-0001',
        verification: 'tracking_and_code',
        claim,
      });
    await expect(pay()).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: [{ path: 'claim', message: '匿名领取须当场输入领取人出示的举报编号和查询码' }],
    });
    // An anonymous tip cannot be paid on an ID card instead: there is no registered identity to compare it with.
    await expect(
      payReward(env, {
        rewardId,
        actor: officer,
        paidAt: Date.now(),
        method: 'cash',
        voucherNo: 'PZ-X',
        verification: 'real_name_id',
      }),
    ).rejects.toMatchObject({ fields: [{ path: 'verification', code: 'ANONYMOUS_NEEDS_CODE' }] });
    const other = await concludedTip();
    await expect(pay({ trackingNo: other.trackingNo, queryCode: other.queryCode })).rejects.toMatchObject({
      fields: [{ code: 'CLAIM_CODE_MISMATCH' }],
    });
    const wrongCode = tip.queryCode.replace(/^./, (c) => (c === '2' ? '3' : '2'));
    await expect(pay({ trackingNo: tip.trackingNo, queryCode: wrongCode })).rejects.toMatchObject({
      fields: [{ code: 'CLAIM_CODE_MISMATCH' }],
    });
    expect(await status(rewardId)).toBe('notified');
    await pay({ trackingNo: tip.trackingNo.toLowerCase(), queryCode: tip.queryCode });
    expect(await status(rewardId)).toBe('paid');
    const stored = JSON.stringify(
      await env.DB.prepare('SELECT * FROM reward_events WHERE reward_id = ?').bind(rewardId).all(),
    );
    expect(stored).not.toContain(tip.queryCode);
    expect((await ledger(rewardId)).map((e: any) => e.kind)).toEqual(['proposed', 'approved', 'notified', 'paid']);
    const row = await env.DB.prepare('SELECT claimant_verification, voucher_no FROM rewards WHERE id = ?')
      .bind(rewardId)
      .first();
    expect(row).toEqual({ claimant_verification: 'tracking_and_code', voucher_no: 'PZ-2026-0001' });
    await sealAudit(env);
    expect(await verifyAudit(env)).toMatchObject({ ok: true, unsealed: { count: 0 } });
  });

  it('the same person cannot propose and approve, even holding both roles', async () => {
    const tip = await concludedTip();
    const { rewardId } = await proposeReward(env, { tipId: tip.id, actor: both, eligibility: ELIGIBLE });
    await expect(approveReward(env, { rewardId, actor: both })).rejects.toMatchObject({
      code: 'DIFFERENT_PERSON_REQUIRED',
      message: '审批人不能与经办人为同一人。',
    });
    expect(await status(rewardId)).toBe('proposed');
  });

  it('each role may only do its own step', async () => {
    const tip = await concludedTip();
    await expect(proposeReward(env, { tipId: tip.id, actor: approver, eligibility: ELIGIBLE })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(proposeReward(env, { tipId: tip.id, actor: dispatcher, eligibility: ELIGIBLE })).rejects.toMatchObject(
      { code: 'FORBIDDEN' },
    );
    const { rewardId } = await proposeReward(env, { tipId: tip.id, actor: officer, eligibility: ELIGIBLE });
    await expect(approveReward(env, { rewardId, actor: officer2 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(notifyReward(env, { rewardId, actor: officer })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' }); // not approved yet
    await approveReward(env, { rewardId, actor: approver });
    await expect(notifyReward(env, { rewardId, actor: approver })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await notifyReward(env, { rewardId, actor: officer });
    await expect(
      payReward(env, {
        rewardId,
        actor: approver,
        paidAt: Date.now(),
        method: 'cash',
        voucherNo: 'X1',
        verification: 'real_name_id',
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(extendClaim(env, { rewardId, actor: officer, days: 10, reason: '举报人住院' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('adjusting the amount needs a reason and stays within the rule bounds', async () => {
    const tip = await concludedTip({ penaltyFen: 10_000_000 }); // ¥100,000 fine → ¥15,000
    await expect(
      proposeReward(env, { tipId: tip.id, actor: officer, eligibility: ELIGIBLE, amountFen: 2_000_000 }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      proposeReward(env, {
        tipId: tip.id,
        actor: officer,
        eligibility: ELIGIBLE,
        amountFen: 100_000,
        adjustReason: '情节较轻',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' }); // ¥1,000 < ¥3,000 minimum
    const ok = await proposeReward(env, {
      tipId: tip.id,
      actor: officer,
      eligibility: ELIGIBLE,
      amountFen: 2_000_000,
      adjustReason: '举报人提供了关键证据',
    });
    expect(ok.amountFen).toBe(2_000_000);
  });

  it.each([
    // [clause, item, answer, eligible?]
    ['第七条: not found by the enterprise or the regulator → eligible', 'discovery', 'not_found', true],
    ['第七条: found but not handled according to the rules → eligible', 'discovery', 'found_not_handled', true],
    ['第七条: found and handled → excluded', 'discovery', 'found_and_handled', false],
    ['第七条: a government official with supervision/inspection duties → excluded', 'governmentDuty', 'yes', false],
    ['第七条: an enterprise person with safety management duties → excluded', 'enterpriseDuty', 'yes', false],
    ['第七条: a close relative of such a person → excluded', 'closeRelative', 'yes', false],
    ['第七条: acting on the instruction of such a person → excluded', 'instructed', 'yes', false],
  ] as const)('%s', async (_clause, item, answer, eligible) => {
    const tip = await concludedTip();
    const propose = () =>
      proposeReward(env, {
        tipId: tip.id,
        actor: officer,
        eligibility: { ...ELIGIBLE, checklist: { ...ELIGIBLE.checklist, [item]: answer } },
      });
    if (eligible) {
      const { rewardId } = await propose();
      const row = await env.DB.prepare('SELECT exclusions FROM rewards WHERE id = ?').bind(rewardId).first();
      // The answers are kept with the reward, each with its clause.
      expect(JSON.parse(row!.exclusions as string)).toMatchObject({
        checklist: expect.arrayContaining([{ code: item, clause: '第七条', answer }]),
        identifiable: true,
      });
    } else {
      await expect(propose()).rejects.toMatchObject({
        code: 'REWARD_EXCLUDED',
        message: expect.stringContaining('按《安全生产领域举报奖励办法》第七条，该举报不予奖励。'),
      });
    }
  });

  it('an unconfirmed checklist or an unidentifiable reporter blocks the proposal; an untrue tip has no reward; one live reward per item', async () => {
    const tip = await concludedTip();
    await expect(
      proposeReward(env, { tipId: tip.id, actor: officer, eligibility: { checklist: {}, identifiable: true } }),
    ).rejects.toMatchObject({ code: 'ELIGIBILITY_UNCONFIRMED', fields: expect.arrayContaining([]) });
    await expect(
      proposeReward(env, { tipId: tip.id, actor: officer, eligibility: { ...ELIGIBLE, identifiable: false } }),
    ).rejects.toMatchObject({ code: 'REPORTER_UNIDENTIFIED' });
    const untrue = await concludedTip({ conclusion: 'false' });
    await expect(proposeReward(env, { tipId: untrue.id, actor: officer, eligibility: ELIGIBLE })).rejects.toMatchObject(
      { code: 'INVALID_TRANSITION' },
    );
    await proposeReward(env, { tipId: tip.id, actor: officer, eligibility: ELIGIBLE });
    await expect(proposeReward(env, { tipId: tip.id, actor: officer2, eligibility: ELIGIBLE })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('the first reporter among merged duplicates has priority', async () => {
    const early = await concludedTip({ createdAt: Date.now() - 10 * DAY });
    const primary = await concludedTip({ penaltyFen: 40_000_000 });
    await env.DB.prepare("UPDATE tips SET state = 'merged', public_status = 'merged', merged_into_id = ? WHERE id = ?")
      .bind(primary.id, early.id)
      .run();
    const { beneficiaryTipId, amountFen } = await proposeReward(env, {
      tipId: primary.id,
      actor: officer,
      eligibility: ELIGIBLE,
    });
    expect(beneficiaryTipId).toBe(early.id);
    expect(amountFen).toBe(6_000_000); // 15% of the primary's ¥400,000 fine
    const { rewardId } = (await env.DB.prepare('SELECT id AS rewardId FROM rewards WHERE tip_id = ?')
      .bind(early.id)
      .first<{ rewardId: string }>())!;
    await approveReward(env, { rewardId, actor: approver });
    await notifyReward(env, { rewardId, actor: officer });
    expect(await rewardNotice(early.id)).toMatchObject({ status: 'notified' });
    expect(await rewardNotice(primary.id)).toBeNull();
  });

  it('a notice expires exactly after its 60-day claim period through the scheduled handler, once', async () => {
    const tip = await concludedTip();
    const notifiedAt = Date.parse('2026-03-02T10:00:00+08:00');
    const rewardId = await notifiedReward(tip.id, { now: notifiedAt });
    const { claim_deadline } = (await env.DB.prepare('SELECT claim_deadline FROM rewards WHERE id = ?')
      .bind(rewardId)
      .first<{ claim_deadline: number }>())!;
    expect(new Date(claim_deadline).toISOString()).toBe('2026-05-01T15:59:59.999Z'); // end of 1 May (China time), day 60

    const runCron = async (at: number) => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/15 * * * *' }), env, ctx);
      await waitOnExecutionContext(ctx);
    };
    await runCron(claim_deadline); // the last moment of day 60: still claimable
    expect(await status(rewardId)).toBe('notified');
    await runCron(claim_deadline + 1);
    expect(await status(rewardId)).toBe('expired');
    await runCron(claim_deadline + 2);
    await expireRewards(env, claim_deadline + 3);
    expect((await ledger(rewardId)).filter((e: any) => e.kind === 'expired')).toHaveLength(1);
  });

  it('an expiry run interrupted by a D1 failure and retried expires each reward exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const tip = await concludedTip();
      ids.push(await notifiedReward(tip.id, { now: Date.parse('2026-01-05T09:00:00+08:00') }));
    }
    // The second reward's batch fails mid-run (as if D1 went away); the first one has already expired.
    await env.DB.prepare(
      `CREATE TRIGGER fail_second BEFORE INSERT ON reward_events WHEN NEW.reward_id = '${ids[1]}' AND NEW.kind = 'expired'
       BEGIN SELECT RAISE(ABORT, 'simulated D1 failure'); END`,
    ).run();
    const at = Date.parse('2026-06-01T00:00:00+08:00');
    await expect(expireRewards(env, at)).rejects.toThrow(/simulated D1 failure/);
    expect([await status(ids[0]!), await status(ids[1]!)]).toEqual(['expired', 'notified']);
    await env.DB.prepare('DROP TRIGGER fail_second').run();
    await expireRewards(env, at); // the retry
    await expireRewards(env, at); // and a duplicate run
    expect([await status(ids[0]!), await status(ids[1]!)]).toEqual(['expired', 'expired']);
    for (const id of ids) expect((await ledger(id)).filter((e: any) => e.kind === 'expired')).toHaveLength(1);
    const audits = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'reward.expired' AND detail LIKE ?",
    )
      .bind(`%${ids[1]}%`)
      .first();
    expect(audits).toEqual({ n: 1 });
  });

  it('an approver can extend the claim period before expiry, with a reason', async () => {
    const tip = await concludedTip();
    const rewardId = await notifiedReward(tip.id);
    const before = (await env.DB.prepare('SELECT claim_deadline FROM rewards WHERE id = ?')
      .bind(rewardId)
      .first<{ claim_deadline: number }>())!.claim_deadline;
    await expect(extendClaim(env, { rewardId, actor: approver, days: 30, reason: ' ' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    // Not once the period is over (then the reward expires).
    await expect(
      extendClaim(env, { rewardId, actor: approver, days: 30, reason: '逾期后申请', now: before + 1 }),
    ).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      message: '领取期限已过，不能再延长。',
    });
    await extendClaim(env, { rewardId, actor: approver, days: 30, reason: '举报人在外地务工，申请延期领取' });
    await expireRewards(env, before + 1);
    expect(await status(rewardId)).toBe('notified');
    await expireRewards(env, before + 30 * DAY + 1);
    expect(await status(rewardId)).toBe('expired');
  });

  it('a tip concluded 部分属实 is rewarded under the same rule; 不属实 is not', async () => {
    const partly = await concludedTip({ conclusion: 'partly_true', penaltyFen: 2_000_000 }); // ¥20,000 fine
    const p = await previewReward(env, { tipId: partly.id });
    expect(p.computation).toMatchObject({ eligible: true, amountFen: 300_000 }); // 15% = ¥3,000, the minimum
    const untrue = await concludedTip({ conclusion: 'false' });
    await expect(previewReward(env, { tipId: untrue.id })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('a declined proposal frees the item for a new proposal', async () => {
    const tip = await concludedTip();
    const { rewardId } = await proposeReward(env, { tipId: tip.id, actor: officer, eligibility: ELIGIBLE });
    await declineReward(env, { rewardId, actor: approver, reason: '经复核属于已掌握事项' });
    expect(await status(rewardId)).toBe('declined');
    await expect(proposeReward(env, { tipId: tip.id, actor: officer, eligibility: ELIGIBLE })).resolves.toBeTruthy();
  });

  it('ledger rows cannot be changed or deleted', async () => {
    const tip = await concludedTip();
    const { rewardId } = await proposeReward(env, { tipId: tip.id, actor: officer, eligibility: ELIGIBLE });
    await expect(
      env.DB.prepare('UPDATE reward_events SET amount_fen = 1 WHERE reward_id = ?').bind(rewardId).run(),
    ).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare('DELETE FROM reward_events WHERE reward_id = ?').bind(rewardId).run()).rejects.toThrow(
      /append-only/,
    );
    expect((await ledger(rewardId))[0]).toMatchObject({ kind: 'proposed', amount_fen: 3_000_000 });
  });

  it('a province rule set applies from its date on; a decided reward keeps the version it was computed with', async () => {
    const tip = await concludedTip({ penaltyFen: 10_000_000 }); // ¥100,000
    const admin = { id: 'staff-admin-1', roles: ['admin'] };
    const national = await proposeReward(env, { tipId: tip.id, actor: officer, eligibility: ELIGIBLE });
    await addRuleSet(env, {
      actor: admin,
      name: '某省安全生产举报奖励办法',
      effectiveFrom: Date.now() - 1000,
      rules: {
        penaltyShare: {
          tipTypes: ['major_hazard', 'illegal_operation'],
          basisPoints: 5000,
          minFen: 500_000,
          maxFen: 50_000_000,
        },
        perDeath: {
          tipTypes: ['concealed_accident'],
          fenByLevel: { general: 3_000_000, large: 4_000_000, major: 5_000_000, especially_major: 6_000_000 },
          maxFen: 50_000_000,
        },
      },
    });
    const tip2 = await concludedTip({ penaltyFen: 10_000_000 });
    const province = await proposeReward(env, { tipId: tip2.id, actor: officer, eligibility: ELIGIBLE });
    expect(national.amountFen).toBe(1_500_000);
    expect(province.amountFen).toBe(5_000_000);
    const kept = await env.DB.prepare(
      'SELECT r.amount_fen, rr.name FROM rewards r JOIN reward_rules rr ON rr.id = r.rule_id WHERE r.id = ?',
    )
      .bind(national.rewardId)
      .first();
    expect(kept).toEqual({ amount_fen: 1_500_000, name: '安全生产领域举报奖励办法（安监总财〔2018〕19号）' });
    await expect(addRuleSet(env, { actor: officer, name: 'x', effectiveFrom: 0, rules: {} })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
