/**
 * The staff API's gatekeeping, applied to every /api/staff route except sign-in:
 * 1. a valid server-side session (cookie) — else 401;
 * 2. the second factor done, for accounts that need one — else 401 TOTP_REQUIRED;
 * 3. on every state-changing request, the session's CSRF token in `X-CSRF-Token` and no foreign Origin — else 403;
 * 4. the route's capability (declared with the route in `staffRoute`, decided by worker/domain/access.ts) — else 403.
 */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { getCookie } from 'hono/cookie';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../env';
import { can, rolesWith, type Capability } from '../../domain/access';
import { timingSafeEqual } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { errorAnswers } from '../../lib/openapi';
import { SESSION, sessionFor } from '../../services/auth';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuse a browser request coming from another origin (belt and braces with the CSRF token). */
export function sameOrigin(c: Context<AppEnv>): void {
  const origin = c.req.header('origin');
  if (origin && origin !== new URL(c.req.url).origin) throw new ApiError('CSRF_FAILED');
  if (c.req.header('sec-fetch-site') === 'cross-site') throw new ApiError('CSRF_FAILED');
}

/** Session + second factor + CSRF. `allowPartial` lets the TOTP step and sign-out through before the second factor. */
export function requireSession(opts: { allowPartial?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = await sessionFor(c.env, getCookie(c, SESSION.cookie, 'host'));
    if (!session) throw new ApiError('UNAUTHENTICATED');
    if (!session.secondFactorDone && !opts.allowPartial) throw new ApiError('TOTP_REQUIRED');
    if (!SAFE.has(c.req.method)) {
      sameOrigin(c);
      const sent = c.req.header('x-csrf-token') ?? '';
      if (!timingSafeEqual(sent, session.csrfToken)) throw new ApiError('CSRF_FAILED');
    }
    c.set('staff', session);
    await next();
  };
}

/** Capability check for one route (on some tip: the service then checks the tip itself). */
export function requireCapability(cap: Capability): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!can(c.get('staff'), cap)) throw new ApiError('FORBIDDEN');
    await next();
  };
}

const errors = errorAnswers({
  401: '未登录或登录已超时',
  403: '无权限或 CSRF 校验失败',
  404: '不存在',
  409: '冲突：已被他人修改，或当前状态不允许',
  422: '输入有误',
});

/**
 * A route of the session itself (the second sign-in step, sign-out, the current user): behind a session whose
 * second factor may still be missing, no capability needed; 401 without a session.
 */
export function sessionRoute<R extends Omit<RouteConfig, 'middleware'>>(config: R) {
  return createRoute({
    tags: ['staff'],
    ...config,
    middleware: [requireSession({ allowPartial: true })] as const,
    responses: { ...errorAnswers({ 401: '未登录' }), ...config.responses },
  });
}

/**
 * A staff route: the OpenAPI description, the capability it needs (listed as `x-capability` in the document,
 * with the roles holding it as `x-roles`), and the session/CSRF/capability middleware in front of the handler.
 */
export function staffRoute<R extends Omit<RouteConfig, 'middleware'>>(cap: Capability, config: R) {
  return createRoute({
    ...config,
    tags: ['staff'],
    'x-capability': cap,
    'x-roles': rolesWith(cap),
    middleware: [requireSession(), requireCapability(cap)] as const,
    responses: { ...errors, ...config.responses },
  });
}
