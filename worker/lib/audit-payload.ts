/**
 * The canonical text an audit row's hash covers. No imports, so Node scripts (backup checks, the chain
 * verifier) can load this very file and hash exactly what the Worker hashes.
 */
export const GENESIS = '0'.repeat(64);

export interface AuditRowContent {
  seq: number;
  at: number;
  actor: string;
  action: string;
  tip_id: string | null;
  detail: string | null;
  prev_hash: string;
}

export function auditPayload(r: AuditRowContent): string {
  return JSON.stringify([r.seq, r.at, r.actor, r.action, r.tip_id, r.detail, r.prev_hash]);
}
