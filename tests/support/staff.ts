/**
 * Staff builders for Worker tests: accounts written straight into D1 (with a real PBKDF2 hash and, for TOTP
 * roles, a sealed TOTP key), sessions either through the real login API or minted directly for tests that
 * are about something else (permissions, workflow), and a small client that sends the cookie and CSRF token.
 */
import { env, SELF } from 'cloudflare:test';
import { generateHOTP } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { TOTP_ROLES } from '../../worker/domain/access';
import { seal, sha256Hex } from '../../worker/lib/crypto';
import { hashPassword } from '../../worker/lib/password';
import type { StaffActor } from '../../worker/services/transitions';

export const PASSWORD = 'Correct-Horse-9-Battery';
let hashed: Promise<string> | null = null;

export interface TestStaff extends StaffActor {
  username: string;
  password: string;
  totpKey: Uint8Array | null;
}

/** A staff account. TOTP roles get an enrolled key (pass `enrolled: false` to test enrolment). */
export async function makeStaff(
  roles: string[],
  opts: { departmentId?: string | null; enrolled?: boolean; username?: string } = {},
): Promise<TestStaff> {
  const id = crypto.randomUUID();
  const username = opts.username ?? `u${id.slice(0, 8)}`;
  const needsTotp = roles.some((r) => (TOTP_ROLES as readonly string[]).includes(r));
  const totpKey = needsTotp && opts.enrolled !== false ? crypto.getRandomValues(new Uint8Array(20)) : null;
  const sealed = totpKey
    ? JSON.stringify(await seal(env, encodeBase32UpperCaseNoPadding(totpKey), `totp:${id}`))
    : null;
  hashed ??= hashPassword(PASSWORD);
  const departmentId = opts.departmentId === undefined ? (roles.includes('handler') ? 'yjj' : null) : opts.departmentId;
  await env.DB.prepare(
    `INSERT INTO staff (id, username, display_name, password_hash, roles, department_id, totp_secret, totp_last_step, active, created_at)
     VALUES (?,?,?,?,?,?,?,?,1,?)`,
  )
    .bind(
      id,
      username,
      `测试${roles.join('+')}`,
      await hashed,
      JSON.stringify(roles),
      departmentId,
      sealed,
      totpKey ? 0 : null,
      Date.now(),
    )
    .run();
  return { id, username, password: PASSWORD, roles, departmentId, totpKey };
}

/** The TOTP code for a key at a moment (default: now). */
export function totpCode(key: Uint8Array, at = Date.now()): string {
  return generateHOTP(key, BigInt(Math.floor(at / 30_000)), 6);
}

export interface StaffClient {
  token: string;
  csrf: string;
  fetch(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  get(path: string): Promise<Response>;
  post(path: string, json?: unknown): Promise<Response>;
}

export function clientFor(token: string, csrf: string): StaffClient {
  const fetchIt = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', `__Host-aq_session=${token}`);
    if (init.method && init.method !== 'GET') headers.set('x-csrf-token', csrf);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    return SELF.fetch(`http://localhost${path}`, {
      ...init,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
  };
  return {
    token,
    csrf,
    fetch: fetchIt,
    get: (path) => fetchIt(path),
    post: (path, json) => fetchIt(path, { method: 'POST', json: json ?? {} }),
  };
}

/** A signed-in session minted directly in D1 (for tests not about signing in). */
export async function sessionOf(s: TestStaff): Promise<StaffClient> {
  const token = crypto.randomUUID() + crypto.randomUUID();
  const csrf = crypto.randomUUID();
  await env.DB.prepare(
    'INSERT INTO sessions (token_hash, staff_id, csrf_token, second_factor_done, created_at, last_seen_at) VALUES (?,?,?,1,?,?)',
  )
    .bind(await sha256Hex(token), s.id, csrf, Date.now(), Date.now())
    .run();
  return clientFor(token, csrf);
}

/** Make an account and sign it in. */
export async function signedIn(roles: string[], opts: { departmentId?: string | null } = {}) {
  const s = await makeStaff(roles, opts);
  return { staff: s, client: await sessionOf(s) };
}

/** Sign in through the real API; returns the cookie token from Set-Cookie and the JSON answer. */
export async function apiLogin(username: string, password: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch('http://localhost/api/staff/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': '2001:db8::1', ...headers },
    body: JSON.stringify({ username, password }),
  });
  const cookie = res.headers.get('set-cookie') ?? '';
  const token = /__Host-aq_session=([^;]+)/.exec(cookie)?.[1] ?? '';
  return { res, token, cookie, body: (await res.json()) as Record<string, unknown> };
}
