/**
 * Staff sign-in: passwords (PBKDF2), server-side sessions keyed by a hash of the cookie
 * token, idle and absolute timeouts, lock-out after repeated failures, and a TOTP second factor (RFC 6238)
 * required for the roles that hold identity, account or money capabilities (`TOTP_ROLES`). Every login, failed login and lock-out is audited.
 */
import type { Row } from '../db/rows';
import type { staff } from '../db/schema';
import { generateHOTP, createTOTPKeyURI } from '@oslojs/otp';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import type { Env } from '../env';
import { TOTP_ROLES } from '../domain/access';
import { audit, auditAggregated } from '../lib/audit';
import { seal, sha256Hex, timingSafeEqual, toBase64, unseal, type Sealed } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { DUMMY_HASH, verifyPassword } from '../lib/password';
import type { StaffActor } from './transitions';

export const SESSION = {
  cookie: 'aq_session',
  /** Signed out after this long without a request. */
  idleMs: 30 * 60_000,
  /** Signed out this long after signing in, whatever happens. */
  absoluteMs: 12 * 3_600_000,
};
/**
 * Lock-out. Passwords: `maxFailures` wrong passwords lock the account for `lockMs` (the count restarts after a lock,
 * and a correct password resets it). TOTP codes: counted apart (`staff.totp_failures`), reset only by a correct code,
 * never by a password, so a known password does not give endless code guesses across logins; from `maxFailures`
 * on, every wrong code locks the account again, each time twice as long (up to `maxLockMs`). A half-signed-in
 * session ends after `totpPerSession` wrong codes.
 */
export const LOCKOUT = { maxFailures: 5, lockMs: 15 * 60_000, maxLockMs: 16 * 15 * 60_000, totpPerSession: 3 };
/** Roles whose accounts must use a second factor: derived from the capabilities (worker/domain/access.ts). */
export { TOTP_ROLES };
const TOTP_STEP_S = 30;

export interface StaffSession extends StaffActor {
  username: string;
  displayName: string;
  csrfToken: string;
  tokenHash: string;
  secondFactorDone: boolean;
}

/** The staff columns this service reads, typed from the schema. */
type StaffRow = Pick<
  Row<typeof staff>,
  | 'id'
  | 'username'
  | 'display_name'
  | 'password_hash'
  | 'roles'
  | 'department_id'
  | 'totp_secret'
  | 'totp_last_step'
  | 'active'
  | 'failed_logins'
  | 'totp_failures'
  | 'locked_until'
>;

const needsTotp = (roles: string[]) => roles.some((r) => (TOTP_ROLES as readonly string[]).includes(r));

function randomToken(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(32)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function newSession(env: Env, staffId: string, secondFactorDone: boolean, now: number) {
  const token = randomToken();
  const csrfToken = randomToken();
  await env.DB.prepare(
    'INSERT INTO sessions (token_hash, staff_id, csrf_token, second_factor_done, created_at, last_seen_at) VALUES (?,?,?,?,?,?)',
  )
    .bind(await sha256Hex(token), staffId, csrfToken, secondFactorDone ? 1 : 0, now, now)
    .run();
  return { token, csrfToken };
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  needsTotp: boolean;
  /** Only until the account's first successful TOTP code: the key to add to an authenticator app. */
  enrollment?: { secret: string; uri: string };
}

/** A wrong password: counted and, at the limit, locked in one atomic UPDATE (no read-then-write race). */
async function recordPasswordFailure(env: Env, id: string, now: number) {
  const lockUntil = now + LOCKOUT.lockMs;
  const r = await env.DB.prepare(
    `UPDATE staff SET failed_logins = CASE WHEN failed_logins + 1 >= ?1 THEN 0 ELSE failed_logins + 1 END,
                      locked_until = CASE WHEN failed_logins + 1 >= ?1 THEN ?2 ELSE locked_until END
      WHERE id = ?3 RETURNING failed_logins, locked_until`,
  )
    .bind(LOCKOUT.maxFailures, lockUntil, id)
    .first<{ failed_logins: number; locked_until: number | null }>();
  const lock = r?.locked_until === lockUntil;
  await audit(env, {
    actor: id,
    action: lock ? 'staff.locked' : 'staff.login_failed',
    at: now,
    detail: { reason: 'password', failures: lock ? LOCKOUT.maxFailures : (r?.failed_logins ?? 0) },
  });
}

/**
 * A wrong TOTP code: the account's own TOTP counter (never reset by a password) and this session's counter go up
 * atomically; from `maxFailures` on the account locks, longer each time; after `totpPerSession` the session ends.
 */
async function recordTotpFailure(env: Env, id: string, tokenHash: string, now: number): Promise<never> {
  const [acct, sess] = await env.DB.batch<{ totp_failures: number; locked_until: number | null }>([
    env.DB.prepare(
      `UPDATE staff SET totp_failures = totp_failures + 1,
                        locked_until = CASE WHEN totp_failures + 1 >= ?1
                                            THEN ?2 + min(?3 * (1 << min(totp_failures + 1 - ?1, 10)), ?4)
                                            ELSE locked_until END
        WHERE id = ?5 RETURNING totp_failures, locked_until`,
    ).bind(LOCKOUT.maxFailures, now, LOCKOUT.lockMs, LOCKOUT.maxLockMs, id),
    env.DB.prepare(
      'UPDATE sessions SET totp_failures = totp_failures + 1 WHERE token_hash = ? RETURNING totp_failures, NULL AS locked_until',
    ).bind(tokenHash),
  ]);
  const failures = acct?.results[0]?.totp_failures ?? 0;
  const lock = failures >= LOCKOUT.maxFailures;
  const sessionOver = lock || (sess?.results[0]?.totp_failures ?? LOCKOUT.totpPerSession) >= LOCKOUT.totpPerSession;
  if (sessionOver) await env.DB.prepare('DELETE FROM sessions WHERE token_hash = ?').bind(tokenHash).run();
  await audit(env, {
    actor: id,
    action: lock ? 'staff.locked' : 'staff.login_failed',
    at: now,
    detail: { reason: 'totp', failures },
  });
  if (lock)
    throw new ApiError('LOCKED', { retryAfter: Math.ceil(((acct?.results[0]?.locked_until ?? now) - now) / 1000) });
  if (sessionOver)
    throw new ApiError('TOTP_INVALID', { message: '动态验证码多次不正确，本次登录已结束，请重新输入用户名和密码。' });
  throw new ApiError('TOTP_INVALID');
}

/**
 * Step 1: username and password. An unknown (or disabled) account, a locked one and a wrong password answer alike
 * (LOGIN_FAILED, whose message mentions the lock), and the first two do the same work: one password hash check
 * (against a dummy hash for an unknown user) and one aggregated audit count. So the answer tells nobody which accounts exist
 * or are locked.
 */
export async function login(env: Env, username: string, password: string, now = Date.now()): Promise<LoginResult> {
  const row = await env.DB.prepare('SELECT * FROM staff WHERE username = ?').bind(username).first<StaffRow>();
  const known = row != null && row.active === 1;
  const locked = known && row.locked_until != null && row.locked_until > now;
  const passwordOk = await verifyPassword(password, known ? row.password_hash : DUMMY_HASH);
  if (!known || locked) {
    // Unauthenticated failures aggregate: a row at the 1st, 10th, 100th… failure per window (an hour for unknown
    // names, the lock for a locked account), never one each — the same work (one batch) in both cases.
    await auditAggregated(
      env,
      known ? `login-locked:${row.id}` : 'login-unknown',
      known ? LOCKOUT.lockMs : 60 * 60_000,
      {
        actor: known ? row.id : 'public',
        action: 'staff.login_failed',
        at: now,
        detail: { reason: known ? 'locked' : 'unknown_user' },
      },
    );
    throw new ApiError('LOGIN_FAILED');
  }
  if (!passwordOk) {
    await recordPasswordFailure(env, row.id, now);
    throw new ApiError('LOGIN_FAILED');
  }
  await env.DB.prepare('UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?').bind(row.id).run();
  const roles = JSON.parse(row.roles) as string[];
  const totp = needsTotp(roles) || row.totp_secret != null;
  let enrollment: LoginResult['enrollment'];
  if (totp && row.totp_last_step == null) {
    // Not yet enrolled: issue a key (or show the unconfirmed one again) until a first code proves it works.
    let key: Uint8Array;
    if (row.totp_secret) key = await totpKey(env, row);
    else {
      key = crypto.getRandomValues(new Uint8Array(20));
      const sealed = await seal(env, encodeBase32UpperCaseNoPadding(key), `totp:${row.id}`);
      await env.DB.prepare('UPDATE staff SET totp_secret = ? WHERE id = ?').bind(JSON.stringify(sealed), row.id).run();
      await audit(env, { actor: row.id, action: 'staff.totp_key_issued', at: now });
    }
    enrollment = {
      secret: encodeBase32UpperCaseNoPadding(key),
      uri: createTOTPKeyURI('Anquan', row.username, key, TOTP_STEP_S, 6),
    };
  }
  const s = await newSession(env, row.id, !totp, now);
  await audit(env, { actor: row.id, action: totp ? 'staff.password_ok' : 'staff.login', at: now });
  return { ...s, needsTotp: totp, enrollment };
}

async function totpKey(env: Env, row: Pick<StaffRow, 'id' | 'totp_secret'>): Promise<Uint8Array> {
  const secret = await unseal<string>(env, JSON.parse(row.totp_secret!) as Sealed, `totp:${row.id}`);
  return decodeBase32IgnorePadding(secret);
}

/**
 * Step 2: the TOTP code. Accepts the current step and one either side (clock drift), never a step at or before
 * the last one used (no replay). Success replaces the session token (no session fixation).
 */
export async function verifySecondFactor(
  env: Env,
  session: StaffSession,
  code: string,
  now = Date.now(),
): Promise<{ token: string; csrfToken: string }> {
  const row = await env.DB.prepare('SELECT * FROM staff WHERE id = ?').bind(session.id).first<StaffRow>();
  if (!row?.totp_secret) throw new ApiError('TOTP_INVALID');
  if (row.locked_until && row.locked_until > now) {
    await env.DB.prepare('DELETE FROM sessions WHERE token_hash = ?').bind(session.tokenHash).run();
    throw new ApiError('LOCKED', { retryAfter: Math.ceil((row.locked_until - now) / 1000) });
  }
  const key = await totpKey(env, row);
  const current = Math.floor(now / 1000 / TOTP_STEP_S);
  let matched: number | null = null;
  for (const step of [current - 1, current, current + 1]) {
    if (row.totp_last_step != null && step <= row.totp_last_step) continue;
    if (timingSafeEqual(generateHOTP(key, BigInt(step), 6), code.trim())) matched = step;
  }
  if (matched == null) return recordTotpFailure(env, row.id, session.tokenHash, now);
  // The step guard makes two concurrent uses of one code impossible: only one UPDATE can match.
  const used = await env.DB.prepare(
    'UPDATE staff SET totp_last_step = ?, failed_logins = 0, totp_failures = 0 WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)',
  )
    .bind(matched, row.id, matched)
    .run();
  if (!used.meta.changes) throw new ApiError('TOTP_INVALID');
  await env.DB.prepare('DELETE FROM sessions WHERE token_hash = ?').bind(session.tokenHash).run();
  const s = await newSession(env, row.id, true, now);
  // The first accepted code confirms the enrolment of the key issued at sign-in.
  if (row.totp_last_step == null) await audit(env, { actor: row.id, action: 'staff.totp_enrolled', at: now });
  await audit(env, { actor: row.id, action: 'staff.login', at: now, detail: { secondFactor: 'totp' } });
  return s;
}

/** The session behind a cookie token, or null when missing, expired (and then deleted) or for an inactive account. */
export async function sessionFor(env: Env, token: string | undefined, now = Date.now()): Promise<StaffSession | null> {
  if (!token || token.length > 100) return null;
  const tokenHash = await sha256Hex(token);
  const row = await env.DB.prepare(
    `SELECT s.token_hash, s.csrf_token, s.second_factor_done, s.created_at, s.last_seen_at,
            st.id, st.username, st.display_name, st.roles, st.department_id, st.active
       FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = ?`,
  )
    .bind(tokenHash)
    .first<{
      token_hash: string;
      csrf_token: string;
      second_factor_done: number;
      created_at: number;
      last_seen_at: number;
      id: string;
      username: string;
      display_name: string;
      roles: string;
      department_id: string | null;
      active: number;
    }>();
  if (!row) return null;
  if (!row.active || now - row.last_seen_at > SESSION.idleMs || now - row.created_at > SESSION.absoluteMs) {
    await env.DB.prepare('DELETE FROM sessions WHERE token_hash = ?').bind(tokenHash).run();
    return null;
  }
  if (now - row.last_seen_at > 60_000) {
    await env.DB.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?').bind(now, tokenHash).run();
  }
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: JSON.parse(row.roles) as string[],
    departmentId: row.department_id,
    csrfToken: row.csrf_token,
    tokenHash,
    secondFactorDone: row.second_factor_done === 1,
  };
}

export async function logout(env: Env, session: StaffSession): Promise<void> {
  await env.DB.prepare('DELETE FROM sessions WHERE token_hash = ?').bind(session.tokenHash).run();
  await audit(env, { actor: session.id, action: 'staff.logout' });
}
