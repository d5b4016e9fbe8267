/**
 * The reward workflow through the staff API: a concluded tip gets a computed proposal from the 奖励经办,
 * approval by a different 奖励审批, a notice, payment; the same person cannot approve their own proposal;
 * an admin adds a province's rule set; the ledger CSV has no identity.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { concludedTip, ELIGIBLE } from '../support/rewards';
import { signedIn } from '../support/staff';
import { PROVINCE_RULES } from '../support/reward-rules';

describe('rewards through /api/staff', () => {
  it('preview → propose → approve (someone else) → notify → pay, with the ledger recording each step', async () => {
    const tip = await concludedTip({ penaltyFen: 2_000_000_00, anonymous: false });
    const officer = (await signedIn(['reward_officer'])).client;
    const approver = (await signedIn(['reward_approver'])).client;
    const preview = (await (await officer.get(`/api/staff/tips/${tip.id}/reward-preview`)).json()) as {
      computation: { amountFen: number; steps: unknown };
    };
    expect(preview.computation.amountFen).toBe(300_000_00);
    const proposed = await officer.post('/api/staff/rewards', { tipId: tip.id, eligibility: ELIGIBLE });
    expect(proposed.status).toBe(201);
    const { rewardId } = (await proposed.json()) as { rewardId: string };
    expect((await approver.post(`/api/staff/rewards/${rewardId}/approve`)).status).toBe(204);
    expect((await officer.post(`/api/staff/rewards/${rewardId}/notify`)).status).toBe(204);
    const paid = await officer.post(`/api/staff/rewards/${rewardId}/pay`, {
      paidOn: '2026-11-20',
      method: 'bank_transfer',
      voucherNo: 'PZ-2026-0001',
      verification: 'real_name_id',
    });
    expect(paid.status).toBe(204);
    const kinds = await env.DB.prepare('SELECT kind FROM reward_events WHERE reward_id = ? ORDER BY at, rowid')
      .bind(rewardId)
      .all<{ kind: string }>();
    expect(kinds.results.map((k) => k.kind)).toEqual(['proposed', 'approved', 'notified', 'paid']);
    const csv = await (await officer.get('/api/staff/rewards/ledger.csv')).text();
    expect(csv).toContain(`已发放,300000.00,${rewardId}`);
    expect(csv).not.toContain('李四');
    expect(csv).not.toContain('13912345678');
  });

  it('each ledger download writes one audit row: who, and how many ledger rows left the system', async () => {
    const { staff, client } = await signedIn(['reward_officer']);
    const res = await client.get('/api/staff/rewards/ledger.csv');
    expect(res.status).toBe(200);
    await res.text();
    const events = await env.DB.prepare('SELECT COUNT(*) AS n FROM reward_events').first<{ n: number }>();
    const { results } = await env.DB.prepare(
      "SELECT detail FROM audit_log WHERE action = 'rewards.ledger_exported' AND actor = ?",
    )
      .bind(staff.id)
      .all<{ detail: string }>();
    expect(results.map((r) => JSON.parse(r.detail))).toEqual([{ filter: {}, rows: events!.n }]);
  });

  it('a tip concluded 属实 appears as a candidate with its computed amount until a reward is proposed', async () => {
    const tip = await concludedTip({ penaltyFen: 100_000_00 });
    const officer = (await signedIn(['reward_officer'])).client;
    const list = async () =>
      (
        (await (await officer.get('/api/staff/rewards/candidates')).json()) as {
          candidates: { tipId: string; amountFen: number; eligible: boolean }[];
        }
      ).candidates;
    expect((await list()).find((c) => c.tipId === tip.id)).toMatchObject({ eligible: true, amountFen: 15_000_00 });
    await officer.post('/api/staff/rewards', { tipId: tip.id, eligibility: ELIGIBLE });
    expect((await list()).some((c) => c.tipId === tip.id)).toBe(false);
  });

  it('a person holding both reward roles cannot approve their own proposal', async () => {
    const tip = await concludedTip({ penaltyFen: 10_000_00 });
    const both = (await signedIn(['reward_officer', 'reward_approver'])).client;
    const { rewardId } = (await (
      await both.post('/api/staff/rewards', { tipId: tip.id, eligibility: ELIGIBLE })
    ).json()) as { rewardId: string };
    const self = await both.post(`/api/staff/rewards/${rewardId}/approve`);
    expect(self.status).toBe(403);
    expect(((await self.json()) as { error: { message: string } }).error.message).toContain('同一人');
  });

  it('an exclusion confirmed by staff refuses the proposal naming 第七条; an unanswered item blocks it; both in Chinese with codes', async () => {
    const tip = await concludedTip({ penaltyFen: 10_000_00 });
    const officer = (await signedIn(['reward_officer'])).client;
    const excluded = await officer.post('/api/staff/rewards', {
      tipId: tip.id,
      eligibility: { ...ELIGIBLE, checklist: { ...ELIGIBLE.checklist, discovery: 'found_and_handled' } },
    });
    expect(excluded.status).toBe(422);
    expect(((await excluded.json()) as { error: unknown }).error).toMatchObject({
      code: 'REWARD_EXCLUDED',
      message: expect.stringContaining('按《安全生产领域举报奖励办法》第七条，该举报不予奖励'),
      fields: [{ path: 'eligibility.checklist.discovery', code: 'EXCLUDED' }],
    });
    const { enterpriseDuty: _left, ...partial } = ELIGIBLE.checklist;
    const unconfirmed = await officer.post('/api/staff/rewards', {
      tipId: tip.id,
      eligibility: { ...ELIGIBLE, checklist: partial },
    });
    expect(unconfirmed.status).toBe(422);
    expect(((await unconfirmed.json()) as { error: unknown }).error).toMatchObject({
      code: 'ELIGIBILITY_UNCONFIRMED',
      message: '请逐项确认奖励条件和排除情形（《安全生产领域举报奖励办法》第七条）后再提出奖励。',
      fields: [
        {
          path: 'eligibility.checklist.enterpriseDuty',
          code: 'UNCONFIRMED',
          message: expect.stringMatching(/^请确认：举报人是否为生产经营单位中负有安全生产管理职责的人员.*（第七条）$/),
        },
      ],
    });
    expect(
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM rewards WHERE tip_id = ?').bind(tip.id).first<{ n: number }>())!
        .n,
    ).toBe(0);
  });

  it('an admin adds a province rule set that applies from a date; a bad rule set is refused field by field', async () => {
    const admin = (await signedIn(['admin'])).client;
    const bad = await admin.post('/api/staff/reward-rules', {
      name: '某省标准',
      effectiveFrom: '2026-01-01',
      rules: { penaltyShare: { basisPoints: 0 } },
    });
    expect(bad.status).toBe(422);
    const ok = await admin.post('/api/staff/reward-rules', {
      name: '某省安全生产举报奖励办法',
      effectiveFrom: '2026-01-01',
      rules: PROVINCE_RULES,
    });
    expect(ok.status).toBe(201);
    const tip = await concludedTip({ penaltyFen: 100_000_00 });
    const officer = (await signedIn(['reward_officer'])).client;
    const preview = (await (await officer.get(`/api/staff/tips/${tip.id}/reward-preview`)).json()) as {
      rule: { name: string };
      computation: { amountFen: number };
    };
    expect(preview.rule.name).toBe('某省安全生产举报奖励办法');
    expect(preview.computation.amountFen).toBe(50_000_00);
  });
});
