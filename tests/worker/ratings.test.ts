/**
 * 评价与回访 through the API on the seeded 2026 calendar (国庆 1–7 October, 调休 working Saturday 10 October):
 * one rating per conclusion, changeable within the window; 不满意 opens a follow-up due 5 working days later;
 * a supervisor ends it by standing by the conclusion (answer in the conversation) or by reopening the tip for
 * 复查 through the state machine; the reporter sees each step; the Cron reminds on an overdue follow-up;
 * staff see ratings (never the reporter's identity) and filter the queue by them.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chinaDate } from '../../worker/domain/deadlines';
import { runScheduled } from '../../worker/services/scheduled';
import { makeStaff, sessionOf, type TestStaff } from '../support/staff';
import { realName } from '../support/tips';
import { acceptAndAssign, act, errorOf, newTip, viewOf, withToken } from '../support/track';
import { staffAction } from '../support/workflow';
import { ReporterView } from '../../worker/schemas/track';

const setNow = (iso: string) => vi.setSystemTime(new Date(iso));
let supervisor: TestStaff;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  supervisor = await makeStaff(['supervisor']);
});
afterEach(() => vi.useRealTimers());

/** 受理, 交办 and a 属实 conclusion without 整改 (a 重大事故隐患, `decision`), at the current fake time. */
async function conclude(id: string, decision = '已责令停业整顿并处罚款') {
  await acceptAndAssign(id);
  await act(id, 'conclude', {
    conclusion: 'true',
    verifiedType: 'major_hazard',
    decision,
    rectificationRequired: false,
  });
}

/** A tip concluded (without 整改) at the current fake time. */
async function concluded(overrides: Record<string, unknown> = {}) {
  const tip = await newTip(overrides);
  await conclude(tip.id);
  return tip;
}

async function rate(t: { trackingNo: string; queryCode: string }, level: string, reason?: string) {
  const { token } = await viewOf(t);
  return withToken(token, '/api/track/rating', { level, ...(reason ? { reason } : {}) });
}

const supervisorAct = async (id: string, action: string, input: Record<string, unknown>) =>
  staffAction(await sessionOf(supervisor), id, action, input);

const followups = (id: string) =>
  env.DB.prepare('SELECT state, due_at, answer FROM tip_followups WHERE tip_id = ? ORDER BY opened_at')
    .bind(id)
    .all<{ state: string; due_at: number; answer: string | null }>()
    .then((r) => r.results);

describe('rating a conclusion', () => {
  it('is refused before the conclusion, once per conclusion (changes update it), closed after the window', async () => {
    setNow('2026-06-01T10:00:00+08:00');
    const tip = await newTip();
    let res = await rate(tip, 'satisfied');
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('RATING_CLOSED');
    expect((await viewOf(tip)).view.rating).toMatchObject({ open: false, level: null });

    await conclude(tip.id, '已责令整改并处罚款');
    expect((await viewOf(tip)).view.rating).toEqual({
      open: true,
      until: '2026-07-01',
      level: null,
      levelLabel: null,
      reason: null,
      followup: null,
    });

    res = await rate(tip, 'satisfied');
    expect(res.status).toBe(200);
    const view = ReporterView.parse(await res.json());
    expect(view.rating).toMatchObject({ open: true, level: 'satisfied', levelLabel: '满意', followup: null });
    expect(view.timeline.at(-1)!.text).toBe('您对办理情况的评价：满意');
    // Changing it within the window updates the one rating of this conclusion.
    setNow('2026-06-10T10:00:00+08:00');
    res = await rate(tip, 'very_satisfied', '处理及时');
    expect(ReporterView.parse(await res.json()).rating).toMatchObject({ level: 'very_satisfied', reason: '处理及时' });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM tip_ratings WHERE tip_id = ?').bind(tip.id).first()).toEqual(
      { n: 1 },
    );
    expect(await followups(tip.id)).toEqual([]);
    // Invalid level: a clear field error.
    res = await rate(tip, 'great');
    expect(res.status).toBe(422);
    // After the window (30 days from the conclusion reaching the reporter): closed.
    setNow('2026-07-02T10:00:00+08:00');
    res = await rate(tip, 'basic');
    expect(res.status).toBe(409);
    expect((await viewOf(tip)).view.rating).toMatchObject({
      open: false,
      until: '2026-07-01',
      level: 'very_satisfied',
    });
  });

  it('asks opted-in real-name reporters by e-mail through the outbox, without content or address', async () => {
    setNow('2026-06-01T10:00:00+08:00');
    const named = await concluded({ reporter: realName() });
    const anon = await concluded();
    const ask = (id: string) =>
      env.DB.prepare("SELECT subject, body FROM outbox WHERE tip_id = ? AND dedupe_key LIKE 'rating-ask:%'")
        .bind(id)
        .all<{ subject: string; body: string }>();
    const rows = (await ask(named.id)).results;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.subject).toContain('请评价');
    expect(rows[0]!.body).not.toContain('lisi@example.com');
    expect(rows[0]!.body).not.toContain('停业');
    expect((await ask(anon.id)).results).toHaveLength(0);
  });
});

describe('不满意 opens a follow-up (回访)', () => {
  it('due 5 working days later (国庆 and its 调休 Saturday counted right); the supervisor stands by the conclusion; the reporter sees it; the rating is then fixed', async () => {
    setNow('2026-09-29T09:00:00+08:00');
    const tip = await concluded();
    setNow('2026-09-30T10:00:00+08:00');
    const res = await rate(tip, 'dissatisfied', '现场仍有液化气钢瓶，整改不到位');
    expect(res.status).toBe(200);
    const view = ReporterView.parse(await res.json());
    // 30 Sep + 5 working days: 8, 9, 10 (调休), 12, 13 October.
    expect(view.rating.followup).toEqual({ state: 'open', dueDate: '2026-10-13', decidedAt: null });
    expect(view.timeline.at(-1)!.text).toBe('您对办理情况的评价：不满意。已转督办人员回访，答复期限 2026年10月13日');
    const [f] = await followups(tip.id);
    expect(f!.state).toBe('open');
    expect(chinaDate(f!.due_at)).toBe('2026-10-13');

    // Staff: the rating on the tip page (no identity anywhere), and the stand/reopen actions for a supervisor only.
    const client = await sessionOf(supervisor);
    const detail = (await (await client.get(`/api/staff/tips/${tip.id}`)).json()) as {
      actions: string[];
      ratings: { levelLabel: string; reason: string; followup: { state: string } }[];
    };
    expect(detail.ratings).toMatchObject([
      { levelLabel: '不满意', reason: '现场仍有液化气钢瓶，整改不到位', followup: { state: 'open' } },
    ]);
    expect(detail.actions).toEqual(expect.arrayContaining(['followup_stand', 'followup_reopen']));
    const handler = await makeStaff(['handler'], { departmentId: 'yjj' });
    const hd = (await (await (await sessionOf(handler)).get(`/api/staff/tips/${tip.id}`)).json()) as {
      actions: string[];
    };
    expect(hd.actions).not.toContain('followup_stand');

    // Changing to 非常不满意 keeps the one follow-up.
    await rate(tip, 'very_dissatisfied', '现场仍有液化气钢瓶，整改不到位');
    expect(await followups(tip.id)).toHaveLength(1);

    setNow('2026-10-09T10:00:00+08:00');
    const answer = '经复核现场照片与执法记录，钢瓶已移至专用气瓶间，维持原结论。';
    expect((await supervisorAct(tip.id, 'followup_stand', { answer: '太短' })).status).toBe(422);
    expect((await supervisorAct(tip.id, 'followup_stand', { answer })).status).toBe(200);
    expect(await followups(tip.id)).toMatchObject([{ state: 'stood', answer }]);
    const after = await viewOf(tip);
    expect(after.view.rating.followup).toMatchObject({ state: 'stood' });
    expect(after.view.messages.at(-1)).toMatchObject({ from: 'staff', body: answer });
    expect(after.view.timeline.map((e) => e.text)).toContain('回访答复：经审查，维持原结论（理由见留言）');
    expect(after.view.status).toBe('concluded');
    // Answered: the rating of this conclusion no longer changes, and the actions are gone.
    const again = await withToken(after.token, '/api/track/rating', { level: 'satisfied' });
    expect(again.status).toBe(409);
    expect((await supervisorAct(tip.id, 'followup_stand', { answer })).status).toBe(409);
  });

  it('stays open when the reporter later improves the rating: staff still answer it; the queue shows it under 回访待答复, no longer under 低评价', async () => {
    setNow('2026-06-01T10:00:00+08:00');
    const tip = await concluded();
    await rate(tip, 'dissatisfied', '整改情况没有告诉我');
    setNow('2026-06-02T10:00:00+08:00');
    const res = await rate(tip, 'satisfied');
    expect(res.status).toBe(200);
    // The complaint was made: the follow-up stays open with its deadline, and the reporter sees that.
    const view = ReporterView.parse(await res.json());
    expect(view.rating).toMatchObject({ level: 'satisfied', followup: { state: 'open', dueDate: '2026-06-08' } });
    expect(await followups(tip.id)).toMatchObject([{ state: 'open' }]);
    const client = await sessionOf(supervisor);
    const ids = async (q: string) =>
      ((await (await client.get(`/api/staff/tips?${q}`)).json()) as { rows: { id: string }[] }).rows.map((r) => r.id);
    expect(await ids('view=all&followup=open')).toContain(tip.id);
    expect(await ids('view=all&rating=low')).not.toContain(tip.id);
    // Back to 不满意: still the one follow-up; a supervisor's answer then ends it.
    await rate(tip, 'dissatisfied', '整改情况没有告诉我');
    expect(await followups(tip.id)).toHaveLength(1);
    expect(await ids('view=all&rating=low')).toContain(tip.id);
    const answer = '已电话告知整改情况，并在本页留言附上复查照片，维持原结论。';
    expect((await supervisorAct(tip.id, 'followup_stand', { answer })).status).toBe(200);
    expect(await followups(tip.id)).toMatchObject([{ state: 'stood', answer }]);
  });

  it('a 低评价 filter looks at the latest conclusion: a low rating of an earlier conclusion, then a good one of the 复查 conclusion, is not low', async () => {
    setNow('2026-06-01T10:00:00+08:00');
    const tip = await concluded();
    await rate(tip, 'very_dissatisfied', '处罚过轻');
    await supervisorAct(tip.id, 'followup_reopen', {
      answer: '您反映的情况已转承办单位重新复查，复查结论将在本页公布。',
    });
    setNow('2026-06-10T10:00:00+08:00');
    await act(tip.id, 'conclude', {
      conclusion: 'true',
      verifiedType: 'major_hazard',
      decision: '复查后加处罚款',
      rectificationRequired: false,
    });
    await rate(tip, 'very_satisfied');
    const client = await sessionOf(supervisor);
    const rows = (
      (await (await client.get('/api/staff/tips?view=all&rating=low')).json()) as { rows: { id: string }[] }
    ).rows;
    expect(rows.map((r) => r.id)).not.toContain(tip.id);
  });

  it('ends by reopening the tip for 复查 (state machine), and the new 复查 conclusion can be rated again', async () => {
    setNow('2026-06-01T10:00:00+08:00');
    const tip = await concluded();
    await rate(tip, 'very_dissatisfied', '处罚过轻');
    setNow('2026-06-03T10:00:00+08:00');
    const res = await supervisorAct(tip.id, 'followup_reopen', {
      answer: '您反映的情况已转承办单位重新复查，复查结论将在本页公布。',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'reviewing' });
    const row = (await env.DB.prepare('SELECT state, due_kind, due_at, objections FROM tips WHERE id = ?')
      .bind(tip.id)
      .first<{ state: string; due_kind: string; due_at: number; objections: number }>())!;
    expect(row).toMatchObject({ state: 'reviewing', due_kind: 'review', objections: 0 });
    expect(chinaDate(row.due_at)).toBe('2026-07-03');
    let v = (await viewOf(tip)).view;
    expect(v.status).toBe('verifying');
    expect(v.rating.followup).toMatchObject({ state: 'reopened' });
    expect(v.timeline.map((e) => e.text)).toContain('回访答复：重新复查，复查期限 2026年7月3日');
    expect(v.messages.at(-1)).toMatchObject({
      from: 'staff',
      body: '您反映的情况已转承办单位重新复查，复查结论将在本页公布。',
    });
    expect(v.objection.final).toBe(false);

    setNow('2026-06-20T10:00:00+08:00');
    await act(tip.id, 'conclude', {
      conclusion: 'true',
      verifiedType: 'major_hazard',
      decision: '复查后加处罚款并责令停业',
      rectificationRequired: false,
    });
    v = (await viewOf(tip)).view;
    expect(v.rating).toMatchObject({ open: true, level: null, followup: null, until: '2026-07-20' });
    expect((await rate(tip, 'satisfied')).status).toBe(200);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM tip_ratings WHERE tip_id = ?').bind(tip.id).first()).toEqual(
      { n: 2 },
    );
  });

  it('the Cron reminds on an overdue follow-up (催办, then 督办 a working day later), once each; the queue filters it', async () => {
    setNow('2026-06-01T10:00:00+08:00'); // Monday
    const tip = await concluded();
    const other = await concluded();
    await rate(tip, 'dissatisfied', '没有回复我的问题');
    await rate(other, 'satisfied');
    const due = (await followups(tip.id))[0]!.due_at;
    expect(chinaDate(due)).toBe('2026-06-08');
    const rem = () =>
      env.DB.prepare("SELECT level FROM reminders WHERE tip_id = ? AND due_kind = 'followup' ORDER BY level")
        .bind(tip.id)
        .all<{ level: string }>()
        .then((r) => r.results.map((x) => x.level));
    await runScheduled(env, Date.parse('2026-06-02T10:00:00+08:00'));
    expect(await rem()).toEqual([]);
    await runScheduled(env, Date.parse('2026-06-09T10:00:00+08:00'));
    expect(await rem()).toEqual(['remind', 'urge']);
    await runScheduled(env, Date.parse('2026-06-10T10:00:00+08:00'));
    await runScheduled(env, Date.parse('2026-06-10T10:15:00+08:00'));
    expect(await rem()).toEqual(['escalate', 'remind', 'urge']);

    setNow('2026-06-09T10:00:00+08:00');
    const client = await sessionOf(supervisor);
    const ids = async (q: string) => {
      const r = await client.get(`/api/staff/tips?${q}`);
      expect(r.status, await r.clone().text()).toBe(200);
      return (
        (await r.json()) as { rows: { id: string; rating: string; lowRating: boolean; followupDueAt: number | null }[] }
      ).rows;
    };
    expect((await ids('view=all&followup=open')).map((r) => r.id)).toEqual([tip.id]);
    const overdue = await ids('view=all&followup=overdue');
    expect(overdue.map((r) => r.id)).toEqual([tip.id]);
    expect(overdue[0]).toMatchObject({ rating: '不满意', lowRating: true, followupDueAt: due });
    const low = (await ids('view=all&rating=low')).map((r) => r.id);
    expect(low).toContain(tip.id);
    expect(low).not.toContain(other.id);
    const all = await ids('view=all');
    expect(all.find((r) => r.id === other.id)).toMatchObject({ rating: '满意', lowRating: false, followupDueAt: null });
  });
});
