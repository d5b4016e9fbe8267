/**
 * 数据公开: GET /api/public/stats (statistics with small counts suppressed) and the open-data downloads of
 * closed tips, GET /api/public/open-data (index) and /api/public/open-data/tips.{csv,json}?month=YYYY-MM.
 * Every answer is public and the same for everyone, so it is cached at the edge (Cache API + s-maxage).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../env';
import { createRouter } from '../../lib/router';
import { ErrorEnvelope } from '../../schemas/common';
import { publicStats } from '../../services/stats';

/** Seconds a stats answer may be reused by browsers and by the edge. */
export const STATS_MAX_AGE = 60;
export const STATS_S_MAXAGE = 300;

const Count = z
  .union([z.number().int().min(5), z.literal('<5')])
  .openapi({ description: 'A count; any count below 5 (zero included) is published as the string "<5"', example: 42 });
const Breakdown = z.array(z.object({ code: z.string(), label: z.string(), count: Count }));
const Rate = z.number().min(0).max(1).nullable().openapi({ description: 'Share 0–1; null when fewer than 5 tips stand behind it' });

export const PublicStatsSchema = z
  .object({
    generatedAt: z.string().openapi({ description: 'When these figures were computed (ISO 8601)' }),
    suppressBelow: z.number().int().openapi({ example: 5, description: "Counts below this are published as \"<5\"" }),
    total: Count.openapi({ description: 'All tips received' }),
    months: z.array(z.object({ month: z.string().openapi({ example: '2026-11' }), count: Count })).openapi({ description: 'Tips received per month (China time), last 24 months' }),
    byType: Breakdown.openapi({ description: 'All tips by 举报类型' }),
    byDomain: Breakdown.openapi({ description: 'All tips by 行业领域' }),
    byTown: Breakdown.openapi({ description: 'All tips by 镇/街道' }),
    byStatus: Breakdown.openapi({ description: 'All tips by current public status' }),
    timeliness: z.object({
      from: z.string(),
      to: z.string(),
      concluded: Count.openapi({ description: 'Tips concluded (已办结) in the window' }),
      onTimeRate: Rate.openapi({ description: 'Share of those, among tips with a statutory deadline, concluded on or before it' }),
      medianDays: z.number().nullable().openapi({ description: 'Median whole days from submission to conclusion' }),
      months: z.array(z.object({ month: z.string(), concluded: Count, onTimeRate: Rate })),
    }),
    rewards: z.array(
      z.object({
        year: z.string(),
        count: Count.openapi({ description: 'Rewards paid in the year' }),
        totalYuan: z.number().nullable().openapi({ description: 'Total paid (yuan); null when fewer than 5 rewards were paid' }),
      }),
    ),
  })
  .openapi('PublicStats');

const stats = createRoute({
  method: 'get',
  path: '/public/stats',
  summary: '公开统计数据（小于 5 的数字显示为 "<5"）',
  responses: {
    200: { description: '统计数据', content: { 'application/json': { schema: PublicStatsSchema } } },
    503: { description: '暂时不可用', content: { 'application/json': { schema: ErrorEnvelope } } },
  },
});

/**
 * Edge caching for public GET answers that are the same for everyone: answer from the Cache API when it holds
 * this URL (marked `x-edge-cache: hit`); otherwise let the handler answer, mark a 200 cacheable (`max-age` for
 * browsers, `s-maxage` for the edge) and store a copy after responding.
 * @example router.use('/public/stats', edgeCache(60, 300))
 */
export function edgeCache(maxAge: number, sMaxAge: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const cache = typeof caches === 'undefined' ? undefined : caches.default;
    if (c.req.method !== 'GET' || !cache) return next();
    const key = new Request(new URL(c.req.url).toString(), { method: 'GET' });
    const hit = await cache.match(key);
    if (hit) {
      const res = new Response(hit.body, hit);
      res.headers.set('x-edge-cache', 'hit');
      return res;
    }
    await next();
    if (c.res.status !== 200) return;
    c.res.headers.set('cache-control', `public, max-age=${maxAge}, s-maxage=${sMaxAge}`);
    c.executionCtx.waitUntil(cache.put(key, c.res.clone()));
  };
}

export function statsRoutes() {
  const router = createRouter();
  router.use('/public/stats', edgeCache(STATS_MAX_AGE, STATS_S_MAXAGE));
  return router.openapi(stats, async (c) => c.json(await publicStats(c.env), 200));
}
