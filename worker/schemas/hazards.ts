/**
 * The hazard ledger (隐患台账) and the district picture (一张图): the staff API's filters and the exact shape of its
 * answers. The routes validate with these and the OpenAPI document lists them; `worker/services/hazards.ts` returns
 * values of these types. Nothing here can carry a reporter's identity: no field of the tip's reporter is listed.
 */
import { z } from '@hono/zod-openapi';
import { codeList } from '../domain/catalog';
import { DateString, RectificationPlan } from './actions';

export const HAZARD_CATEGORIES = codeList({ major: '重大事故隐患', general: '一般事故隐患' });
export type HazardCategory = (typeof HAZARD_CATEGORIES)[number]['code'];

/** Where a verified hazard stands (from the tip's state; a hazard is a tip whose 核查 conclusion found one). */
export const HAZARD_STATUSES = codeList({
  rectifying: '整改中',
  rectified: '整改完成，待复查',
  reviewing: '复查中（异议或回访）',
  concluded: '已办结，异议期内',
  closed: '已销号',
});
export type HazardStatus = (typeof HAZARD_STATUSES)[number]['code'];

const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为 YYYY-MM' })
  .openapi({ example: '2026-11' });

/** Filters of the ledger (and its CSV export, without the paging fields). */
export const HazardFilter = z
  .object({
    category: z.enum(['major', 'general']).optional().openapi({ description: '重大 / 一般事故隐患' }),
    domain: z.string().max(40).optional(),
    townId: z.string().max(40).optional(),
    departmentId: z.string().max(40).optional(),
    /** `open`: every status but 已销号; or one status. */
    status: z
      .enum(['open', 'rectifying', 'rectified', 'reviewing', 'concluded', 'closed'])
      .optional()
      .openapi({ description: 'open = 未销号；或某一状态' }),
    /** `1`: 整改超期 — the 整改时限 or the 复查 of the rectification has passed. */
    overdue: z.enum(['1']).optional().openapi({ description: '1 = 整改超期（整改时限或整改复查期限已过）' }),
    /** The day 核查 found the hazard (its conclusion), China time, inclusive. */
    from: DateString.optional().openapi({ description: '认定日期起（含），YYYY-MM-DD', example: '2026-01-01' }),
    to: DateString.optional().openapi({ description: '认定日期止（含），YYYY-MM-DD', example: '2026-12-31' }),
    sort: z
      .enum(['found', 'deadline'])
      .default('found')
      .openapi({ description: 'found = 最新认定在前；deadline = 整改时限最早在前' }),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type HazardFilter = z.infer<typeof HazardFilter>;
export const HazardExportFilter = HazardFilter.omit({ cursor: true, limit: true });

export const HazardRow = z
  .object({
    id: z.uuid(),
    trackingNo: z.string().openapi({ example: 'AQ-2026-0000-0000' }),
    category: z.enum(['major', 'general']),
    categoryLabel: z.string().openapi({ example: '重大事故隐患' }),
    unitName: z.string(),
    address: z.string(),
    domain: z.string(),
    domainName: z.string(),
    townId: z.string(),
    townName: z.string(),
    departmentId: z.string().nullable(),
    departmentName: z.string().nullable(),
    /** When 核查 found it (the conclusion), ms since the epoch. */
    foundAt: z.number().int(),
    conclusion: z.enum(['true', 'partly_true']),
    riskColour: z.string().nullable(),
    /** The 五到位 plan recorded with the conclusion; null when no 整改 was ordered. */
    plan: RectificationPlan.nullable(),
    rectifyDueAt: z.number().int().nullable().openapi({ description: '整改时限（当日结束）' }),
    recheckDueAt: z.number().int().nullable(),
    rectifiedAt: z.number().int().nullable().openapi({ description: '整改完成记录时间' }),
    /** 挂牌督办: a 重大 hazard under rectification is listed; 销号 lifts it. */
    listed: z.enum(['listed', 'lifted']).nullable(),
    listedLabel: z.string().openapi({ example: '挂牌督办中' }),
    recheck: z.enum(['passed', 'failed']).nullable().openapi({ description: '最近一次复查的结果' }),
    recheckLabel: z.string(),
    recheckAt: z.number().int().nullable(),
    recheckFailures: z.number().int().min(0),
    /** 销号: when the tip was closed (only while it stays closed). */
    closedAt: z.number().int().nullable(),
    status: z.enum(['rectifying', 'rectified', 'reviewing', 'concluded', 'closed']),
    statusLabel: z.string(),
    overdue: z.boolean().openapi({ description: '整改超期' }),
  })
  .strict()
  .openapi('HazardRow');
export type HazardRow = z.infer<typeof HazardRow>;

export const HazardPage = z
  .object({
    rows: z.array(HazardRow),
    next: z.string().nullable(),
    /** How many hazards match the filter (all pages). */
    total: z.number().int().min(0),
  })
  .strict()
  .openapi('HazardPage');
export type HazardPage = z.infer<typeof HazardPage>;

/** One step of the hazard's handling, for the printed 交办单. */
export const HazardStep = z
  .object({
    at: z.number().int(),
    kind: z.enum(['verified', 'rectified', 'recheck_failed', 'closed']),
    label: z.string(),
    text: z.string().nullable(),
    staffName: z.string().nullable(),
  })
  .strict();
export const HazardDetail = z
  .object({
    hazard: HazardRow,
    /** 处理决定 given with the conclusion. */
    decision: z.string().nullable(),
    steps: z.array(HazardStep),
  })
  .strict()
  .openapi('HazardDetail');
export type HazardDetail = z.infer<typeof HazardDetail>;

export const DashboardQuery = z
  .object({
    from: Month.optional().openapi({ description: '起始月份（按认定月份），缺省为近 12 个月' }),
    to: Month.optional().openapi({ description: '截止月份，缺省为本月' }),
    category: z.enum(['major', 'general']).optional(),
  })
  .strict();
export type DashboardQuery = z.infer<typeof DashboardQuery>;

/** Figures of a group of hazards found in the period, each as of now. */
export const DashboardFigures = z
  .object({
    found: z.number().int().min(0).openapi({ description: '发现（核查认定）的隐患' }),
    rectified: z.number().int().min(0).openapi({ description: '已记录整改完成' }),
    rectifiedOnTime: z.number().int().min(0).openapi({ description: '在整改时限内整改完成' }),
    overdue: z.number().int().min(0).openapi({ description: '目前整改超期' }),
    closed: z.number().int().min(0).openapi({ description: '已销号' }),
  })
  .strict();
const Group = DashboardFigures.extend({ key: z.string(), label: z.string() }).strict();
export const Dashboard = z
  .object({
    from: z.string(),
    to: z.string(),
    /** The figures are as of this moment (overdue is counted against it). */
    asOf: z.number().int(),
    /** 'all' for the district, 'department' for a 承办员 (its department's hazards only). */
    scope: z.enum(['all', 'department']),
    totals: DashboardFigures,
    months: z.array(DashboardFigures.extend({ month: z.string() }).strict()),
    departments: z.array(Group),
    domains: z.array(Group),
    towns: z.array(Group),
  })
  .strict()
  .openapi('HazardDashboard');
export type Dashboard = z.infer<typeof Dashboard>;
