/**
 * What one submission costs in D1 round trips (each one a network trip to the D1 primary on Cloudflare): one, the
 * guarded write, once the isolate holds the reference data (time limits, calendar) — with or without an
 * Idempotency-Key; the first submission of an isolate, and any whose guard fails, reads first (two). Whatever
 * the guard refuses is refused exactly as the reads would, with nothing written, and a deadline never comes
 * from limits or a calendar changed since they were read. Counted through the bench's remote-D1 wrapper,
 * which waits once per round trip.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../worker/app';
import { acceptDeadline } from '../../worker/domain/deadlines';
import { DEFAULT_TIME_LIMITS, LIMITS } from '../../worker/domain/limits';
import { appSecret, hmacHex } from '../../worker/lib/crypto';
import { delayedD1 } from '../../worker/lib/d1-latency';
import { SUBMIT_LIMIT } from '../../worker/routes/public/tips';
import { calendarAround } from '../../worker/services/calendar';
import { jpegWithMetadata } from '../support/media-fixtures';
import { chinaDate } from '../../worker/services/calendar';
import { counts, upload, validTip } from '../support/tips';

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

afterEach(async () => {
  await env.DB.prepare("DELETE FROM rate_limits WHERE key LIKE 'submit:%'").run();
  await env.DB.prepare("DELETE FROM settings WHERE key = 'time_limits'").run();
});

/** A submission from another client: the isolate has then read the reference data (the warm state). */
const warm = async () =>
  expect((await submitCounted(validTip(), { 'cf-connecting-ip': '2001:db8:78::1' })).res.status).toBe(201);

const dueOf = async (res: Response) => {
  const { trackingNo, createdAt } = (await res.json()) as { trackingNo: string; createdAt: string };
  const row = await env.DB.prepare('SELECT due_at FROM tips WHERE tracking_no = ?')
    .bind(trackingNo.replaceAll('-', ''))
    .first<{ due_at: number }>();
  return { due: row!.due_at, at: Date.parse(createdAt) };
};

/** Rows a refused submission must not leave behind, and the uploads it must leave pending. */
const written = async () => {
  const c = await counts(env.DB);
  const pending = await env.DB.prepare("SELECT COUNT(*) AS n FROM attachments WHERE status = 'pending'").first<{
    n: number;
  }>();
  return [c.tips, c.tip_events, c.audit_log, c.stats_total, c.tip_identities, c.idempotency_keys, pending!.n];
};

/** An upload as a submission names it (its id and claim secret). */
const uploaded = async () => {
  const { id, claim } = (await (await upload(jpegWithMetadata())).json()) as { id: string; claim: string };
  return { id, claim };
};

interface Keyed {
  headers: Record<string, string>;
  receipt: unknown;
}

/** Submit `body` under a new Idempotency-Key (from `ip`): 201, and what a retry must send and get back. */
const keyedSubmit = async (body: unknown, ip = '2001:db8:77::1'): Promise<Keyed> => {
  const headers = { 'idempotency-key': crypto.randomUUID(), 'cf-connecting-ip': ip };
  const { res } = await submitCounted(body, headers);
  expect(res.status).toBe(201);
  return { headers, receipt: await res.json() };
};

/** Send `body` again under `first`'s key: the receipt stored for it, with 200. */
const expectReplay = async (body: unknown, first: Keyed) => {
  const { res } = await submitCounted(body, first.headers);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(first.receipt);
};

describe('POST /api/tips round trips', () => {
  it('one round trip once the isolate has read the reference data (the write, guarded), with or without a key', async () => {
    await warm();
    const plain = await submitCounted(validTip());
    expect(plain.res.status).toBe(201);
    expect(plain.roundTrips).toBe(1);

    // The form always sends an Idempotency-Key: the write itself finds a used key, so no lookup comes first.
    const keyed = await submitCounted(validTip(), { 'idempotency-key': crypto.randomUUID() });
    expect(keyed.res.status).toBe(201);
    expect(keyed.roundTrips).toBe(1);

    // Attachments are checked by the same guard, however many.
    const files = [await uploaded(), await uploaded()];
    const withFiles = await submitCounted(validTip({ attachments: files }));
    expect(withFiles.res.status).toBe(201);
    expect(withFiles.roundTrips).toBe(1);
    const attached = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM attachments WHERE id IN (?, ?) AND status = 'attached'",
    )
      .bind(files[0]!.id, files[1]!.id)
      .first<{ n: number }>();
    expect(attached!.n).toBe(2);
  });

  it('past the rate limit the answer is 429 and nothing is written (the guarded write rolls back, the reads count the hit)', async () => {
    await warm();
    await env.DB.prepare('INSERT INTO rate_limits (key, window_start, count) SELECT ?, ?, ?')
      .bind(`submit:${await clientKeyOf('2001:db8:77::1')}`, Date.now(), SUBMIT_LIMIT.limit)
      .run();
    const before = await written();
    const { res, roundTrips } = await submitCounted(validTip());
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(roundTrips).toBe(2);
    expect(await written()).toEqual(before);
    const hits = await env.DB.prepare('SELECT count FROM rate_limits WHERE key = ?')
      .bind(`submit:${await clientKeyOf('2001:db8:77::1')}`)
      .first<{ count: number }>();
    expect(hits!.count).toBe(SUBMIT_LIMIT.limit + 1);
  });

  it('a retry of a stored submission gets its receipt (200), even past the rate limit and with a spent token', async () => {
    await warm();
    const body = validTip();
    const first = await keyedSubmit(body);
    const before = await written();
    await expectReplay(body, first);

    await env.DB.prepare('UPDATE rate_limits SET count = ? WHERE key = ?')
      .bind(SUBMIT_LIMIT.limit, `submit:${await clientKeyOf('2001:db8:77::1')}`)
      .run();
    await expectReplay(body, first);
    await expectReplay({ ...body, turnstileToken: 'XXXX.SPENT.TOKEN.XXXX' }, first);
    expect(await written()).toEqual(before);

    // Without the key's receipt the spent token is refused as before.
    const other = await submitCounted(
      { ...body, turnstileToken: 'XXXX.SPENT.TOKEN.XXXX' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(other.res.status).toBe(403);
  });

  it('a keyed retry gets its receipt though its files are attached by then or its 镇街 closed since', async () => {
    await warm();
    const withFile = validTip({ attachments: [await uploaded()] });
    const first = await keyedSubmit(withFile);
    const before = await written();
    // The retry carries a fresh token (here the stand-in's accepted one): Turnstile passes, the write is tried.
    await expectReplay(withFile, first);

    const plain = validTip();
    const second = await keyedSubmit(plain, '2001:db8:7a::1');
    const after = await written();
    expect(after.slice(0, 6)).toEqual(before.slice(0, 6).map((n, i) => n + [1, 1, 1, 1, 0, 1][i]!));
    await env.DB.prepare("UPDATE towns SET active = 0 WHERE id = 'jiyang'").run();
    try {
      await expectReplay(plain, second);
    } finally {
      await env.DB.prepare("UPDATE towns SET active = 1 WHERE id = 'jiyang'").run();
    }
    expect(await written()).toEqual(after);
  });

  it('an attached file named again, or files past the total size, are refused by the guard as by the reads', async () => {
    await warm();
    const up = await uploaded();
    expect(
      (await submitCounted(validTip({ attachments: [up] }), { 'cf-connecting-ip': '2001:db8:7b::1' })).res.status,
    ).toBe(201);
    const before = await written();
    const again = await submitCounted(validTip({ attachments: [up] }));
    expect(again.res.status).toBe(422);
    expect(JSON.stringify(await again.res.json())).toContain('ATTACHMENT_INVALID');
    expect(await written()).toEqual(before);

    const big = await uploaded();
    await env.DB.prepare('UPDATE attachments SET bytes = ? WHERE id = ?')
      .bind(LIMITS.attachments.maxTotalBytes + 1, big.id)
      .run();
    const before2 = await written();
    const tooLarge = await submitCounted(validTip({ attachments: [big] }));
    expect(tooLarge.res.status).toBe(422);
    expect(JSON.stringify(await tooLarge.res.json())).toContain('ATTACHMENTS_TOO_LARGE');
    expect(await written()).toEqual(before2);
    expect(tooLarge.roundTrips).toBe(2); // the guarded write refused, then the reads that say why
  });

  it('an unknown or closed 镇街 is refused with TOWN_UNKNOWN, and nothing is written', async () => {
    await warm();
    const before = await written();
    const unknown = await submitCounted(validTip({ townId: 'atlantis' }));
    expect(unknown.res.status).toBe(422);
    expect(JSON.stringify(await unknown.res.json())).toContain('TOWN_UNKNOWN');
    expect(await written()).toEqual(before);

    await env.DB.prepare("UPDATE towns SET active = 0 WHERE id = 'jiyang'").run();
    try {
      const closed = await submitCounted(validTip());
      expect(closed.res.status).toBe(422);
      expect(JSON.stringify(await closed.res.json())).toContain('TOWN_UNKNOWN');
      expect(await written()).toEqual(before);
    } finally {
      await env.DB.prepare("UPDATE towns SET active = 1 WHERE id = 'jiyang'").run();
    }
  });

  it("an attachment that is not this uploader's pending file is refused, and nothing is written", async () => {
    await warm();
    const up = await uploaded();
    const before = await written();
    const res = (
      await submitCounted(validTip({ attachments: [{ id: up.id, claim: 'not-the-claim-secret-of-this-file' }] }))
    ).res;
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('ATTACHMENT_INVALID');
    expect(await written()).toEqual(before);
  });

  it('time limits changed since the isolate read them: the deadline follows the new limits (the guard catches it)', async () => {
    await warm();
    const limits = { ...DEFAULT_TIME_LIMITS, acceptWorkingDays: DEFAULT_TIME_LIMITS.acceptWorkingDays + 3 };
    await env.DB.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('time_limits', ?, ?)")
      .bind(JSON.stringify(limits), Date.now())
      .run();
    const { res, roundTrips } = await submitCounted(validTip());
    expect(res.status).toBe(201);
    expect(roundTrips).toBe(3); // the guarded write refused, the reads, the write
    const { due, at } = await dueOf(res);
    expect(due).toBe(acceptDeadline(at, limits, await calendarAround(env, at, limits.acceptWorkingDays)));
    // …and the next submission writes in one round trip again.
    expect((await submitCounted(validTip(), { 'cf-connecting-ip': '2001:db8:79::1' })).roundTrips).toBe(1);
  });

  it('a 节假日 added to the calendar since the isolate read it moves the deadline (the guard catches it)', async () => {
    await warm();
    const now = Date.now();
    // Make every day of the next three weeks a holiday: the 受理 deadline must move past them.
    const added: string[] = [];
    for (let d = 0; d < 21; d++) added.push(chinaDate(now + d * 86_400_000));
    const fresh = [];
    for (const date of added) {
      const r = await env.DB.prepare(
        "INSERT OR IGNORE INTO calendar_days (date, kind, name) VALUES (?, 'holiday', '测试假日')",
      )
        .bind(date)
        .run();
      if (r.meta.changes) fresh.push(date);
    }
    try {
      const { res, roundTrips } = await submitCounted(validTip());
      expect(res.status).toBe(201);
      expect(roundTrips).toBe(3);
      const { due, at } = await dueOf(res);
      const limits = DEFAULT_TIME_LIMITS;
      expect(due).toBe(acceptDeadline(at, limits, await calendarAround(env, at, limits.acceptWorkingDays)));
      expect(due).toBeGreaterThan(now + 21 * 86_400_000);
    } finally {
      for (const date of fresh) await env.DB.prepare('DELETE FROM calendar_days WHERE date = ?').bind(date).run();
    }
  });

  it('a 受理 limit longer than the calendar read in the first round trip still gets its exact deadline', async () => {
    const limits = { ...DEFAULT_TIME_LIMITS, acceptWorkingDays: 120 };
    await env.DB.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('time_limits', ?, ?)")
      .bind(JSON.stringify(limits), Date.now())
      .run();
    const { res } = await submitCounted(validTip());
    expect(res.status).toBe(201);
    const { due, at } = await dueOf(res);
    expect(due).toBe(acceptDeadline(at, limits, await calendarAround(env, at, 120)));
  });
});

async function clientKeyOf(ip: string): Promise<string> {
  return (await hmacHex(appSecret(env), 'client', ip)).slice(0, 24);
}
