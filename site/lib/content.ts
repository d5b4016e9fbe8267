/** Helpers shared by the public pages: dates, notice validity, campaign periods. Build-time only. */
import chineseDays from 'chinese-days';
import type { Campaign, Notice } from '../../content/schemas';

/** YYYY-MM-DD of a date from a schema (`day` is UTC midnight of the written day). */
export const ymd = (d: Date) => d.toISOString().slice(0, 10);
/** 2026年6月1日 */
export const cnDate = (d: Date | string) => {
  const [y, m, dd] = (typeof d === 'string' ? d : ymd(d)).split('-');
  return `${Number(y)}年${Number(m)}月${Number(dd)}日`;
};

/** Today's date in China (YYYY-MM-DD), whatever the build machine's zone. */
export const chinaToday = (now = new Date()) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);

/** 有效 / 已失效 / 未生效 on China's date at build time; the browser decides again on the reader's date. */
export function noticeState(n: Notice, now = new Date()): '有效' | '已失效' | '未生效' {
  const t = chinaToday(now);
  if (n.validUntil && ymd(n.validUntil) < t) return '已失效';
  if (ymd(n.validFrom ?? n.publishedOn) > t) return '未生效';
  return '有效';
}

export interface Period {
  start: string;
  end: string;
}

const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Every period of a campaign in the given years (yearly ranges, lunar holidays via chinese-days, explicit dates). */
export function campaignPeriods(c: Campaign, years: number[]): Period[] {
  const out: Period[] = [];
  for (const y of years) {
    if (c.yearly) out.push({ start: `${y}-${c.yearly.start}`, end: `${y}-${c.yearly.end}` });
    if (c.lunar) {
      const mm = String(c.lunar.month).padStart(2, '0');
      const dd = String(c.lunar.day).padStart(2, '0');
      try {
        const day = chineseDays.getSolarDateFromLunar(`${y}-${mm}-${dd}`).date;
        out.push({ start: addDays(day, -c.lunar.before), end: addDays(day, c.lunar.after) });
      } catch {}
    }
  }
  for (const d of c.dates) out.push({ start: ymd(d.start), end: ymd(d.end) });
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

/** Years the calendar covers: last year to three years ahead of the build. */
export const calendarYears = () => {
  const y = Number(chinaToday().slice(0, 4));
  return [y - 1, y, y + 1, y + 2, y + 3];
};
