/**
 * The closed loop through the staff API: submission → 受理 → 交办 → 核查 → 整改 → 复查 → 销号, checking the
 * public status the reporter sees at every step, the statistics moving with it, the timeline, conflicts, merging,
 * extension, 不予受理 and objection.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { chinaDate } from '../../worker/domain/deadlines';
import { signedIn, type StaffClient } from '../support/staff';
import { newTip, openTrack } from '../support/track';
import { assignedTip, rectificationPlan, staffAction } from '../support/workflow';

let dispatcher: StaffClient;
let handler: StaffClient;
let otherHandler: StaffClient;
let supervisor: StaffClient;

beforeAll(async () => {
  dispatcher = (await signedIn(['dispatcher'])).client;
  handler = (await signedIn(['handler'], { departmentId: 'yjj' })).client;
  otherHandler = (await signedIn(['handler'], { departmentId: 'zjj' })).client;
  supervisor = (await signedIn(['supervisor'])).client;
});

/** The public status as the reporter's lookup (POST /api/track) shows it. */
async function reporterSees(t: { trackingNo: string; queryCode: string }) {
  const res = await openTrack(t.trackingNo, t.queryCode);
  expect(res.status).toBe(200);
  return ((await res.json()) as { view: { statusLabel: string } }).view.statusLabel;
}

async function state(id: string) {
  return (await env.DB.prepare(
    'SELECT state, public_status, version, due_at, due_kind, conclude_due_at FROM tips WHERE id = ?',
  )
    .bind(id)
    .first<{
      state: string;
      public_status: string;
      version: number;
      due_at: number | null;
      due_kind: string | null;
      conclude_due_at: number | null;
    }>())!;
}

/** A staff action through the API (with the tip's current version unless a test passes its own). */
const act = staffAction;

async function statsFor(status: string) {
  return (await env.DB.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM stats_monthly WHERE public_status = ?')
    .bind(status)
    .first<{ n: number }>())!.n;
}

describe('the closed loop', () => {
  it('submission → 受理 → 交办 → 核查 → 整改 → 复查 → 销号, with the public status at each step', async () => {
    const tip = await newTip();
    const seen: string[] = [(await state(tip.id)).public_status];
    const pendingBefore = await statsFor('pending');

    expect((await act(dispatcher, tip.id, 'accept')).status).toBe(200);
    let s = await state(tip.id);
    expect(s).toMatchObject({ state: 'accepted', public_status: 'accepted', due_kind: 'conclude' });
    expect(s.conclude_due_at! - Date.now()).toBeGreaterThan(59 * 86_400_000);
    expect(await statsFor('pending')).toBe(pendingBefore - 1);
    seen.push(s.public_status);
    expect(await reporterSees(tip)).toBe('已受理');

    expect(
      (await act(dispatcher, tip.id, 'assign', { departmentId: 'yjj', instructions: '请于期限内核查' })).status,
    ).toBe(200);
    s = await state(tip.id);
    expect(s).toMatchObject({ state: 'assigned', public_status: 'verifying', due_kind: 'assignment' });
    seen.push(s.public_status);
    expect(await reporterSees(tip)).toBe('核查中');

    // Another department's handler can neither see nor act on it.
    expect((await otherHandler.get(`/api/staff/tips/${tip.id}`)).status).toBe(403);
    const plan = rectificationPlan(chinaDate(Date.now() + 30 * 86_400_000));
    expect(
      (
        await act(otherHandler, tip.id, 'conclude', {
          conclusion: 'true',
          verifiedType: 'general_hazard',
          decision: '责令整改',
          rectificationRequired: true,
          hazardLevel: 'general',
          rectification: plan,
        })
      ).status,
    ).toBe(403);

    const concluded = await act(handler, tip.id, 'conclude', {
      conclusion: 'true',
      verifiedType: 'general_hazard',
      decision: '责令限期整改，罚款二万元',
      penaltyFen: 2_000_000,
      hazardLevel: 'general',
      riskColour: 'yellow',
      rectificationRequired: true,
      rectification: plan,
    });
    expect(concluded.status).toBe(200);
    s = await state(tip.id);
    // Recording the plan with the conclusion does not mark the rectification done.
    expect(s).toMatchObject({ state: 'rectifying', public_status: 'rectifying', due_kind: 'rectify' });
    seen.push(s.public_status);
    expect(await reporterSees(tip)).toBe('整改中');

    expect((await act(handler, tip.id, 'rectify', { report: '已更换燃气管道并安装报警器' })).status).toBe(200);
    s = await state(tip.id);
    expect(s).toMatchObject({ state: 'rectified', public_status: 'rectifying', due_kind: 'recheck' });

    expect((await act(supervisor, tip.id, 'recheck', { passed: true, note: '现场复查合格' })).status).toBe(200);
    s = await state(tip.id);
    expect(s).toMatchObject({ state: 'closed', public_status: 'concluded', due_at: null });
    seen.push(s.public_status);

    expect(seen).toEqual(['pending', 'accepted', 'verifying', 'rectifying', 'concluded']);
    expect(await reporterSees(tip)).toBe('已办结');
    const { results } = await env.DB.prepare(
      'SELECT kind, public, public_text FROM tip_events WHERE tip_id = ? ORDER BY at, rowid',
    )
      .bind(tip.id)
      .all<{
        kind: string;
        public: number;
        public_text: string | null;
      }>();
    expect(results.map((e) => e.kind)).toEqual([
      'submitted',
      'accepted',
      'assigned',
      'instructions',
      'verified',
      'rectified',
      'closed',
    ]);
    // Internal instructions are not public; every public event has words for the reporter.
    expect(results.find((e) => e.kind === 'instructions')!.public).toBe(0);
    for (const e of results.filter((x) => x.public)) expect(e.public_text).toBeTruthy();
    const audit = await env.DB.prepare('SELECT action FROM audit_log WHERE tip_id = ? ORDER BY seq')
      .bind(tip.id)
      .all<{ action: string }>();
    expect(audit.results.map((a) => a.action)).toEqual([
      'tip.submitted',
      'tip.accept',
      'tip.assign',
      'tip.conclude',
      'tip.rectify',
      'tip.recheck',
    ]);
  });

  it('不予受理 with a reason from the list ends the tip', async () => {
    const tip = await newTip();
    const bad = await act(dispatcher, tip.id, 'reject', { reason: 'because' });
    expect(bad.status).toBe(422);
    expect((await act(dispatcher, tip.id, 'reject', { reason: 'out_of_scope', note: '请向 12345 反映' })).status).toBe(
      200,
    );
    expect(await state(tip.id)).toMatchObject({ state: 'rejected', public_status: 'rejected', due_at: null });
    const again = await act(dispatcher, tip.id, 'accept');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('INVALID_TRANSITION');
  });

  it('a department hands a tip back with a reason; it can be handed to another', async () => {
    const tip = await assignedTip(dispatcher);
    expect((await act(handler, tip.id, 'return', { reason: '不属于本单位职责' })).status).toBe(200);
    expect(await state(tip.id)).toMatchObject({ state: 'returned', public_status: 'accepted', due_kind: 'conclude' });
    expect((await act(dispatcher, tip.id, 'assign', { departmentId: 'zjj' })).status).toBe(200);
    expect((await otherHandler.get(`/api/staff/tips/${tip.id}`)).status).toBe(200);
  });

  it('两人同时编辑: the second save with the old version gets CONFLICT, not an overwrite', async () => {
    const tip = await newTip();
    const v = (await state(tip.id)).version;
    const first = await act(dispatcher, tip.id, 'accept', {}, v);
    expect(first.status).toBe(200);
    const second = await act(dispatcher, tip.id, 'reject', { reason: 'no_facts' }, v);
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'CONFLICT',
    });
    expect(await state(tip.id)).toMatchObject({ state: 'accepted' });
  });

  it('two saves racing on one version: exactly one wins', async () => {
    const tip = await newTip();
    const v = (await state(tip.id)).version;
    const [a, b] = await Promise.all([
      act(dispatcher, tip.id, 'accept', {}, v),
      act(dispatcher, tip.id, 'reject', { reason: 'no_facts' }, v),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const events = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM tip_events WHERE tip_id = ? AND kind IN ('accepted','rejected')",
    )
      .bind(tip.id)
      .first<{ n: number }>();
    expect(events!.n).toBe(1);
  });

  it('merging a duplicate into a primary: 已合并, and the primary is named', async () => {
    const primary = await newTip();
    const dup = await newTip();
    expect((await act(dispatcher, dup.id, 'merge', { primaryTrackingNo: dup.trackingNo })).status).toBe(422);
    expect((await act(dispatcher, dup.id, 'merge', { primaryTrackingNo: primary.trackingNo })).status).toBe(200);
    expect(await state(dup.id)).toMatchObject({ state: 'merged', public_status: 'merged' });
    const ev = await env.DB.prepare("SELECT public_text FROM tip_events WHERE tip_id = ? AND kind = 'merged'")
      .bind(dup.id)
      .first<{ public_text: string }>();
    expect(ev!.public_text).toContain(primary.trackingNo);
    const detail = (await (await dispatcher.get(`/api/staff/tips/${primary.id}`)).json()) as {
      mergedTips: { trackingNo: string }[];
    };
    expect(detail.mergedTips.map((m) => m.trackingNo)).toEqual([dup.trackingNo]);
  });

  it('suggests duplicates: same unit or address and domain within 30 days', async () => {
    const a = await newTip({ unitName: '重复检测化工厂', address: '回河街道工业路 1 号', domain: 'hazchem' });
    const b = await newTip({ unitName: '重复检测化工厂', address: '别处', domain: 'hazchem' });
    await newTip({ unitName: '重复检测化工厂', address: '别处', domain: 'road' });
    const detail = (await (await dispatcher.get(`/api/staff/tips/${a.id}`)).json()) as { duplicates: { id: string }[] };
    expect(detail.duplicates.map((d) => d.id)).toEqual([b.id]);
  });

  it('extension: requested with a reason, approved once by a 督办, at most 30 days, shown to the reporter', async () => {
    const tip = await assignedTip(dispatcher);
    const before = await state(tip.id);
    expect((await act(handler, tip.id, 'request_extension', { days: 31, reason: '需要第三方检测' })).status).toBe(422);
    expect((await act(handler, tip.id, 'request_extension', { days: 20, reason: '需要第三方检测' })).status).toBe(200);
    // A handler cannot approve their own request.
    expect((await act(handler, tip.id, 'decide_extension', { approve: true })).status).toBe(403);
    expect((await act(supervisor, tip.id, 'decide_extension', { approve: true })).status).toBe(200);
    const after = await state(tip.id);
    expect(after.conclude_due_at! - before.conclude_due_at!).toBe(20 * 86_400_000);
    expect(after.due_at! - before.due_at!).toBe(20 * 86_400_000);
    const ev = await env.DB.prepare("SELECT public_text FROM tip_events WHERE tip_id = ? AND kind = 'extended'")
      .bind(tip.id)
      .first<{ public_text: string }>();
    expect(ev!.public_text).toContain('延长 20 天');
    expect(ev!.public_text).toContain('需要第三方检测');
    // At most once.
    const again = await act(handler, tip.id, 'request_extension', { days: 5, reason: '还需要时间' });
    expect(again.status).toBe(409);
  });

  it('a 不属实 conclusion cannot require rectification; a confirmed one needs a hazard level', async () => {
    const tip = await assignedTip(dispatcher);
    const r1 = await act(handler, tip.id, 'conclude', {
      conclusion: 'false',
      decision: '经核查不属实',
      rectificationRequired: true,
    });
    expect(r1.status).toBe(422);
    // 违法生产经营建设行为 implies no 隐患等级: ordering 整改 needs one.
    const r2 = await act(handler, tip.id, 'conclude', {
      conclusion: 'true',
      verifiedType: 'illegal_operation',
      decision: '属实',
      rectificationRequired: true,
    });
    expect(r2.status).toBe(422);
    const body = (await r2.json()) as { error: { fields: { path: string; code: string }[] } };
    expect(body.error.fields[0]).toMatchObject({ path: 'hazardLevel', code: 'HAZARD_LEVEL_REQUIRED' });
    expect(
      (
        await act(handler, tip.id, 'conclude', {
          conclusion: 'false',
          decision: '经核查不属实',
          rectificationRequired: false,
        })
      ).status,
    ).toBe(200);
    expect(await state(tip.id)).toMatchObject({ state: 'concluded', public_status: 'concluded' });
  });

  it('the queue is keyset-paginated by due date and a 承办员 sees only their department', async () => {
    for (let i = 0; i < 3; i++) {
      const t = await newTip();
      await act(dispatcher, t.id, 'accept');
      await act(dispatcher, t.id, 'assign', { departmentId: 'zjj' });
    }
    const seen = new Set<string>();
    let cursor: string | null = null;
    let last = 0;
    do {
      const res = await dispatcher.get(
        `/api/staff/tips?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as { rows: { id: string; dueAt: number }[]; next: string | null };
      for (const r of page.rows) {
        expect(seen.has(r.id)).toBe(false);
        expect(r.dueAt).toBeGreaterThanOrEqual(last);
        last = r.dueAt;
        seen.add(r.id);
      }
      cursor = page.next;
    } while (cursor);
    const openCount = (await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM tips WHERE due_at IS NOT NULL AND state NOT IN ('rejected','merged','concluded','closed')",
    ).first<{ n: number }>())!.n;
    expect(seen.size).toBe(openCount);
    const mine = (await (await otherHandler.get('/api/staff/tips?view=all&limit=200')).json()) as {
      rows: { departmentId: string }[];
    };
    expect(mine.rows.length).toBeGreaterThan(0);
    expect(mine.rows.every((r) => r.departmentId === 'zjj')).toBe(true);
  });
});

describe('bulk 交办', () => {
  it('assigns each tip it can and reports the ones it cannot, one by one', async () => {
    const a = await newTip();
    const b = await newTip();
    const c = await newTip();
    await act(dispatcher, a.id, 'accept');
    await act(dispatcher, b.id, 'accept');
    const res = await dispatcher.post('/api/staff/tips/bulk-assign', {
      tips: [
        { id: a.id, version: (await state(a.id)).version },
        { id: b.id, version: (await state(b.id)).version },
        { id: c.id, version: (await state(c.id)).version }, // still 待受理: cannot be handed over
      ],
      departmentId: 'gaj',
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { id: string; ok: boolean; error?: { code: string } }[] };
    expect(results.map((r) => [r.id, r.ok, r.error?.code])).toEqual([
      [a.id, true, undefined],
      [b.id, true, undefined],
      [c.id, false, 'INVALID_TRANSITION'],
    ]);
    expect((await state(a.id)).state).toBe('assigned');
    expect((await state(c.id)).state).toBe('submitted');
  });
});

describe('faults', () => {
  it('a D1 failure in the middle of a transition leaves nothing half-written; the retry succeeds', async () => {
    const tip = await newTip();
    const before = await state(tip.id);
    const audits = async () => (await env.DB.prepare('SELECT COUNT(*) AS n FROM audit_log').first<{ n: number }>())!.n;
    const events = async () =>
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM tip_events WHERE tip_id = ?')
        .bind(tip.id)
        .first<{ n: number }>())!.n;
    const [a0, e0, p0] = [await audits(), await events(), await statsFor('pending')];
    // The statistics upsert (late in the batch) fails: the event and the audit row before it must roll back too.
    await env.DB.prepare(
      "CREATE TRIGGER fail_stats BEFORE INSERT ON stats_monthly BEGIN SELECT RAISE(ABORT, 'simulated D1 failure'); END",
    ).run();
    try {
      const res = await act(dispatcher, tip.id, 'accept');
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    } finally {
      await env.DB.prepare('DROP TRIGGER fail_stats').run();
    }
    expect(await state(tip.id)).toEqual(before);
    expect([await audits(), await events(), await statsFor('pending')]).toEqual([a0, e0, p0]);
    expect((await act(dispatcher, tip.id, 'accept')).status).toBe(200);
  });
});
