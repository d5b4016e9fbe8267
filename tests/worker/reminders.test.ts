/**
 * The scheduled job's tip duties: 提醒 / 催办 / 督办 / 挂牌督办 at the right moments, nothing twice (re-runs,
 * interrupted runs), reminders visible to the right staff; closing concluded tips after the objection window.
 * (The audit chain's own tests are in audit.test.ts.)
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { runScheduled } from '../../worker/services/scheduled';
import { sendReminders } from '../../worker/services/reminders';
import { closeAfterObjectionWindow, transition } from '../../worker/services/transitions';
import { chinaDate } from '../../worker/domain/deadlines';
import { submitTip, validTip, tipIdOf } from '../support/tips';
import { signedIn } from '../support/staff';
import { majorHazardOrder } from '../support/workflow';

const DAY = 86_400_000;
const admin = { id: 'cron-admin', roles: ['admin'], departmentId: null };

/** 受理 on Mon 30 Nov 2026: the 60-day 核查 deadline is the end of Fri 29 Jan 2027 (China time). */
const ACCEPTED_AT = Date.parse('2026-11-30T10:00:00+08:00');

async function assignedTip(dept = 'yjj') {
  const res = await submitTip(validTip());
  const no = ((await res.json()) as { trackingNo: string }).trackingNo.replaceAll('-', '');
  const id = await tipIdOf(no);
  await transition(env, admin, id, 'accept', {}, 1, ACCEPTED_AT);
  await transition(env, admin, id, 'assign', { departmentId: dept }, 2, ACCEPTED_AT + 1000);
  const dueAt = (await env.DB.prepare('SELECT due_at FROM tips WHERE id = ?').bind(id).first<{ due_at: number }>())!
    .due_at;
  return { id, dueAt };
}

/** The conclusion of a tip from `assignedTip()` (its version is 3 by then). */
const conclude = (id: string, input: Record<string, unknown>) => transition(env, admin, id, 'conclude', input, 3);

const levels = async (tipId: string) =>
  (
    await env.DB.prepare('SELECT level FROM reminders WHERE tip_id = ? ORDER BY level')
      .bind(tipId)
      .all<{ level: string }>()
  ).results.map((r) => r.level);

describe('deadline reminders', () => {
  it('提醒 3 working days before, 催办 at the deadline, 督办 after one more working day — each once, however often the job runs', async () => {
    const { id, dueAt } = await assignedTip();
    expect(chinaDate(dueAt)).toBe('2027-01-29'); // a Friday
    await sendReminders(env, Date.parse('2027-01-25T23:00:00+08:00')); // Monday: 4 working days before
    expect(await levels(id)).toEqual([]);
    await sendReminders(env, Date.parse('2027-01-26T08:00:00+08:00')); // Tuesday: the 3rd working day before
    await sendReminders(env, Date.parse('2027-01-26T09:00:00+08:00'));
    expect(await levels(id)).toEqual(['remind']);
    await sendReminders(env, dueAt + 1000);
    expect(await levels(id)).toEqual(['remind', 'urge']);
    // The weekend and Monday are not a working day's delay yet; 督办 once Monday has passed.
    await sendReminders(env, Date.parse('2027-02-01T18:00:00+08:00'));
    expect(await levels(id)).toEqual(['remind', 'urge']);
    await runScheduled(env, Date.parse('2027-02-02T09:00:00+08:00'));
    await runScheduled(env, Date.parse('2027-02-02T10:00:00+08:00'));
    expect(await levels(id)).toEqual(['escalate', 'remind', 'urge']);
  });

  it('a run interrupted by a D1 failure and retried creates each reminder exactly once', async () => {
    const { id, dueAt } = await assignedTip();
    // Simulate the first run dying half-way: only some of its statements landed.
    await env.DB.prepare(
      "INSERT INTO reminders (id, tip_id, level, due_kind, due_at, department_id, created_at) VALUES (?, ?, 'remind', 'assignment', ?, 'yjj', ?)",
    )
      .bind(crypto.randomUUID(), id, dueAt, dueAt)
      .run();
    await sendReminders(env, dueAt + 5 * DAY);
    await sendReminders(env, dueAt + 5 * DAY);
    expect(await levels(id)).toEqual(['escalate', 'remind', 'urge']);
  });

  it('a 重大事故隐患 is flagged for 挂牌督办 once it is confirmed', async () => {
    const { id } = await assignedTip();
    await conclude(id, majorHazardOrder(chinaDate(Date.now() + 90 * DAY)));
    await sendReminders(env, Date.now());
    await sendReminders(env, Date.now());
    expect((await levels(id)).filter((l) => l === 'listed')).toEqual(['listed']);
  });

  it('a 承办员 sees their department’s reminders only and can mark them read', async () => {
    const { id, dueAt } = await assignedTip('gaj');
    await sendReminders(env, dueAt + 1000);
    const own = (await signedIn(['handler'], { departmentId: 'gaj' })).client;
    const other = (await signedIn(['handler'], { departmentId: 'nyj' })).client;
    const mine = (await (await own.get('/api/staff/reminders')).json()) as {
      reminders: { id: string; tip_id: string; read_at: number | null }[];
    };
    expect(mine.reminders.filter((r) => r.tip_id === id).length).toBe(2);
    const theirs = (await (await other.get('/api/staff/reminders')).json()) as { reminders: { tip_id: string }[] };
    expect(theirs.reminders.some((r) => r.tip_id === id)).toBe(false);
    const rid = mine.reminders.find((r) => r.tip_id === id)!.id;
    expect((await other.post(`/api/staff/reminders/${rid}/read`)).status).toBe(404);
    expect((await own.post(`/api/staff/reminders/${rid}/read`)).status).toBe(204);
  });
});

describe('closing after the objection window', () => {
  it('a concluded tip closes once 10 days have passed, once', async () => {
    const { id } = await assignedTip();
    await conclude(id, { conclusion: 'false', decision: '经核查不属实', rectificationRequired: false });
    const concludedAt = (await env.DB.prepare('SELECT concluded_at FROM tips WHERE id = ?')
      .bind(id)
      .first<{ concluded_at: number }>())!.concluded_at;
    await closeAfterObjectionWindow(env, concludedAt + 5 * DAY);
    expect(
      (await env.DB.prepare('SELECT state FROM tips WHERE id = ?').bind(id).first<{ state: string }>())!.state,
    ).toBe('concluded');
    await closeAfterObjectionWindow(env, concludedAt + 12 * DAY);
    await closeAfterObjectionWindow(env, concludedAt + 12 * DAY);
    const row = await env.DB.prepare('SELECT state, public_status FROM tips WHERE id = ?').bind(id).first();
    expect(row).toEqual({ state: 'closed', public_status: 'concluded' });
    const closes = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM audit_log WHERE tip_id = ? AND action = 'tip.closed'",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(closes!.n).toBe(1);
  });
});
