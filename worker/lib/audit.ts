/**
 * The append-only, hash-chained audit log: every staff action and every identity reveal.
 *
 * Each row's hash is SHA-256 over its content and the previous row's hash. Rows are inserted with an explicit
 * `seq = last + 1` in the same `db.batch` as the change they record, so the change and its audit row commit
 * together; if another writer took that seq first, the whole batch rolls back and is retried on the new head.
 * Triggers (migrations/0001_audit_guard.sql) make the database refuse UPDATE and DELETE on the table.
 */
import type { Env } from '../env';
import { sha256Hex } from './crypto';

import { auditPayload, GENESIS, type AuditRowContent } from './audit-payload';

export { auditPayload, GENESIS };
/** How long a writer keeps retrying when others append at the same moment (then the request fails cleanly). */
const RETRY_BUDGET_MS = 20_000;

export interface AuditEntry {
  actor: string;
  action: string;
  tipId?: string | null;
  detail?: Record<string, unknown> | null;
  at?: number;
}

export interface AuditRow extends AuditRowContent {
  hash: string;
}

function isSeqConflict(e: unknown): boolean {
  const msg = String((e as Error)?.message ?? e);
  return /UNIQUE constraint failed: audit_log\.seq|PRIMARY KEY/i.test(msg) && /audit_log/.test(msg);
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

/**
 * Run `statements` and append `entries` to the audit log in one atomic batch, returning the results of
 * `statements` (in order). `statements` is a function so each retry can build fresh statements.
 * @example await writeWithAudit(env, () => [db.insert(tips).values(row)], [{ actor: 'reporter', action: 'tip.submitted', tipId }])
 */
export async function writeWithAudit(
  env: Env,
  statements: () => D1PreparedStatement[],
  entries: AuditEntry[],
  guard?: GuardedWrite,
): Promise<D1Result[]> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const head = await env.DB.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').first<{
      seq: number;
      hash: string;
    }>();
    let seq = head?.seq ?? 0;
    let prev = head?.hash ?? GENESIS;
    const auditStmts: D1PreparedStatement[] = [];
    for (const e of entries) {
      seq += 1;
      const row = {
        seq,
        at: e.at ?? Date.now(),
        actor: e.actor,
        action: e.action,
        tip_id: e.tipId ?? null,
        detail: e.detail ? JSON.stringify(e.detail) : null,
        prev_hash: prev,
      };
      const hash = await sha256Hex(auditPayload(row));
      auditStmts.push(
        guard
          ? env.DB.prepare(
              `INSERT INTO audit_log (seq, at, actor, action, tip_id, detail, prev_hash, hash) SELECT ?,?,?,?,?,?,?,? WHERE ${guard.sql}`,
            ).bind(row.seq, row.at, row.actor, row.action, row.tip_id, row.detail, row.prev_hash, hash, ...guard.params)
          : env.DB.prepare(
              'INSERT INTO audit_log (seq, at, actor, action, tip_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)',
            ).bind(row.seq, row.at, row.actor, row.action, row.tip_id, row.detail, row.prev_hash, hash),
      );
      prev = hash;
    }
    try {
      if (guard) return (await env.DB.batch([...auditStmts, ...statements()])).slice(auditStmts.length);
      const stmts = statements();
      return (await env.DB.batch([...stmts, ...auditStmts])).slice(0, stmts.length);
    } catch (e) {
      if (!isSeqConflict(e) || Date.now() - started > RETRY_BUDGET_MS) throw e;
      // Another writer took this seq: back off with full jitter (capped exponential) and append on the new head.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(500, 4 * 2 ** Math.min(attempt, 8))));
    }
  }
}

/** Append audit entries on their own (logins, reveals, guessing alerts). */
export function audit(env: Env, ...entries: AuditEntry[]): Promise<D1Result[]> {
  return writeWithAudit(env, () => [], entries);
}

export interface ChainCheck {
  ok: boolean;
  rows: number;
  /** First row whose hash or link does not match, if any. */
  firstBroken?: { seq: number; reason: 'hash' | 'link' | 'gap' };
}

/** Walk the whole chain in pages and name the first broken row. */
export async function verifyChain(env: Env, pageSize = 1000): Promise<ChainCheck> {
  let prev = GENESIS;
  let expectSeq = 1;
  let rows = 0;
  for (;;) {
    const { results } = await env.DB.prepare(
      'SELECT seq, at, actor, action, tip_id, detail, prev_hash, hash FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?',
    )
      .bind(expectSeq, pageSize)
      .all<AuditRow>();
    if (!results.length) return { ok: true, rows };
    for (const r of results) {
      rows++;
      if (r.seq !== expectSeq) return { ok: false, rows, firstBroken: { seq: expectSeq, reason: 'gap' } };
      if (r.prev_hash !== prev) return { ok: false, rows, firstBroken: { seq: r.seq, reason: 'link' } };
      const { hash, ...rest } = r;
      if ((await sha256Hex(auditPayload(rest))) !== hash)
        return { ok: false, rows, firstBroken: { seq: r.seq, reason: 'hash' } };
      prev = hash;
      expectSeq++;
    }
  }
}
