/**
 * The hazard ledger (隐患台账) and the district picture (一张图) under /api/staff/hazards: the filtered ledger with
 * keyset paging, one hazard for its printed 交办单, the CSV export (no identity, audited) and the dashboard's
 * figures. Department scope and read-only auditors: worker/domain/access.ts (`hazards.read`, `hazards.export`).
 */
import { z } from '@hono/zod-openapi';
import { csvAnswer, ok } from '../../lib/openapi';
import { csvDownload } from '../../lib/csv';
import { createRouter } from '../../lib/router';
import {
  Dashboard,
  DashboardQuery,
  HazardDetail,
  HazardExportFilter,
  HazardFilter,
  HazardPage,
} from '../../schemas/hazards';
import { chinaDate } from '../../services/calendar';
import { exportHazards, hazardDashboard, hazardDetail, listHazards } from '../../services/hazards';
import { staffRoute } from './session';

const list = staffRoute('hazards.read', {
  method: 'get',
  path: '/hazards',
  summary: '隐患台账：核查认定的重大、一般事故隐患（筛选、分页）',
  request: { query: HazardFilter },
  responses: ok('一页隐患', HazardPage),
});
const exportCsv = staffRoute('hazards.export', {
  method: 'get',
  path: '/hazards/export.csv',
  summary: '导出当前筛选的隐患台账（CSV，不含举报人信息，记入审计日志）',
  request: { query: HazardExportFilter },
  responses: { 200: csvAnswer('CSV（UTF-8，带 BOM）') },
});
const dashboard = staffRoute('hazards.read', {
  method: 'get',
  path: '/hazards/dashboard',
  summary: '隐患统计分析（一张图）：按月份、承办单位、行业领域、镇街',
  request: { query: DashboardQuery },
  responses: ok('统计数据', Dashboard),
});
const detail = staffRoute('hazards.read', {
  method: 'get',
  path: '/hazards/{id}',
  summary: '一条隐患及其整改、复查、销号经过（交办单）',
  request: { params: z.object({ id: z.uuid({ error: '隐患 ID 无效' }) }) },
  responses: ok('隐患', HazardDetail),
});

export function staffHazardRoutes() {
  return createRouter()
    .openapi(list, async (c) => c.json(await listHazards(c.env, c.get('staff'), c.req.valid('query')), 200))
    .openapi(exportCsv, async (c) => {
      const now = Date.now();
      const { csv } = await exportHazards(c.env, c.get('staff'), c.req.valid('query'), now);
      return c.body(csv, 200, csvDownload(`hazards-${chinaDate(now)}.csv`, { 'cache-control': 'private, no-store' }));
    })
    .openapi(dashboard, async (c) => c.json(await hazardDashboard(c.env, c.get('staff'), c.req.valid('query')), 200))
    .openapi(detail, async (c) => c.json(await hazardDetail(c.env, c.get('staff'), c.req.valid('param').id), 200));
}
