/**
 * The audit log under load and under attack: appends that never contend (200 submissions and 20 staff
 * transitions at once, each change with its audit row), the sealer's keyed chain and R2 anchors, and the check
 * naming each kind of tampering — an edited row, a deleted row, a cut tail, a chain recomputed without the key,
 * a row replaced with INSERT OR REPLACE, a dropped guard trigger. A flood of wrong lookup codes and unknown
 * logins adds a bounded number of rows.
 */
import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { sealAudit, verifyAudit } from '../../worker/lib/audit';
import {
  ANCHOR_PREFIX,
  type AuditKey,
  auditKey,
  auditMac,
  auditPayload,
  GENESIS,
  GUARD_TRIGGERS,
} from '../../worker/lib/audit-chain';
import { checkCode } from '../../worker/services/track';
import { submitTip, tipIdOf, validTip } from '../support/tips';
import { signedIn } from '../support/staff';

type Report = Awaited<ReturnType<typeof verifyAudit>>;
const kinds = (r: Report) => r.problems.map((p) => p.kind);
const count = async (sql: string, ...b: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...b)
    .first<{ n: number }>())!.n;
const maxSeq = () => count('SELECT MAX(seq) AS n FROM audit_log');

async function someTips(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = (await (await submitTip(validTip())).json()) as { trackingNo: string };
    out.push(r.trackingNo);
  }
  return out;
}

/**
 * Tests in a file share their storage: start each tampering test from an empty, guarded log (the guard
 * triggers recreated from the real migration, anchors removed).
 */
async function resetAudit() {
  await dropGuards();
  await env.DB.batch([
    env.DB.prepare('DELETE FROM audit_log'),
    env.DB.prepare('DELETE FROM audit_seals'),
    env.DB.prepare("DELETE FROM sqlite_sequence WHERE name = 'audit_log'"),
  ]);
  const listed = await env.FILES.list({ prefix: ANCHOR_PREFIX });
  if (listed.objects.length) await env.FILES.delete(listed.objects.map((o) => o.key));
  const triggers = env.TEST_MIGRATIONS.filter((m) => m.name.includes('audit_seals'))
    .flatMap((m) => m.queries)
    .filter((q) => /CREATE TRIGGER audit_(log|seals)_/.test(q));
  expect(triggers).toHaveLength(GUARD_TRIGGERS.length);
  for (const q of triggers) await env.DB.prepare(q).run();
}

async function dropGuards(names: readonly string[] = GUARD_TRIGGERS) {
  for (const t of names) await env.DB.prepare(`DROP TRIGGER IF EXISTS ${t}`).run();
}

/**
 * A forger with write access to D1 (the guards dropped): edit the row at `target`, then redo the seal of that row and
 * every later one with `key` (their key id replaced by `keyId` when given, kept otherwise).
 */
async function forgeFrom(target: number, key: AuditKey, keyId: string | null = null) {
  await env.DB.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?").bind(target).run();
  let prev = (await env.DB.prepare('SELECT mac FROM audit_seals WHERE seq = ?')
    .bind(target - 1)
    .first<{ mac: string }>())!.mac;
  const rows = (
    await env.DB.prepare('SELECT seq, at, actor, action, tip_id, detail FROM audit_log WHERE seq >= ? ORDER BY seq')
      .bind(target)
      .all<any>()
  ).results;
  for (const row of rows) {
    prev = await auditMac(key, prev, row);
    await env.DB.prepare('UPDATE audit_seals SET mac = ?, key_id = COALESCE(?, key_id) WHERE seq = ?')
      .bind(prev, keyId, row.seq)
      .run();
  }
}

describe('appending never contends', () => {
  it('200 concurrent submissions and 20 concurrent staff transitions all succeed, each with its audit row; the chain verifies after sealing', async () => {
    // 20 tips for the staff to act on while the burst arrives.
    const staffTips = await someTips(20);
    const ids = await Promise.all(staffTips.map((no) => tipIdOf(no)));
    await sealAudit(env);
    const { client: dispatcher } = await signedIn(['dispatcher']);
    const before = await count('SELECT COUNT(*) AS n FROM audit_log');

    const [submissions, transitions] = await Promise.all([
      Promise.all(Array.from({ length: 200 }, () => submitTip(validTip(), { key: crypto.randomUUID() }))),
      Promise.all(ids.map((id) => dispatcher.post(`/api/staff/tips/${id}/actions/accept`, { version: 1, input: {} }))),
    ]);
    expect(submissions.map((r) => r.status)).toEqual(Array(200).fill(201));
    expect(transitions.map((r) => r.status)).toEqual(Array(20).fill(200));
    const receipts = await Promise.all(submissions.map((r) => r.json() as Promise<{ trackingNo: string }>));
    expect(new Set(receipts.map((r) => r.trackingNo)).size).toBe(200);

    // Every change has its audit row: one tip.submitted per new tip, one tip.accept per accepted tip.
    expect((await count('SELECT COUNT(*) AS n FROM audit_log')) - before).toBe(220);
    const submitted = await count(
      `SELECT COUNT(*) AS n FROM tips t WHERE t.tracking_no IN (SELECT value FROM json_each(?))
         AND EXISTS (SELECT 1 FROM audit_log a WHERE a.tip_id = t.id AND a.action = 'tip.submitted')`,
      JSON.stringify(receipts.map((r) => r.trackingNo.replaceAll('-', ''))),
    );
    expect(submitted).toBe(200);
    for (const id of ids)
      expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE tip_id = ? AND action = 'tip.accept'", id)).toBe(1);
    // Seq numbers are the database's: no gaps, no duplicates.
    expect(await count('SELECT COUNT(DISTINCT seq) AS n FROM audit_log')).toBe(await maxSeq());

    const unsealed = await verifyAudit(env);
    expect(unsealed.ok).toBe(true);
    expect(unsealed.unsealed.count).toBe(220);
    const seal = await sealAudit(env);
    expect(seal.sealed).toBe(220);
    const report = await verifyAudit(env);
    expect(report).toMatchObject({ ok: true, problems: [], unsealed: { count: 0 }, sealedSeq: await maxSeq() });
    expect(report.anchors!.latestSeq).toBe(await maxSeq());
  }, 120_000);
});

describe('the sealer', () => {
  it('chains rows with HMAC-SHA-256 under the secret key, and anchors each seal in R2 (seq, head mac, time)', async () => {
    await someTips(3);
    const r = await sealAudit(env, 1_800_000_000_000);
    expect(r.sealed).toBeGreaterThan(0);
    // Recompute the chain in the test from the secret: every stored mac is exactly the keyed chain.
    const key = await auditKey(env.AUDIT_HMAC_KEY!);
    const rows = (
      await env.DB.prepare('SELECT seq, at, actor, action, tip_id, detail FROM audit_log ORDER BY seq').all<any>()
    ).results;
    const seals = (await env.DB.prepare('SELECT seq, mac, key_id FROM audit_seals ORDER BY seq').all<any>()).results;
    let prev = GENESIS;
    for (const [i, row] of rows.entries()) {
      prev = await auditMac(key, prev, row);
      expect(seals[i]).toEqual({ seq: row.seq, mac: prev, key_id: key.id });
    }
    // Without the key the seals cannot be reproduced: plain SHA-256 over the same text gives something else.
    const plain = Array.from(
      new Uint8Array(
        await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${GENESIS}\n${auditPayload(rows[0])}`)),
      ),
      (b) => b.toString(16).padStart(2, '0'),
    ).join('');
    expect(seals[0].mac).not.toBe(plain);
    const listed = await env.FILES.list({ prefix: ANCHOR_PREFIX });
    const newest = JSON.parse(await (await env.FILES.get(listed.objects[0]!.key))!.text());
    expect(newest).toEqual({ seq: r.head, mac: prev, keyId: key.id, at: 1_800_000_000_000, rows: r.sealed });
    // Nothing new: no seal, no anchor.
    expect((await sealAudit(env)).sealed).toBe(0);
  });

  it('two sealers at once do not fork the chain', async () => {
    await someTips(3);
    const results = await Promise.allSettled([sealAudit(env), sealAudit(env), sealAudit(env)]);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    const report = await verifyAudit(env);
    expect(report.ok).toBe(true);
    expect(report.unsealed.count).toBe(0);
  });

  it('refuses to seal without the key, and the API refuses to serve on a non-loopback host without it', async () => {
    await expect(sealAudit({ ...env, AUDIT_HMAC_KEY: undefined })).rejects.toThrow(/审计密钥/);
    await expect(sealAudit({ ...env, AUDIT_HMAC_KEY: 'too-short' })).rejects.toThrow(/审计密钥/);
    const worker = (await import('../../worker/index')).default;
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const unkeyed = await worker.fetch(
      new Request('https://anquan.example.gov.cn/api/health'),
      { ...env, AUDIT_HMAC_KEY: undefined },
      ctx,
    );
    expect(unkeyed.status).toBe(503);
    expect(((await unkeyed.json()) as any).error.code).toBe('UNAVAILABLE');
    const keyed = await worker.fetch(new Request('https://anquan.example.gov.cn/api/health'), env, ctx);
    expect(keyed.status).toBe(200);
  });

  it('the every-minute Cron Trigger runs the sealer', async () => {
    await someTips(2);
    const worker = (await import('../../worker/index')).default;
    const waits: Promise<unknown>[] = [];
    const ctx = {
      waitUntil: (p: Promise<unknown>) => waits.push(p),
      passThroughOnException() {},
      props: {},
    } as unknown as ExecutionContext;
    await worker.scheduled(
      { cron: '* * * * *', scheduledTime: Date.now(), noRetry() {} } as ScheduledController,
      env,
      ctx,
    );
    await Promise.all(waits);
    expect((await verifyAudit(env)).unsealed.count).toBe(0);
  });
});

describe('tampering is detected and named', () => {
  beforeEach(resetAudit);
  async function sealedChain() {
    await someTips(6);
    await sealAudit(env);
    const r = await verifyAudit(env);
    expect(r.ok).toBe(true);
    return r;
  }

  /**
   * A sealed chain tampered with at `target` = its last sealed seq − `back`: the guard triggers `guards` dropped, then
   * `change(target)`. Returns the target, the sealed seq and what the verifier reports.
   */
  async function tampered(back: number, guards: readonly string[], change: (target: number) => Promise<unknown>) {
    const { sealedSeq } = await sealedChain();
    const target = sealedSeq - back;
    await dropGuards(guards);
    await change(target);
    return { target, sealedSeq, r: await verifyAudit(env) };
  }

  it('the database refuses UPDATE, DELETE and INSERT OR REPLACE on both tables', async () => {
    await sealedChain();
    const seq = await maxSeq();
    await expect(env.DB.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = ?").bind(seq).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(env.DB.prepare('DELETE FROM audit_log WHERE seq = ?').bind(seq).run()).rejects.toThrow(/append-only/);
    await expect(
      env.DB.prepare("INSERT OR REPLACE INTO audit_log (seq, at, actor, action) VALUES (?, 1, 'x', 'x')")
        .bind(seq)
        .run(),
    ).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("UPDATE audit_seals SET mac = 'x' WHERE seq = ?").bind(seq).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(env.DB.prepare('DELETE FROM audit_seals WHERE seq = ?').bind(seq).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(
      env.DB.prepare("INSERT OR REPLACE INTO audit_seals (seq, mac, key_id, sealed_at) VALUES (?, 'x', 'x', 1)")
        .bind(seq)
        .run(),
    ).rejects.toThrow(/append-only/);
  });

  it('a dropped guard trigger', async () => {
    await sealedChain();
    await dropGuards(['audit_log_no_update']);
    const r = await verifyAudit(env);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({ kind: 'trigger_missing', message: expect.stringContaining('audit_log_no_update') }),
    ]);
  });

  it('an edited row', async () => {
    const { target, r } = await tampered(3, ['audit_log_no_update'], (t) =>
      env.DB.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?").bind(t).run(),
    );
    expect(kinds(r)).toEqual(['trigger_missing', 'row_edited']);
    expect(r.problems[1]).toMatchObject({ seq: target });
  });

  it('a replaced row (INSERT OR REPLACE, the update guard still in place)', async () => {
    const { target, r } = await tampered(2, ['audit_log_no_replace'], async (t) => {
      const row = await env.DB.prepare('SELECT * FROM audit_log WHERE seq = ?').bind(t).first<any>();
      await env.DB.prepare(
        'INSERT OR REPLACE INTO audit_log (seq, at, actor, action, tip_id, detail) VALUES (?,?,?,?,?,?)',
      )
        .bind(t, row.at, 'mallory', row.action, row.tip_id, row.detail)
        .run();
    });
    expect(kinds(r)).toEqual(['trigger_missing', 'row_replaced']);
    expect(r.problems[1]).toMatchObject({ seq: target });
  });

  it('a deleted row', async () => {
    const { target, r } = await tampered(4, GUARD_TRIGGERS, async (t) => {
      await env.DB.prepare('DELETE FROM audit_log WHERE seq = ?').bind(t).run();
      await env.DB.prepare('DELETE FROM audit_seals WHERE seq = ?').bind(t).run();
    });
    expect(kinds(r).filter((k) => k !== 'trigger_missing')).toEqual(['row_deleted']);
    expect(r.problems.find((p) => p.kind === 'row_deleted')).toMatchObject({ seq: target, toSeq: target });
  });

  it('a cut tail (rows and seals removed, the counter reset): the anchors in R2 say how far the chain went', async () => {
    const { sealedSeq, r } = await tampered(3, GUARD_TRIGGERS, async (t) => {
      await env.DB.prepare('DELETE FROM audit_log WHERE seq > ?').bind(t).run();
      await env.DB.prepare('DELETE FROM audit_seals WHERE seq > ?').bind(t).run();
      await env.DB.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'").bind(t).run();
    });
    expect(kinds(r).filter((k) => k !== 'trigger_missing')).toEqual(['tail_truncated']);
    expect(r.problems.find((p) => p.kind === 'tail_truncated')).toMatchObject({ seq: sealedSeq - 2, toSeq: sealedSeq });
  });

  it('a chain recomputed without the key (edit a row, then redo every later seal with plain SHA-256 or a guessed key)', async () => {
    const guessed = await auditKey('a-guess-at-the-key-that-is-long-enough');
    const real = await auditKey(env.AUDIT_HMAC_KEY!);
    // The forger copies the real key's id onto its seals.
    const { target, sealedSeq, r } = await tampered(4, GUARD_TRIGGERS, (t) => forgeFrom(t, guessed, real.id));
    expect(kinds(r).filter((k) => k !== 'trigger_missing')).toEqual(['chain_recomputed', 'anchor_mismatch']);
    expect(r.problems.find((p) => p.kind === 'chain_recomputed')).toMatchObject({ seq: target, toSeq: sealedSeq });
  });

  it('a chain recomputed WITH the key is caught by the anchors outside D1', async () => {
    const real = await auditKey(env.AUDIT_HMAC_KEY!);
    const { sealedSeq, r } = await tampered(4, GUARD_TRIGGERS, (t) => forgeFrom(t, real));
    expect(kinds(r).filter((k) => k !== 'trigger_missing')).toEqual(['anchor_mismatch']);
    expect(r.problems.find((p) => p.kind === 'anchor_mismatch')).toMatchObject({ seq: sealedSeq });
  });

  it('seals made with another key are named', async () => {
    const { sealedSeq, r } = await tampered(0, GUARD_TRIGGERS, (t) =>
      env.DB.prepare("UPDATE audit_seals SET key_id = 'feedfacefeedface' WHERE seq = ?").bind(t).run(),
    );
    expect(r.problems.find((p) => p.kind === 'unknown_key')).toMatchObject({ seq: sealedSeq });
  });

  it('GET /api/staff/audit/verify reports the same to an auditor, with the unsealed tail', async () => {
    const { sealedSeq } = await sealedChain();
    await someTips(2);
    const auditor = (await signedIn(['auditor'])).client;
    const good = (await (await auditor.get('/api/staff/audit/verify')).json()) as Report;
    expect(good).toMatchObject({ ok: true, sealedSeq, unsealed: { count: 2, fromSeq: sealedSeq + 1 } });
    await dropGuards(['audit_log_no_update']);
    await env.DB.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?")
      .bind(sealedSeq - 1)
      .run();
    const bad = (await (await auditor.get('/api/staff/audit/verify')).json()) as Report;
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => [p.kind, p.seq])).toEqual([
      ['trigger_missing', undefined],
      ['row_edited', sealedSeq - 1],
    ]);
    expect(bad.problems[1]!.message).toContain(`第 ${sealedSeq - 1} 条`);
    // The listing shows which rows are sealed.
    const list = (await (await auditor.get('/api/staff/audit')).json()) as {
      rows: { seq: number; hash: string | null }[];
    };
    expect(list.rows[0]).toMatchObject({ seq: sealedSeq + 2, hash: null });
    expect(list.rows.find((x) => x.seq === sealedSeq)!.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('unauthenticated failures aggregate', () => {
  it('1,000 wrong codes (on one number and on many) add a bounded number of audit rows', async () => {
    const [no] = await someTips(1);
    const before = await count('SELECT COUNT(*) AS n FROM audit_log');
    const wait = async () => {};
    const now = Date.now();
    for (let i = 0; i < 1000; i++) {
      // A different client network each time (as a botnet would), half on one real number, half on made-up ones.
      const number = i % 2 ? no! : `AQ${String(i).padStart(10, '0')}`;
      await checkCode(env, `net-${i}`, number, 'WRONGCODE00', { now: now + i, wait }).catch((e) => {
        if (e?.code !== 'TRACK_NOT_FOUND') throw e;
      });
    }
    const added = (await count('SELECT COUNT(*) AS n FROM audit_log')) - before;
    // One track.guessing entry for the real number this hour; made-up numbers fail once each and alert nobody.
    expect(added).toBeLessThanOrEqual(2);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'track.guessing'")).toBe(1);
  }, 120_000);

  it('sign-ins with unknown usernames add log10 rows per hour, each saying how many', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM audit_log');
    const { login } = await import('../../worker/services/auth');
    const now = Date.now();
    // 150 (each costs a real password hash, so the same answer time as a known user): entries at 1, 10, 100.
    for (let i = 0; i < 150; i++) await login(env, `nobody${i}`, 'wrong-password', now + i).catch(() => {});
    const rows = (
      await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'staff.login_failed' AND seq > ? ORDER BY seq")
        .bind(before)
        .all<{ detail: string }>()
    ).results;
    expect(rows.map((r) => JSON.parse(r.detail).failures)).toEqual([1, 10, 100]);
    expect(JSON.parse(rows[0]!.detail)).toMatchObject({ reason: 'unknown_user', windowMinutes: 60 });
  }, 300_000);
});
