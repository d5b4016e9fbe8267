/**
 * Staff API calls from browser tests' Node side (to set a scene quickly): sign in as a demo account over HTTP,
 * then call /api/staff with the session cookie and CSRF token, like the console does.
 */
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
// @ts-expect-error — plain ESM module shared with `npm start`
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../scripts/demo-staff.mjs';

export interface StaffHttp {
  call<T = unknown>(path: string, json?: unknown, method?: string): Promise<T>;
}

/**
 * Each sign-in comes from a client address of its own (a documentation-range IPv6 address). Sign-ins are limited
 * per client (30 in 10 minutes, worker/routes/staff/auth.ts); the browser tests sign in far more often than that
 * from this one machine, and would otherwise start failing one another depending on their order.
 */
export const staffClient = () =>
  `2001:db8:5::${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;

export const demoTotp = (offset = 0) =>
  generateHOTP(decodeBase32IgnorePadding(DEMO_TOTP_SECRET), BigInt(Math.floor(Date.now() / 30_000) + offset), 6);

export async function staffHttp(base: string, username: string): Promise<StaffHttp> {
  const client = staffClient();
  const login = await fetch(`${base}/api/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': client },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
  let cookie = /__Host-aq_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
  let { csrfToken, needsTotp } = (await login.json()) as { csrfToken: string; needsTotp: boolean };
  if (needsTotp) {
    // The demo key is shared by the demo TOTP accounts; each account refuses a step it has used, so try the next.
    for (const offset of [0, 1]) {
      const r = await fetch(`${base}/api/staff/login/totp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken, 'cf-connecting-ip': client },
        body: JSON.stringify({ code: demoTotp(offset) }),
      });
      if (r.ok) {
        cookie = /__Host-aq_session=[^;]+/.exec(r.headers.get('set-cookie') ?? '')![0];
        csrfToken = ((await r.json()) as { csrfToken: string }).csrfToken;
        break;
      }
      if (offset === 1) throw new Error(`totp ${username}: ${r.status} ${await r.text()}`);
    }
  }
  return {
    async call<T>(path: string, json?: unknown, method?: string): Promise<T> {
      const m = method ?? (json === undefined ? 'GET' : 'POST');
      const res = await fetch(`${base}${path}`, {
        method: m,
        headers: {
          cookie,
          'x-csrf-token': csrfToken,
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: json !== undefined ? JSON.stringify(json) : undefined,
      });
      if (!res.ok) throw new Error(`${m} ${path}: ${res.status} ${await res.text()}`);
      return (res.status === 204 ? undefined : await res.json()) as T;
    },
  };
}

/**
 * Accept a fresh tip (受理员 shouli) and 交办 it to 应急管理局; returns its id, the new version and the 承办员 (yjj)
 * who handles it next.
 */
export async function acceptAndAssign(base: string, trackingNo: string) {
  const dispatcher = await staffHttp(base, 'shouli');
  const handler = await staffHttp(base, 'yjj');
  const { rows } = await dispatcher.call<{ rows: { id: string; version: number }[] }>(
    `/api/staff/tips?view=all&q=${encodeURIComponent(trackingNo)}`,
  );
  const id = rows[0]!.id;
  let v = rows[0]!.version;
  v = (await dispatcher.call<{ version: number }>(`/api/staff/tips/${id}/actions/accept`, { version: v, input: {} }))
    .version;
  v = (
    await dispatcher.call<{ version: number }>(`/api/staff/tips/${id}/actions/assign`, {
      version: v,
      input: { departmentId: 'yjj' },
    })
  ).version;
  return { id, version: v, handler };
}

/** Drive a fresh tip to 属实 with a fine through the staff API; returns its id. */
export async function concludeTrue(base: string, trackingNo: string, penaltyFen: number): Promise<string> {
  const { id, version: v, handler } = await acceptAndAssign(base, trackingNo);
  await handler.call(`/api/staff/tips/${id}/actions/conclude`, {
    version: v,
    input: {
      conclusion: 'true',
      verifiedType: 'major_hazard',
      decision: '责令停业整顿并处罚款',
      penaltyFen,
      hazardLevel: 'major',
      riskColour: 'red',
      rectificationRequired: false,
    },
  });
  return id;
}

import type { Page } from 'playwright-core';

/** Any console page but the login: where a sign-in lands (the queue, or 举报奖励 for reward staff). */
const signedInPage = (u: URL) => u.pathname.startsWith('/staff/') && !u.pathname.startsWith('/staff/login/');

/** Sign a demo account in through the console's login page (with the TOTP step when the role needs it). */
export async function signInPage(page: Page, base: string, username: string, totp = false) {
  await page.setExtraHTTPHeaders({ 'cf-connecting-ip': staffClient() });
  await page.goto(`${base}/staff/login/`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#login-form button[type=submit]');
  if (totp) {
    await page.waitForSelector('#totp-form:not([hidden])');
    // Another test may have used this step's code for the same demo account (codes are single-use): then the
    // next step's code, which the server also accepts, signs in.
    for (const offset of [0, 1]) {
      await page.fill('#totp', demoTotp(offset));
      await page.click('#totp-form button[type=submit]');
      const ok = await page.waitForURL(signedInPage, { timeout: 5000 }).then(
        () => true,
        () => false,
      );
      if (ok) return;
    }
    throw new Error(`TOTP sign-in failed for ${username}`);
  }
  await page.waitForURL(signedInPage);
}
