/**
 * Department scope, read-only auditors and identity reveals, through the API:
 * - a 承办员 never sees another department's tip in any list (queue, duplicate suggestions, merged list,
 *   reminders — also after the tip moved to another department) and cannot export;
 * - opening a tip as an auditor leaves the reporter's new messages unread;
 * - a reveal needs a revealing role signed in with TOTP (a reward officer: a notified reward), is limited per
 *   person, audited, and alerts admins and auditors in the console.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { REVEAL_LIMIT } from '../../worker/services/tip-detail';
import { transition } from '../../worker/services/transitions';
import { makeStaff, sessionOf, signedIn, type StaffClient } from '../support/staff';
import { realName, submitTip, tipIdOf, validTip } from '../support/tips';

const admin = { id: 'scope-admin', roles: ['admin'], departmentId: null };

async function newTip(overrides: Record<string, unknown> = {}): Promise<{ id: string; trackingNo: string }> {
  const res = await submitTip(validTip(overrides));
  expect(res.status).toBe(201);
  const trackingNo = ((await res.json()) as { trackingNo: string }).trackingNo;
  return { id: await tipIdOf(trackingNo), trackingNo };
}
const version = async (id: string) =>
  (await env.DB.prepare('SELECT version FROM tips WHERE id = ?').bind(id).first<{ version: number }>())!.version;
const act = async (
  actor: typeof admin,
  id: string,
  action: Parameters<typeof transition>[3],
  input: Record<string, unknown> = {},
) => transition(env, actor, id, action, input, await version(id));
async function assignTo(id: string, departmentId: string) {
  await act(admin, id, 'accept');
  await act(admin, id, 'assign', { departmentId });
}
const json = async <T>(r: Promise<Response>) => {
  const res = await r;
  expect(res.status, res.url).toBe(200);
  return (await res.json()) as T;
};

describe('a 承办员 sees only its own department’s tips', () => {
  it('in the duplicate suggestions and the merged list of a tip page: only tips it may open', async () => {
    const unitName = `重复单位${crypto.randomUUID().slice(0, 8)}`;
    const ours = await newTip({ unitName });
    const theirs = await newTip({ unitName });
    const merged = await newTip({ unitName });
    await assignTo(ours.id, 'yjj');
    await assignTo(theirs.id, 'zjj');
    await act(admin, merged.id, 'merge', { primaryTrackingNo: ours.trackingNo });
    const handler = (await signedIn(['handler'], { departmentId: 'yjj' })).client;
    const page = await json<{ duplicates: { id: string }[]; mergedTips: { id: string }[] }>(
      handler.get(`/api/staff/tips/${ours.id}`),
    );
    const listed = [...page.duplicates, ...page.mergedTips].map((t) => t.id);
    expect(listed).not.toContain(theirs.id);
    expect(listed).not.toContain(merged.id);
    for (const id of listed) expect((await handler.get(`/api/staff/tips/${id}`)).status).toBe(200);
    // District roles still get the suggestions and the merged list.
    const dispatcher = (await signedIn(['dispatcher'])).client;
    const full = await json<{ duplicates: { id: string }[]; mergedTips: { id: string }[] }>(
      dispatcher.get(`/api/staff/tips/${ours.id}`),
    );
    expect(full.duplicates.map((t) => t.id)).toContain(theirs.id);
    expect(full.mergedTips.map((t) => t.id)).toEqual([merged.id]);
  });

  it('in reminders: a tip that moved to another department takes its reminders along', async () => {
    const tip = await newTip();
    await assignTo(tip.id, 'yjj');
    const reminderId = crypto.randomUUID();
    await env.DB.prepare(
      "INSERT INTO reminders (id, tip_id, level, due_kind, due_at, department_id, created_at) VALUES (?, ?, 'urge', 'conclude', ?, 'yjj', ?)",
    )
      .bind(reminderId, tip.id, Date.now(), Date.now())
      .run();
    const yjj = (await signedIn(['handler'], { departmentId: 'yjj' })).client;
    const zjj = (await signedIn(['handler'], { departmentId: 'zjj' })).client;
    const ids = async (c: StaffClient) =>
      (await json<{ reminders: { tip_id: string }[] }>(c.get('/api/staff/reminders'))).reminders.map((r) => r.tip_id);
    expect(await ids(yjj)).toContain(tip.id);
    expect(await ids(zjj)).not.toContain(tip.id);
    // Returned by 应急局 and handed to 住建局.
    await act({ id: 'yjj-h', roles: ['handler'], departmentId: 'yjj' } as unknown as typeof admin, tip.id, 'return', {
      reason: '不属于本单位职责',
    });
    await act(admin, tip.id, 'assign', { departmentId: 'zjj' });
    expect(await ids(yjj)).not.toContain(tip.id);
    expect(await ids(zjj)).toContain(tip.id);
    expect((await yjj.post(`/api/staff/reminders/${reminderId}/read`)).status).toBe(404);
    expect((await zjj.post(`/api/staff/reminders/${reminderId}/read`)).status).toBe(204);
  });

  it('in the queue (every view and filter) and never in an export', async () => {
    const tip = await newTip();
    await assignTo(tip.id, 'zjj');
    const yjj = (await signedIn(['handler'], { departmentId: 'yjj' })).client;
    for (const q of [
      'view=all',
      'view=open',
      'view=assigned',
      'departmentId=zjj',
      `q=${encodeURIComponent(tip.trackingNo)}`,
      'view=all&sort=newest',
    ]) {
      const page = await json<{ rows: { id: string; departmentId: string | null }[] }>(yjj.get(`/api/staff/tips?${q}`));
      expect(
        page.rows.map((r) => r.id),
        q,
      ).not.toContain(tip.id);
      for (const r of page.rows) expect(r.departmentId, q).toBe('yjj');
    }
    expect((await yjj.get('/api/staff/tips/export.csv?view=all')).status).toBe(403);
    expect((await yjj.get(`/api/staff/tips/${tip.id}`)).status).toBe(403);
  });
});

describe('an auditor reads without changing anything', () => {
  it('opening a tip leaves the reporter’s new message unread; a handler opening it marks it read', async () => {
    const tip = await newTip();
    await assignTo(tip.id, 'yjj');
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO messages (id, tip_id, at, author, body) VALUES (?, ?, ?, 'reporter', '补充：后门也堵了')",
      ).bind(crypto.randomUUID(), tip.id, Date.now()),
      env.DB.prepare('UPDATE tips SET reporter_message_pending = 1 WHERE id = ?').bind(tip.id),
    ]);
    const state = () =>
      env.DB.prepare(
        "SELECT t.reporter_message_pending AS pending, (SELECT COUNT(*) FROM messages m WHERE m.tip_id = t.id AND m.author = 'reporter' AND m.read_by_staff_at IS NULL) AS unread FROM tips t WHERE t.id = ?",
      )
        .bind(tip.id)
        .first<{ pending: number; unread: number }>();
    const auditor = (await signedIn(['auditor'])).client;
    await json(auditor.get(`/api/staff/tips/${tip.id}`));
    for (const role of ['reward_officer', 'reward_approver'])
      await json((await signedIn([role])).client.get(`/api/staff/tips/${tip.id}`));
    expect(await state()).toEqual({ pending: 1, unread: 1 });
    // The queue's "new message" filter still shows it to those who handle it.
    const handler = (await signedIn(['handler'], { departmentId: 'yjj' })).client;
    const flagged = await json<{ rows: { id: string }[] }>(handler.get('/api/staff/tips?view=all&newMessage=1'));
    expect(flagged.rows.map((r) => r.id)).toContain(tip.id);
    await json(handler.get(`/api/staff/tips/${tip.id}`));
    expect(await state()).toEqual({ pending: 0, unread: 0 });
  });

  it('cannot mark a shared reminder read', async () => {
    const tip = await newTip();
    const id = crypto.randomUUID();
    await env.DB.prepare(
      "INSERT INTO reminders (id, tip_id, level, due_kind, due_at, created_at) VALUES (?, ?, 'remind', 'accept', ?, ?)",
    )
      .bind(id, tip.id, Date.now(), Date.now())
      .run();
    const auditor = (await signedIn(['auditor'])).client;
    expect((await auditor.post(`/api/staff/reminders/${id}/read`)).status).toBe(403);
    expect(
      (await env.DB.prepare('SELECT read_at FROM reminders WHERE id = ?').bind(id).first<{ read_at: number | null }>())!
        .read_at,
    ).toBeNull();
  });
});

describe('identity reveal', () => {
  const REASON = '核实举报人是否遭受打击报复';

  it('needs a second factor: a supervisor session without an enrolled TOTP key is refused', async () => {
    const tip = await newTip({ reporter: realName() });
    const bare = await makeStaff(['supervisor'], { enrolled: false });
    const res = await (await sessionOf(bare)).post(`/api/staff/tips/${tip.id}/reveal`, { reason: REASON });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/动态验证码/);
  });

  it('a dispatcher and a handler may not reveal', async () => {
    const tip = await newTip({ reporter: realName() });
    await assignTo(tip.id, 'yjj');
    for (const [roles, dept] of [
      [['dispatcher'], null],
      [['handler'], 'yjj'],
    ] as const) {
      const c = (await signedIn([...roles], { departmentId: dept })).client;
      expect((await c.post(`/api/staff/tips/${tip.id}/reveal`, { reason: REASON })).status, roles[0]).toBe(403);
    }
  });

  it('a reward officer only for a tip whose reward has been notified', async () => {
    const tip = await newTip({ reporter: realName() });
    const { client } = await signedIn(['reward_officer']);
    const before = await client.get(`/api/staff/tips/${tip.id}`);
    expect(((await before.json()) as { canReveal: boolean }).canReveal).toBe(false);
    expect((await client.post(`/api/staff/tips/${tip.id}/reveal`, { reason: '核对领奖人身份' })).status).toBe(403);
    await env.DB.prepare(
      `INSERT INTO rewards (id, tip_id, rule_id, status, amount_fen, computation, notified_at, claim_deadline, created_at, updated_at)
       VALUES (?, ?, (SELECT id FROM reward_rules LIMIT 1), 'notified', 300000, '{}', ?, ?, ?, ?)`,
    )
      .bind(crypto.randomUUID(), tip.id, Date.now(), Date.now() + 60 * 86_400_000, Date.now(), Date.now())
      .run();
    expect(((await (await client.get(`/api/staff/tips/${tip.id}`)).json()) as { canReveal: boolean }).canReveal).toBe(
      true,
    );
    expect((await client.post(`/api/staff/tips/${tip.id}/reveal`, { reason: '核对领奖人身份' })).status).toBe(200);
  });

  it('is limited per person, and each reveal alerts admins and auditors (never with the identity)', async () => {
    const tip = await newTip({ reporter: realName() });
    const { client, staff } = await signedIn(['supervisor']);
    for (let i = 0; i < REVEAL_LIMIT.hour.limit; i++)
      expect((await client.post(`/api/staff/tips/${tip.id}/reveal`, { reason: REASON })).status).toBe(200);
    const over = await client.post(`/api/staff/tips/${tip.id}/reveal`, { reason: REASON });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another person is not affected.
    expect(
      (await (await signedIn(['admin'])).client.post(`/api/staff/tips/${tip.id}/reveal`, { reason: REASON })).status,
    ).toBe(200);
    const audited = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM audit_log WHERE tip_id = ? AND action = 'identity.revealed'",
    )
      .bind(tip.id)
      .first<{ n: number }>();
    expect(audited!.n).toBe(REVEAL_LIMIT.hour.limit + 1);

    const { client: auditor } = await signedIn(['auditor']);
    const { client: adminC } = await signedIn(['admin']);
    for (const c of [auditor, adminC]) {
      const res = await c.get('/api/staff/alerts');
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const secret of ['李四', '13912345678', '11010519491231002X']) expect(text).not.toContain(secret);
      const alerts = (
        JSON.parse(text) as {
          alerts: { id: string; tipId: string; username: string; reason: string; acknowledgedAt: number | null }[];
        }
      ).alerts;
      const mine = alerts.filter((a) => a.tipId === tip.id && a.username === staff.username);
      expect(mine).toHaveLength(REVEAL_LIMIT.hour.limit);
      expect(mine[0]).toMatchObject({ reason: REASON, acknowledgedAt: null });
    }
    for (const role of ['dispatcher', 'supervisor', 'handler', 'reward_officer']) {
      expect((await (await signedIn([role])).client.get('/api/staff/alerts')).status, role).toBe(403);
    }
    const first = (
      await json<{ alerts: { id: string; tipId: string }[] }>(adminC.get('/api/staff/alerts'))
    ).alerts.find((a) => a.tipId === tip.id)!;
    expect((await auditor.post(`/api/staff/alerts/${first.id}/ack`)).status).toBe(403);
    expect((await adminC.post(`/api/staff/alerts/${first.id}/ack`)).status).toBe(204);
    expect((await adminC.post(`/api/staff/alerts/${first.id}/ack`)).status).toBe(404);
  });
});
