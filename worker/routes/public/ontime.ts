/**
 * The public on-time record and the monthly report (worker/services/ontime.ts):
 * GET /api/public/ontime (the last 12 months with the field schema), /api/public/ontime.{csv,json}?month=YYYY-MM
 * (open data), GET /api/public/reports (published 月度通报) and /api/public/reports/{month}.
 * Public and the same for everyone: cached at the edge like the statistics.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { csvDownload, csvText } from '../../lib/csv';
import { ApiError } from '../../lib/errors';
import { errorAnswers, ok } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import { ONTIME_FIELDS, monthlyReport, ontimeRecord, ontimeRecords, reportList } from '../../services/ontime';
import { SUPPRESS_BELOW, addMonths, chinaMonth } from '../../services/stats';
import {
  STATS_MAX_AGE,
  STATS_S_MAXAGE,
  SuppressedCount,
  SuppressedShare,
  YearMonth,
  dataFieldSchema,
  edgeCache,
  monthFileRoutes,
} from './stats';

const Count = SuppressedCount.openapi({ description: 'A count; below 5 (zero included) published as "<5"' });
const Rate = SuppressedShare.openapi({ description: 'Share 0–1; null when fewer than 5 stand behind it' });
const Figures = z
  .object({
    key: z.string(),
    label: z.string(),
    received: Count,
    concluded: Count,
    concludedOnTime: Count,
    openOverdue: Count.openapi({
      description: 'Open at the month end (or now, for the running month) with the 办结期限 passed',
    }),
    onTimeRate: Rate.openapi({ description: 'concludedOnTime ÷ (concluded + openOverdue)' }),
    medianDays: z.number().nullable(),
    rectified: Count,
    rectifiedOnTime: Count,
    rectifiedOnTimeRate: Rate,
    ratings: Count,
    satisfiedShare: Rate.openapi({ description: 'Share of 满意 and 非常满意 among the ratings' }),
  })
  .openapi('OntimeFigures');
export type OntimeFigures = z.infer<typeof Figures>;
const Month = z
  .object({
    month: z.string().openapi({ example: '2026-11' }),
    final: z.boolean().openapi({ description: 'true once the month ended and its report is published (frozen)' }),
    publishedAt: z.string().nullable(),
    computedAt: z.string().nullable(),
    district: Figures,
    departments: z.array(Figures),
    domains: z.array(Figures),
  })
  .openapi('OntimeMonth');
export type OntimeMonth = z.infer<typeof Month>;
const Field = dataFieldSchema(['string', 'integer', 'number', 'count']);
const OntimeRecord = z
  .object({ suppressBelow: z.number(), fields: z.array(Field), months: z.array(Month) })
  .openapi('OntimeRecord');
export type OntimeRecord = z.infer<typeof OntimeRecord>;
const ReportList = z
  .object({ reports: z.array(z.object({ month: z.string(), publishedAt: z.string(), url: z.string() })) })
  .openapi('ReportList');
export type ReportList = z.infer<typeof ReportList>;
const MonthQuery = z.object({
  month: YearMonth.openapi({ param: { name: 'month', in: 'query' }, example: '2026-11' }),
});

const record = createRoute({
  method: 'get',
  path: '/public/ontime',
  summary: '按时办结记录：近 12 个月，按全区、承办单位、行业领域（小于 5 的数字显示为 "<5"）',
  responses: ok('按月的记录与字段说明', OntimeRecord),
});
const files = monthFileRoutes({
  base: '/public/ontime',
  summary: (format) => `开放数据：某月按时办结记录（${format}）`,
  query: MonthQuery,
  csv: 'CSV (UTF-8 with BOM); columns as in `fields`',
  json: {
    description: '`{ month, final, fields, records }`',
    schema: z.object({
      month: z.string(),
      final: z.boolean(),
      fields: z.array(Field),
      records: z.array(z.record(z.string(), z.unknown())),
    }),
  },
  errors: { 404: '该月尚无数据' },
});
const reports = createRoute({
  method: 'get',
  path: '/public/reports',
  summary: '月度通报列表',
  responses: ok('已发布的月度通报，最新在前', ReportList),
});
const report = createRoute({
  method: 'get',
  path: '/public/reports/{month}',
  summary: '月度通报（某月结束后由定时任务生成）',
  request: { params: z.object({ month: YearMonth }) },
  responses: {
    ...ok('该月的最终数字', Month),
    ...errorAnswers({ 404: '该月通报尚未发布', 422: '月份格式不正确' }),
  },
});

async function monthOrFail(env: Parameters<typeof ontimeRecord>[0], month: string) {
  const [m] = await ontimeRecord(env, month, month);
  if (!m) throw new ApiError('NOT_FOUND', { message: `${month} 尚无按时办结记录。` });
  return m;
}

export function ontimeRoutes() {
  const router = createRouter();
  router.use('/public/ontime', edgeCache(STATS_MAX_AGE, STATS_S_MAXAGE, { params: [] }));
  router.use('/public/ontime.*', edgeCache(STATS_MAX_AGE, STATS_S_MAXAGE, { params: ['month'] }));
  router.use('/public/reports', edgeCache(STATS_MAX_AGE, STATS_S_MAXAGE, { params: [] }));
  router.use('/public/reports/*', edgeCache(STATS_MAX_AGE, STATS_S_MAXAGE, { params: [] }));
  return router
    .openapi(record, async (c) => {
      const to = chinaMonth(Date.now());
      const months = await ontimeRecord(c.env, addMonths(to, -11), to);
      return c.json({ suppressBelow: SUPPRESS_BELOW, fields: ONTIME_FIELDS.map((f) => ({ ...f })), months }, 200);
    })
    .openapi(files.csv, async (c) => {
      const m = await monthOrFail(c.env, c.req.valid('query').month);
      const names = ONTIME_FIELDS.map((f) => f.name);
      const rows = [names, ...ontimeRecords(m).map((r) => names.map((n) => r[n]))];
      return c.body(csvText(rows), 200, csvDownload(`anquan-ontime-${m.month}.csv`));
    })
    .openapi(files.json, async (c) => {
      const m = await monthOrFail(c.env, c.req.valid('query').month);
      return c.json(
        { month: m.month, final: m.final, fields: ONTIME_FIELDS.map((f) => ({ ...f })), records: ontimeRecords(m) },
        200,
      );
    })
    .openapi(reports, async (c) =>
      c.json(
        { reports: (await reportList(c.env)).map((r) => ({ ...r, url: `/data/monthly/?month=${r.month}` })) },
        200,
      ),
    )
    .openapi(report, async (c) => {
      const { month } = c.req.valid('param');
      const m = await monthlyReport(c.env, month);
      if (!m) throw new ApiError('NOT_FOUND', { message: `${month} 的月度通报尚未发布（每月结束后由系统自动生成）。` });
      return c.json(m, 200);
    });
}
