/**
 * Uploads as a weapon: no upload without a ticket bound to the form's Turnstile check (or a reporter's lookup);
 * size enforced while the body streams in; storage capped per client network, per hour and for files left
 * unattached; abandoned files swept in bulk.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../worker/domain/limits';
import { createApp } from '../../worker/app';
import { checkTicket, issueTicket, uploaderKey } from '../../worker/routes/public/uploads';
import { sweepOrphans } from '../../worker/services/scheduled';
import { jpegWithMetadata, TINY_JPEG } from '../support/media-fixtures';
import { freshIp, submitTip, upload, uploadTicket, validTip } from '../support/tips';
import { newTip, viewOf } from '../support/track';

const A = LIMITS.attachments;
const count = async () => (await env.DB.prepare('SELECT COUNT(*) AS n FROM attachments').first<{ n: number }>())!.n;
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; retryAfter?: number } }).error;

function ticketRequest(body: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch('http://localhost/api/uploads/ticket', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp(), ...headers },
    body: JSON.stringify(body),
  });
}

describe('upload tickets', () => {
  it('POST /api/uploads without a ticket is refused (403 UPLOAD_TICKET) and stores nothing', async () => {
    const before = await count();
    const res = await upload(TINY_JPEG, 'image/jpeg', { ticket: null });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toEqual({
      code: 'UPLOAD_TICKET',
      message: '上传凭证无效或已过期，请完成人机验证后重新上传（已填写的内容不会丢失）。',
    });
    expect(await count()).toBe(before);
  });

  it('POST /api/uploads refuses a forged, altered or expired ticket', async () => {
    const good = await uploadTicket();
    const [exp, nonce, mac] = good.split('.') as [string, string, string];
    const later = String(Number(exp) + 3_600_000);
    for (const bad of [
      `${later}.${nonce}.${mac}`,
      `${exp}.${nonce.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}.${mac}`,
      `${exp}.${nonce}.${'0'.repeat(32)}`,
      'x',
      good.slice(1),
    ]) {
      const res = await upload(TINY_JPEG, 'image/jpeg', { ticket: bad });
      expect(res.status, bad).toBe(403);
    }
    const old = await issueTicket(env, Date.now() - A.ticketTtlMs - 1000);
    await expect(checkTicket(env, old.ticket)).rejects.toMatchObject({ code: 'UPLOAD_TICKET' });
    expect((await upload(TINY_JPEG, 'image/jpeg', { ticket: old.ticket })).status).toBe(403);
  });

  it('POST /api/uploads/ticket needs the form’s Turnstile token: missing → 400, failed → 403, valid → a ticket', async () => {
    const missing = await ticketRequest({});
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).code).toBe('TURNSTILE_MISSING');
    const failed = await ticketRequest({ turnstileToken: 'not-a-real-token' });
    expect(failed.status).toBe(403);
    expect((await errorOf(failed)).code).toBe('TURNSTILE_FAILED');
    const ok = await ticketRequest({ turnstileToken: 'XXXX.DUMMY.TOKEN.XXXX' });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { ticket: string; expiresAt: string; uploads: number };
    expect(body.uploads).toBe(A.uploadsPerTicket);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(A.ticketTtlMs - 60_000);
  });

  it('POST /api/uploads/ticket gives a reporter with an open lookup a ticket (evidence for a follow-up), and refuses a bad token', async () => {
    const tip = await newTip();
    const { token } = await viewOf(tip);
    const res = await ticketRequest({}, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const { ticket } = (await res.json()) as { ticket: string };
    expect((await upload(TINY_JPEG, 'image/jpeg', { ticket })).status).toBe(201);
    const bad = await ticketRequest({}, { authorization: `Bearer ${token.slice(0, -2)}00` });
    expect(bad.status).toBe(401);
  });

  it(`POST /api/uploads accepts ${A.uploadsPerTicket} uploads on one ticket, then 429`, async () => {
    const ticket = await uploadTicket();
    for (let i = 0; i < A.uploadsPerTicket; i++)
      expect((await upload(TINY_JPEG, 'image/jpeg', { ticket })).status).toBe(201);
    const res = await upload(TINY_JPEG, 'image/jpeg', { ticket });
    expect(res.status).toBe(429);
    expect((await errorOf(res)).code).toBe('RATE_LIMITED');
  });
});

describe('size enforced while streaming', () => {
  it('POST /api/uploads refuses a chunked oversized body (no Content-Length) with 413 without buffering it', async () => {
    const chunk = new Uint8Array(256 * 1024);
    const total = 120 * 1024 * 1024; // far over any cap
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 0) {
          const first = chunk.slice();
          first.set(TINY_JPEG.subarray(0, 20)); // a JPEG: the photo cap (10 MB) applies
          controller.enqueue(first);
        } else controller.enqueue(chunk);
        pulled += chunk.length;
        if (pulled >= total) controller.close();
      },
    });
    const ip = freshIp();
    const ticket = await uploadTicket(ip);
    const req = new Request('http://localhost/api/uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'cf-connecting-ip': ip, 'x-upload-ticket': ticket },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(req.headers.get('content-length')).toBeNull();
    const res = await createApp().request(req, undefined, env);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toEqual({ code: 'FILE_TOO_LARGE', message: '照片不能超过 10 MB。' });
    // Reading stopped just past the photo cap: the other ~110 MB were never pulled.
    expect(pulled).toBeGreaterThan(A.maxBytes.image);
    expect(pulled).toBeLessThan(A.maxBytes.image + 2 * chunk.length);
  });

  it('POST /api/uploads stores a chunked body under the cap exactly as sent, in small pieces or one', async () => {
    const photo = jpegWithMetadata();
    for (const size of [3, 7, photo.length]) {
      let at = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(photo.slice(at, at + size));
          at += size;
          if (at >= photo.length) controller.close();
        },
      });
      const ip = freshIp();
      const req = new Request('http://localhost/api/uploads', {
        method: 'POST',
        headers: { 'cf-connecting-ip': ip, 'x-upload-ticket': await uploadTicket(ip) },
        body,
        duplex: 'half',
      } as RequestInit);
      const res = await createApp().request(req, undefined, env);
      expect(res.status, String(size)).toBe(201);
      const { id, bytes } = (await res.json()) as { id: string; bytes: number };
      const row = await env.DB.prepare('SELECT r2_key FROM attachments WHERE id = ?')
        .bind(id)
        .first<{ r2_key: string }>();
      const stored = new Uint8Array(await (await env.FILES.get(row!.r2_key))!.arrayBuffer());
      expect(stored.length).toBe(bytes);
      expect(stored.length).toBeLessThan(photo.length); // stripped
      expect([stored[0], stored[1], stored.at(-2), stored.at(-1)]).toEqual([0xff, 0xd8, 0x3f, 0x10]); // SOI … the scan's last bytes
    }
  });

  it('POST /api/uploads refuses a declared Content-Length over the cap of the kind the first bytes show', async () => {
    const ip = freshIp();
    const body = new Uint8Array(A.maxBytes.image + 1);
    body.set(TINY_JPEG);
    const res = await SELF.fetch('http://localhost/api/uploads', {
      method: 'POST',
      headers: {
        'cf-connecting-ip': ip,
        'x-upload-ticket': await uploadTicket(ip),
        'content-length': String(body.length),
      },
      body,
    });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toBe('照片不能超过 10 MB。');
  });
});

describe('storage caps per client network', () => {
  it(`POST /api/uploads holds at most ${A.pendingFiles} unattached files per network; attaching them frees the quota and forgets the uploader`, async () => {
    const ip = freshIp();
    const sameNetwork = ip.replace(/::1$/, '::beef'); // another address in the same IPv6 /64
    const ticket = await uploadTicket(ip);
    const ticket2 = await uploadTicket(sameNetwork);
    const files: { id: string; claim: string }[] = [];
    for (let i = 0; i < A.pendingFiles; i++) {
      const res = await upload(TINY_JPEG, 'image/jpeg', {
        ticket: i % 2 ? ticket : ticket2,
        ip: i % 2 ? ip : sameNetwork,
      });
      expect(res.status).toBe(201);
      const { id, claim } = (await res.json()) as { id: string; claim: string };
      files.push({ id, claim });
    }
    const full = await upload(TINY_JPEG, 'image/jpeg', { ticket: await uploadTicket(sameNetwork), ip: sameNetwork });
    expect(full.status).toBe(429);
    expect((await errorOf(full)).message).toContain('未提交的附件已达上限');
    // Another network is not affected.
    expect((await upload(TINY_JPEG, 'image/jpeg')).status).toBe(201);
    // Attach nine of them to a tip: the quota has room again, and those rows no longer name the uploader.
    const res = await submitTip(validTip({ attachments: files.slice(0, A.maxFiles) }));
    expect(res.status).toBe(201);
    const attached = await env.DB.prepare(
      `SELECT COUNT(*) AS n FROM attachments WHERE status = 'attached' AND uploader IS NULL AND id IN (${files
        .slice(0, A.maxFiles)
        .map(() => '?')
        .join(',')})`,
    )
      .bind(...files.slice(0, A.maxFiles).map((f) => f.id))
      .first<{ n: number }>();
    expect(attached!.n).toBe(A.maxFiles);
    expect((await upload(TINY_JPEG, 'image/jpeg', { ip })).status).toBe(201);
  });

  it(`POST /api/uploads stores at most ${A.bytesPerHour / 1024 / 1024} MB per network per hour`, async () => {
    const ip = freshIp();
    const key = `upload-bytes:${await uploaderKey(env, ip)}`;
    await env.DB.prepare('INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, ?)')
      .bind(key, Date.now() - 60_000, A.bytesPerHour - 10)
      .run();
    const before = await count();
    const res = await upload(TINY_JPEG, 'image/jpeg', { ip }); // 10 bytes left: this photo is larger
    expect(res.status).toBe(429);
    const err = await errorOf(res);
    expect(err.message).toContain('每小时最多上传');
    expect(err.retryAfter).toBeGreaterThan(3000);
    expect(await count()).toBe(before);
    // Now at the cap: refused before the body is read.
    expect((await upload(TINY_JPEG, 'image/jpeg', { ip })).status).toBe(429);
  });

  it('the scheduled sweep removes every abandoned upload in one run, not 500', async () => {
    const old = Date.now() - A.orphanTtlMs - 60_000;
    const n = 1234;
    const rows = Array.from(
      { length: n },
      (_, i) =>
        `('sweep-${i}', 'x', 'attachments/sweep/${i}.jpg', 'image', 'image/jpeg', 1, 'x', 'pending', 'report', ${old}, 'u:sweep')`,
    );
    for (let i = 0; i < rows.length; i += 100) {
      await env.DB.prepare(
        `INSERT INTO attachments (id, claim_hash, r2_key, kind, mime, bytes, sha256, status, origin, created_at, uploader) VALUES ${rows.slice(i, i + 100).join(',')}`,
      ).run();
    }
    await env.FILES.put('attachments/sweep/7.jpg', TINY_JPEG);
    expect(await sweepOrphans(env, Date.now())).toBeGreaterThanOrEqual(n);
    expect(
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM attachments WHERE uploader = 'u:sweep'").first<{ n: number }>())!
        .n,
    ).toBe(0);
    expect(await env.FILES.get('attachments/sweep/7.jpg')).toBeNull();
  });
});
