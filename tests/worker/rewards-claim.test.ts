/**
 * Claim terms (docs/rules.md, "Claim terms"): under the national default a reward goes to an identifiable reporter
 * who claims with a valid ID (2018 奖励办法 第十三条); claiming by tracking number + query code alone is an option of
 * a rule set, off in the national default. An anonymous reporter learns this in the lookup and can add a real
 * identity later, proved by the number + code, encrypted and audited like any identity, once.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { payReward } from '../../worker/services/rewards';
import { reporterView } from '../../worker/services/track';
import { concludedTip, officer, notifiedReward } from '../support/rewards';
import { openTrack } from '../support/track';

const IDENTITY = { name: '王五', mobile: '13812345678', idNumber: '11010519491231002X' };

/** The lookup's token for a receipt (the number + code prove the reporter). */
async function tokenOf(t: { trackingNo: string; queryCode: string }): Promise<string> {
  const res = await openTrack(t.trackingNo, t.queryCode);
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

const addIdentity = (token: string, body: unknown) =>
  SELF.fetch('http://localhost/api/track/identity', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

const pay = (rewardId: string, verification: 'real_name_id' | 'tracking_and_code', claim?: object) =>
  payReward(env, {
    rewardId,
    actor: officer,
    paidAt: Date.now(),
    method: 'bank_transfer',
    voucherNo: 'PZ-1',
    verification,
    claim: claim as never,
  });

describe('claim terms', () => {
  it('national default (第十三条): an anonymous tip is not paid on the receipt alone; the lookup says how to become eligible', async () => {
    const tip = await concludedTip();
    const view = await reporterView(env, tip.id);
    expect(view.claim).toEqual({ anonymous: true, claimByCode: false, canAddIdentity: true });
    const rewardId = await notifiedReward(tip.id);
    expect((await reporterView(env, tip.id)).reward!.whatToBring).toContain('请先在本页“补充真实身份”');
    await expect(
      pay(rewardId, 'tracking_and_code', { trackingNo: tip.trackingNo, queryCode: tip.queryCode }),
    ).rejects.toMatchObject({ fields: [{ path: 'verification', code: 'CLAIM_BY_CODE_NOT_ALLOWED' }] });
    await expect(pay(rewardId, 'real_name_id')).rejects.toMatchObject({
      fields: [{ path: 'verification', code: 'ANONYMOUS_NEEDS_CODE' }],
    });
  });

  it('a rule set with the claimByCode option pays an anonymous reporter on the receipt, and the notice says so', async () => {
    const tip = await concludedTip();
    const rewardId = await notifiedReward(tip.id, { claimByCode: true });
    const view = await reporterView(env, tip.id);
    expect(view.reward!.whatToBring).toContain('允许匿名举报人凭举报编号和查询码领取');
    // The lookup's claim terms follow the reward's own rule set, as the notice does (not the set in force today).
    expect(view.claim.claimByCode).toBe(true);
    await pay(rewardId, 'tracking_and_code', { trackingNo: tip.trackingNo, queryCode: tip.queryCode });
    expect((await env.DB.prepare('SELECT status FROM rewards WHERE id = ?').bind(rewardId).first())!.status).toBe(
      'paid',
    );
  });

  it('an anonymous reporter adds a real identity from the lookup: encrypted, audited, once; then paid with a valid ID', async () => {
    const tip = await concludedTip();
    const token = await tokenOf(tip);
    // A wrong ID number is refused at its field; nothing is stored.
    const bad = await addIdentity(token, { ...IDENTITY, idNumber: '110105194912310021' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { fields: unknown[] } }).error.fields).toContainEqual(
      expect.objectContaining({ path: 'idNumber', code: 'ID_INVALID' }),
    );
    // Without a token (number + code), nothing.
    expect((await addIdentity('x', IDENTITY)).status).toBe(401);

    const res = await addIdentity(token, IDENTITY);
    expect(res.status).toBe(200);
    const view = ((await res.json()) as { claim: unknown; timeline: { text: string }[] }).claim;
    expect(view).toEqual({ anonymous: false, claimByCode: false, canAddIdentity: false });
    const row = await env.DB.prepare('SELECT * FROM tip_identities WHERE tip_id = ?').bind(tip.id).first();
    expect(JSON.stringify(row)).not.toContain('王五');
    expect(JSON.stringify(row)).not.toContain('13812345678');
    const audit = await env.DB.prepare("SELECT * FROM audit_log WHERE action = 'track.identity_added' AND tip_id = ?")
      .bind(tip.id)
      .all();
    expect(audit.results).toHaveLength(1);
    expect(JSON.stringify(audit.results)).not.toContain('王五');

    // A second identity is refused with a clear code.
    const again = await addIdentity(token, { ...IDENTITY, name: '赵六' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'IDENTITY_EXISTS',
      message: '该举报已登记举报人身份，不能再补充或更改。如需更正，请在下方给工作人员留言。',
    });

    // Now identifiable: the reward is claimed in person with a valid ID.
    const rewardId = await notifiedReward(tip.id);
    expect((await reporterView(env, tip.id)).reward!.whatToBring).toContain('本人有效身份证件原件');
    await pay(rewardId, 'real_name_id');
    expect((await env.DB.prepare('SELECT status FROM rewards WHERE id = ?').bind(rewardId).first())!.status).toBe(
      'paid',
    );
  });

  it('adding an identity is limited to 5 tries an hour per tip (429 RATE_LIMITED after, nothing written)', async () => {
    const tip = await concludedTip({ anonymous: false });
    const token = await tokenOf(tip);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await addIdentity(token, IDENTITY);
      codes.push(((await res.json()) as { error: { code: string } }).error.code);
    }
    expect(codes).toEqual([...Array(5).fill('IDENTITY_EXISTS'), 'RATE_LIMITED']);
  });

  it('a real-name tip cannot add a second identity', async () => {
    const tip = await concludedTip({ anonymous: false });
    const res = await addIdentity(await tokenOf(tip), IDENTITY);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('IDENTITY_EXISTS');
  });
});
