/**
 * Time limits across the Spring Festival and National Day 2026 (and 中秋), with their 调休 working days, from the
 * calendar seeded into D1 (chinese-days, the State Council's schedule). Acceptance is counted in working days
 * (the start day does not count), conclusion in calendar days; a deadline falls at the end of its China-time day.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { addCalendarDays, chinaDate, workingDeadline } from '../../worker/services/calendar';

const at = (iso: string) => Date.parse(iso);

describe('working-day deadlines (5 working days to accept)', () => {
  const cases: [string, string, string][] = [
    // start (China time)           deadline (China date)  why
    ['2026-02-12T10:00:00+08:00', '2026-02-26', 'Fri 13 + Sat 14 (调休) before the 9-day 春节 holiday'],
    ['2026-02-13T10:00:00+08:00', '2026-02-27', 'Sat 14 is a 调休 working day; 15–23 are holidays'],
    ['2026-02-13T23:30:00+08:00', '2026-02-27', 'late evening still counts as the 13th in China time'],
    [
      '2026-02-14T00:30:00+08:00',
      '2026-02-28',
      'just after midnight China time (still the 13th in UTC): Sat 28 is 调休',
    ],
    ['2026-02-25T09:00:00+08:00', '2026-03-03', 'Sat 28 (调休) counts, Sun 1 March does not'],
    ['2026-09-18T09:00:00+08:00', '2026-09-24', 'Sun 20 September is a 国庆 调休 working day'],
    ['2026-09-24T09:00:00+08:00', '2026-10-09', '中秋 25–27 and 国庆 1–7 October are holidays'],
    ['2026-09-30T09:00:00+08:00', '2026-10-13', 'Sat 10 October is a 调休 working day'],
    ['2026-06-05T09:00:00+08:00', '2026-06-12', 'an ordinary week: weekends skipped'],
  ];
  for (const [start, expected, why] of cases) {
    it(`${start} → ${expected} (${why})`, async () => {
      const due = await workingDeadline(env, at(start), 5);
      expect(chinaDate(due)).toBe(expected);
      // The end of that day, China time.
      expect(new Date(due).toISOString()).toBe(new Date(at(`${expected}T23:59:59.999+08:00`)).toISOString());
    });
  }

  it('an admin-added holiday moves the deadline (the calendar is data, not code)', async () => {
    const start = at('2026-06-05T09:00:00+08:00');
    expect(chinaDate(await workingDeadline(env, start, 5))).toBe('2026-06-12');
    await env.DB.prepare(
      "INSERT INTO calendar_days (date, kind, name) VALUES ('2026-06-10', 'holiday', '测试假日')",
    ).run();
    expect(chinaDate(await workingDeadline(env, start, 5))).toBe('2026-06-15');
    await env.DB.prepare("DELETE FROM calendar_days WHERE date = '2026-06-10'").run();
  });
});

describe('calendar-day deadlines', () => {
  const cases: [string, number, string][] = [
    ['2026-09-30T09:00:00+08:00', 60, '2026-11-29'], // 办结: 60 days after 受理, holidays included
    ['2026-02-13T09:00:00+08:00', 60, '2026-04-14'],
    ['2026-12-20T23:00:00+08:00', 30, '2027-01-19'], // 复查 across the year end
    ['2026-11-22T10:00:00+08:00', 10, '2026-12-02'], // 异议期
  ];
  for (const [start, days, expected] of cases) {
    it(`${start} + ${days} days → end of ${expected}`, () => {
      const due = addCalendarDays(at(start), days);
      expect(chinaDate(due)).toBe(expected);
      expect(due).toBe(at(`${expected}T23:59:59.999+08:00`));
    });
  }
});

describe('the open-state list', () => {
  it('the SQL literal of the partial indexes names exactly the workflow’s open states', async () => {
    const { OPEN_STATES_SQL } = await import('../../worker/db/schema');
    const { OPEN_STATES } = await import('../../worker/domain/workflow');
    expect(OPEN_STATES_SQL).toBe(`(${OPEN_STATES.map((s) => `'${s}'`).join(', ')})`);
  });
});
