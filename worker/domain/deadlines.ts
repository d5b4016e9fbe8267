/**
 * Every deadline rule of the portal, as pure functions. Services (transitions, the lookup, the Cron reminders,
 * rewards), the console and the tests compute time limits only through this module; nothing else adds days.
 * docs/rules.md lists each rule with its legal source.
 *
 * Each rule takes the deployment's time limits and the working-day calendar (`DayKinds`: public holidays and
 * 调休 working days, loaded from the admin-editable `calendar_days` table by worker/services/calendar.ts).
 * Days are counted in China time (UTC+8): the start day does not count, and a deadline falls at the end of its day.
 *
 * The clocks:
 * - 受理: `acceptWorkingDays` working days from submission.
 * - 核查 and the reply: `concludeDays` calendar days from 受理 (《安全生产举报处理工作规定》第十一条: 60 days), plus
 *   one approved extension of at most `maxExtensionDays` (30 days), granted in 核查 only. The clock stops when
 *   the conclusion is given, even if it orders a rectification.
 * - 整改: the 时限 of the 五到位 plan recorded with the conclusion; 复查 of the rectification within
 *   `recheckDays` of that 时限; 销号 closes it.
 * - 异议: `objectionDays` from the day the conclusion reaches the reporter (应急〔2023〕106号), then 复查 within
 *   `reviewDays` of the objection.
 * - 奖励领取: `rewardClaimDays` from the notice.
 * - 评价: `ratingDays` from the conclusion reaching the reporter; a low rating opens a 回访 due
 *   `followupWorkingDays` working days later.
 */
import type { TimeLimits } from './limits';

export const DAY = 86_400_000;
const CN_OFFSET = 8 * 3_600_000;

/** The working-day calendar: `holiday` and `workday` override the weekday rule; `normal` is a day returned to it. */
export type DayKinds = ReadonlyMap<string, 'holiday' | 'workday' | 'normal'>;

/** YYYY-MM-DD of an instant in China time. */
export function chinaDate(ms: number): string {
  return new Date(ms + CN_OFFSET).toISOString().slice(0, 10);
}

/**
 * The China-time day of an instant as people read it in a sentence, `2027年1月31日` — the style of every date on
 * the pages (site/scripts/shared/format.ts); data fields keep `chinaDate`'s YYYY-MM-DD.
 */
export function chinaDateText(ms: number): string {
  const [y, m, d] = chinaDate(ms).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** The first millisecond of a China-time calendar day, as an instant. */
export function startOfChinaDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - CN_OFFSET;
}

/** The last millisecond of a China-time calendar day, as an instant. */
export function endOfChinaDay(date: string): number {
  return startOfChinaDay(date) + DAY - 1;
}

/** The China-time date `n` days after `date` (n may be negative). */
function shiftDate(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** Whether a China-time date is a working day under the calendar. */
export function isWorkingDay(date: string, days: DayKinds): boolean {
  const k = days.get(date);
  if (k === 'holiday') return false;
  if (k === 'workday') return true;
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/**
 * The deadline `n` working days after `startMs` (the start day itself does not count), at the end of that day.
 * @example addWorkingDays(Date.parse('2026-09-30T10:00:00+08:00'), 5, days) // end of 2026-10-13
 */
export function addWorkingDays(startMs: number, n: number, days: DayKinds): number {
  let date = chinaDate(startMs);
  for (let left = n; left > 0; ) {
    date = shiftDate(date, 1);
    if (isWorkingDay(date, days)) left--;
  }
  return endOfChinaDay(date);
}

/** The China-time date `n` working days before `date` (n ≥ 1; `date` itself does not count). */
export function workingDaysBefore(date: string, n: number, days: DayKinds): string {
  let d = date;
  for (let left = n; left > 0; ) {
    d = shiftDate(d, -1);
    if (isWorkingDay(d, days)) left--;
  }
  return d;
}

/** Calendar days: the end of the China-time day `n` days after `startMs`. */
export function addCalendarDays(startMs: number, n: number): number {
  return endOfChinaDay(chinaDate(startMs + n * DAY));
}

/** The calendar range (China dates) a rule may read for a deadline `n` days from `startMs`, long holidays included. */
export function calendarSpan(startMs: number, n: number): { from: string; to: string } {
  return { from: chinaDate(startMs - (n + 14) * DAY), to: chinaDate(startMs + (n * 3 + 30) * DAY) };
}

// ---- the rules ----------------------------------------------------------------------------------------------

/** 受理 decision: `acceptWorkingDays` working days after submission. */
export function acceptDeadline(submittedAt: number, limits: TimeLimits, days: DayKinds): number {
  return addWorkingDays(submittedAt, limits.acceptWorkingDays, days);
}

/**
 * 核查 conclusion and the reply to the reporter: `concludeDays` calendar days after 受理, plus an approved
 * extension. This is the only clock 核查超期 is measured against; a rectification never moves it.
 */
export function concludeDeadline(acceptedAt: number, limits: TimeLimits, _days: DayKinds, extensionDays = 0): number {
  return addCalendarDays(acceptedAt, limits.concludeDays + extensionDays);
}

/** A 交办 due date chosen by the dispatcher: the end of that day; it may not be before today or after the 核查 deadline. */
export function assignmentDeadline(
  dueDate: string | undefined,
  concludeDue: number,
  now: number,
): { ok: true; due: number } | { ok: false; code: 'DUE_IN_PAST' | 'DUE_AFTER_LIMIT' } {
  const due = dueDate ? endOfChinaDay(dueDate) : concludeDue;
  if (due < now) return { ok: false, code: 'DUE_IN_PAST' };
  if (due > concludeDue) return { ok: false, code: 'DUE_AFTER_LIMIT' };
  return { ok: true, due };
}

/** The phases of a tip's handling that have a clock. */
export type ClockPhase = 'accept' | 'verify' | 'rectify';

/** States in which the 核查 clock runs (and an extension can be asked for or decided). */
export const VERIFY_STATES = ['accepted', 'assigned', 'returned'] as const;

/**
 * Whether an extension may be requested or decided in `state`: only while 核查 runs, of at most
 * `maxExtensionDays`. A rectification has its own 时限 (from the 五到位 plan) and 复查 has its fixed limit.
 */
export function extensionRule(
  state: string,
  requestedDays: number | null,
  limits: TimeLimits,
): { ok: true } | { ok: false; code: 'EXTENSION_NOT_IN_VERIFICATION' | 'EXTENSION_TOO_LONG' } {
  if (!(VERIFY_STATES as readonly string[]).includes(state))
    return { ok: false, code: 'EXTENSION_NOT_IN_VERIFICATION' };
  if (requestedDays != null && requestedDays > limits.maxExtensionDays)
    return { ok: false, code: 'EXTENSION_TOO_LONG' };
  return { ok: true };
}

/** An approved extension moves a 核查 deadline by its days. */
export function extendDeadline(due: number, extensionDays: number): number {
  return addCalendarDays(due, extensionDays);
}

/** The reply to the reporter is due `replyDays` after the conclusion (the lookup publishes it at once). */
export function replyDeadline(concludedAt: number, limits: TimeLimits, _days: DayKinds): number {
  return addCalendarDays(concludedAt, limits.replyDays);
}

/**
 * The last moment for an objection (异议): `objectionDays` from the day the conclusion reached the reporter
 * (应急〔2023〕106号: “举报人在核查结论送达之日起10日内对核查结论提出异议的”), not from 销号.
 */
export function objectionDeadline(repliedAt: number, limits: TimeLimits, _days: DayKinds): number {
  return addCalendarDays(repliedAt, limits.objectionDays);
}

/** 复查 after an objection: within `reviewDays` of receiving it (应急〔2023〕106号: “接到异议之日起30日内组织复查”). */
export function reviewDeadline(objectedAt: number, limits: TimeLimits, _days: DayKinds): number {
  return addCalendarDays(objectedAt, limits.reviewDays);
}

/**
 * The 整改时限 of a 五到位 plan (a China date): the end of that day. It must not be before today.
 * @example rectifyDeadline('2027-03-01', now) // { ok: true, due: end of 2027-03-01 China time }
 */
export function rectifyDeadline(
  date: string,
  now: number,
): { ok: true; due: number } | { ok: false; code: 'DEADLINE_IN_PAST' } {
  const due = endOfChinaDay(date);
  return due < now ? { ok: false, code: 'DEADLINE_IN_PAST' } : { ok: true, due };
}

/** 复查 of a rectification: within `recheckDays` after its 整改时限 (or after completion, if that was later). */
export function recheckDeadline(
  rectifyDueAt: number,
  limits: TimeLimits,
  _days: DayKinds,
  completedAt?: number,
): number {
  const from = completedAt != null && completedAt > rectifyDueAt ? completedAt : rectifyDueAt;
  return addCalendarDays(from, limits.recheckDays);
}

/** An unclaimed reward notice lapses `rewardClaimDays` after it was sent. */
export function claimDeadline(notifiedAt: number, limits: TimeLimits, _days: DayKinds): number {
  return addCalendarDays(notifiedAt, limits.rewardClaimDays);
}

/** An extended claim period: the old deadline plus `days`. */
export function extendClaimDeadline(deadline: number, days: number): number {
  return addCalendarDays(deadline, days);
}

/** The reporter may rate a conclusion, and change the rating, until `ratingDays` after it reached them. */
export function ratingWindowEnd(repliedAt: number, limits: TimeLimits, _days: DayKinds): number {
  return addCalendarDays(repliedAt, limits.ratingDays);
}

/** A follow-up (回访) after a low rating is answered within `followupWorkingDays` working days of the rating. */
export function followupDeadline(openedAt: number, limits: TimeLimits, days: DayKinds): number {
  return addWorkingDays(openedAt, limits.followupWorkingDays, days);
}

// ---- what a running deadline is for ---------------------------------------------------------------------------

/**
 * Running deadline kinds (`tips.due_kind`) by the clock they belong to: 受理, 核查 (交办, 办结, 复查 after an
 * objection) or 整改 (the 整改时限 and the 复查 of the rectification). Statistics and the staff queue tell
 * 核查超期 and 整改超期 apart with this table.
 */
export const DUE_KINDS = {
  accept: { phase: 'accept', label: '受理期限', overdueLabel: '受理超期' },
  assignment: { phase: 'verify', label: '交办期限', overdueLabel: '核查超期' },
  conclude: { phase: 'verify', label: '办结期限', overdueLabel: '核查超期' },
  review: { phase: 'verify', label: '复查期限（异议）', overdueLabel: '核查超期' },
  rectify: { phase: 'rectify', label: '整改时限', overdueLabel: '整改超期' },
  recheck: { phase: 'rectify', label: '整改复查期限', overdueLabel: '整改超期' },
} as const satisfies Record<string, { phase: ClockPhase; label: string; overdueLabel: string }>;
export type DueKind = keyof typeof DUE_KINDS;

/** The due kinds of one clock, e.g. for `due_kind IN (…)`. */
export function dueKindsOf(phase: ClockPhase): DueKind[] {
  return (Object.keys(DUE_KINDS) as DueKind[]).filter((k) => DUE_KINDS[k].phase === phase);
}

/** Which clock an overdue deadline belongs to: 'verify' is 核查超期, 'rectify' 整改超期; null when not overdue. */
export function overdueOf(dueAt: number | null, dueKind: string | null, now: number): ClockPhase | null {
  if (dueAt == null || dueAt >= now) return null;
  return DUE_KINDS[dueKind as DueKind]?.phase ?? 'verify';
}

// ---- reminders ------------------------------------------------------------------------------------------------

export type ReminderLevel = 'remind' | 'urge' | 'escalate';

/**
 * When each reminder of a deadline is due, on working days: 提醒 from the start of the `remindBeforeDays`-th
 * working day before the deadline's day, 催办 once the deadline has passed, 督办 once one more working day has
 * passed without action.
 */
export function reminderSchedule(dueAt: number, limits: TimeLimits, days: DayKinds): Record<ReminderLevel, number> {
  const dueDate = chinaDate(dueAt);
  return {
    remind: startOfChinaDay(workingDaysBefore(dueDate, limits.remindBeforeDays, days)),
    urge: dueAt + 1,
    escalate: addWorkingDays(dueAt, 1, days) + 1,
  };
}

/** The reminder levels a deadline has reached at `now`. */
export function reminderLevels(dueAt: number, now: number, limits: TimeLimits, days: DayKinds): ReminderLevel[] {
  const s = reminderSchedule(dueAt, limits, days);
  return (['remind', 'urge', 'escalate'] as const).filter((l) => now >= s[l]);
}
