/**
 * Server-side Turnstile verification (Cloudflare's service, not the npm package of that name).
 *
 * Production always calls the real siteverify and fails closed: no secret, a timeout, a non-JSON answer, an
 * unexpected hostname or action → refused. Cloudflare's test secrets and sitekeys are refused outright on
 * that path, whatever the host (a test secret passes anyone holding the public dummy token): a deployment
 * configured with one accepts no submission until it has its own keys. Offline (local start and tests), `TURNSTILE_LOCAL_STANDIN=1` in
 * `.dev.vars` lets a stand-in answer exactly as Cloudflare documents for its test keys — but only for a
 * documented test secret *and* a request to a loopback host, so it can never be active in a deployment.
 */
import type { Env } from '../env';
import { ApiError } from './errors';

export const SITEVERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';

/** Cloudflare's documented test keys (https://developers.cloudflare.com/turnstile/troubleshooting/testing/). */
export const TEST_KEYS = {
  sitekeyPass: '1x00000000000000000000AA',
  sitekeyBlock: '2x00000000000000000000AB',
  secretPass: '1x0000000000000000000000000000000AA',
  secretFail: '2x0000000000000000000000000000000AA',
  secretSpent: '3x0000000000000000000000000000000AA',
  dummyToken: 'XXXX.DUMMY.TOKEN.XXXX',
} as const;

export interface SiteverifyResult {
  success: boolean;
  'error-codes'?: string[];
  hostname?: string;
  action?: string;
}

const TEST_SECRETS: readonly string[] = [TEST_KEYS.secretPass, TEST_KEYS.secretFail, TEST_KEYS.secretSpent];
/** Cloudflare's test sitekeys: 1x/2x/3x, twenty zeros, two letters (pass, block, challenge; visible or invisible). */
const TEST_SITEKEY = /^[123]x0{20}[A-F]{2}$/;
/** Test secrets likewise (always pass, always fail, already spent). */
const TEST_SECRET = /^[123]x0{31}[A-F]{2}$/;

/**
 * Why the production path cannot use these keys, or null when it can: a missing or test sitekey or secret.
 * Checked on every verification and by GET /api/config (which then offers no widget).
 */
export function productionKeyProblem(env: Env): string | null {
  const sitekey = env.TURNSTILE_SITEKEY?.trim() ?? '';
  const secret = env.TURNSTILE_SECRET?.trim() ?? '';
  if (!sitekey) return 'TURNSTILE_SITEKEY is not set';
  if (TEST_SITEKEY.test(sitekey)) return 'TURNSTILE_SITEKEY is a Cloudflare test sitekey';
  if (!secret) return 'TURNSTILE_SECRET is not set';
  if (TEST_SECRET.test(secret) || TEST_SECRETS.includes(secret)) return 'TURNSTILE_SECRET is a Cloudflare test secret';
  return null;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** True only when the offline stand-in may answer this request (see module comment). */
export function standinAllowed(env: Env, requestUrl: string): boolean {
  if (env.TURNSTILE_LOCAL_STANDIN !== '1') return false;
  const secret = env.TURNSTILE_SECRET ?? '';
  if (!TEST_SECRETS.includes(secret)) return false;
  return LOOPBACK.test(new URL(requestUrl).hostname);
}

/** What siteverify answers for Cloudflare's test secrets: only the dummy token is ever valid. */
export function standinSiteverify(secret: string, token: string, hostname: string): SiteverifyResult {
  if (secret === TEST_KEYS.secretFail) return { success: false, 'error-codes': ['invalid-input-response'] };
  if (secret === TEST_KEYS.secretSpent) return { success: false, 'error-codes': ['timeout-or-duplicate'] };
  if (token !== TEST_KEYS.dummyToken) return { success: false, 'error-codes': ['invalid-input-response'] };
  return { success: true, hostname, action: undefined };
}

export interface VerifyOptions {
  token: string | undefined | null;
  requestUrl: string;
  remoteIp?: string | null;
  /** If set, the answer's `action` must match (the widget's data-action). */
  action?: string;
  /** Injected for tests of the production path; defaults to the global fetch. */
  fetcher?: typeof fetch;
}

/**
 * Verify a Turnstile token before anything is written. Throws `TURNSTILE_MISSING` / `TURNSTILE_FAILED`.
 * @example await verifyTurnstile(c.env, { token: body.turnstileToken, requestUrl: c.req.url })
 */
export async function verifyTurnstile(env: Env, opts: VerifyOptions): Promise<void> {
  const token = opts.token?.trim();
  if (!token) throw new ApiError('TURNSTILE_MISSING');
  if (token.length > 2048) throw new ApiError('TURNSTILE_FAILED');
  const host = new URL(opts.requestUrl).hostname;

  let result: SiteverifyResult;
  if (standinAllowed(env, opts.requestUrl)) {
    result = standinSiteverify(env.TURNSTILE_SECRET!, token, host);
  } else {
    const problem = productionKeyProblem(env);
    if (problem) {
      // Fail closed: a deployment without its own keys (or with Cloudflare's test keys) accepts nothing.
      console.error(JSON.stringify({ at: 'turnstile', error: problem }));
      throw new ApiError('TURNSTILE_FAILED');
    }
    const secret = env.TURNSTILE_SECRET!;
    const form = new FormData();
    form.set('secret', secret);
    form.set('response', token);
    if (opts.remoteIp) form.set('remoteip', opts.remoteIp);
    try {
      const res = await (opts.fetcher ?? fetch)(SITEVERIFY_URL, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(5000),
      });
      result = (await res.json()) as SiteverifyResult;
      if (typeof result !== 'object' || result === null || typeof result.success !== 'boolean') {
        throw new Error('malformed siteverify answer');
      }
    } catch {
      throw new ApiError('TURNSTILE_FAILED');
    }
    const allowed = (env.TURNSTILE_HOSTNAMES ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const expectedHosts = allowed.length ? allowed : [host];
    if (result.success && (!result.hostname || !expectedHosts.includes(result.hostname))) result.success = false;
    if (result.success && opts.action && result.action !== opts.action) result.success = false;
  }
  if (!result.success) {
    const spent = result['error-codes']?.includes('timeout-or-duplicate');
    throw new ApiError('TURNSTILE_FAILED', spent ? { message: '人机验证已失效，请重新验证后提交。' } : {});
  }
}
