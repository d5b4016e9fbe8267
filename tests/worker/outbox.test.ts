/**
 * The outbox drain: an opted-in reporter gets one e-mail per staff message (address decrypted only at sending,
 * never stored in the outbox), a second run sends nothing again, and without an EMAIL binding nothing is sent.
 * The e-mail transport is Cloudflare's (not reachable here), so the test hands the drain a recording binding.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { drainOutbox } from '../../worker/services/outbox';
import { messageReporter } from '../../worker/services/tip-detail';
import { realName, submitTip, validTip, tipIdOf } from '../support/tips';

const admin = { id: 'outbox-admin', roles: ['admin'], departmentId: null };

describe('outbox drain', () => {
  it('sends once to the opted-in reporter and records it; a re-run sends nothing', async () => {
    const res = await submitTip(validTip({ reporter: realName() }));
    const no = ((await res.json()) as { trackingNo: string }).trackingNo;
    const id = await tipIdOf(no);
    await messageReporter(env, admin, id, '请补充现场照片');

    expect(await drainOutbox(env, Date.now())).toBe(0); // no binding: stays queued for inspection
    const sent: { from: string; to: string }[] = [];
    const withEmail = {
      ...env,
      EMAIL_FROM: 'noreply@example.gov.cn',
      EMAIL: {
        send: async (m: { from: string; to: string }) => void sent.push({ from: m.from, to: m.to }),
      } as unknown as SendEmail,
    };
    expect(await drainOutbox(withEmail, Date.now())).toBe(1);
    expect(await drainOutbox(withEmail, Date.now())).toBe(0);
    expect(sent).toEqual([{ from: 'noreply@example.gov.cn', to: 'lisi@example.com' }]);
    const row = await env.DB.prepare('SELECT sent_at, attempts FROM outbox WHERE tip_id = ?')
      .bind(id)
      .first<{ sent_at: number; attempts: number }>();
    expect(row!.sent_at).toBeGreaterThan(0);
    expect(row!.attempts).toBe(1);
  });

  it('an anonymous or not-opted-in reporter queues nothing', async () => {
    const res = await submitTip(validTip({ reporter: realName({ emailOptIn: false }) }));
    const no = ((await res.json()) as { trackingNo: string }).trackingNo;
    const id = await tipIdOf(no);
    await messageReporter(env, admin, id, '请补充现场照片');
    const n = await env.DB.prepare('SELECT COUNT(*) AS n FROM outbox WHERE tip_id = ?').bind(id).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });
});
