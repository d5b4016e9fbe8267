/** GET /api/health and GET /api/config (what the pages need to render forms: lists and the Turnstile key). */
import { createRoute, z } from '@hono/zod-openapi';
import { ok } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import { DOMAINS, TIP_TYPES } from '../../domain/catalog';
import { LIMITS } from '../../domain/limits';
import { productionKeyProblem, standinAllowed } from '../../lib/turnstile';
import { activeTowns, databaseReachable } from '../../services/health';

const health = createRoute({
  method: 'get',
  path: '/health',
  summary: '健康检查 (database reachable)',
  responses: ok('OK', z.object({ ok: z.boolean(), db: z.boolean() })),
});

const ping = createRoute({
  method: 'get',
  path: '/ping',
  summary: 'Bare endpoint: no database, no work (the benchmarks measure every route against it)',
  responses: { 200: { description: 'pong', content: { 'text/plain': { schema: z.string() } } } },
});

const ConfigSchema = z.object({
  turnstile: z.object({ sitekey: z.string(), scriptUrl: z.string() }),
  tipTypes: z.array(z.object({ code: z.string(), label: z.string() })),
  domains: z.array(z.object({ code: z.string(), label: z.string() })),
  towns: z.array(z.object({ id: z.string(), name: z.string() })),
  limits: z.object({
    descriptionMin: z.number(),
    descriptionMax: z.number(),
    maxFiles: z.number(),
    maxBytes: z.object({ image: z.number(), audio: z.number(), video: z.number() }),
  }),
});
/** GET /api/config's answer (the report form reads it). */
export type PublicConfig = z.infer<typeof ConfigSchema>;

const config = createRoute({
  method: 'get',
  path: '/config',
  summary: '表单配置（举报类型、行业领域、镇街、人机验证）',
  responses: ok('OK', ConfigSchema),
});

export function healthRoutes() {
  return createRouter()
    .openapi(ping, (c) => c.text('pong', 200))
    .openapi(health, async (c) => c.json({ ok: true, db: await databaseReachable(c.env) }, 200))
    .openapi(config, async (c) => {
      const rows = await activeTowns(c.env);
      const local = standinAllowed(c.env, c.req.url);
      // In production a test sitekey (or none) is never offered: the form says the check cannot load.
      const usable = local || !productionKeyProblem(c.env);
      c.header('cache-control', 'public, max-age=60');
      return c.json(
        {
          turnstile: {
            sitekey: usable ? (c.env.TURNSTILE_SITEKEY ?? '') : '',
            // Offline, the widget is the local stand-in (public/turnstile-standin.js); otherwise Cloudflare's.
            scriptUrl: !usable
              ? ''
              : local
                ? '/turnstile-standin.js'
                : 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit',
          },
          tipTypes: TIP_TYPES.map(({ code, label }) => ({ code, label })),
          domains: DOMAINS.map(({ code, label }) => ({ code, label })),
          towns: rows,
          limits: {
            descriptionMin: LIMITS.description.min,
            descriptionMax: LIMITS.description.max,
            maxFiles: LIMITS.attachments.maxFiles,
            maxBytes: { ...LIMITS.attachments.maxBytes },
          },
        },
        200,
      );
    });
}
