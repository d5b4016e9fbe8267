/**
 * createApp(): the one place where the Worker's middleware, error handling and routes are composed.
 * Public routes and staff routes are separate trees, so no staff middleware or route can leak into the public API.
 */
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env';
import { auditKeyProblem } from './lib/audit';
import { ApiError, errorResponse } from './lib/errors';
import { requireJsonBodies, securityHeaders } from './lib/security';
import { finishDocument } from './lib/openapi';
import { createRouter } from './lib/router';
import { publicApi } from './routes/public';
import { staffApi } from './routes/staff';
import { open311Api } from './routes/open311';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

export function createApp() {
  const app = createRouter();

  app.use('*', securityHeaders());
  app.use('/api/*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  app.use('/api/*', requireJsonBodies());
  // A deployment without the audit key would write a log nobody can seal: the API and Open311 refuse to serve
  // (pages still load). Only a loopback host (local start, tests) runs without it, and then nothing is sealed.
  const refuseUnkeyed: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (!LOOPBACK.test(new URL(c.req.url).hostname) && (await auditKeyProblem(c.env))) {
      console.error(JSON.stringify({ at: 'config', error: 'AUDIT_HMAC_KEY is not set: refusing to serve the API' }));
      return errorResponse(new ApiError('UNAVAILABLE', { message: '系统未配置审计密钥，暂停服务，请联系管理员。' }));
    }
    return next();
  };
  app.use('/api/*', refuseUnkeyed);
  app.use('/open311/*', refuseUnkeyed);
  // The benchmark's view of the time spent inside the Worker (D1 included, local transport excluded).
  app.use('/api/*', async (c, next) => {
    if (c.env.SERVER_TIMING !== '1') return next();
    const t0 = performance.now();
    await next();
    c.res.headers.set('server-timing', `app;dur=${(performance.now() - t0).toFixed(2)}`);
  });

  app.route('/api', publicApi());
  app.route('/api/staff', staffApi());
  app.route('/open311', open311Api());

  // The document is generated from the routes' own schemas, then finished in one place (servers, security,
  // operationIds, tags): see lib/openapi.ts.
  app.get('/api/openapi.json', (c) =>
    c.json(
      finishDocument(
        app.getOpenAPI31Document({
          openapi: '3.1.0',
          info: {
            title: 'Anquan 安全生产举报平台 API',
            version: '1.0.0',
            description:
              'Errors share one envelope: `{ "error": { "code", "message", "fields"? } }` — `code` is stable, `message` is Chinese.',
          },
        }),
      ),
    ),
  );

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith('/api/') || path.startsWith('/open311/')) return errorResponse(new ApiError('NOT_FOUND'));
    // Everything else is a page or a file of the static site.
    return c.env.ASSETS.fetch(c.req.raw);
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(err);
    if (err instanceof HTTPException) {
      const code = err.status === 413 ? 'PAYLOAD_TOO_LARGE' : err.status === 400 ? 'BAD_JSON' : 'INTERNAL';
      return errorResponse(new ApiError(code));
    }
    if (err instanceof SyntaxError) return errorResponse(new ApiError('BAD_JSON'));
    // Unexpected: log the error (never request bodies: they may hold a reporter's identity) and stay generic.
    console.error(JSON.stringify({ at: 'unhandled', path: new URL(c.req.url).pathname, error: String(err) }));
    return errorResponse(new ApiError('INTERNAL'));
  });

  return app;
}
