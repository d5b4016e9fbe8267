/**
 * The append-only audit log: every staff action, every identity reveal, every export, and (aggregated)
 * unauthenticated failures.
 *
 * Writing never contends. An entry is one `INSERT INTO audit_log` in the same `db.batch` as the change it
 * records, so both commit together or not at all; its `seq` comes from the database (AUTOINCREMENT, i.e. commit
 * order). No writer reads a chain head, hashes, or retries because another writer appended first.
 *
 * Sealing is done by one job, the sealer (`sealAudit`, run by the every-minute Cron Trigger): it chains the
 * rows not yet sealed into `audit_seals` with HMAC-SHA-256 under AUDIT_HMAC_KEY (a Worker secret, never in D1),
 * then writes the new head to R2 as an anchor. A row is sealed within a minute of its commit (plus the run's
 * own time). Two sealers at once cannot fork the chain: seals are keyed by seq, so the later batch fails whole.
 * See worker/lib/audit-chain.ts for what a seal covers and how a chain is checked.
 */
import type { Env } from '../env';
import { ApiError } from './errors';
import {
  anchorKey,
  auditKeyRing,
  auditMac,
  GENESIS,
  readAnchors,
  verifyAuditDb,
  type AuditReport,
  type AuditRowContent,
} from './audit-chain';

export { GENESIS };

export interface AuditEntry {
  actor: string;
  action: string;
  tipId?: string | null;
  detail?: Record<string, unknown> | null;
  at?: number;
}

export interface GuardedWrite {
  /**
   * An SQL condition (with `?` placeholders) that must hold for the audit rows to be written, e.g.
   * `EXISTS (SELECT 1 FROM rewards WHERE id = ? AND version = ?)`. With a guard, the audit rows come FIRST in
   * the batch, before the caller's statements, so they see the same state the caller's guarded statements see:
   * when a concurrent writer got there first, the whole batch writes nothing and the caller reports a conflict.
   */
  sql: string;
  params: unknown[];
}

const INSERT_COLUMNS = 'INSERT INTO audit_log (at, actor, action, tip_id, detail)';

function auditValues(e: AuditEntry): unknown[] {
  return [e.at ?? Date.now(), e.actor, e.action, e.tipId ?? null, e.detail ? JSON.stringify(e.detail) : null];
}

/** The statement that appends one entry (for callers that build their own batch). */
export function auditStatement(env: Env, e: AuditEntry, guard?: GuardedWrite): D1PreparedStatement {
  return guard
    ? env.DB.prepare(`${INSERT_COLUMNS} SELECT ?,?,?,?,? WHERE ${guard.sql}`).bind(...auditValues(e), ...guard.params)
    : env.DB.prepare(`${INSERT_COLUMNS} VALUES (?,?,?,?,?)`).bind(...auditValues(e));
}

/**
 * Run `statements` and append `entries` to the audit log in one atomic batch, returning the results of
 * `statements` (in order). One round trip; nothing is read first and nothing is retried.
 * @example await writeWithAudit(env, () => [db.insert(tips).values(row)], [{ actor: 'reporter', action: 'tip.submitted', tipId }])
 */
export async function writeWithAudit(
  env: Env,
  statements: () => D1PreparedStatement[],
  entries: AuditEntry[],
  guard?: GuardedWrite,
): Promise<D1Result[]> {
  const auditStmts = entries.map((e) => auditStatement(env, e, guard));
  if (guard) return (await env.DB.batch([...auditStmts, ...statements()])).slice(auditStmts.length);
  const stmts = statements();
  return (await env.DB.batch([...stmts, ...auditStmts])).slice(0, stmts.length);
}

/** Append audit entries on their own (logins, reveals, exports). */
export async function audit(env: Env, ...entries: AuditEntry[]): Promise<D1Result[]> {
  if (entries.length === 1) {
    await auditStatement(env, entries[0]!).run();
    return [];
  }
  return writeWithAudit(env, () => [], entries);
}

/** Failure counts at which an aggregated entry is written: 1, 10, 100, … per key and window. */
const AGGREGATE_STEPS = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/**
 * Count an unauthenticated failure (an unknown login, a sign-in on a locked account) under `key` in a fixed
 * window, and append an entry only when the count reaches 1, 10, 100, … in that window, saying how many —
 * so a flood of N failures adds at most log10(N) + 1 rows per key and window, never one row each.
 * One round trip: the counter and the conditional insert run in one batch.
 */
export async function auditAggregated(env: Env, key: string, windowMs: number, entry: AuditEntry): Promise<void> {
  const now = entry.at ?? Date.now();
  const k = `audit-agg:${key}`;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO rate_limits (key, window_start, count) VALUES (?1, ?2, 1)
       ON CONFLICT(key) DO UPDATE SET
         count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
         window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END`,
    ).bind(k, now, windowMs),
    env.DB.prepare(
      `${INSERT_COLUMNS} SELECT ?1, ?2, ?3, ?4,
         json_set(COALESCE(?5, '{}'), '$.failures', r.count, '$.windowStart', r.window_start, '$.windowMinutes', ?6)
       FROM rate_limits r WHERE r.key = ?7 AND r.count IN (${AGGREGATE_STEPS.join(',')})`,
    ).bind(
      now,
      entry.actor,
      entry.action,
      entry.tipId ?? null,
      entry.detail ? JSON.stringify(entry.detail) : null,
      windowMs / 60_000,
      k,
    ),
  ]);
}

const keyCache = new Map<string, ReturnType<typeof auditKeyRing>>();

/** The audit keys from the Worker's secrets (imported once per isolate). */
export function auditKeys(env: Env) {
  const id = `${env.AUDIT_HMAC_KEY ?? ''}\u0000${env.AUDIT_HMAC_OLD_KEYS ?? ''}`;
  let ring = keyCache.get(id);
  if (!ring) {
    ring = auditKeyRing(env.AUDIT_HMAC_KEY, env.AUDIT_HMAC_OLD_KEYS);
    keyCache.set(id, ring);
  }
  return ring;
}

/** Rows sealed per statement (4 bound values each; D1 takes at most 100 per statement). */
const SEALS_PER_STATEMENT = 25;
/** Rows read per page, and at most this many pages per run (20,000 rows a minute at one run a minute). */
const SEAL_PAGE = 500;
const SEAL_PAGES = 40;

export interface SealResult {
  sealed: number;
  head: number;
  anchor: string | null;
}

/**
 * The sealer: chain every row after the sealed head into `audit_seals` under the current key, in seq order,
 * and write the new head to R2 as an anchor. Refuses to run without AUDIT_HMAC_KEY. Safe to run twice at once
 * (the second batch to commit hits the seals' primary key and writes nothing).
 */
export async function sealAudit(env: Env, now = Date.now()): Promise<SealResult> {
  const { current } = await auditKeys(env);
  if (!current) throw new ApiError('UNAVAILABLE', { message: '未配置审计密钥 (AUDIT_HMAC_KEY)，审计日志无法封存。' });
  const head = await env.DB.prepare('SELECT seq, mac FROM audit_seals ORDER BY seq DESC LIMIT 1').first<{
    seq: number;
    mac: string;
  }>();
  let seq = head?.seq ?? 0;
  let mac = head?.mac ?? GENESIS;
  let sealed = 0;
  try {
    for (let page = 0; page < SEAL_PAGES; page++) {
      const { results } = await env.DB.prepare(
        'SELECT seq, at, actor, action, tip_id, detail FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?',
      )
        .bind(seq, SEAL_PAGE)
        .all<AuditRowContent>();
      if (!results.length) break;
      const seals: [number, string][] = [];
      let m = mac;
      for (const r of results) {
        m = await auditMac(current, m, r);
        seals.push([r.seq, m]);
      }
      const stmts: D1PreparedStatement[] = [];
      for (let i = 0; i < seals.length; i += SEALS_PER_STATEMENT) {
        const part = seals.slice(i, i + SEALS_PER_STATEMENT);
        stmts.push(
          env.DB.prepare(
            `INSERT INTO audit_seals (seq, mac, key_id, sealed_at) VALUES ${part.map(() => '(?,?,?,?)').join(',')}`,
          ).bind(...part.flatMap(([s, x]) => [s, x, current.id, now])),
        );
      }
      await env.DB.batch(stmts);
      seq = seals.at(-1)![0];
      mac = m;
      sealed += seals.length;
      if (results.length < SEAL_PAGE) break;
    }
  } finally {
    // Anchor what this run sealed, even if a later page failed (e.g. another sealer took over).
    if (sealed) {
      await env.FILES.put(anchorKey(seq), JSON.stringify({ seq, mac, keyId: current.id, at: now, rows: sealed }), {
        httpMetadata: { contentType: 'application/json' },
      });
    }
  }
  return { sealed, head: seq, anchor: sealed ? anchorKey(seq) : null };
}

/** How many of the newest anchors a request checks (the command line checks them all). */
export const ANCHORS_PER_CHECK = 500;

/** Check the whole chain: rows, links, keys, guard triggers, and the newest anchors in R2. */
export async function verifyAudit(env: Env, opts: { anchorLimit?: number } = {}): Promise<AuditReport> {
  const { all } = await auditKeys(env);
  const anchors = await readAnchors(env.FILES, opts.anchorLimit ?? ANCHORS_PER_CHECK);
  return verifyAuditDb(env.DB, all, anchors);
}

/** Why the audit log cannot be sealed here, or null: the key is missing or too short. */
export async function auditKeyProblem(env: Env): Promise<string | null> {
  return (await auditKeys(env)).current ? null : 'AUDIT_HMAC_KEY is not set (or shorter than 32 characters)';
}
