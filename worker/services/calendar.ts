/**
 * Working-day arithmetic for time limits. Public holidays and 调休 working days come from the admin-editable
 * `calendar_days` table (seeded from the State Council's published schedule; see scripts/reference-data.mjs; `npm run db:reference` loads it, and each deploy re-runs it).
 * Days are counted in China time (UTC+8), and a deadline falls at the end of its day.
 */
import type { Env } from '../env';

const DAY = 86_400_000;
const CN_OFFSET = 8 * 3_600_000;

/** YYYY-MM-DD of an instant in China time. */
export function chinaDate(ms: number): string {
  return new Date(ms + CN_OFFSET).toISOString().slice(0, 10);
}

/** The last millisecond of a China-time calendar day, as an instant. */
export function endOfChinaDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - CN_OFFSET + DAY - 1;
}

/** `normal` is a day an admin returned to the weekday rule. */
export type DayKinds = Map<string, 'holiday' | 'workday' | 'normal'>;

/** Whether a China-time date is a working day under the calendar. */
export function isWorkingDay(date: string, kinds: DayKinds): boolean {
  const k = kinds.get(date);
  if (k === 'holiday') return false;
  if (k === 'workday') return true;
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/**
 * The deadline `n` working days after `startMs` (the start day itself does not count), at the end of that day.
 * @example addWorkingDays(Date.parse('2026-09-30T10:00:00+08:00'), 5, kinds) // end of the 5th working day after National Day
 */
export function addWorkingDays(startMs: number, n: number, kinds: DayKinds): number {
  let date = chinaDate(startMs);
  let left = n;
  while (left > 0) {
    date = chinaDate(Date.parse(`${date}T00:00:00Z`) + DAY - CN_OFFSET + 1);
    if (isWorkingDay(date, kinds)) left--;
  }
  return endOfChinaDay(date);
}

/** Calendar days: the deadline is the end of the China-time day `n` days after `startMs`. */
export function addCalendarDays(startMs: number, n: number): number {
  return endOfChinaDay(chinaDate(startMs + n * DAY));
}

/** Load the calendar entries between two dates (inclusive). */
export async function loadDayKinds(env: Env, from: string, to: string): Promise<DayKinds> {
  const { results } = await env.DB.prepare('SELECT date, kind FROM calendar_days WHERE date BETWEEN ? AND ?')
    .bind(from, to)
    .all<{ date: string; kind: 'holiday' | 'workday' | 'normal' }>();
  return new Map(results.map((r) => [r.date, r.kind]));
}

/** addWorkingDays with the calendar read from D1 (enough of it to cover long holidays). */
export async function workingDeadline(env: Env, startMs: number, n: number): Promise<number> {
  const kinds = await loadDayKinds(env, chinaDate(startMs), chinaDate(startMs + (n * 3 + 14) * DAY));
  return addWorkingDays(startMs, n, kinds);
}
