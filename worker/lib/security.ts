/**
 * Security headers for every response, pages and API alike (the Worker runs first for every request).
 * No inline script is allowed anywhere; the only third-party origin is Cloudflare's Turnstile.
 */
import type { MiddlewareHandler } from 'hono';

const TURNSTILE_ORIGIN = 'https://challenges.cloudflare.com';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' ${TURNSTILE_ORIGIN}`,
  `frame-src ${TURNSTILE_ORIGIN}`,
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(self), microphone=(self), geolocation=(self), payment=(), usb=(), interest-cohort=()',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** Adds SECURITY_HEADERS to every response (copying immutable asset responses when needed). */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    let res = c.res;
    try {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
    } catch {
      res = new Response(res.body, res);
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
      c.res = res;
    }
  };
}
