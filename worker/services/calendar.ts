/**
 * The working-day calendar from D1, for the deadline rules in worker/domain/deadlines.ts (which hold the
 * arithmetic; it is re-exported here for existing callers). Public holidays and 调休 working days come from the admin-editable
 * `calendar_days` table (seeded from the State Council's published schedule; see scripts/reference-data.mjs; `npm run db:reference` loads it, and each deploy re-runs it).
 * Days are counted in China time (UTC+8), and a deadline falls at the end of its day.
 */
import type { Env } from '../env';
import { addWorkingDays, calendarSpan, type DayKinds } from '../domain/deadlines';

export {
  addCalendarDays,
  addWorkingDays,
  chinaDate,
  endOfChinaDay,
  isWorkingDay,
  startOfChinaDay,
  type DayKinds,
} from '../domain/deadlines';

/** Load the calendar entries between two dates (inclusive). */
export async function loadDayKinds(env: Env, from: string, to: string): Promise<DayKinds> {
  const { results } = await env.DB.prepare('SELECT date, kind FROM calendar_days WHERE date BETWEEN ? AND ?')
    .bind(from, to)
    .all<{ date: string; kind: 'holiday' | 'workday' | 'normal' }>();
  return new Map(results.map((r) => [r.date, r.kind]));
}

/** The calendar around an instant, wide enough for any rule in worker/domain/deadlines.ts `n` days away. */
export async function calendarAround(env: Env, atMs: number, n: number): Promise<DayKinds> {
  const { from, to } = calendarSpan(atMs, n);
  return loadDayKinds(env, from, to);
}

/** addWorkingDays with the calendar read from D1 (enough of it to cover long holidays). */
export async function workingDeadline(env: Env, startMs: number, n: number): Promise<number> {
  return addWorkingDays(startMs, n, await calendarAround(env, startMs, n));
}
