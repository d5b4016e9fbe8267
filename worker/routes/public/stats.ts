/**
 * 数据公开: GET /api/public/stats (statistics with small counts suppressed) and the open-data downloads of
 * closed tips, GET /api/public/open-data (index and schema) and /api/public/open-data/tips.{csv,json}?month=YYYY-MM
 * (see worker/services/open-data.ts for what a record holds and why).
 * Every answer is public and the same for everyone, so it is cached at the edge (Cache API + s-maxage).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../env';
import { csvAnswer, errorAnswers, jsonAnswer, ok } from '../../lib/openapi';
import { csvDownload } from '../../lib/csv';
import { createRouter } from '../../lib/router';
import { ApiError } from '../../lib/errors';
import { fieldErrors } from '../../lib/validation';
import { OPEN_DATA_FIELDS, openDataCsv, openDataJson, openDataMonths } from '../../services/open-data';
import { chinaMonth, publicStats } from '../../services/stats';

/** Seconds an open-data file may be reused (a month's file changes only when one of its tips closes). */
export const OPEN_DATA_MAX_AGE = 300;
export const OPEN_DATA_S_MAXAGE = 3600;

/** Seconds a stats answer may be reused by browsers and by the edge. */
export const STATS_MAX_AGE = 60;
export const STATS_S_MAXAGE = 300;

/** A published count: below 5 (zero included) it is the string "<5" (the public figures' small-count rule). */
export const SuppressedCount = z.union([z.number().int().min(5), z.literal('<5')]);
/** A published share 0–1: null when fewer than 5 stand behind it. */
export const SuppressedShare = z.number().min(0).max(1).nullable();
/** A month `YYYY-MM` (China time). */
export const YearMonth = z
  .string({ error: '请选择月份' })
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为 YYYY-MM' });

const Count = SuppressedCount.openapi({
  description: 'A count; any count below 5 (zero included) is published as the string "<5"',
  example: 42,
});
const Breakdown = z.array(z.object({ code: z.string(), label: z.string(), count: Count }));
const Rate = SuppressedShare.openapi({ description: 'Share 0–1; null when fewer than 5 tips stand behind it' });

export const PublicStatsSchema = z
  .object({
    generatedAt: z.string().openapi({ description: 'When these figures were computed (ISO 8601)' }),
    suppressBelow: z.number().int().openapi({ example: 5, description: 'Counts below this are published as "<5"' }),
    total: Count.openapi({ description: 'All tips received' }),
    months: z
      .array(z.object({ month: z.string().openapi({ example: '2026-11' }), count: Count }))
      .openapi({ description: 'Tips received per month (China time), last 24 months' }),
    byType: Breakdown.openapi({ description: 'All tips by 举报类型' }),
    byDomain: Breakdown.openapi({ description: 'All tips by 行业领域' }),
    byTown: Breakdown.openapi({ description: 'All tips by 镇/街道' }),
    byStatus: Breakdown.openapi({ description: 'All tips by current public status' }),
    timeliness: z.object({
      from: z.string(),
      to: z.string(),
      concluded: Count.openapi({ description: 'Tips concluded (已办结) in the window' }),
      onTimeRate: Rate.openapi({
        description: 'Share of those, among tips with a statutory deadline, concluded on or before it',
      }),
      medianDays: z.number().nullable().openapi({ description: 'Median whole days from submission to conclusion' }),
      months: z.array(z.object({ month: z.string(), concluded: Count, onTimeRate: Rate })),
    }),
    rectification: z
      .object({
        done: Count.openapi({
          description: 'Rectifications (整改) recorded as done (整改完成) in the timeliness window',
        }),
        onTimeRate: Rate.openapi({
          description: 'Share of the done ones completed by their 整改时限 (the 整改 clock, apart from 核查)',
        }),
      })
      .openapi({
        description:
          'The 整改 clock: a rectification ordered by a conclusion runs on its own deadline and never makes 核查 late',
      }),
    rewards: z.array(
      z.object({
        year: z.string(),
        count: Count.openapi({ description: 'Rewards paid in the year' }),
        totalYuan: z
          .number()
          .nullable()
          .openapi({ description: 'Total paid (yuan); null when fewer than 5 rewards were paid' }),
      }),
    ),
  })
  .openapi('PublicStats');
export type PublicStats = z.infer<typeof PublicStatsSchema>;

const stats = createRoute({
  method: 'get',
  path: '/public/stats',
  summary: '公开统计数据（小于 5 的数字显示为 "<5"）',
  responses: { ...ok('统计数据', PublicStatsSchema), ...errorAnswers({ 503: '暂时不可用' }) },
});

/** One published column (DataField in worker/services/open-data.ts): its name, label, type and description. */
export const dataFieldSchema = <T extends readonly [string, ...string[]]>(types: T) =>
  z.object({ name: z.string(), label: z.string(), type: z.enum(types), description: z.string() });

const OpenDataField = dataFieldSchema(['string', 'date', 'integer', 'boolean']);

const OpenDataIndex = z
  .object({
    fields: z.array(OpenDataField).openapi({ description: 'The schema of a record (column order of the CSV)' }),
    months: z
      .array(z.object({ month: z.string(), csv: z.string(), json: z.string() }))
      .openapi({ description: 'Months of receipt with closed tips, newest first' }),
  })
  .openapi('OpenDataIndex');
export type OpenDataIndex = z.infer<typeof OpenDataIndex>;

const MonthQuery = z.object({
  month: YearMonth.openapi({
    param: { name: 'month', in: 'query' },
    example: '2026-10',
    description: 'Month of receipt (China time)',
  }),
});

/**
 * A month of public data (`?month=YYYY-MM`) in its two formats, `<base>.csv` and `<base>.json`: each answers
 * the file, 422 for a malformed month, and the resource's own error answers (`errors`).
 */
export function monthFileRoutes<
  B extends string,
  Q extends z.ZodObject,
  J extends z.ZodType,
  E extends Record<number, string> = Record<never, string>,
>(files: {
  base: B;
  summary: (format: 'CSV' | 'JSON') => string;
  query: Q;
  /** What the CSV's columns are. */
  csv: string;
  json: { description: string; schema: J };
  errors?: E;
}) {
  const route = <P extends string, F extends object>(path: P, format: 'CSV' | 'JSON', file: F) =>
    createRoute({
      method: 'get',
      path,
      summary: files.summary(format),
      request: { query: files.query },
      responses: { 200: file, ...errorAnswers({ ...(files.errors as E), 422: '月份格式不正确' }) },
    });
  return {
    csv: route(`${files.base}.csv` as `${B}.csv`, 'CSV', csvAnswer(files.csv)),
    json: route(`${files.base}.json` as `${B}.json`, 'JSON', jsonAnswer(files.json.description, files.json.schema)),
  };
}

const index = createRoute({
  method: 'get',
  path: '/public/open-data',
  summary: '开放数据：可下载的月份与字段说明',
  responses: ok('目录', OpenDataIndex),
});

const files = monthFileRoutes({
  base: '/public/open-data/tips',
  summary: (format) => `开放数据：某月收到且已办结的举报（${format}，不含身份、描述和详细地址）`,
  query: MonthQuery,
  csv: 'CSV (UTF-8 with BOM); columns as in OpenDataIndex.fields',
  json: {
    description: '`{ month, generatedAt, schema, fields, records }`; each record has the fields listed in `fields`',
    schema: z.object({
      month: z.string(),
      generatedAt: z.string(),
      schema: z.string(),
      fields: z.array(OpenDataField),
      records: z.array(z.record(z.string(), z.unknown())),
    }),
  },
});

/** A month in the future has no data: refuse it like a malformed one rather than cache an empty file. */
function checkMonth(month: string) {
  if (month > chinaMonth(Date.now())) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'month', code: 'MONTH_IN_FUTURE', message: '月份不能晚于本月' }],
    });
  }
}

/**
 * Edge caching for public GET answers that are the same for everyone: answer from the Cache API when it holds
 * this URL (marked `x-edge-cache: hit`); otherwise let the handler answer, mark a 200 cacheable (`max-age` for
 * browsers, `s-maxage` for the edge) and store a copy after responding.
 * With `key`, the resource computes the cache key's query string itself (e.g. its checked parameters in a fixed
 * order); null means "do not cache this request" (an invalid query, or a caller-specific answer).
 * @example router.use('/public/stats', edgeCache(60, 300, { params: [] }))
 */
export function edgeCache(
  maxAge: number,
  sMaxAge: number,
  opts: { params?: string[]; key?: (url: URL) => string | null } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const cache = typeof caches === 'undefined' ? undefined : caches.default;
    if (c.req.method !== 'GET' || !cache) return next();
    // With `params`, the key keeps only the query parameters the resource takes (in a fixed order), so a
    // random `?x=` cannot get past the cache and make every request run the query.
    const url = new URL(c.req.url);
    if (opts.key) {
      const search = opts.key(url);
      if (search === null) return next();
      url.search = search;
    } else if (opts.params) {
      const kept = new URLSearchParams(
        opts.params.flatMap((p) => (url.searchParams.has(p) ? [[p, url.searchParams.get(p)!]] : [])),
      );
      url.search = kept.toString();
    }
    const key = new Request(url.toString(), { method: 'GET' });
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
  router.use('/public/stats', edgeCache(STATS_MAX_AGE, STATS_S_MAXAGE, { params: [] }));
  router.use('/public/open-data', edgeCache(STATS_MAX_AGE, STATS_S_MAXAGE, { params: [] }));
  router.use('/public/open-data/*', edgeCache(OPEN_DATA_MAX_AGE, OPEN_DATA_S_MAXAGE, { params: ['month'] }));
  router.openAPIRegistry.registerPath(files.json);
  return router
    .openapi(stats, async (c) => c.json(await publicStats(c.env), 200))
    .openapi(index, async (c) => {
      const months = await openDataMonths(c.env);
      const fields = OPEN_DATA_FIELDS.map((f) => ({ ...f }));
      const at = (m: string, ext: string) => `/api/public/open-data/tips.${ext}?month=${m}`;
      return c.json({ fields, months: months.map((m) => ({ month: m, csv: at(m, 'csv'), json: at(m, 'json') })) }, 200);
    })
    .openapi(files.csv, async (c) => {
      const { month } = c.req.valid('query');
      checkMonth(month);
      return c.body(openDataCsv(c.env, month), 200, csvDownload(`anquan-closed-tips-${month}.csv`));
    })
    .get('/public/open-data/tips.json', async (c) => {
      // Streamed, so registered by hand below (the typed handler wants a JSON object, not a stream).
      const q = MonthQuery.safeParse(c.req.query());
      if (!q.success) throw new ApiError('VALIDATION_FAILED', { fields: fieldErrors(q.error) });
      checkMonth(q.data.month);
      return c.body(openDataJson(c.env, q.data.month, `${new URL(c.req.url).origin}/data/#schema`), 200, {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `inline; filename="anquan-closed-tips-${q.data.month}.json"`,
      });
    });
}
