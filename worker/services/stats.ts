/**
 * Public statistics (数据公开): tips received per month, by type, domain, 镇街 and public status; the share
 * concluded within the time limit and the median days to conclusion; rewards paid per year.
 *
 * Everything is read from aggregates, never from `tips`, so the cost does not grow with the number of tips:
 * - `stats_monthly` is kept current on write (submission and every status move, see `statsDelta`);
 * - `stats_conclusions` is rebuilt for recent months by the scheduled job (`rebuildConclusionStats`).
 *
 * Small counts are suppressed: any count below `SUPPRESS_BELOW` (zero included, so a "<5" never tells
 * "none" from "a few") is published as the string "<5", and rates or medians resting on fewer than that many
 * tips are `null`, so no reporter can be singled out from a small cell.
 */
import type { Env } from '../env';
import { DOMAINS, PUBLIC_STATUSES, TIP_TYPES } from '../domain/catalog';
import { chinaDate } from './calendar';
import { publicRewardFigures } from './reward-reports';

/** Counts below this are published as "<5". */
export const SUPPRESS_BELOW = 5;
export const SUPPRESSED = '<5' as const;
export type PublicCount = number | typeof SUPPRESSED;

/**
 * A count as the public may see it.
 * @example publicCount(3) // "<5"
 * @example publicCount(12) // 12
 */
export function publicCount(n: number): PublicCount {
  return n < SUPPRESS_BELOW ? SUPPRESSED : n;
}

const DAY = 86_400_000;
const CN_OFFSET = 8 * 3_600_000;

/** YYYY-MM of an instant in China time. */
export const chinaMonth = (ms: number) => chinaDate(ms).slice(0, 7);

/** The instant a China-time month (YYYY-MM) begins. */
export const monthStart = (month: string) => Date.parse(`${month}-01T00:00:00Z`) - CN_OFFSET;

/** The month `n` months after `month` (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** How far back each scheduled run recomputes: conclusions older than this do not move any more (objection window 10 days). */
export const REBUILD_LOOKBACK_DAYS = 62;

/**
 * Rebuild `stats_conclusions` for the months from `fromMonth` on (all months when null) in one batch, so a
 * reader never sees a half-rebuilt month. Reads `tips` through the `tips_concluded` index.
 */
async function rebuildFrom(env: Env, fromMonth: string | null): Promise<void> {
  const from = fromMonth ?? '0000-00';
  const fromMs = fromMonth ? monthStart(fromMonth) : 0;
  // 核查 is timed to its conclusion, whatever came after it: a conclusion that ordered 整改 counts when it was
  // given (the tip is 整改中, not yet 已办结), and a rectification never makes it late. A tip reopened for 复查
  // after an objection leaves the figures until the 复查 conclusion, then counts at its original conclusion date. The 整改 clock has its own figures, by the month
  // 整改完成 was recorded.
  await env.DB.batch([
    env.DB.prepare('DELETE FROM stats_conclusions WHERE month >= ?').bind(from),
    env.DB.prepare(
      `INSERT INTO stats_conclusions (month, days, count, with_due, on_time)
       SELECT strftime('%Y-%m', (concluded_at + ${CN_OFFSET}) / 1000, 'unixepoch') AS month,
              MAX(0, (concluded_at - created_at) / ${DAY}) AS days,
              COUNT(*), SUM(conclude_due_at IS NOT NULL), SUM(conclude_due_at IS NOT NULL AND concluded_at <= conclude_due_at)
       FROM tips
       WHERE concluded_at >= ? AND conclusion IS NOT NULL AND state != 'reviewing'
       GROUP BY 1, 2`,
    ).bind(fromMs),
    env.DB.prepare('DELETE FROM stats_rectifications WHERE month >= ?').bind(from),
    env.DB.prepare(
      `INSERT INTO stats_rectifications (month, done, on_time)
       SELECT strftime('%Y-%m', (rectified_at + ${CN_OFFSET}) / 1000, 'unixepoch') AS month,
              COUNT(*), SUM(rectify_due_at IS NOT NULL AND rectified_at <= rectify_due_at)
       FROM tips
       WHERE rectified_at >= ?
       GROUP BY 1`,
    ).bind(fromMs),
  ]);
}

/**
 * Scheduled job: recompute the timeliness aggregate for recent months (a conclusion can still be reopened by
 * an objection, or re-dated by a 复查), everything when the table is empty (first run after a deploy), and
 * everything once a night (03:00–03:15 China time) to pick up any correction of older data. Idempotent.
 */
export async function rebuildConclusionStats(env: Env, now: number): Promise<void> {
  const any = await env.DB.prepare('SELECT 1 AS one FROM stats_conclusions LIMIT 1').first();
  const cn = new Date(now + CN_OFFSET);
  const nightly = cn.getUTCHours() === 3 && cn.getUTCMinutes() < 15;
  await rebuildFrom(env, !any || nightly ? null : chinaMonth(now - REBUILD_LOOKBACK_DAYS * DAY));
}

export interface Breakdown {
  code: string;
  label: string;
  count: PublicCount;
}

export interface PublicStats {
  generatedAt: string;
  suppressBelow: number;
  total: PublicCount;
  months: { month: string; count: PublicCount }[];
  byType: Breakdown[];
  byDomain: Breakdown[];
  byTown: Breakdown[];
  byStatus: Breakdown[];
  timeliness: {
    from: string;
    to: string;
    concluded: PublicCount;
    onTimeRate: number | null;
    medianDays: number | null;
    months: { month: string; concluded: PublicCount; onTimeRate: number | null }[];
  };
  /** The 整改 clock, apart from 核查: rectifications completed in the window, and the share done by their 整改时限. */
  rectification: { done: PublicCount; onTimeRate: number | null };
  rewards: { year: string; count: PublicCount; totalYuan: number | null }[];
}

/** The median of a histogram given as (value, count) pairs; null when it holds fewer than SUPPRESS_BELOW items. */
export function histogramMedian(bins: { value: number; count: number }[]): number | null {
  const sorted = bins.filter((b) => b.count > 0).sort((a, b) => a.value - b.value);
  const n = sorted.reduce((s, b) => s + b.count, 0);
  if (n < SUPPRESS_BELOW) return null;
  const at = (k: number) => {
    let seen = 0;
    for (const b of sorted) {
      seen += b.count;
      if (seen > k) return b.value;
    }
    return sorted.at(-1)!.value;
  };
  return n % 2 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

/** A rate rounded to 3 decimals; null when the denominator is below SUPPRESS_BELOW. */
const rate = (num: number, den: number) => (den < SUPPRESS_BELOW ? null : Math.round((num / den) * 1000) / 1000);

/** Months shown in the trend: the last 24, or from the first month with data if that is later. */
export const TREND_MONTHS = 24;
/** Timeliness is reported over the last 12 months of conclusions (the current month included). */
export const TIMELINESS_MONTHS = 12;

/**
 * The public statistics, computed from the aggregates (a handful of small grouped reads in one batch).
 * @example const s = await publicStats(env); s.byDomain.find((d) => d.code === 'gas')?.count // 12 or "<5"
 */
export async function publicStats(env: Env, now = Date.now()): Promise<PublicStats> {
  const thisMonth = chinaMonth(now);
  const trendFrom = addMonths(thisMonth, -(TREND_MONTHS - 1));
  const timelyFrom = addMonths(thisMonth, -(TIMELINESS_MONTHS - 1));
  const grouped = (col: string) =>
    env.DB.prepare(`SELECT ${col} AS k, SUM(count) AS n FROM stats_monthly GROUP BY ${col}`);
  const [months, types, domains, towns, statuses, townNames, conclusions, rectifications] = await env.DB.batch<
    Record<string, unknown>
  >([
    env.DB.prepare('SELECT month AS k, SUM(count) AS n FROM stats_monthly WHERE month >= ? GROUP BY month').bind(
      trendFrom,
    ),
    grouped('type'),
    grouped('domain'),
    grouped('town_id'),
    grouped('public_status'),
    env.DB.prepare('SELECT id, name, active FROM towns ORDER BY sort, id'),
    env.DB.prepare(
      'SELECT month, days, count, with_due, on_time FROM stats_conclusions WHERE month >= ? AND month <= ?',
    ).bind(timelyFrom, thisMonth),
    env.DB.prepare(
      'SELECT COALESCE(SUM(done), 0) AS done, COALESCE(SUM(on_time), 0) AS on_time FROM stats_rectifications WHERE month >= ? AND month <= ?',
    ).bind(timelyFrom, thisMonth),
  ]);
  const rect = (rectifications!.results[0] ?? { done: 0, on_time: 0 }) as { done: number; on_time: number };
  const asMap = (r: D1Result<Record<string, unknown>>) => new Map(r.results.map((x) => [String(x.k), Number(x.n)]));
  const byMonth = asMap(months!);
  const typeN = asMap(types!);
  const domainN = asMap(domains!);
  const townN = asMap(towns!);
  const statusN = asMap(statuses!);
  const total = [...statusN.values()].reduce((s, n) => s + n, 0);

  // The trend starts at the first month with any tip (at most TREND_MONTHS back) and runs to this month.
  const firstMonth = [...byMonth.keys()].sort()[0];
  const series: { month: string; count: PublicCount }[] = [];
  for (let m = firstMonth && firstMonth > trendFrom ? firstMonth : trendFrom; m <= thisMonth; m = addMonths(m, 1)) {
    series.push({ month: m, count: publicCount(byMonth.get(m) ?? 0) });
  }
  if (!firstMonth) series.splice(0, series.length - 1); // nothing yet: just this month

  const breakdown = (list: readonly { code: string; label: string }[], n: Map<string, number>): Breakdown[] =>
    list.map(({ code, label }) => ({ code, label, count: publicCount(n.get(code) ?? 0) }));
  const townList = (townNames!.results as { id: string; name: string; active: number }[])
    .filter((t) => t.active || townN.has(t.id))
    .map((t) => ({ code: t.id, label: t.name }));

  // Timeliness over the last 12 months, from the histogram.
  const rows = conclusions!.results as {
    month: string;
    days: number;
    count: number;
    with_due: number;
    on_time: number;
  }[];
  const perMonth = new Map<string, { count: number; withDue: number; onTime: number }>();
  for (const r of rows) {
    const m = perMonth.get(r.month) ?? { count: 0, withDue: 0, onTime: 0 };
    m.count += r.count;
    m.withDue += r.with_due;
    m.onTime += r.on_time;
    perMonth.set(r.month, m);
  }
  const sum = [...perMonth.values()].reduce(
    (s, m) => ({ count: s.count + m.count, withDue: s.withDue + m.withDue, onTime: s.onTime + m.onTime }),
    { count: 0, withDue: 0, onTime: 0 },
  );
  const timelyMonths = [];
  for (let m = timelyFrom; m <= thisMonth; m = addMonths(m, 1)) {
    const x = perMonth.get(m) ?? { count: 0, withDue: 0, onTime: 0 };
    timelyMonths.push({ month: m, concluded: publicCount(x.count), onTimeRate: rate(x.onTime, x.withDue) });
  }
  const daysBins = new Map<number, number>();
  for (const r of rows) daysBins.set(r.days, (daysBins.get(r.days) ?? 0) + r.count);

  const rewards = (await publicRewardFigures(env)).map((r) => ({
    year: r.year,
    count: publicCount(r.count),
    // The total of fewer than five rewards would tell individual amounts.
    totalYuan: r.count < SUPPRESS_BELOW ? null : Math.round(r.totalFen) / 100,
  }));

  return {
    generatedAt: new Date(now).toISOString(),
    suppressBelow: SUPPRESS_BELOW,
    total: publicCount(total),
    months: series,
    byType: breakdown(TIP_TYPES, typeN),
    byDomain: breakdown(DOMAINS, domainN),
    byTown: breakdown(townList, townN),
    byStatus: breakdown(PUBLIC_STATUSES, statusN),
    timeliness: {
      from: timelyFrom,
      to: thisMonth,
      concluded: publicCount(sum.count),
      onTimeRate: rate(sum.onTime, sum.withDue),
      medianDays: histogramMedian([...daysBins].map(([value, count]) => ({ value, count }))),
      months: timelyMonths,
    },
    rectification: { done: publicCount(rect.done), onTimeRate: rate(rect.on_time, rect.done) },
    rewards,
  };
}
