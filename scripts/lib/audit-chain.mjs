/**
 * Check the audit chain of a D1 database file from Node (a backup, a restored copy), with the Worker's own
 * checking code (worker/lib/audit-chain.ts). Anchors are not in the file: pass them (from R2) if you have them.
 */
import { DatabaseSync } from 'node:sqlite';
import { auditKeyRing, verifyAuditDb } from '../../worker/lib/audit-chain.ts';

/** A node:sqlite database as the small D1 surface the check needs. */
export function fileDb(db) {
  const all = (sql, params) => Promise.resolve({ results: db.prepare(sql).all(...params) });
  return { prepare: (sql) => ({ bind: (...p) => ({ all: () => all(sql, p) }), all: () => all(sql, []) }) };
}

/**
 * @param {string} file a D1 SQLite file
 * @param {{ key?: string, oldKeys?: string, anchors?: object[] | null }} opts
 */
export async function verifyChainFile(file, { key, oldKeys, anchors = null } = {}) {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const { all } = await auditKeyRing(key, oldKeys);
    return await verifyAuditDb(fileDb(db), all, anchors);
  } finally {
    db.close();
  }
}
