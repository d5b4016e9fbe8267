/**
 * 进度查询 in workerd against real D1: the reporter view in every public status (tips driven through the
 * workflow service), nothing internal in any answer (full JSON compared), messages both ways with evidence,
 * the objection window, tokens, and guessing.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { transition } from '../../worker/services/transitions';
import { messageReporter, addNote } from '../../worker/services/tip-detail';
import { realName, submitTip, upload, validTip } from '../support/tips';
import { jpegWithMetadata } from '../support/media-fixtures';

const admin = { id: 'track-admin', roles: ['admin'], departmentId: null };
const DAY = 86_400_000;
let ipN = 0;
const ip = () => `2001:db8:7::${(++ipN).toString(16)}`;

async function newTip(overrides: Record<string, unknown> = {}) {
  const res = await submitTip(validTip(overrides));
  const r = (await res.json()) as { trackingNo: string; queryCode: string };
  const id = (await env.DB.prepare('SELECT id FROM tips WHERE tracking_no = ?').bind(r.trackingNo.replaceAll('-', '')).first<{ id: string }>())!.id;
  return { id, ...r };
}
const version = async (id: string) => (await env.DB.prepare('SELECT version FROM tips WHERE id = ?').bind(id).first<{ version: number }>())!.version;
const act = async (id: string, action: string, input: Record<string, unknown> = {}) => transition(env, admin, id, action as never, input, await version(id));

async function open(trackingNo: string, queryCode: string, from = ip()) {
  return SELF.fetch('http://localhost/api/track', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': from },
    body: JSON.stringify({ trackingNo, queryCode }),
  });
}
async function viewOf(t: { trackingNo: string; queryCode: string }) {
  const res = await open(t.trackingNo, t.queryCode);
  expect(res.status).toBe(200);
  return (await res.json()) as { token: string; expiresAt: string; view: Record<string, any> };
}
const withToken = (token: string, path: string, json?: unknown) =>
  SELF.fetch(`http://localhost${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });

const ANY_DATE = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);
const DAY_STR = expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/);
const base = (t: { trackingNo: string }, over: Record<string, unknown>) => ({
  trackingNo: t.trackingNo,
  submittedAt: ANY_DATE,
  handlingUnit: null,
  deadlines: [],
  extension: null,
  conclusion: null,
  rejectReason: null,
  merged: null,
  messages: [],
  newMessages: 0,
  objection: { open: false, until: null },
  reward: null,
  canMessage: true,
  ...over,
});

describe('the reporter view in every public status (full JSON)', () => {
  it('待受理', async () => {
    const t = await newTip();
    const { view } = await viewOf(t);
    expect(view).toEqual(
      base(t, { status: 'pending', statusLabel: '待受理', deadlines: [{ kind: 'accept', label: '受理期限', date: DAY_STR }], timeline: [{ at: ANY_DATE, text: '举报已提交，等待受理' }] }),
    );
  });

  it('已受理 → 核查中 → 整改中 → 已办结, with the unit, deadlines and conclusion; internal notes never appear', async () => {
    const t = await newTip({ reporter: realName() });
    await act(t.id, 'accept');
    let v = (await viewOf(t)).view;
    expect(v).toEqual(base(t, { status: 'accepted', statusLabel: '已受理', deadlines: [{ kind: 'conclude', label: '办结期限', date: DAY_STR }], timeline: expect.any(Array) }));
    await act(t.id, 'assign', { departmentId: 'yjj', instructions: '内部交办要求：重点查仓库' });
    await addNote(env, admin, t.id, '内部备注：举报人可能是前员工');
    v = (await viewOf(t)).view;
    expect(v).toMatchObject({ status: 'verifying', statusLabel: '核查中', handlingUnit: '区应急管理局' });
    await act(t.id, 'conclude', { conclusion: 'true', decision: '责令限期整改', hazardLevel: 'general', riskColour: 'yellow', rectificationRequired: true, penaltyFen: 500000 });
    v = (await viewOf(t)).view;
    expect(v).toMatchObject({ status: 'rectifying', statusLabel: '整改中', conclusion: null });
    await act(t.id, 'rectify', { measures: '更换管道', responsibility: '张某', funds: '自筹', deadline: '2026-12-01', plan: '已制定' });
    await act(t.id, 'recheck', { passed: true, note: '复查合格（内部意见）' });
    v = (await viewOf(t)).view;
    expect(v).toEqual(
      base(t, {
        status: 'concluded',
        statusLabel: '已办结',
        handlingUnit: '区应急管理局',
        conclusion: { verdict: '属实', decision: '责令限期整改', concludedAt: ANY_DATE },
        objection: { open: true, until: DAY_STR },
        timeline: [
          { at: ANY_DATE, text: '举报已提交，等待受理' },
          { at: ANY_DATE, text: expect.stringMatching(/^已受理，将在 \d{4}-\d{2}-\d{2} 前核查办结$/) },
          { at: ANY_DATE, text: '已交办区应急管理局核查处理' },
          { at: ANY_DATE, text: '核查结论：属实，已责令整改。处理决定：责令限期整改' },
          { at: ANY_DATE, text: '整改已完成，等待复查' },
          { at: ANY_DATE, text: '复查合格，隐患已销号，举报办结' },
        ],
      }),
    );
    const raw = JSON.stringify(v);
    for (const secret of ['内部', '李四', '13912345678', 'track-admin', '张某', 'yellow', '500000']) expect(raw).not.toContain(secret);
  });

  it('不予受理 with the reason; no further messages', async () => {
    const t = await newTip();
    await act(t.id, 'reject', { reason: 'out_of_scope' });
    const { view } = await viewOf(t);
    expect(view).toEqual(base(t, { status: 'rejected', statusLabel: '不予受理', rejectReason: '不属于安全生产举报范围', canMessage: false, timeline: expect.any(Array) }));
  });

  it('已合并 names the primary and its status', async () => {
    const primary = await newTip();
    const dup = await newTip();
    await act(primary.id, 'accept');
    await act(dup.id, 'merge', { primaryTrackingNo: primary.trackingNo });
    const { view } = await viewOf(dup);
    expect(view).toEqual(
      base(dup, { status: 'merged', statusLabel: '已合并', merged: { primaryTrackingNo: primary.trackingNo, primaryStatus: '已受理' }, canMessage: false, timeline: expect.any(Array) }),
    );
  });

  it('an approved extension shows its days, reason and the new deadline', async () => {
    const t = await newTip();
    await act(t.id, 'accept');
    await act(t.id, 'assign', { departmentId: 'yjj' });
    const before = (await viewOf(t)).view.deadlines[0].date;
    await act(t.id, 'request_extension', { days: 15, reason: '需要专业机构检测' });
    await act(t.id, 'decide_extension', { approve: true });
    const { view } = await viewOf(t);
    expect(view.extension).toEqual({ days: 15, reason: '需要专业机构检测' });
    expect(view.deadlines[0].date > before).toBe(true);
  });
});

describe('messages both ways', () => {
  it('a staff question is flagged new once; the answer with a photo reaches staff and flags the queue', async () => {
    const t = await newTip();
    await act(t.id, 'accept');
    await messageReporter(env, admin, t.id, '请问隐患具体在几号楼？');
    const first = await viewOf(t);
    expect(first.view.newMessages).toBe(1);
    expect(first.view.messages).toEqual([{ id: expect.any(String), at: ANY_DATE, from: 'staff', body: '请问隐患具体在几号楼？', isNew: true }]);
    const again = (await (await withToken(first.token, '/api/track/view')).json()) as Record<string, any>;
    expect(again.messages[0].isNew).toBe(false);

    const up = (await (await upload(jpegWithMetadata())).json()) as { id: string; claim: string };
    const reply = await withToken(first.token, '/api/track/messages', { body: '在 3 号楼地下室，已补充照片。', attachments: [{ id: up.id, claim: up.claim }] });
    expect(reply.status).toBe(201);
    const after = (await reply.json()) as Record<string, any>;
    expect(after.messages.map((m: { from: string }) => m.from)).toEqual(['staff', 'reporter']);
    const tip = await env.DB.prepare('SELECT reporter_message_pending FROM tips WHERE id = ?').bind(t.id).first<{ reporter_message_pending: number }>();
    expect(tip!.reporter_message_pending).toBe(1);
    const att = await env.DB.prepare("SELECT tip_id, origin, status FROM attachments WHERE id = ?").bind(up.id).first();
    expect(att).toEqual({ tip_id: t.id, origin: 'evidence', status: 'attached' });
    // The same upload cannot be claimed twice.
    const twice = await withToken(first.token, '/api/track/messages', { body: '再发一次同一张照片', attachments: [{ id: up.id, claim: up.claim }] });
    expect(twice.status).toBe(422);
  });

  it('staff writing to an opted-in real-name reporter queues an e-mail without the message or the address', async () => {
    const t = await newTip({ reporter: realName() });
    await messageReporter(env, admin, t.id, '请补充现场照片');
    const row = await env.DB.prepare('SELECT subject, body FROM outbox WHERE tip_id = ?').bind(t.id).first<{ subject: string; body: string }>();
    expect(row!.subject).toContain(t.trackingNo);
    expect(row!.body).not.toContain('请补充现场照片');
    expect(JSON.stringify(row)).not.toContain('lisi@example.com');
  });
});

describe('objection (异议)', () => {
  it('inside the 10-day window reopens the tip for 复查 with a 30-day deadline; outside it is refused', async () => {
    const t = await newTip();
    await act(t.id, 'accept');
    await act(t.id, 'assign', { departmentId: 'yjj' });
    await act(t.id, 'conclude', { conclusion: 'false', decision: '经核查不属实', rectificationRequired: false });
    const { token } = await viewOf(t);
    const ok = await withToken(token, '/api/track/objection', { reason: '现场仍有钢瓶靠近灶具，核查结论与事实不符。' });
    expect(ok.status).toBe(200);
    const v = (await ok.json()) as Record<string, any>;
    expect(v.status).toBe('verifying');
    expect(v.deadlines).toEqual([{ kind: 'review', label: '复查期限', date: DAY_STR }]);

    const late = await newTip();
    await act(late.id, 'accept');
    await act(late.id, 'assign', { departmentId: 'yjj' });
    await act(late.id, 'conclude', { conclusion: 'false', decision: '经核查不属实', rectificationRequired: false });
    await env.DB.prepare('UPDATE tips SET concluded_at = ? WHERE id = ?').bind(Date.now() - 12 * DAY, late.id).run();
    const lt = (await viewOf(late)).token;
    const refused = await withToken(lt, '/api/track/objection', { reason: '现场仍有钢瓶靠近灶具，核查结论与事实不符。' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('异议期已于');
  });
});

describe('tokens', () => {
  it('expire, and cannot be turned into a token for another tip', async () => {
    const a = await newTip();
    const b = await newTip();
    const { token } = await viewOf(a);
    const [, exp, sig] = token.split('.');
    const forged = `${b.id}.${exp}.${sig}`;
    expect((await withToken(forged, '/api/track/view')).status).toBe(401);
    const [tipId] = token.split('.');
    const expired = `${tipId}.${Date.now() - 1000}.${sig}`;
    const res = await withToken(expired, '/api/track/view');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TOKEN_INVALID');
    expect((await withToken('', '/api/track/view')).status).toBe(401);
  });
});

describe('guessing is useless', () => {
  it('an unknown number and a wrong code get identical answers', async () => {
    const t = await newTip();
    const wrong = await open(t.trackingNo, 'ZZZZ-ZZZZ-ZZZZ');
    const unknown = await open('AQ-00000-00000', 'ZZZZ-ZZZZ-ZZZZ');
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('5 wrong codes lock the number (audited, no reporter data); the right code opens it once the lock expires', async () => {
    const t = await newTip({ reporter: realName() });
    for (let i = 0; i < 4; i++) expect((await open(t.trackingNo, 'ZZZZ-ZZZZ-ZZZZ')).status).toBe(404);
    const fifth = await open(t.trackingNo, 'ZZZZ-ZZZZ-ZZZZ');
    expect(fifth.status).toBe(429);
    expect(((await fifth.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'LOCKED' });
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(800);
    // Locked: even the right code waits.
    expect((await open(t.trackingNo, t.queryCode)).status).toBe(429);
    const entry = await env.DB.prepare("SELECT actor, detail FROM audit_log WHERE tip_id = ? AND action = 'track.locked'").bind(t.id).first<{ actor: string; detail: string }>();
    expect(entry!.actor).toBe('public');
    expect(entry!.detail).not.toMatch(/李四|139|query|code/i);
    // Once the lock has passed, the right code opens.
    await env.DB.prepare("UPDATE rate_limits SET locked_until = ? WHERE key LIKE 'track-no:%' AND locked_until IS NOT NULL").bind(Date.now() - 1).run();
    expect((await open(t.trackingNo, t.queryCode)).status).toBe(200);
  });

  it('one client trying many numbers is rate-limited', async () => {
    const from = '2001:db8:99::1';
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await open(`AQ-${String(i).padStart(5, '0')}-00000`, 'ZZZZ-ZZZZ-ZZZZ', from)).status;
    expect(last).toBe(429);
  }, 30_000);
});
