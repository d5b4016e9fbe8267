/**
 * The reward workflow through the staff API: a concluded tip gets a computed proposal from the 奖励经办,
 * approval by a different 奖励审批, a notice, payment; the same person cannot approve their own proposal;
 * an admin adds a province's rule set; the ledger CSV has no identity.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { concludedTip } from '../support/rewards';
import { signedIn } from '../support/staff';

const NO_EXCLUSIONS = { safetyDutyOrRelative: false, alreadyKnown: false, identifiable: true };

describe('rewards through /api/staff', () => {
  it('preview → propose → approve (someone else) → notify → pay, with the ledger recording each step', async () => {
    const tip = await concludedTip({ penaltyFen: 2_000_000_00, anonymous: false });
    const officer = (await signedIn(['reward_officer'])).client;
    const approver = (await signedIn(['reward_approver'])).client;
    const preview = (await (await officer.get(`/api/staff/tips/${tip.id}/reward-preview`)).json()) as {
      computation: { amountFen: number; steps: unknown };
    };
    expect(preview.computation.amountFen).toBe(300_000_00);
    const proposed = await officer.post('/api/staff/rewards', { tipId: tip.id, exclusions: NO_EXCLUSIONS });
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
    await officer.post('/api/staff/rewards', { tipId: tip.id, exclusions: NO_EXCLUSIONS });
    expect((await list()).some((c) => c.tipId === tip.id)).toBe(false);
  });

  it('a person holding both reward roles cannot approve their own proposal', async () => {
    const tip = await concludedTip({ penaltyFen: 10_000_00 });
    const both = (await signedIn(['reward_officer', 'reward_approver'])).client;
    const { rewardId } = (await (
      await both.post('/api/staff/rewards', { tipId: tip.id, exclusions: NO_EXCLUSIONS })
    ).json()) as { rewardId: string };
    const self = await both.post(`/api/staff/rewards/${rewardId}/approve`);
    expect(self.status).toBe(403);
    expect(((await self.json()) as { error: { message: string } }).error.message).toContain('同一人');
  });

  it('an exclusion confirmed by staff refuses the proposal with the reason', async () => {
    const tip = await concludedTip({ penaltyFen: 10_000_00 });
    const officer = (await signedIn(['reward_officer'])).client;
    const res = await officer.post('/api/staff/rewards', {
      tipId: tip.id,
      exclusions: { ...NO_EXCLUSIONS, alreadyKnown: true },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('已被监管部门掌握');
  });

  it('an admin adds a province rule set that applies from a date; a bad rule set is refused field by field', async () => {
    const admin = (await signedIn(['admin'])).client;
    const bad = await admin.post('/api/staff/reward-rules', {
      name: '某省标准',
      effectiveFrom: '2026-01-01',
      rules: { penaltyShare: { basisPoints: 0 } },
    });
    expect(bad.status).toBe(422);
    const province = {
      penaltyShare: {
        tipTypes: ['major_hazard', 'illegal_operation'],
        basisPoints: 5000,
        minFen: 5_000_00,
        maxFen: 500_000_00,
      },
      perDeath: {
        tipTypes: ['concealed_accident'],
        fenByLevel: { general: 30_000_00, large: 40_000_00, major: 50_000_00, especially_major: 60_000_00 },
        maxFen: 500_000_00,
      },
    };
    const ok = await admin.post('/api/staff/reward-rules', {
      name: '某省安全生产举报奖励办法',
      effectiveFrom: '2026-01-01',
      rules: province,
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
