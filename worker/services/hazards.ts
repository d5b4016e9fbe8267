/**
 * The hazard ledger (隐患台账) and the district picture (一张图): every tip whose 核查 conclusion found a 重大 or
 * 一般事故隐患, with its unit, domain, 镇街, department, 五到位 plan, 整改时限, 挂牌督办 status, 复查 result and 销号
 * date; filters, keyset paging, the CSV export (no identity; audited) and the dashboard's figures by month,
 * department, domain and 镇街.
 *
 * Which tips are hazards, and of which category, is decided in ONE place: `hazardCategorySql`. Department scope
 * comes from worker/domain/access.ts (`tipScope`): a 承办员 sees its own department's hazards only, everywhere.
 * Nothing here selects anything about the reporter.
 */
import type { Env } from '../env';
import { tipScope } from '../domain/access';
import { DAY, dueKindsOf } from '../domain/deadlines';
import { labelIn } from '../domain/catalog';
import { audit } from '../lib/audit';
import { csvText } from '../lib/csv';
import { ApiError } from '../lib/errors';
import {
  HAZARD_CATEGORIES,
  HAZARD_STATUSES,
  type Dashboard,
  type DashboardQuery,
  type HazardCategory,
  type HazardDetail,
  type HazardFilter,
  type HazardRow,
  type HazardStatus,
} from '../schemas/hazards';
import { chinaDate, startOfChinaDay } from './calendar';
import { formatTrackingNo } from './codes';
import { addMonths, chinaMonth, monthStart } from './stats';
import type { StaffActor } from './transitions';

const CN_OFFSET = 8 * 3_600_000;

/**
 * Which tips are hazards, and of which category: the category 核查 recorded with a 属实 or 部分属实 conclusion
 * (`tips.verified_type`, docs/rules.md "Reward amount"), never the type the reporter chose — a tip reported as 一般
 * and found 重大 is a 重大 hazard here. Conclusions given before the verified category existed carry one only where
 * they recorded a 隐患等级 (migration 0018); the others are not in the ledger.
 *
 * THE one place that decides it: `hazardCategorySql` and `hazardWhere` below are built from this table, and the
 * ledger, its export, the dashboard and the 挂牌督办 reminders (worker/services/reminders.ts) all use them.
 */
export const HAZARD_VERIFIED_TYPES = { major_hazard: 'major', general_hazard: 'general' } as const satisfies Record<
  string,
  HazardCategory
>;
const TYPE_LIST = Object.keys(HAZARD_VERIFIED_TYPES)
  .map((k) => `'${k}'`)
  .join(', ');

/** The verified hazard category of the `tips` row aliased `t` as SQL: 'major', 'general', or NULL (no hazard). */
export function hazardCategorySql(t = 't.'): string {
  const cases = Object.entries(HAZARD_VERIFIED_TYPES)
    .map(([type, cat]) => `WHEN '${type}' THEN '${cat}'`)
    .join(' ');
  return `(CASE WHEN ${t}conclusion IN ('true', 'partly_true') THEN CASE ${t}verified_type ${cases} END END)`;
}

/**
 * The condition selecting the hazards, spelt as literals exactly like the WHERE of the partial indexes
 * `tips_hazards` / `tips_hazards_dept` (worker/db/schema.ts), which hold only these tips: SQLite then reads the
 * ledger, its count and the dashboard from them (a count needs no table row at all).
 */
export function hazardWhere(t = 't.'): string {
  return `${t}conclusion IN ('true', 'partly_true') AND ${t}verified_type IN (${TYPE_LIST})`;
}

/** The verified type a category filter asks for (an indexed column, not the CASE expression). */
const typeOf = (c: HazardCategory) => Object.entries(HAZARD_VERIFIED_TYPES).find(([, cat]) => cat === c)![0];

/** 整改超期: the running deadline is the 整改时限 or the 复查 of the rectification, and it has passed. */
const RECTIFY_KINDS = dueKindsOf('rectify');
const overdueSql = (t = 't.') =>
  `(${t}due_kind IN (${RECTIFY_KINDS.map((k) => `'${k}'`).join(', ')}) AND ${t}due_at < ?)`;

/** States in which a 重大 hazard with a rectification is 挂牌督办 (the same as the 挂牌督办 reminder's). */
export const LISTED_STATES = ['rectifying', 'rectified', 'reviewing'] as const;

const STATUS_OF_STATE: Record<string, HazardStatus> = {
  rectifying: 'rectifying',
  rectified: 'rectified',
  reviewing: 'reviewing',
  concluded: 'concluded',
  closed: 'closed',
};

/** The WHERE clause and parameters of a ledger filter for this actor (`cap` decides the department scope). */
function ledgerWhere(
  actor: StaffActor,
  f: Omit<HazardFilter, 'cursor' | 'limit' | 'sort'>,
  now: number,
  cap: 'hazards.read' | 'hazards.export',
): { where: string[]; params: unknown[] } {
  const scope = tipScope(actor, cap, 't.department_id');
  const where = [hazardWhere()];
  const params: unknown[] = [];
  if (scope.sql !== '1 = 1') {
    where.push(scope.sql);
    params.push(...scope.params);
  }
  if (f.category) {
    where.push('t.verified_type = ?');
    params.push(typeOf(f.category));
  }
  for (const [col, v] of [
    ['domain', f.domain],
    ['town_id', f.townId],
    ['department_id', f.departmentId],
  ] as const) {
    if (v) {
      where.push(`t.${col} = ?`);
      params.push(v);
    }
  }
  if (f.status === 'open') where.push("t.state != 'closed'");
  else if (f.status) {
    where.push('t.state = ?');
    params.push(f.status);
  }
  if (f.overdue) {
    where.push(overdueSql());
    params.push(now);
  }
  if (f.from && f.to && f.from > f.to) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'to', code: 'DATE_RANGE_INVALID', message: '截止日期不能早于起始日期' }],
    });
  }
  if (f.from) {
    where.push('t.concluded_at >= ?');
    params.push(startOfChinaDay(f.from));
  }
  if (f.to) {
    where.push('t.concluded_at < ?');
    params.push(startOfChinaDay(f.to) + DAY);
  }
  return { where, params };
}

const COLUMNS = `t.id, t.tracking_no, ${hazardCategorySql()} AS category, t.unit_name, t.address, t.domain, t.town_id,
  t.department_id, d.name AS department_name, tw.name AS town_name, dm.name AS domain_name, t.concluded_at,
  t.conclusion, t.risk_colour, t.rectification, t.rectify_due_at, t.recheck_due_at, t.rectified_at, t.closed_at,
  t.state, t.due_at, t.due_kind,
  (SELECT e.kind || ':' || e.at FROM tip_events e WHERE e.tip_id = t.id AND e.kind IN ('closed', 'recheck_failed')
    ORDER BY e.at DESC LIMIT 1) AS last_recheck,
  (SELECT COUNT(*) FROM tip_events e WHERE e.tip_id = t.id AND e.kind = 'recheck_failed') AS recheck_failures`;
const FROM = `FROM tips t LEFT JOIN departments d ON d.id = t.department_id LEFT JOIN towns tw ON tw.id = t.town_id
  LEFT JOIN domains dm ON dm.code = t.domain`;

function rowOf(r: Record<string, unknown>, now: number): HazardRow {
  const category = r.category as HazardCategory;
  const state = r.state as string;
  const status = STATUS_OF_STATE[state] ?? 'reviewing';
  const rectifyDueAt = (r.rectify_due_at as number | null) ?? null;
  const listed =
    category === 'major' && rectifyDueAt != null
      ? (LISTED_STATES as readonly string[]).includes(state)
        ? 'listed'
        : state === 'closed'
          ? 'lifted'
          : null
      : null;
  const [kind, at] = ((r.last_recheck as string | null) ?? '').split(':');
  const recheck = kind === 'closed' ? 'passed' : kind === 'recheck_failed' ? 'failed' : null;
  const plan = typeof r.rectification === 'string' ? JSON.parse(r.rectification) : null;
  const dueKind = r.due_kind as string | null;
  return {
    id: r.id as string,
    trackingNo: formatTrackingNo(r.tracking_no as string),
    category,
    categoryLabel: labelIn(HAZARD_CATEGORIES, category),
    unitName: r.unit_name as string,
    address: r.address as string,
    domain: r.domain as string,
    domainName: (r.domain_name as string | null) ?? (r.domain as string),
    townId: r.town_id as string,
    townName: (r.town_name as string | null) ?? (r.town_id as string),
    departmentId: (r.department_id as string | null) ?? null,
    departmentName: (r.department_name as string | null) ?? null,
    foundAt: r.concluded_at as number,
    conclusion: r.conclusion as 'true' | 'partly_true',
    riskColour: (r.risk_colour as string | null) ?? null,
    plan,
    rectifyDueAt,
    recheckDueAt: (r.recheck_due_at as number | null) ?? null,
    rectifiedAt: (r.rectified_at as number | null) ?? null,
    listed,
    listedLabel: listed === 'listed' ? '挂牌督办中' : listed === 'lifted' ? '已销号摘牌' : '—',
    recheck,
    recheckLabel:
      recheck === 'passed'
        ? '复查合格'
        : recheck === 'failed'
          ? '复查未通过，继续整改'
          : state === 'rectified'
            ? '待复查'
            : '—',
    recheckAt: recheck ? Number(at) : null,
    recheckFailures: Number(r.recheck_failures ?? 0),
    closedAt: state === 'closed' ? ((r.closed_at as number | null) ?? null) : null,
    status,
    statusLabel: labelIn(HAZARD_STATUSES, status),
    overdue:
      dueKind != null &&
      (RECTIFY_KINDS as string[]).includes(dueKind) &&
      r.due_at != null &&
      (r.due_at as number) < now,
  };
}

type Cursor = [number, string];
const FAR_FUTURE = 8_640_000_000_000_000;
function decodeCursor(s: string): Cursor {
  try {
    const v = JSON.parse(atob(s)) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {}
  throw new ApiError('VALIDATION_FAILED', {
    fields: [{ path: 'cursor', code: 'CURSOR_INVALID', message: '分页参数无效，请从第一页重新开始' }],
  });
}

/**
 * The ledger's two queries for a filter — one page, and the number of matches — as SQL and parameters (exported
 * so the tests can read their query plans).
 */
export function ledgerQueries(actor: StaffActor, f: HazardFilter, now: number) {
  const { where, params } = ledgerWhere(actor, f, now, 'hazards.read');
  const key = f.sort === 'deadline' ? `COALESCE(t.rectify_due_at, ${FAR_FUTURE})` : 't.concluded_at';
  const dir = f.sort === 'deadline' ? '>' : '<';
  const order = f.sort === 'deadline' ? 'ASC' : 'DESC';
  const paged = [...where];
  const pagedParams = [...params];
  if (f.cursor) {
    const [v, id] = decodeCursor(f.cursor);
    paged.push(`(${key} ${dir} ? OR (${key} = ? AND t.id ${dir} ?))`);
    pagedParams.push(v, v, id);
  }
  return {
    page: {
      sql: `SELECT ${COLUMNS}, ${key} AS sort_key ${FROM} WHERE ${paged.join(' AND ')} ORDER BY ${key} ${order}, t.id ${order} LIMIT ?`,
      params: [...pagedParams, f.limit + 1],
    },
    count: { sql: `SELECT COUNT(*) AS n FROM tips t WHERE ${where.join(' AND ')}`, params },
  };
}

/**
 * One page of the ledger: newest finding first (`found`) or earliest 整改时限 first (`deadline`), keyset-paginated,
 * with the number of hazards matching the filter.
 */
export async function listHazards(
  env: Env,
  actor: StaffActor,
  f: HazardFilter,
  now = Date.now(),
): Promise<{ rows: HazardRow[]; next: string | null; total: number }> {
  const q = ledgerQueries(actor, f, now);
  const [page, count] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare(q.page.sql).bind(...q.page.params),
    env.DB.prepare(q.count.sql).bind(...q.count.params),
  ]);
  const results = page!.results;
  const more = results.length > f.limit;
  const rows = results.slice(0, f.limit);
  const last = rows.at(-1);
  return {
    rows: rows.map((r) => rowOf(r, now)),
    next: more && last ? btoa(JSON.stringify([last.sort_key as number, last.id as string])) : null,
    total: Number(count!.results[0]?.n ?? 0),
  };
}

const STEP_LABELS = {
  verified: '核查认定，责令整改',
  rectified: '整改完成',
  recheck_failed: '复查未通过',
  closed: '复查合格，销号',
} as const;

/** One hazard with its handling steps, for the printed 交办单; NOT_FOUND when it is no hazard or not the actor's to see. */
export async function hazardDetail(env: Env, actor: StaffActor, id: string, now = Date.now()): Promise<HazardDetail> {
  const scope = tipScope(actor, 'hazards.read', 't.department_id');
  const row = await env.DB.prepare(
    `SELECT ${COLUMNS}, t.decision ${FROM} WHERE t.id = ? AND ${hazardWhere()} AND ${scope.sql}`,
  )
    .bind(id, ...scope.params)
    .first<Record<string, unknown>>();
  if (!row) throw new ApiError('NOT_FOUND', { message: '找不到该隐患：它不在隐患台账中，或不属于您所在单位。' });
  const { results } = await env.DB.prepare(
    `SELECT e.at, e.kind, e.data, s.display_name AS staff_name FROM tip_events e LEFT JOIN staff s ON s.id = e.staff_id
      WHERE e.tip_id = ? AND e.kind IN ('verified', 'rectified', 'recheck_failed', 'closed') ORDER BY e.at, e.id`,
  )
    .bind(id)
    .all<{ at: number; kind: keyof typeof STEP_LABELS; data: string | null; staff_name: string | null }>();
  return {
    hazard: rowOf(row, now),
    decision: (row.decision as string | null) ?? null,
    steps: results.map((e) => {
      const data = (e.data ? JSON.parse(e.data) : {}) as { report?: string; note?: string };
      return {
        at: e.at,
        kind: e.kind,
        label: STEP_LABELS[e.kind],
        text: data.report ?? data.note ?? null,
        staffName: e.staff_name,
      };
    }),
  };
}

/** The CSV export's columns: the ledger, never anything about the reporter. */
export const HAZARD_CSV_HEADER = [
  '举报编号',
  '隐患类别',
  '被举报单位/场所',
  '地址',
  '行业领域',
  '镇街',
  '承办单位',
  '认定日期',
  '风险颜色',
  '整改措施',
  '责任人',
  '资金落实',
  '整改时限',
  '应急预案',
  '挂牌督办',
  '整改完成日期',
  '复查结果',
  '复查日期',
  '销号日期',
  '当前状态',
  '整改超期',
] as const;

const RISK_LABELS: Record<string, string> = { red: '红', orange: '橙', yellow: '黄', blue: '蓝' };
const day = (ms: number | null) => (ms == null ? '' : chinaDate(ms));

/** Export the filtered ledger as CSV (UTF-8 with BOM, formula-safe cells), with an audit row in the same batch. */
export async function exportHazards(
  env: Env,
  actor: StaffActor,
  f: Omit<HazardFilter, 'cursor' | 'limit'>,
  now = Date.now(),
): Promise<{ csv: string; rows: number }> {
  const { where, params } = ledgerWhere(actor, f, now, 'hazards.export');
  const { results } = await env.DB.prepare(
    `SELECT ${COLUMNS} ${FROM} WHERE ${where.join(' AND ')} ORDER BY t.concluded_at DESC, t.id DESC LIMIT 50000`,
  )
    .bind(...params)
    .all<Record<string, unknown>>();
  const lines: unknown[][] = [[...HAZARD_CSV_HEADER]];
  for (const raw of results) {
    const r = rowOf(raw, now);
    lines.push([
      r.trackingNo,
      r.categoryLabel,
      r.unitName,
      r.address,
      r.domainName,
      r.townName,
      r.departmentName ?? '',
      day(r.foundAt),
      r.riskColour ? (RISK_LABELS[r.riskColour] ?? r.riskColour) : '',
      r.plan?.measures ?? '',
      r.plan?.responsibility ?? '',
      r.plan?.funds ?? '',
      r.plan ? day(r.rectifyDueAt) : '',
      r.plan?.plan ?? '',
      r.listedLabel === '—' ? '' : r.listedLabel,
      day(r.rectifiedAt),
      r.recheckLabel === '—' ? '' : r.recheckLabel,
      day(r.recheckAt),
      day(r.closedAt),
      r.statusLabel,
      r.overdue ? '是' : '否',
    ]);
  }
  // Who exported what: the filter as given and how many rows left the system, written with nothing else.
  await audit(env, {
    actor: actor.id,
    action: 'hazards.exported',
    at: now,
    detail: { filter: f, rows: results.length },
  });
  return { csv: csvText(lines), rows: results.length };
}

/** Months from `from` to `to` inclusive (YYYY-MM). */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 120; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** The dashboard covers at most this many months. */
export const DASHBOARD_MAX_MONTHS = 36;

const zero = () => ({ found: 0, rectified: 0, rectifiedOnTime: 0, overdue: 0, closed: 0 });

/** The dashboard's one grouped scan of the hazards found in `from`..`to` (exported so the tests read its plan). */
export function dashboardQuery(
  actor: StaffActor,
  from: string,
  to: string,
  category: HazardCategory | undefined,
  now: number,
) {
  const scope = tipScope(actor, 'hazards.read', 't.department_id');
  const where = [hazardWhere(), 't.concluded_at >= ?', 't.concluded_at < ?'];
  const params: unknown[] = [now, monthStart(from), monthStart(addMonths(to, 1))];
  if (scope.sql !== '1 = 1') {
    where.push(scope.sql);
    params.push(...scope.params);
  }
  if (category) {
    where.push('t.verified_type = ?');
    params.push(typeOf(category));
  }
  return {
    scope: scope.sql === '1 = 1' ? ('all' as const) : ('department' as const),
    sql: `SELECT strftime('%Y-%m', (t.concluded_at + ${CN_OFFSET}) / 1000, 'unixepoch') AS month, t.department_id AS dept,
              t.domain, t.town_id AS town, COUNT(*) AS found,
              SUM(t.rectified_at IS NOT NULL) AS rectified,
              SUM(t.rectified_at IS NOT NULL AND t.rectify_due_at IS NOT NULL AND t.rectified_at <= t.rectify_due_at) AS on_time,
              SUM(${overdueSql()}) AS overdue,
              SUM(t.state = 'closed') AS closed
         FROM tips t WHERE ${where.join(' AND ')} GROUP BY 1, 2, 3, 4`,
    params,
  };
}

/**
 * The district picture: hazards found (核查认定) in the months `from`..`to`, by month of finding, department, domain
 * and 镇街 — each with how many were rectified, rectified by their 整改时限, are overdue now, and are closed (销号).
 * One grouped scan of the hazards in the period (index `tips_hazards` or `tips_hazards_dept`), rolled up here.
 */
export async function hazardDashboard(
  env: Env,
  actor: StaffActor,
  q: DashboardQuery,
  now = Date.now(),
): Promise<Dashboard> {
  const to = q.to ?? chinaMonth(now);
  const from = q.from ?? addMonths(to, -11);
  if (from > to) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'to', code: 'DATE_RANGE_INVALID', message: '截止月份不能早于起始月份' }],
    });
  }
  const months = monthsBetween(from, to);
  if (months.length > DASHBOARD_MAX_MONTHS) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'from', code: 'RANGE_TOO_LONG', message: `统计期间最长 ${DASHBOARD_MAX_MONTHS} 个月` }],
    });
  }
  const q2 = dashboardQuery(actor, from, to, q.category, now);
  const [grouped, depts, domains, towns] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare(q2.sql).bind(...q2.params),
    env.DB.prepare('SELECT id AS key, name AS label FROM departments ORDER BY sort, id'),
    env.DB.prepare('SELECT code AS key, name AS label FROM domains ORDER BY sort, code'),
    env.DB.prepare('SELECT id AS key, name AS label FROM towns ORDER BY sort, id'),
  ]);
  const totals = zero();
  const byMonth = new Map(months.map((m) => [m, zero()]));
  const groups = { dept: new Map<string, ReturnType<typeof zero>>(), domain: new Map(), town: new Map() };
  const add = (x: ReturnType<typeof zero>, r: Record<string, unknown>) => {
    x.found += Number(r.found);
    x.rectified += Number(r.rectified);
    x.rectifiedOnTime += Number(r.on_time);
    x.overdue += Number(r.overdue);
    x.closed += Number(r.closed);
  };
  for (const r of grouped!.results) {
    add(totals, r);
    const m = byMonth.get(r.month as string);
    if (m) add(m, r);
    for (const [g, key] of [
      ['dept', (r.dept as string | null) ?? ''],
      ['domain', r.domain as string],
      ['town', r.town as string],
    ] as const) {
      const map = groups[g];
      const x = map.get(key) ?? zero();
      add(x, r);
      map.set(key, x);
    }
  }
  /** Every reference row that has hazards, or every row (towns: the picture shows each 镇街, zero included). */
  const list = (ref: Record<string, unknown>[], map: Map<string, ReturnType<typeof zero>>, all: boolean) => {
    const known = new Set(ref.map((x) => x.key as string));
    const out = ref
      .filter((x) => all || map.has(x.key as string))
      .map((x) => ({ key: x.key as string, label: x.label as string, ...(map.get(x.key as string) ?? zero()) }));
    for (const [key, v] of map) if (!known.has(key)) out.push({ key, label: key || '未交办', ...v });
    return out;
  };
  return {
    from,
    to,
    asOf: now,
    scope: q2.scope,
    totals,
    months: months.map((month) => ({ month, ...byMonth.get(month)! })),
    departments: list(depts!.results, groups.dept, false),
    domains: list(domains!.results, groups.domain, false),
    towns: list(towns!.results, groups.town, true),
  };
}
