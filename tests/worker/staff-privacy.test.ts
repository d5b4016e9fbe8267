/**
 * Identity stays confidential on the staff side: never in the queue, the tip page data, the CSV export or the
 * printable 交办单 data; shown only on a reveal with a reason, by permitted roles, and audited. Attachments are
 * streamed only to staff who may see the tip.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { seal, unseal } from '../../worker/lib/crypto';
import { transition } from '../../worker/services/transitions';
import { realName, submitTip, upload, validTip, tipIdOf } from '../support/tips';
import { jpegWithMetadata } from '../support/media-fixtures';
import { signedIn } from '../support/staff';

const admin = { id: 'privacy-admin', roles: ['admin'], departmentId: null };
const IDENTITY = ['李四', '13912345678', '11010519491231002X', 'lisi@example.com'];

async function realNameTip(attachments: unknown[] = []) {
  const res = await submitTip(validTip({ reporter: realName(), attachments }));
  expect(res.status).toBe(201);
  const no = ((await res.json()) as { trackingNo: string }).trackingNo.replaceAll('-', '');
  return await tipIdOf(no);
}

describe('identity on the staff side', () => {
  it('is absent from the queue, the tip data, the CSV export and the audit log', async () => {
    const id = await realNameTip();
    const { client } = await signedIn(['dispatcher']);
    const { client: auditor } = await signedIn(['auditor']);
    const responses = [
      await client.get('/api/staff/tips?view=all'),
      await client.get(`/api/staff/tips/${id}`),
      await client.get('/api/staff/tips/export.csv?view=all'),
      await auditor.get('/api/staff/audit'),
    ];
    for (const r of responses) expect(r.status).toBe(200);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(bodies[2]).toContain('实名'); // the export lists the tip (as 实名), not who it is
    for (const b of bodies) for (const secret of IDENTITY) expect(b).not.toContain(secret);
  });

  it('a reveal needs a permitted role and a reason, and is audited without the identity', async () => {
    const id = await realNameTip();
    const handler = (await signedIn(['handler'], { departmentId: 'yjj' })).client;
    await transition(env, admin, id, 'accept', {}, 1);
    await transition(env, admin, id, 'assign', { departmentId: 'yjj' }, 2);
    expect((await handler.post(`/api/staff/tips/${id}/reveal`, { reason: '需要联系举报人核实情况' })).status).toBe(403);
    const { client, staff } = await signedIn(['supervisor']);
    expect((await client.post(`/api/staff/tips/${id}/reveal`, {})).status).toBe(422);
    const res = await client.post(`/api/staff/tips/${id}/reveal`, { reason: '需要联系举报人核实情况' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: '李四',
      mobile: '13912345678',
      idNumber: '11010519491231002X',
      email: 'lisi@example.com',
    });
    const row = await env.DB.prepare(
      "SELECT actor, detail FROM audit_log WHERE tip_id = ? AND action = 'identity.revealed'",
    )
      .bind(id)
      .first<{ actor: string; detail: string }>();
    expect(row!.actor).toBe(staff.id);
    expect(JSON.parse(row!.detail)).toEqual({ reason: '需要联系举报人核实情况' });
    for (const secret of IDENTITY) expect(row!.detail).not.toContain(secret);
  });

  it('identity keys rotate: records sealed under the old key id still open once a new key encrypts new ones', async () => {
    const id = await realNameTip(); // sealed under t1, the test key
    const sealed = (await env.DB.prepare('SELECT key_id, iv, ciphertext FROM tip_identities WHERE tip_id = ?')
      .bind(id)
      .first<{ key_id: string; iv: string; ciphertext: string }>())!;
    expect(sealed.key_id).toBe('t1');
    const keys = {
      ...JSON.parse(env.IDENTITY_KEYS!),
      t2: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
    };
    const rotated = { ...env, IDENTITY_KEYS: JSON.stringify(keys), IDENTITY_KEY_ID: 't2' };
    const old = await unseal<{ name: string }>(
      rotated,
      { keyId: sealed.key_id, iv: sealed.iv, ciphertext: sealed.ciphertext },
      `identity:${id}`,
    );
    expect(old.name).toBe('李四');
    const fresh = await seal(rotated, { name: '王五' }, 'identity:x');
    expect(fresh.keyId).toBe('t2');
    // Once the old key is retired from the ring, its records can no longer be opened (and nothing crashes open).
    const retired = { ...env, IDENTITY_KEYS: JSON.stringify({ t2: keys.t2 }), IDENTITY_KEY_ID: 't2' };
    await expect(
      unseal(retired, { keyId: 't1', iv: sealed.iv, ciphertext: sealed.ciphertext }, `identity:${id}`),
    ).rejects.toThrow(/t1/);
    // A record cannot be moved to another tip: the tip id is bound in as associated data.
    await expect(
      unseal(rotated, { keyId: sealed.key_id, iv: sealed.iv, ciphertext: sealed.ciphertext }, 'identity:another-tip'),
    ).rejects.toThrow();
  });

  it('an anonymous tip has nothing to reveal', async () => {
    const res = await submitTip(validTip());
    const no = ((await res.json()) as { trackingNo: string }).trackingNo.replaceAll('-', '');
    const id = await tipIdOf(no);
    const { client } = await signedIn(['admin']);
    expect((await client.post(`/api/staff/tips/${id}/reveal`, { reason: '核实情况需要' })).status).toBe(404);
  });
});

describe('attachments', () => {
  it('are streamed to staff who may see the tip, and refused to others', async () => {
    const up = (await (await upload(jpegWithMetadata())).json()) as { id: string; claim: string };
    const id = await realNameTip([{ id: up.id, claim: up.claim }]);
    await transition(env, admin, id, 'accept', {}, 1);
    await transition(env, admin, id, 'assign', { departmentId: 'zjj' }, 2);
    const own = (await signedIn(['handler'], { departmentId: 'zjj' })).client;
    const other = (await signedIn(['handler'], { departmentId: 'yjj' })).client;
    const detail = (await (await own.get(`/api/staff/tips/${id}`)).json()) as {
      attachments: { url: string; mime: string }[];
    };
    expect(detail.attachments).toHaveLength(1);
    const file = await own.get(detail.attachments[0]!.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.headers.get('cache-control')).toContain('no-store');
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    expect((await other.get(detail.attachments[0]!.url)).status).toBe(403);
  });
});
