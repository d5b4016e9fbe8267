/**
 * SQL for staff accounts written from Node (first admin, local demo accounts), hashing passwords with the
 * Worker's own code (worker/lib/password.ts) so both sides agree on the format.
 */
import { hashPassword } from '../../worker/lib/password.ts';

const q = (v) =>
  v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`;

/**
 * @param {{ id?: string, username: string, displayName: string, password: string, roles: string[], departmentId?: string | null, totpSecret?: string | null, totpLastStep?: number | null }} s
 * @returns {Promise<string>} one INSERT OR IGNORE statement (an existing username is left alone)
 */
export async function staffInsert(s) {
  const id = s.id ?? crypto.randomUUID();
  return `INSERT OR IGNORE INTO staff (id, username, display_name, password_hash, roles, department_id, totp_secret, totp_last_step, active, created_at)
    VALUES (${q(id)}, ${q(s.username)}, ${q(s.displayName)}, ${q(await hashPassword(s.password))}, ${q(JSON.stringify(s.roles))}, ${q(s.departmentId ?? null)}, ${q(s.totpSecret ?? null)}, ${q(s.totpLastStep ?? null)}, 1, ${Date.now()})`;
}
