/**
 * Verify the audit hash chain of a D1 database file from Node, hashing exactly what the Worker hashes
 * (worker/lib/audit-payload.ts). Used by the backup check and `npm run audit:verify`-style scripts.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { auditPayload, GENESIS } from '../../worker/lib/audit-payload.ts';

/** @returns {{ ok: boolean, rows: number, firstBroken?: { seq: number, reason: string } }} */
export function verifyChainRows(rows) {
  let prev = GENESIS;
  let expect = 1;
  for (const r of rows) {
    if (r.seq !== expect) return { ok: false, rows: rows.length, firstBroken: { seq: expect, reason: 'gap' } };
    if (r.prev_hash !== prev) return { ok: false, rows: rows.length, firstBroken: { seq: r.seq, reason: 'link' } };
    const { hash, ...content } = r;
    if (createHash('sha256').update(auditPayload(content)).digest('hex') !== hash) {
      return { ok: false, rows: rows.length, firstBroken: { seq: r.seq, reason: 'hash' } };
    }
    prev = hash;
    expect++;
  }
  return { ok: true, rows: rows.length };
}

export function verifyChainFile(file) {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return verifyChainRows(db.prepare('SELECT seq, at, actor, action, tip_id, detail, prev_hash, hash FROM audit_log ORDER BY seq').all());
  } finally {
    db.close();
  }
}
