/**
 * Security headers for every response, pages and API alike (the Worker runs first for every request).
 * No inline script is allowed anywhere; the only third-party origin is Cloudflare's Turnstile.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError, errorResponse } from './errors';

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

/**
 * The search pages and Pagefind's own files (its Web Worker compiles the index's WebAssembly under the worker
 * script's policy) may compile WebAssembly: 'wasm-unsafe-eval' allows that and no JavaScript eval.
 */
const SEARCH_PAGE = /^\/((zh-hant\/)?search\/$|pagefind\/)/;
export const SEARCH_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
);

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
    const headers = SEARCH_PAGE.test(c.req.path)
      ? { ...SECURITY_HEADERS, 'content-security-policy': SEARCH_CONTENT_SECURITY_POLICY }
      : SECURITY_HEADERS;
    let res = c.res;
    try {
      for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    } catch {
      res = new Response(res.body, res);
      for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
      c.res = res;
    }
  };
}

/** Routes that take a raw file as the body (the type is sniffed from the bytes). */
const RAW_BODY_ROUTES = /\/uploads$/;

/**
 * API writes carry JSON. Anything else is refused up front with 415, so no handler ever sees a body its
 * schema was not checked against (a form-encoded post would otherwise skip JSON validation entirely).
 */
export function requireJsonBodies(): MiddlewareHandler {
  return async (c, next) => {
    const m = c.req.method;
    if ((m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'DELETE') && !RAW_BODY_ROUTES.test(c.req.path)) {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const hasBody = c.req.header('content-length') !== '0' && (c.req.raw.body !== null || m !== 'DELETE');
      if (hasBody && type !== 'application/json') throw new ApiError('UNSUPPORTED_MEDIA_TYPE');
      return jsonLimit(c, next);
    }
    await next();
  };
}

/** JSON bodies are small (a 5000-character description is ~15 KB); anything far larger is refused unread. */
export const MAX_JSON_BYTES = 256 * 1024;
const jsonLimit = bodyLimit({
  maxSize: MAX_JSON_BYTES,
  onError: () => errorResponse(new ApiError('PAYLOAD_TOO_LARGE')),
});
