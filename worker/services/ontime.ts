/**
 * The public on-time record (按时办结记录) and the monthly report (月度通报).
 *
 * Per China-time month, for the district, each department and each domain:
 * - received: tips submitted in the month;
 * - concluded: 核查 conclusions given in the month (a tip reopened for 复查 counts again at its 复查 conclusion);
 * - on-time rate = concluded on time ÷ (concluded + open and overdue), where "open and overdue" are tips still
 *   without a conclusion at the month's end (or now, for the running month) whose 办结期限 had passed — so an
 *   overdue tip counts against every month it stays open;
 * - median days from submission to conclusion (of the month's conclusions);
 * - rectifications (整改完成) recorded in the month, and how many by their 整改时限;
 * - satisfaction: ratings (评价) given or changed in the month, and the share of 满意 and 非常满意.
 *
 * Published with the statistics' small-count suppression (worker/services/stats.ts): a count below 5 is "<5",
 * a rate or median resting on fewer than 5 is null. The Cron (`refreshOntimeRecord`) recomputes the running
 * month at most hourly; the first run after a month ends computes its final figures and publishes its monthly
 * report (`monthly_reports`), after which the month is frozen. The Worker serves both from D1, so a report exists
 * within minutes of the month's end without rebuilding the site.
 */
import type { Env } from '../env';
import { DOMAINS } from '../domain/catalog';
import { SATISFIED_RATINGS } from '../domain/workflow';
import { type DataColumn, type DataField, fieldsOf, recordOf } from './open-data';
import {
  addMonths,
  chinaMonth,
  histogramMedian,
  monthStart,
  publicCount,
  SUPPRESS_BELOW,
  type PublicCount,
} from './stats';

const DAY = 86_400_000;
/** The running month is recomputed at most this often. */
const RUNNING_EVERY_MS = 60 * 60_000;
/** Months finalised per Cron run (a first deploy catches up over a few runs). */
const FINALISE_PER_RUN = 6;
/** How far back the record goes. */
export const RECORD_MONTHS = 24;

export type Scope = 'district' | 'department' | 'domain';

interface Raw {
  received: number;
  concluded: number;
  concludedOnTime: number;
  openOverdue: number;
  days: Map<number, number>;
  rectified: number;
  rectifiedOnTime: number;
  ratings: number;
  satisfied: number;
}
const empty = (): Raw => ({
  received: 0,
  concluded: 0,
  concludedOnTime: 0,
  openOverdue: 0,
  days: new Map(),
  rectified: 0,
  rectifiedOnTime: 0,
  ratings: 0,
  satisfied: 0,
});

/** The scopes a tip counts in: the district, its domain, and its department when it has one. */
function scopesOf(dept: string | null, domain: string): [Scope, string][] {
  const out: [Scope, string][] = [
    ['district', 'all'],
    ['domain', domain],
  ];
  if (dept) out.push(['department', dept]);
  return out;
}

/**
 * Compute one month's figures from `tips` and `tip_ratings` as of `min(now, end of month)`.
 * @example const rows = await computeOntimeMonth(env, '2026-11', Date.now())
 */
export async function computeOntimeMonth(env: Env, month: string, now: number): Promise<Map<string, Raw>> {
  const start = monthStart(month);
  const end = monthStart(addMonths(month, 1));
  const asOf = Math.min(now, end);
  const [received, concluded, overdue, rectified, ratings] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare(
      'SELECT department_id AS dept, domain, COUNT(*) AS n FROM tips WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2',
    ).bind(start, asOf),
    env.DB.prepare(
      `SELECT department_id AS dept, domain, MAX(0, (concluded_at - created_at) / ${DAY}) AS days,
              (conclude_due_at IS NOT NULL AND concluded_at <= conclude_due_at) AS ok, COUNT(*) AS n
         FROM tips WHERE concluded_at >= ? AND concluded_at < ? AND conclusion IS NOT NULL AND state != 'reviewing'
        GROUP BY 1, 2, 3, 4`,
    ).bind(start, asOf),
    env.DB.prepare(
      `SELECT department_id AS dept, domain, COUNT(*) AS n FROM tips
        WHERE conclude_due_at < ? AND created_at < ? AND (concluded_at IS NULL OR concluded_at >= ?) AND state NOT IN ('rejected', 'merged')
        GROUP BY 1, 2`,
    ).bind(asOf, asOf, asOf),
    env.DB.prepare(
      `SELECT department_id AS dept, domain, (rectify_due_at IS NOT NULL AND rectified_at <= rectify_due_at) AS ok, COUNT(*) AS n
         FROM tips WHERE rectified_at >= ? AND rectified_at < ? GROUP BY 1, 2, 3`,
    ).bind(start, asOf),
    env.DB.prepare(
      `SELECT t.department_id AS dept, t.domain, r.level, COUNT(*) AS n
         FROM tip_ratings r JOIN tips t ON t.id = r.tip_id WHERE r.updated_at >= ? AND r.updated_at < ? GROUP BY 1, 2, 3`,
    ).bind(start, asOf),
  ]);
  const figures = new Map<string, Raw>();
  const add = (r: Record<string, unknown>, f: (x: Raw, n: number) => void) => {
    for (const [scope, key] of scopesOf(r.dept as string | null, r.domain as string)) {
      const id = `${scope}:${key}`;
      const x = figures.get(id) ?? empty();
      f(x, Number(r.n));
      figures.set(id, x);
    }
  };
  figures.set('district:all', empty());
  for (const r of received!.results) add(r, (x, n) => (x.received += n));
  for (const r of concluded!.results)
    add(r, (x, n) => {
      x.concluded += n;
      if (r.ok) x.concludedOnTime += n;
      x.days.set(Number(r.days), (x.days.get(Number(r.days)) ?? 0) + n);
    });
  for (const r of overdue!.results) add(r, (x, n) => (x.openOverdue += n));
  for (const r of rectified!.results)
    add(r, (x, n) => {
      x.rectified += n;
      if (r.ok) x.rectifiedOnTime += n;
    });
  for (const r of ratings!.results)
    add(r, (x, n) => {
      x.ratings += n;
      if ((SATISFIED_RATINGS as readonly string[]).includes(r.level as string)) x.satisfied += n;
    });
  return figures;
}

/** Store a month's figures (replacing the old ones), and publish its report when the month has ended. */
async function storeMonth(env: Env, month: string, now: number): Promise<void> {
  const figures = await computeOntimeMonth(env, month, now);
  const ended = now >= monthStart(addMonths(month, 1));
  await env.DB.batch([
    env.DB.prepare('DELETE FROM ontime_monthly WHERE month = ?').bind(month),
    ...[...figures].map(([id, x]) => {
      const [scope, key] = id.split(':') as [Scope, string];
      return env.DB.prepare(
        `INSERT INTO ontime_monthly (month, scope, key, received, concluded, concluded_on_time, open_overdue, days_histogram, rectified,
                                     rectified_on_time, ratings, satisfied, computed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      ).bind(
        month,
        scope,
        key,
        x.received,
        x.concluded,
        x.concludedOnTime,
        x.openOverdue,
        JSON.stringify(Object.fromEntries(x.days)),
        x.rectified,
        x.rectifiedOnTime,
        x.ratings,
        x.satisfied,
        now,
      );
    }),
    ...(ended
      ? [env.DB.prepare('INSERT OR IGNORE INTO monthly_reports (month, published_at) VALUES (?, ?)').bind(month, now)]
      : []),
  ]);
}

/**
 * Scheduled: finalise every ended month without a report (from the first tip's month, at most RECORD_MONTHS
 * back, FINALISE_PER_RUN per run) and refresh the running month hourly. Idempotent; published months never change.
 */
export async function refreshOntimeRecord(env: Env, now: number): Promise<string[]> {
  const thisMonth = chinaMonth(now);
  const first = await env.DB.prepare('SELECT MIN(created_at) AS at FROM tips').first<{ at: number | null }>();
  const floor = addMonths(thisMonth, -RECORD_MONTHS);
  const from = first?.at != null ? chinaMonth(first.at) : addMonths(thisMonth, -1);
  const { results } = await env.DB.prepare('SELECT month FROM monthly_reports WHERE month >= ?')
    .bind(floor)
    .all<{ month: string }>();
  const published = new Set(results.map((r) => r.month));
  const done: string[] = [];
  // biome-ignore lint/complexity/useMathMinMax: months are YYYY-MM strings, compared as text
  for (let m = from > floor ? from : floor; m < thisMonth && done.length < FINALISE_PER_RUN; m = addMonths(m, 1)) {
    if (published.has(m)) continue;
    await storeMonth(env, m, now);
    done.push(m);
  }
  const running = await env.DB.prepare(
    "SELECT MAX(computed_at) AS at FROM ontime_monthly WHERE month = ? AND scope = 'district'",
  )
    .bind(thisMonth)
    .first<{ at: number | null }>();
  if (running?.at == null || running.at < now - RUNNING_EVERY_MS) {
    await storeMonth(env, thisMonth, now);
    done.push(thisMonth);
  }
  return done;
}

// ---- publishing ---------------------------------------------------------------------------------------------

/** A published figure set: counts suppressed below 5, rates and medians null when resting on fewer than 5. */
export interface PublicFigures {
  key: string;
  label: string;
  received: PublicCount;
  concluded: PublicCount;
  concludedOnTime: PublicCount;
  openOverdue: PublicCount;
  /** concluded on time ÷ (concluded + open and overdue). */
  onTimeRate: number | null;
  medianDays: number | null;
  rectified: PublicCount;
  rectifiedOnTime: PublicCount;
  rectifiedOnTimeRate: number | null;
  ratings: PublicCount;
  /** Share of 满意 and 非常满意 among the ratings. */
  satisfiedShare: number | null;
}

export interface PublicMonth {
  month: string;
  /** Final (the month ended and its report is published) or running (figures so far). */
  final: boolean;
  publishedAt: string | null;
  computedAt: string | null;
  district: PublicFigures;
  departments: PublicFigures[];
  domains: PublicFigures[];
}

const rate = (num: number, den: number) => (den < SUPPRESS_BELOW ? null : Math.round((num / den) * 1000) / 1000);

interface StoredRow {
  month: string;
  scope: Scope;
  key: string;
  received: number;
  concluded: number;
  concluded_on_time: number;
  open_overdue: number;
  days_histogram: string;
  rectified: number;
  rectified_on_time: number;
  ratings: number;
  satisfied: number;
  computed_at: number;
}

/** The published form of raw figures. */
export function publish(
  key: string,
  label: string,
  r: Omit<StoredRow, 'month' | 'scope' | 'key' | 'computed_at'> | null,
): PublicFigures {
  const x = r ?? {
    received: 0,
    concluded: 0,
    concluded_on_time: 0,
    open_overdue: 0,
    days_histogram: '{}',
    rectified: 0,
    rectified_on_time: 0,
    ratings: 0,
    satisfied: 0,
  };
  const hist = JSON.parse(x.days_histogram) as Record<string, number>;
  return {
    key,
    label,
    received: publicCount(x.received),
    concluded: publicCount(x.concluded),
    concludedOnTime: publicCount(x.concluded_on_time),
    openOverdue: publicCount(x.open_overdue),
    onTimeRate: rate(x.concluded_on_time, x.concluded + x.open_overdue),
    medianDays: histogramMedian(Object.entries(hist).map(([value, count]) => ({ value: Number(value), count }))),
    rectified: publicCount(x.rectified),
    rectifiedOnTime: publicCount(x.rectified_on_time),
    rectifiedOnTimeRate: rate(x.rectified_on_time, x.rectified),
    ratings: publicCount(x.ratings),
    satisfiedShare: rate(x.satisfied, x.ratings),
  };
}

/** The published record for months `from`..`to` (YYYY-MM), oldest first; months not computed yet are left out. */
export async function ontimeRecord(env: Env, from: string, to: string): Promise<PublicMonth[]> {
  const [rows, reports, depts] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare('SELECT * FROM ontime_monthly WHERE month >= ? AND month <= ? ORDER BY month').bind(from, to),
    env.DB.prepare('SELECT month, published_at FROM monthly_reports WHERE month >= ? AND month <= ?').bind(from, to),
    env.DB.prepare('SELECT id, name, active FROM departments ORDER BY sort, id'),
  ]);
  const byMonth = new Map<string, StoredRow[]>();
  for (const r of rows!.results as unknown as StoredRow[]) byMonth.set(r.month, [...(byMonth.get(r.month) ?? []), r]);
  const publishedAt = new Map(
    (reports!.results as { month: string; published_at: number }[]).map((r) => [r.month, r.published_at]),
  );
  const deptList = depts!.results as { id: string; name: string; active: number }[];
  return [...byMonth].map(([month, list]) => {
    const find = (scope: Scope, key: string) => list.find((r) => r.scope === scope && r.key === key) ?? null;
    const pub = publishedAt.get(month);
    return {
      month,
      final: pub != null,
      publishedAt: pub != null ? new Date(pub).toISOString() : null,
      computedAt: list[0] ? new Date(list[0].computed_at).toISOString() : null,
      district: publish('all', '全区', find('district', 'all')),
      departments: deptList
        .filter((d) => d.active || find('department', d.id))
        .map((d) => publish(d.id, d.name, find('department', d.id))),
      domains: DOMAINS.map((d) => publish(d.code, d.label, find('domain', d.code))),
    };
  });
}

/** 月度通报 of an ended month, or null when it is not published (yet). */
export async function monthlyReport(env: Env, month: string): Promise<PublicMonth | null> {
  const [m] = await ontimeRecord(env, month, month);
  return m?.final ? m : null;
}

/** Published reports, newest first. */
export async function reportList(env: Env): Promise<{ month: string; publishedAt: string }[]> {
  const { results } = await env.DB.prepare(
    'SELECT month, published_at FROM monthly_reports ORDER BY month DESC LIMIT 120',
  ).all<{ month: string; published_at: number }>();
  return results.map((r) => ({ month: r.month, publishedAt: new Date(r.published_at).toISOString() }));
}

// ---- open data --------------------------------------------------------------------------------------------

type OntimeValue = string | number | null;
/** What a row is read from: the month, the scope and the figures of one district, department or domain. */
type OntimeFrom = [at: { month: string; scope: Scope }, f: PublicFigures];

/** The columns of an on-time record row, in order: what each holds and how it is read from the figures. */
const ONTIME_COLUMNS: readonly DataColumn<'string' | 'integer' | 'number' | 'count', OntimeFrom, OntimeValue>[] = [
  {
    name: 'month',
    label: '月份',
    type: 'string',
    description: '统计月份（北京时间，YYYY-MM）',
    value: (at) => at.month,
  },
  {
    name: 'scope',
    label: '统计范围',
    type: 'string',
    description: 'district（全区）/ department（承办单位）/ domain（行业领域）',
    value: (at) => at.scope,
  },
  {
    name: 'key',
    label: '代码',
    type: 'string',
    description: '全区为 all；承办单位代码或行业领域代码',
    value: (_, f) => f.key,
  },
  {
    name: 'name',
    label: '名称',
    type: 'string',
    description: '全区、承办单位名称或行业领域名称',
    value: (_, f) => f.label,
  },
  { name: 'received', label: '收到', type: 'count', description: '当月收到的举报件数', value: (_, f) => f.received },
  {
    name: 'concluded',
    label: '办结',
    type: 'count',
    description: '当月作出核查结论的件数',
    value: (_, f) => f.concluded,
  },
  {
    name: 'concluded_on_time',
    label: '按期办结',
    type: 'count',
    description: '其中在办结期限（含批准的延期）内办结的件数',
    value: (_, f) => f.concludedOnTime,
  },
  {
    name: 'open_overdue',
    label: '超期未办结',
    type: 'count',
    description: '月末（本月为统计时）仍未办结且已过办结期限的件数',
    value: (_, f) => f.openOverdue,
  },
  {
    name: 'on_time_rate',
    label: '按期办结率',
    type: 'number',
    description: '按期办结 ÷（办结 + 超期未办结），0–1；分母不足 5 时为空',
    value: (_, f) => f.onTimeRate,
  },
  {
    name: 'median_days',
    label: '办结用时中位数',
    type: 'number',
    description: '当月办结举报从收到到办结的整天数的中位数；不足 5 件时为空',
    value: (_, f) => f.medianDays,
  },
  {
    name: 'rectified',
    label: '整改完成',
    type: 'count',
    description: '当月记录整改完成的隐患数',
    value: (_, f) => f.rectified,
  },
  {
    name: 'rectified_on_time',
    label: '按期整改',
    type: 'count',
    description: '其中在整改时限内完成的数量',
    value: (_, f) => f.rectifiedOnTime,
  },
  {
    name: 'rectified_on_time_rate',
    label: '按期整改率',
    type: 'number',
    description: '按期整改 ÷ 整改完成；不足 5 件时为空',
    value: (_, f) => f.rectifiedOnTimeRate,
  },
  {
    name: 'ratings',
    label: '评价数',
    type: 'count',
    description: '当月举报人作出（或更改）的评价数',
    value: (_, f) => f.ratings,
  },
  {
    name: 'satisfied_share',
    label: '满意率',
    type: 'number',
    description: '“满意”和“非常满意”占评价数的比例；评价不足 5 条时为空',
    value: (_, f) => f.satisfiedShare,
  },
];

export type OntimeField = DataField<'string' | 'integer' | 'number' | 'count'>;
/** The documented schema of an on-time record row (CSV header and JSON `fields`). */
export const ONTIME_FIELDS: readonly OntimeField[] = fieldsOf(ONTIME_COLUMNS);

/** The rows of one month as open-data records (counts below 5 as "<5", suppressed rates as null). */
export function ontimeRecords(m: PublicMonth): Record<string, OntimeValue>[] {
  const row = (scope: Scope, f: PublicFigures) => recordOf(ONTIME_COLUMNS, { month: m.month, scope }, f);
  return [
    row('district', m.district),
    ...m.departments.map((d) => row('department', d)),
    ...m.domains.map((d) => row('domain', d)),
  ];
}
