/** Staff sign-in: POST /api/staff/login, /login/totp, /logout; GET /api/staff/me. */
import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { ROLES } from '../../domain/workflow';
import { capabilitiesOf, scopeOf } from '../../domain/access';
import { clientKey, hit } from '../../lib/ratelimit';
import { errorAnswers, jsonAnswer, jsonBody, noContent, ok } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import { login, logout, SESSION, verifySecondFactor } from '../../services/auth';
import { sameOrigin, sessionRoute } from './session';

/** Sign-in attempts per client address per 10 minutes (on top of the per-account lock-out). */
export const LOGIN_LIMIT = { limit: 30, windowMs: 10 * 60_000 };

const Me = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.string()),
    roleLabels: z.array(z.string()),
    departmentId: z.string().nullable(),
    /** What the caller may do (worker/domain/access.ts); the console shows its menus and buttons from these. */
    capabilities: z.array(z.string()),
    /** 'all' when the caller reads every department's tips, 'department' for its own department's only. */
    tipScope: z.enum(['all', 'department', 'none']),
    csrfToken: z.string(),
    secondFactorDone: z.boolean(),
  })
  .openapi('StaffMe');
export type StaffMe = z.infer<typeof Me>;

const LoginAnswer = z
  .object({
    needsTotp: z.boolean(),
    csrfToken: z.string(),
    enrollment: z.object({ secret: z.string(), uri: z.string() }).optional(),
  })
  .openapi('StaffLoginAnswer');
export type StaffLoginAnswer = z.infer<typeof LoginAnswer>;
const TotpAnswer = z.object({ csrfToken: z.string() });
export type StaffTotpAnswer = z.infer<typeof TotpAnswer>;

function setSessionCookie(c: Context<AppEnv>, token: string) {
  setCookie(c, SESSION.cookie, token, {
    prefix: 'host',
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    maxAge: SESSION.absoluteMs / 1000,
  });
}

const loginRoute = createRoute({
  method: 'post',
  path: '/login',
  tags: ['staff'],
  summary: '工作人员登录（用户名、密码）',
  request: jsonBody(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict()),
  responses: {
    200: jsonAnswer('已登录，或需要动态验证码', LoginAnswer),
    ...errorAnswers({ 401: '用户名或密码不正确', 403: '跨站请求', 429: '尝试过多，已锁定' }),
  },
});

const totpRoute = sessionRoute({
  method: 'post',
  path: '/login/totp',
  summary: '输入动态验证码（TOTP）',
  request: jsonBody(z.object({ code: z.string().regex(/^\d{6}$/, { error: '请输入 6 位数字验证码' }) }).strict()),
  responses: {
    200: jsonAnswer('已登录', TotpAnswer),
    ...errorAnswers({ 401: '验证码不正确', 403: 'CSRF', 429: '尝试过多，已锁定' }),
  },
});

const logoutRoute = sessionRoute({
  method: 'post',
  path: '/logout',
  summary: '退出登录',
  responses: { ...noContent('已退出'), ...errorAnswers({ 403: 'CSRF' }) },
});

const meRoute = sessionRoute({
  method: 'get',
  path: '/me',
  summary: '当前登录的工作人员',
  responses: ok('当前用户', Me),
});

export function authRoutes() {
  return createRouter()
    .openapi(loginRoute, async (c) => {
      sameOrigin(c);
      await hit(c.env, `login:${await clientKey(c)}`, LOGIN_LIMIT);
      const { username, password } = c.req.valid('json');
      const r = await login(c.env, username.trim(), password);
      setSessionCookie(c, r.token);
      return c.json(
        { needsTotp: r.needsTotp, csrfToken: r.csrfToken, ...(r.enrollment ? { enrollment: r.enrollment } : {}) },
        200,
      );
    })
    .openapi(totpRoute, async (c) => {
      await hit(c.env, `totp:${await clientKey(c)}`, LOGIN_LIMIT);
      const r = await verifySecondFactor(c.env, c.get('staff'), c.req.valid('json').code);
      setSessionCookie(c, r.token);
      return c.json({ csrfToken: r.csrfToken }, 200);
    })
    .openapi(logoutRoute, async (c) => {
      await logout(c.env, c.get('staff'));
      deleteCookie(c, SESSION.cookie, { prefix: 'host', path: '/', secure: true });
      return c.body(null, 204);
    })
    .openapi(meRoute, (c) => {
      const s = c.get('staff');
      return c.json(
        {
          id: s.id,
          username: s.username,
          displayName: s.displayName,
          roles: [...s.roles],
          roleLabels: s.roles.map((r) => ROLES.find((x) => x.code === r)?.label ?? r),
          departmentId: s.departmentId,
          capabilities: s.secondFactorDone ? capabilitiesOf(s) : [],
          tipScope: scopeOf(s, 'tips.read'),
          csrfToken: s.csrfToken,
          secondFactorDone: s.secondFactorDone,
        },
        200,
      );
    });
}
