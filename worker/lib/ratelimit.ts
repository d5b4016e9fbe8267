/**
 * Fixed-window rate limiting with lock-outs, kept in D1 so every isolate sees the same counts.
 * Client addresses are never stored: keys use an HMAC of the address.
 */
import type { Context } from 'hono';
import type { AppEnv, Env } from '../env';
import { appSecret, hmacHex } from './crypto';
import { ApiError } from './errors';

export interface Window {
  limit: number;
  windowMs: number;
}

/**
 * Count one hit on `key`; throws `RATE_LIMITED` (with Retry-After) once `limit` is passed within the window.
 * One statement, so concurrent requests cannot both slip under the limit.
 * @example await hit(env, `submit:${client}`, { limit: 10, windowMs: 3_600_000 })
 */
export async function hit(env: Env, key: string, w: Window, now = Date.now()): Promise<void> {
  rateLimitVerdict(await rateLimitStatement(env, key, w, now).first<HitRow>(), w, now);
}

export interface HitRow {
  count: number;
  window_start: number;
}

/** The statement `hit` runs (returning the new count), for callers that put it into their own batch. */
export function rateLimitStatement(env: Env, key: string, w: Window, now = Date.now()): D1PreparedStatement {
  return env.DB.prepare(
    `INSERT INTO rate_limits (key, window_start, count) VALUES (?1, ?2, 1)
     ON CONFLICT(key) DO UPDATE SET
       count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
       window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END
     RETURNING count, window_start`,
  ).bind(key, now, w.windowMs);
}

/** Throw `RATE_LIMITED` (with Retry-After) when the row `rateLimitStatement` returned is past the limit. */
export function rateLimitVerdict(row: HitRow | null | undefined, w: Window, now = Date.now()): void {
  if (row && row.count > w.limit) {
    const retryAfter = Math.max(1, Math.ceil((row.window_start + w.windowMs - now) / 1000));
    throw new ApiError('RATE_LIMITED', { retryAfter });
  }
}

/** A stable, non-reversible identifier for the calling client (HMAC of its address). */
export async function clientKey(c: Context<AppEnv>): Promise<string> {
  // Cloudflare sets CF-Connecting-IP and overwrites any value a client sends; nothing else is trusted.
  const ip = c.req.header('cf-connecting-ip') ?? 'local';
  return (await hmacHex(appSecret(c.env), 'client', ip)).slice(0, 24);
}

/**
 * The network a client address belongs to, for limits a client must not escape by changing address: an IPv4
 * address stands for itself; an IPv6 address for its /64 (one subscriber's network — a client can pick any
 * of its 2^64 addresses), written `a:b:c:d::/64`; an IPv4-mapped IPv6 address for its IPv4 address. Anything
 * that is not an address is returned as it came.
 * @example networkOf('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 */
export function networkOf(ip: string): string {
  const addr = ip.trim().toLowerCase().replace(/%.*$/, '');
  if (!addr.includes(':')) return addr;
  // Expand `::` (an embedded IPv4 tail counts as two groups) and keep the first four groups.
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(addr)?.[1];
  const parts = addr.split('::');
  if (parts.length > 2) return addr;
  const groups = (s: string | undefined) =>
    s ? s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [];
  const head = groups(parts[0]);
  const tail = groups(parts[1]);
  const full =
    parts.length === 2 ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail] : head;
  if (full.length !== 8 || !full.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return addr;
  if (dotted && full.slice(0, 5).every((g) => /^0+$/.test(g)) && full[5] === 'ffff') return dotted;
  return `${full
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Like `clientKey`, but for the client's network (`networkOf`: the IPv4 address, or the IPv6 /64), so limits
 * against guessing hold however many addresses of its network a client uses.
 */
export async function clientNetworkKey(c: Context<AppEnv>): Promise<string> {
  const ip = c.req.header('cf-connecting-ip') ?? 'local';
  return (await hmacHex(appSecret(c.env), 'client-net', networkOf(ip))).slice(0, 24);
}
