/**
 * The 整改 clock, through the API on a fixed 2026 calendar (国庆 and its 调休 days from the seeded calendar):
 * 核查 concluded within 60 days with 整改 ordered for 90 days is never 核查超期; the 五到位 plan recorded with the
 * conclusion drives its own 提醒/催办/督办 on working days; 整改完成 is a separate step; 复查 has its own deadline
 * (10 days after the 整改时限); 销号 closes it; the reporter's objection window counts from the conclusion.
 * Also: an extension is refused outside 核查, and a 重大 hazard's 复查 needs someone other than the person who
 * recorded 整改完成.
 *
 * The clock is moved with fake timers (Date only), so the API, the lookup and the Cron jobs all run "on" the
 * chosen days; each step signs in afresh, since sessions expire after 30 idle minutes.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chinaDate } from '../../worker/domain/deadlines';
import { listQueue } from '../../worker/services/queue';
import { sendReminders } from '../../worker/services/reminders';
import { runScheduled } from '../../worker/services/scheduled';
import { makeStaff, sessionOf, type TestStaff } from '../support/staff';
import { openTrack, withToken } from '../support/track';
import { assignedTip, generalHazardOrder, majorHazardOrder, rectificationPlan, staffAction } from '../support/workflow';

const at = (iso: string) => Date.parse(iso);
const setNow = (iso: string) => vi.setSystemTime(new Date(iso));

let dispatcher: TestStaff;
let handler: TestStaff;
let handler2: TestStaff;
let supervisor: TestStaff;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  dispatcher = await makeStaff(['dispatcher']);
  handler = await makeStaff(['handler'], { departmentId: 'yjj' });
  handler2 = await makeStaff(['handler'], { departmentId: 'yjj' });
  supervisor = await makeStaff(['supervisor']);
});
afterEach(() => {
  vi.useRealTimers();
});

async function tipRow(id: string) {
  return (await env.DB.prepare(
    'SELECT state, version, due_at, due_kind, conclude_due_at, concluded_at, replied_at, rectify_due_at, recheck_due_at, rectified_at, rectified_by FROM tips WHERE id = ?',
  )
    .bind(id)
    .first<Record<string, number | string | null>>())!;
}

/** A staff action through the API, signed in at the current (fake) time. */
const act = async (who: TestStaff, id: string, action: string, input: Record<string, unknown> = {}) =>
  staffAction(await sessionOf(who), id, action, input);

async function reporterView(t: { trackingNo: string; queryCode: string }) {
  const res = await openTrack(t.trackingNo, t.queryCode);
  expect(res.status).toBe(200);
  return (
    (await res.json()) as {
      view: Record<string, unknown> & { objection: { open: boolean; until: string | null; final: boolean } };
    }
  ).view;
}

/** Reminder rows of a tip as "kind/level", sorted. */
async function reminders(id: string) {
  const { results } = await env.DB.prepare(
    'SELECT due_kind, level FROM reminders WHERE tip_id = ? ORDER BY due_kind, level',
  )
    .bind(id)
    .all<{ due_kind: string; level: string }>();
  return results.map((r) => `${r.due_kind}/${r.level}`);
}

const overdueIds = async (overdue: 'verify' | 'rectify', now: number) =>
  (
    await listQueue(
      env,
      { id: dispatcher.id, roles: ['dispatcher'], departmentId: null },
      { view: 'open', sort: 'due', limit: 200, overdue },
      now,
    )
  ).rows;

describe('the 整改 clock (lifecycle through the API)', () => {
  it('核查 within 60 days, 整改 ordered for 90 days: no 核查超期; 整改 reminders on working days; 复查 deadline; 销号; objection from the conclusion', async () => {
    // 受理 on Fri 8 May 2026: 核查 is due by the end of Tue 7 July.
    setNow('2026-05-08T09:00:00+08:00');
    const tip = await assignedTip(await sessionOf(dispatcher));
    expect(chinaDate((await tipRow(tip.id)).conclude_due_at as number)).toBe('2026-07-07');

    // Concluded on Fri 3 July (day 56) with 整改 ordered for 90 days: 整改时限 Thu 1 October (国庆).
    setNow('2026-07-03T15:00:00+08:00');
    const concludedAt = Date.now();
    const res = await act(handler, tip.id, 'conclude', generalHazardOrder('2026-10-01'));
    expect(res.status).toBe(200);
    let row = await tipRow(tip.id);
    // Recording the plan with the conclusion does not mark the rectification done.
    expect(row).toMatchObject({
      state: 'rectifying',
      due_kind: 'rectify',
      rectified_at: null,
      rectified_by: null,
      concluded_at: concludedAt,
      replied_at: concludedAt,
    });
    expect(chinaDate(row.rectify_due_at as number)).toBe('2026-10-01');
    expect(chinaDate(row.recheck_due_at as number)).toBe('2026-10-11'); // 整改时限 + 10 days
    // 复查/销号 cannot be taken before 整改完成 is recorded.
    expect((await act(supervisor, tip.id, 'recheck', { passed: true, note: '现场复查合格' })).status).toBe(409);

    // The 核查 deadline passes while 整改 runs: never 核查超期, no 核查 reminders, on time in the statistics.
    const afterVerifyDue = at('2026-07-09T10:00:00+08:00');
    expect((await overdueIds('verify', afterVerifyDue)).some((r) => r.id === tip.id)).toBe(false);
    expect((await overdueIds('rectify', afterVerifyDue)).some((r) => r.id === tip.id)).toBe(false);
    await sendReminders(env, afterVerifyDue);
    expect((await reminders(tip.id)).filter((r) => r.startsWith('conclude/') || r.startsWith('assignment/'))).toEqual(
      [],
    );
    setNow('2026-07-09T10:00:00+08:00');
    await runScheduled(env, Date.now());
    const month = await env.DB.prepare(
      "SELECT SUM(count) AS n, SUM(with_due) AS due, SUM(on_time) AS ok FROM stats_conclusions WHERE month = '2026-07'",
    ).first<{ n: number; due: number; ok: number }>();
    expect(month).toEqual({ n: 1, due: 1, ok: 1 });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM stats_rectifications').first()).toEqual({ n: 0 }); // nothing done yet

    // The reporter: the conclusion is there while 整改 runs; the objection window counts from the conclusion.
    let view = await reporterView(tip);
    expect(view).toMatchObject({
      statusLabel: '整改中',
      deadlines: [{ kind: 'rectify', label: '整改时限', date: '2026-10-01' }],
    });
    expect(view.conclusion).toMatchObject({ verdict: '属实', decision: '责令限期整改' });
    expect(view.objection).toEqual({ open: true, until: '2026-07-13', final: false });
    setNow('2026-07-14T09:00:00+08:00');
    expect((await reporterView(tip)).objection).toEqual({ open: false, until: '2026-07-13', final: false });

    // 整改 reminders on working days: 提醒 from the 3rd working day before 1 October (Mon 28 September),
    // 催办 once it has passed, 督办 after one more working day (国庆 holidays until 7 October: after Thu 8 October).
    await sendReminders(env, at('2026-09-27T20:00:00+08:00')); // Sun: 4 calendar days before, but not yet
    expect(await reminders(tip.id)).toEqual([]);
    await sendReminders(env, at('2026-09-28T08:00:00+08:00'));
    expect(await reminders(tip.id)).toEqual(['rectify/remind']);
    await sendReminders(env, at('2026-10-02T08:00:00+08:00'));
    expect(await reminders(tip.id)).toEqual(['rectify/remind', 'rectify/urge']);
    // Overdue now, and it is 整改超期, not 核查超期.
    const rectifyLate = await overdueIds('rectify', at('2026-10-02T08:00:00+08:00'));
    expect(rectifyLate.find((r) => r.id === tip.id)).toMatchObject({
      overdueKind: 'rectify',
      overdueLabel: '整改超期',
      dueKind: 'rectify',
    });
    expect((await overdueIds('verify', at('2026-10-02T08:00:00+08:00'))).some((r) => r.id === tip.id)).toBe(false);
    await sendReminders(env, at('2026-10-08T20:00:00+08:00'));
    expect(await reminders(tip.id)).toEqual(['rectify/remind', 'rectify/urge']);
    await sendReminders(env, at('2026-10-09T08:00:00+08:00'));
    expect(await reminders(tip.id)).toEqual(['rectify/escalate', 'rectify/remind', 'rectify/urge']);

    // An extension belongs to 核查: refused during 整改, with its own code.
    setNow('2026-10-09T09:00:00+08:00');
    const ext = await act(handler, tip.id, 'request_extension', { days: 10, reason: '整改需要更多时间' });
    expect(ext.status).toBe(409);
    expect(((await ext.json()) as { error: { code: string } }).error.code).toBe('EXTENSION_NOT_IN_VERIFICATION');

    // 整改完成 (late, on Fri 9 October): 复查 is due 10 days after completion, since that is after the 时限.
    expect((await act(handler, tip.id, 'rectify', { report: '管道已更换，报警器已安装' })).status).toBe(200);
    row = await tipRow(tip.id);
    expect(row).toMatchObject({ state: 'rectified', due_kind: 'recheck', rectified_by: handler.id });
    expect(chinaDate(row.recheck_due_at as number)).toBe('2026-10-19');
    view = await reporterView(tip);
    expect(view.deadlines).toEqual([{ kind: 'recheck', label: '整改复查期限', date: '2026-10-19' }]);
    // 复查 reminders: 提醒 from the 3rd working day before Mon 19 October (Wed 14 October).
    await sendReminders(env, at('2026-10-13T20:00:00+08:00'));
    expect((await reminders(tip.id)).filter((r) => r.startsWith('recheck/'))).toEqual([]);
    await sendReminders(env, at('2026-10-14T08:00:00+08:00'));
    expect((await reminders(tip.id)).filter((r) => r.startsWith('recheck/'))).toEqual(['recheck/remind']);

    // 销号 closes it; the objection window stays where the conclusion put it (not reopened by 销号).
    setNow('2026-10-15T10:00:00+08:00');
    expect((await act(supervisor, tip.id, 'recheck', { passed: true, note: '现场复查合格' })).status).toBe(200);
    row = await tipRow(tip.id);
    expect(row).toMatchObject({ state: 'closed', due_at: null, concluded_at: concludedAt });
    view = await reporterView(tip);
    expect(view).toMatchObject({ statusLabel: '已办结', deadlines: [] });
    expect(view.objection).toEqual({ open: false, until: '2026-07-13', final: false });
    const objection = await openTrack(tip.trackingNo, tip.queryCode, '2001:db8:9::1');
    const { token } = (await objection.json()) as { token: string };
    const late = await withToken(token, '/api/track/objection', { reason: '整改后现场仍有问题，不同意核查结论。' });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { message: string } }).error.message).toContain('2026年7月13日');

    // Statistics: the 核查 stays on time, the rectification counts as done late.
    setNow('2026-10-16T10:00:00+08:00');
    await runScheduled(env, Date.now());
    expect(
      await env.DB.prepare("SELECT done, on_time FROM stats_rectifications WHERE month = '2026-10'").first(),
    ).toEqual({ done: 1, on_time: 0 });
    expect(
      await env.DB.prepare("SELECT SUM(on_time) AS ok FROM stats_conclusions WHERE month = '2026-07'").first(),
    ).toEqual({ ok: 1 });
  }, 30_000);

  it('an objection during 整改 reopens the tip for 复查; the 复查 conclusion closes it and no further objection is taken', async () => {
    setNow('2026-06-01T09:00:00+08:00');
    const tip = await assignedTip(await sessionOf(dispatcher));
    setNow('2026-06-10T09:00:00+08:00');
    expect(
      (
        await act(handler, tip.id, 'conclude', {
          conclusion: 'partly_true',
          verifiedType: 'general_hazard',
          decision: '部分属实，责令整改',
          hazardLevel: 'general',
          rectificationRequired: true,
          rectification: rectificationPlan('2026-07-10'),
        })
      ).status,
    ).toBe(200);
    setNow('2026-06-15T09:00:00+08:00');
    const open = await openTrack(tip.trackingNo, tip.queryCode);
    const { token } = (await open.json()) as { token: string };
    const objectNow = () =>
      withToken(token, '/api/track/objection', { reason: '整改措施不足以消除隐患，不同意核查结论。' });
    expect((await objectNow()).status).toBe(200);
    let row = await tipRow(tip.id);
    expect(row).toMatchObject({ state: 'reviewing', due_kind: 'review' });
    expect(chinaDate(row.due_at as number)).toBe('2026-07-15');
    // An extension is refused during 复查 too.
    const ext = await act(handler, tip.id, 'request_extension', { days: 5, reason: '复查需要时间' });
    expect(((await ext.json()) as { error: { code: string } }).error.code).toBe('EXTENSION_NOT_IN_VERIFICATION');
    // The 复查 conclusion without 整改 closes the tip (复查确认无误的予以办结).
    setNow('2026-06-20T09:00:00+08:00');
    expect(
      (
        await act(handler, tip.id, 'conclude', {
          conclusion: 'partly_true',
          verifiedType: 'major_hazard',
          decision: '复查维持原结论',
          rectificationRequired: false,
        })
      ).status,
    ).toBe(200);
    row = await tipRow(tip.id);
    expect(row.state).toBe('closed');
    const view = await reporterView(tip);
    expect(view.objection).toEqual({ open: false, until: '2026-06-30', final: true });
    const fresh = ((await (await openTrack(tip.trackingNo, tip.queryCode)).json()) as { token: string }).token;
    const again = await withToken(fresh, '/api/track/objection', { reason: '仍然不同意复查结论，请再次复查。' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain('不能再次提出异议');
  }, 30_000);

  it('a 重大事故隐患: 复查/销号 by someone other than the person who recorded 整改完成', async () => {
    setNow('2026-06-01T09:00:00+08:00');
    const tip = await assignedTip(await sessionOf(dispatcher));
    // The plan is required with a conclusion that orders 整改.
    const noPlan = await act(handler, tip.id, 'conclude', majorHazardOrder());
    expect(noPlan.status).toBe(422);
    expect(
      ((await noPlan.json()) as { error: { fields: { path: string; code: string }[] } }).error.fields,
    ).toContainEqual(expect.objectContaining({ path: 'rectification', code: 'RECTIFICATION_PLAN_REQUIRED' }));
    const past = await act(handler, tip.id, 'conclude', majorHazardOrder('2026-05-01'));
    expect(
      ((await past.json()) as { error: { fields: { path: string; code: string }[] } }).error.fields[0],
    ).toMatchObject({ path: 'rectification.deadline', code: 'DEADLINE_IN_PAST' });
    expect((await act(handler, tip.id, 'conclude', majorHazardOrder('2026-08-31'))).status).toBe(200);
    await sendReminders(env, Date.now());
    expect(await reminders(tip.id)).toEqual(['major_hazard/listed']);
    setNow('2026-08-20T09:00:00+08:00');
    expect((await act(handler, tip.id, 'rectify', { report: '重大隐患已整改' })).status).toBe(200);
    // The same handler cannot sign off the 复查: no button, and the API refuses with its own code.
    const detail = (await (await (await sessionOf(handler)).get(`/api/staff/tips/${tip.id}`)).json()) as {
      actions: string[];
    };
    expect(detail.actions).not.toContain('recheck');
    const same = await act(handler, tip.id, 'recheck', { passed: true, note: '复查合格' });
    expect(same.status).toBe(403);
    expect(((await same.json()) as { error: { code: string } }).error.code).toBe('DIFFERENT_PERSON_REQUIRED');
    // A failed 复查 by a colleague sets a new 整改时限, and the work starts over.
    const failed = await act(handler2, tip.id, 'recheck', { passed: false, note: '报警器未联动' });
    expect(failed.status).toBe(422);
    expect(
      (await act(handler2, tip.id, 'recheck', { passed: false, note: '报警器未联动', newDeadline: '2026-09-15' }))
        .status,
    ).toBe(200);
    let row = await tipRow(tip.id);
    expect(row).toMatchObject({ state: 'rectifying', due_kind: 'rectify', rectified_by: null });
    expect(chinaDate(row.rectify_due_at as number)).toBe('2026-09-15');
    expect(chinaDate(row.recheck_due_at as number)).toBe('2026-09-25');
    // This time the colleague records 整改完成, and the first handler may sign off.
    setNow('2026-09-10T09:00:00+08:00');
    expect((await act(handler2, tip.id, 'rectify', { report: '报警器已联动' })).status).toBe(200);
    expect((await act(handler2, tip.id, 'recheck', { passed: true, note: '复查合格' })).status).toBe(403);
    expect((await act(handler, tip.id, 'recheck', { passed: true, note: '复查合格，予以销号' })).status).toBe(200);
    row = await tipRow(tip.id);
    expect(row.state).toBe('closed');
  }, 30_000);
});
