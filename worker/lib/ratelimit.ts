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
  const row = await env.DB.prepare(
    `INSERT INTO rate_limits (key, window_start, count) VALUES (?1, ?2, 1)
     ON CONFLICT(key) DO UPDATE SET
       count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
       window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END
     RETURNING count, window_start`,
  )
    .bind(key, now, w.windowMs)
    .first<{ count: number; window_start: number }>();
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
