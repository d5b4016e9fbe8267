/**
 * How the browser pages write money and dates — one module, so a page never shows two styles:
 * - money: `¥1,234` / `¥1,234.50` (thousands separators; cents only when there are any), from fen as the API and
 *   the database keep it (the Worker's own texts use the same `yuan` from worker/domain/money.ts);
 *   CSV files keep raw numbers for spreadsheets;
 * - dates: `2026年12月2日`, with the time `2026年12月2日 10:15`, always in China time (Asia/Shanghai).
 * An instant is milliseconds, an ISO string or a Date; a calendar date is `YYYY-MM-DD` (read as that day in China).
 */
// money.ts, not reward-rules.ts: that one brings zod, whose code probe a page's CSP reports.
import { yuan } from '../../../worker/domain/money';

/** Fen → `¥1,234` or `¥1,234.50`. */
export const money = (fen: number) => yuan(fen);
/** Whole or fractional yuan (e.g. a published total) → the same form as `money`. */
export const moneyYuan = (amount: number) => yuan(Math.round(amount * 100));

const TZ = 'Asia/Shanghai';
const dayFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

type When = number | string | Date;
const CALENDAR_DAY = /^\d{4}-\d{2}-\d{2}$/;
const instant = (v: When) =>
  v instanceof Date ? v : new Date(typeof v === 'string' && CALENDAR_DAY.test(v) ? `${v}T12:00:00+08:00` : v);

/** `2026年12月2日` (a calendar date `2026-12-02` stays that day). */
export const formatDate = (v: When) => dayFmt.format(instant(v));
/** `2026年12月2日 10:15`. */
export const formatDateTime = (v: When) => `${dayFmt.format(instant(v))} ${timeFmt.format(instant(v))}`;
/** `10:15`. */
export const formatTime = (v: When) => timeFmt.format(instant(v));

/** A count with thousands separators: `12,345`. */
export const count = (n: number) => n.toLocaleString('zh-CN');
