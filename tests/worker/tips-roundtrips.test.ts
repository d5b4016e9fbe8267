/**
 * What one submission costs in D1 round trips (each one a network trip to the D1 primary on Cloudflare): the
 * rate-limit hit and every reference read share one batch, the write is a second, and an Idempotency-Key adds
 * only its lookup. Counted through the bench's remote-D1 wrapper, which waits once per round trip.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../worker/app';
import { acceptDeadline } from '../../worker/domain/deadlines';
import { DEFAULT_TIME_LIMITS } from '../../worker/domain/limits';
import { appSecret, hmacHex } from '../../worker/lib/crypto';
import { delayedD1 } from '../../worker/lib/d1-latency';
import { SUBMIT_LIMIT } from '../../worker/routes/public/tips';
import { calendarAround } from '../../worker/services/calendar';
import { jpegWithMetadata } from '../support/media-fixtures';
import { upload, validTip } from '../support/tips';

const MARK = 3; // the wrapper's wait, in ms: how its round trips are told apart from other timers

async function submitCounted(body: unknown, headers: Record<string, string> = {}) {
  const spy = vi.spyOn(globalThis, 'setTimeout');
  const res = await createApp().request(
    'http://localhost/api/tips',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': '2001:db8:77::1', ...headers },
      body: JSON.stringify(body),
    },
    { ...env, DB: delayedD1(env.DB, MARK) },
  );
  const roundTrips = spy.mock.calls.filter((c) => c[1] === MARK).length;
  spy.mockRestore();
  return { res, roundTrips };
}

const tipCount = async () => (await env.DB.prepare('SELECT COUNT(*) AS n FROM tips').first<{ n: number }>())!.n;

afterEach(async () => {
  await env.DB.prepare("DELETE FROM rate_limits WHERE key LIKE 'submit:%'").run();
  await env.DB.prepare("DELETE FROM settings WHERE key = 'time_limits'").run();
});

describe('POST /api/tips round trips', () => {
  it('a submission costs two D1 round trips (reads with the rate-limit hit, then the write); a key adds one', async () => {
    const plain = await submitCounted(validTip());
    expect(plain.res.status).toBe(201);
    expect(plain.roundTrips).toBe(2);

    const keyed = await submitCounted(validTip(), { 'idempotency-key': crypto.randomUUID() });
    expect(keyed.res.status).toBe(201);
    expect(keyed.roundTrips).toBe(3);

    // Attachments are read in the same first round trip, however many.
    const files: { id: string; claim: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const up = (await (await upload(jpegWithMetadata())).json()) as { id: string; claim: string };
      files.push({ id: up.id, claim: up.claim });
    }
    const withFiles = await submitCounted(validTip({ attachments: files }));
    expect(withFiles.res.status).toBe(201);
    expect(withFiles.roundTrips).toBe(2);
  });

  it('past the rate limit the answer is 429 after one round trip, and nothing is written', async () => {
    await env.DB.prepare('INSERT INTO rate_limits (key, window_start, count) SELECT ?, ?, ?')
      .bind(`submit:${await clientKeyOf('2001:db8:77::1')}`, Date.now(), SUBMIT_LIMIT.limit)
      .run();
    const before = await tipCount();
    const { res, roundTrips } = await submitCounted(validTip());
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(roundTrips).toBe(1);
    expect(await tipCount()).toBe(before);
  });

  it('an unknown town is refused after the first round trip, and nothing is written', async () => {
    const before = await tipCount();
    const { res, roundTrips } = await submitCounted(validTip({ townId: 'atlantis' }));
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('TOWN_UNKNOWN');
    expect(roundTrips).toBe(1);
    expect(await tipCount()).toBe(before);
  });

  it('a 受理 limit longer than the calendar read in the first round trip still gets its exact deadline', async () => {
    const limits = { ...DEFAULT_TIME_LIMITS, acceptWorkingDays: 120 };
    await env.DB.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('time_limits', ?, ?)")
      .bind(JSON.stringify(limits), Date.now())
      .run();
    const { res, roundTrips } = await submitCounted(validTip());
    expect(res.status).toBe(201);
    expect(roundTrips).toBe(3); // the wider calendar is read once more
    const { trackingNo, createdAt } = (await res.json()) as { trackingNo: string; createdAt: string };
    const row = await env.DB.prepare('SELECT due_at FROM tips WHERE tracking_no = ?')
      .bind(trackingNo.replaceAll('-', ''))
      .first<{ due_at: number }>();
    const at = Date.parse(createdAt);
    expect(row!.due_at).toBe(acceptDeadline(at, limits, await calendarAround(env, at, 120)));
  });
});

async function clientKeyOf(ip: string): Promise<string> {
  return (await hmacHex(appSecret(env), 'client', ip)).slice(0, 24);
}
