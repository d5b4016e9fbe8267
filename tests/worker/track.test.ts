/**
 * 进度查询 in workerd against real D1: the reporter view in every public status (tips driven through the
 * workflow service), nothing internal in any answer (the full JSON compared, and parsed with the strict
 * schema), messages both ways with evidence, the objection window, tokens, and guessing.
 */
import { createScheduledController, createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import worker from '../../worker/index';
import { ReporterView } from '../../worker/schemas/track';
import { addCalendarDays, chinaDate } from '../../worker/services/calendar';
import { chinaDateText } from '../../worker/domain/deadlines';

import { addNote, messageReporter, tipDetail } from '../../worker/services/tip-detail';
import { appSecret, hmacHex } from '../../worker/lib/crypto';
import { networkOf } from '../../worker/lib/ratelimit';
import { checkCode, issueToken, PUBLIC_ID_MESSAGE, reporterView, viewStatements } from '../../worker/services/track';
import { createApp } from '../../worker/app';
import { delayedD1 } from '../../worker/lib/d1-latency';
import { formatPublicId } from '../../worker/services/codes';
import { jpegWithMetadata } from '../support/media-fixtures';
import { notifiedReward } from '../support/rewards';
import { acceptAndAssign, act, errorOf, newTip, openTrack, trackAdmin, viewOf, withToken } from '../support/track';
import { realName, upload } from '../support/tips';
import { generalHazardOrder } from '../support/workflow';

const DAY = 86_400_000;
const ANY_INSTANT = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => chinaDate(ms);
/** The end of the China-time day `n` calendar days after `ms` (the workflow's deadlines). */
const plus = (ms: number, n: number) => day(addCalendarDays(ms, n));
/** A YYYY-MM-DD day as the timeline's sentences write it (2027年1月31日). */
const said = (ymd: string) => chinaDateText(Date.parse(`${ymd}T12:00:00+08:00`));
const WRONG = 'ZZZZ-ZZZZ-ZZZZ';

/** Everything of the view that does not change with the status, overridden per case. */
const base = (t: { trackingNo: string }, over: Partial<ReporterView>): ReporterView => ({
  trackingNo: t.trackingNo,
  status: 'pending',
  statusLabel: '待受理',
  submittedAt: ANY_INSTANT,
  handlingUnit: null,
  deadlines: [],
  extension: null,
  conclusion: null,
  rejectReason: null,
  merged: null,
  timeline: [],
  messages: [],
  newMessages: 0,
  objection: { open: false, until: null, final: false },
  reward: null,
  rating: { open: false, until: null, level: null, levelLabel: null, reason: null, followup: null },
  canMessage: true,
  // The claim terms (national default: no claiming on the receipt alone); an anonymous tip can add an identity.
  claim: ANONYMOUS_CLAIM,
  ...over,
});
const ANONYMOUS_CLAIM = { anonymous: true, claimByCode: false, canAddIdentity: true };
const REAL_NAME_CLAIM = { anonymous: false, claimByCode: false, canAddIdentity: false };
/** The rating part of the view after a conclusion reached the reporter at `ms` (open for 30 days). */
const ratingFrom = (ms: number) => ({
  open: true,
  until: plus(ms, 30),
  level: null,
  levelLabel: null,
  reason: null,
  followup: null,
});
const SUBMITTED = { at: ANY_INSTANT, text: '举报已提交，等待受理' };

/** The view of a tip 受理 at `t1`, 交办 a second later and concluded without 整改 at `t1 + 2000`: 已办结. */
function concludedView(
  t: { trackingNo: string },
  t1: number,
  conclusion: { verdict: string; decision: string },
): ReporterView {
  const at = t1 + 2000;
  return base(t, {
    status: 'concluded',
    statusLabel: '已办结',
    handlingUnit: '区应急管理局',
    conclusion: { ...conclusion, concludedAt: iso(at) },
    objection: { open: true, until: plus(at, 10), final: false },
    rating: ratingFrom(at),
    timeline: [
      SUBMITTED,
      { at: iso(t1), text: `已受理，将在 ${said(plus(t1, 60))} 前核查办结` },
      { at: iso(t1 + 1000), text: '已交办区应急管理局核查处理' },
      { at: iso(at), text: `已办结。核查结论：${conclusion.verdict}。处理决定：${conclusion.decision}` },
    ],
  });
}

/** Things that must never reach a reporter: staff ids and names, notes, instructions, identity, internals. */
function expectNothingInternal(v: unknown, t: { id: string; queryCode: string }) {
  const raw = JSON.stringify(v);
  for (const secret of [
    t.id,
    t.queryCode,
    trackAdmin.id,
    '内部',
    '李四',
    '13912345678',
    'lisi@example.com',
    '11010519491231002X',
    '张某',
    'yellow',
    'general',
    '500000',
    'yjj',
    'staff_id',
    'data',
  ]) {
    expect(raw).not.toContain(secret);
  }
}

describe('POST /api/track shows the reporter view in every public status (full JSON)', () => {
  it('待受理: the acceptance deadline and the submission', async () => {
    const t = await newTip();
    const { view } = await viewOf(t);
    const due = (await env.DB.prepare('SELECT due_at FROM tips WHERE id = ?').bind(t.id).first<{ due_at: number }>())!
      .due_at;
    expect(view).toEqual(
      base(t, { deadlines: [{ kind: 'accept', label: '受理期限', date: day(due) }], timeline: [SUBMITTED] }),
    );
  });

  it('已受理 (accepted, and handed back by a department) with the 60-day deadline', async () => {
    const t = await newTip();
    const t1 = Date.now();
    await act(t.id, 'accept', {}, t1);
    const accepted = base(t, {
      status: 'accepted',
      statusLabel: '已受理',
      deadlines: [{ kind: 'conclude', label: '办结期限', date: plus(t1, 60) }],
      timeline: [SUBMITTED, { at: iso(t1), text: `已受理，将在 ${said(plus(t1, 60))} 前核查办结` }],
    });
    expect((await viewOf(t)).view).toEqual(accepted);
    // 交办 then 退回 (an internal step with an internal reason): the reporter still sees 已受理, and no unit.
    await act(t.id, 'assign', { departmentId: 'yjj', instructions: '内部交办要求：重点查仓库' }, t1 + 1000);
    await act(t.id, 'return', { reason: '内部：不属于我局职责' }, t1 + 2000);
    const { view } = await viewOf(t);
    expect(view).toEqual({
      ...accepted,
      timeline: [...accepted.timeline, { at: iso(t1 + 1000), text: '已交办区应急管理局核查处理' }],
    });
    expectNothingInternal(view, t);
  });

  it('核查中 → 整改中 → 已办结 (复查销号): unit, deadlines, conclusion; notes and internal records never appear', async () => {
    const t = await newTip({ reporter: realName() });
    const t1 = Date.now();
    await act(t.id, 'accept', {}, t1);
    await act(t.id, 'assign', { departmentId: 'yjj', instructions: '内部交办要求：重点查仓库' }, t1 + 1000);
    await addNote(env, trackAdmin, t.id, '内部备注：举报人可能是前员工');
    const timeline = [
      SUBMITTED,
      { at: iso(t1), text: `已受理，将在 ${said(plus(t1, 60))} 前核查办结` },
      { at: iso(t1 + 1000), text: '已交办区应急管理局核查处理' },
    ];
    const verifying = base(t, {
      claim: REAL_NAME_CLAIM,
      status: 'verifying',
      statusLabel: '核查中',
      handlingUnit: '区应急管理局',
      deadlines: [{ kind: 'conclude', label: '办结期限', date: plus(t1, 60) }],
      timeline,
    });
    let v = (await viewOf(t)).view;
    expect(v).toEqual(verifying);
    expectNothingInternal(v, t);

    // The conclusion orders 整改 with its 五到位 plan: the 核查 clock stops, the 整改时限 runs, the conclusion
    // reaches the reporter now and the objection window opens now (not at 销号).
    const rectifyBy = day(t1 + 90 * DAY);
    const t2 = t1 + 2000;
    await act(t.id, 'conclude', { ...generalHazardOrder(rectifyBy), penaltyFen: 500000 }, t2);
    timeline.push({
      at: iso(t2),
      text: `核查结论：属实，已责令限期整改，整改时限 ${said(rectifyBy)}。处理决定：责令限期整改`,
    });
    const conclusion = { verdict: '属实', decision: '责令限期整改', concludedAt: iso(t2) };
    const objection = { open: true, until: plus(t2, 10), final: false };
    const rectifying = {
      ...verifying,
      status: 'rectifying' as const,
      statusLabel: '整改中',
      deadlines: [{ kind: 'rectify' as const, label: '整改时限', date: rectifyBy }],
      conclusion,
      objection,
      rating: ratingFrom(t2),
      timeline: [...timeline],
    };
    v = (await viewOf(t)).view;
    expect(v).toEqual(rectifying);
    expectNothingInternal(v, t);

    await act(t.id, 'rectify', { report: '已更换管道（内部记录）' }, t1 + 3000);
    timeline.push({ at: iso(t1 + 3000), text: '整改已完成，等待复查' });
    v = (await viewOf(t)).view;
    // 整改完成（待复查） is still 整改中 to the public; the 复查 of the rectification is due 10 days after the 整改时限.
    expect(v).toEqual({
      ...rectifying,
      deadlines: [
        { kind: 'recheck', label: '整改复查期限', date: plus(Date.parse(`${rectifyBy}T12:00:00+08:00`), 10) },
      ],
      timeline: [...timeline],
    });
    expectNothingInternal(v, t);

    const t5 = t1 + 4000;
    await act(t.id, 'recheck', { passed: true, note: '复查合格（内部意见）' }, t5);
    timeline.push({ at: iso(t5), text: '复查合格，隐患已销号，举报办结' });
    v = (await viewOf(t)).view;
    expect(v).toEqual(
      base(t, {
        claim: REAL_NAME_CLAIM,
        status: 'concluded',
        statusLabel: '已办结',
        handlingUnit: '区应急管理局',
        conclusion,
        objection,
        timeline,
        rating: ratingFrom(t2),
      }),
    );
    expectNothingInternal(v, t);
  });

  it('已办结 without rectification; after the objection window the scheduled job closes it and the objection is gone', async () => {
    const t = await newTip();
    const t1 = Date.now();
    await acceptAndAssign(t.id, t1, t1 + 1000);
    await act(
      t.id,
      'conclude',
      { conclusion: 'false', decision: '经核查不属实', rectificationRequired: false },
      t1 + 2000,
    );
    const concluded = concludedView(t, t1, { verdict: '不属实', decision: '经核查不属实' });
    expect((await viewOf(t)).view).toEqual(concluded);

    // Twelve days later (concluded_at moved back), the Cron Trigger closes it: still 已办结, no objection.
    const back = t1 - 12 * DAY;
    await env.DB.prepare('UPDATE tips SET concluded_at = ?, replied_at = ? WHERE id = ?').bind(back, back, t.id).run();
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: Date.now(), cron: '*/15 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(
      (await env.DB.prepare('SELECT state FROM tips WHERE id = ?').bind(t.id).first<{ state: string }>())!.state,
    ).toBe('closed');
    const { view } = await viewOf(t);
    expect(view).toEqual({
      ...concluded,
      conclusion: { ...concluded.conclusion!, concludedAt: iso(back) },
      objection: { open: false, until: plus(back, 10), final: false },
      rating: ratingFrom(back),
    });
  });

  it('不予受理 with the reason from the list; the internal note is not shown; no replies', async () => {
    const t = await newTip();
    const t1 = Date.now();
    await act(t.id, 'reject', { reason: 'out_of_scope', note: '内部说明：疑似恶意举报' }, t1);
    const { view } = await viewOf(t);
    expect(view).toEqual(
      base(t, {
        claim: { ...ANONYMOUS_CLAIM, canAddIdentity: false },
        status: 'rejected',
        statusLabel: '不予受理',
        rejectReason: '不属于安全生产举报范围',
        canMessage: false,
        timeline: [SUBMITTED, { at: iso(t1), text: '不予受理：不属于安全生产举报范围' }],
      }),
    );
    expectNothingInternal(view, t);
  });

  it('已合并 names the primary and where it stands (and follows it)', async () => {
    const primary = await newTip();
    const dup = await newTip();
    const t1 = Date.now();
    await act(primary.id, 'accept', {}, t1);
    await act(dup.id, 'merge', { primaryTrackingNo: primary.trackingNo }, t1 + 1000);
    const merged = base(dup, {
      claim: { ...ANONYMOUS_CLAIM, canAddIdentity: false },
      status: 'merged',
      statusLabel: '已合并',
      merged: { primaryTrackingNo: primary.trackingNo, primaryStatus: '已受理' },
      canMessage: false,
      timeline: [SUBMITTED, { at: iso(t1 + 1000), text: `已与举报 ${primary.trackingNo} 合并办理` }],
    });
    expect((await viewOf(dup)).view).toEqual(merged);
    await act(primary.id, 'assign', { departmentId: 'yjj' }, t1 + 2000);
    const { view } = await viewOf(dup);
    expect(view).toEqual({ ...merged, merged: { primaryTrackingNo: primary.trackingNo, primaryStatus: '核查中' } });
    expectNothingInternal(view, { ...dup, id: primary.id }); // neither tip's internal id
  });

  it('an approved extension shows its days, its reason and the moved deadline; a requested one shows nothing', async () => {
    const t = await newTip();
    const t1 = Date.now();
    await acceptAndAssign(t.id, t1, t1 + 1000);
    await act(t.id, 'request_extension', { days: 15, reason: '需要专业机构检测' }, t1 + 2000);
    let v = (await viewOf(t)).view;
    expect(v.extension).toBeNull();
    expect(v.deadlines).toEqual([{ kind: 'conclude', label: '办结期限', date: plus(t1, 60) }]);
    await act(t.id, 'decide_extension', { approve: true, note: '内部：同意' }, t1 + 3000);
    const moved = day(addCalendarDays(addCalendarDays(t1, 60), 15));
    v = (await viewOf(t)).view;
    expect(v).toEqual(
      base(t, {
        status: 'verifying',
        statusLabel: '核查中',
        handlingUnit: '区应急管理局',
        deadlines: [{ kind: 'conclude', label: '办结期限', date: moved }],
        extension: { days: 15, reason: '需要专业机构检测' },
        timeline: [
          SUBMITTED,
          { at: iso(t1), text: `已受理，将在 ${said(plus(t1, 60))} 前核查办结` },
          { at: iso(t1 + 1000), text: '已交办区应急管理局核查处理' },
          { at: iso(t1 + 3000), text: `办理期限延长 15 天（需要专业机构检测），新的办结期限为 ${said(moved)}` },
        ],
      }),
    );
    expectNothingInternal(v, t);
  });

  it('a notified reward shows the amount, what to bring, where and the claim deadline', async () => {
    const t = await newTip({ type: 'major_hazard' });
    const t1 = Date.now();
    await acceptAndAssign(t.id, t1, t1 + 1000);
    await act(
      t.id,
      'conclude',
      {
        conclusion: 'true',
        verifiedType: 'major_hazard',
        decision: '罚款 20 万元',
        penaltyFen: 20_000_000,
        rectificationRequired: false,
      },
      t1 + 2000,
    );
    const t4 = t1 + 3000;
    await notifiedReward(t.id, { now: t4 });
    const { view } = await viewOf(t);
    const concluded = concludedView(t, t1, { verdict: '属实', decision: '罚款 20 万元' });
    expect(view).toEqual({
      ...concluded,
      reward: {
        status: 'notified',
        amountFen: 3_000_000,
        amount: '¥30,000',
        claimDeadline: iso(addCalendarDays(t4, 60)),
        where: '区应急管理局举报受理窗口（工作日 9:00–17:00）',
        // National default: an anonymous reporter first adds a real identity, then claims with a valid ID.
        whatToBring:
          '奖励发给能够确认身份的举报人：请先在本页“补充真实身份”登记姓名和身份证号码，再由本人携带有效身份证件原件以及举报编号和查询码领取，并提供本人银行账户。',
        paidAt: null,
      },
      timeline: [...concluded.timeline, { at: iso(t4), text: '举报奖励已核定，请在领取期限内领取' }],
    });
    expect(JSON.stringify(view)).not.toMatch(/staff-officer|staff-approver|rewardId/);
  });

  it('answers 422 naming the missing field, and never lists the code in the OpenAPI document as a query parameter', async () => {
    const res = await openTrack('AQ-00000-00000', '');
    expect(res.status).toBe(422);
    expect((await errorOf(res)).fields).toEqual([
      { path: 'queryCode', code: expect.any(String), message: '请填写查询码' },
    ]);
    const doc = (await (
      await worker.fetch(new Request('http://localhost/api/openapi.json'), env, createExecutionContext())
    ).json()) as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    const trackOps = Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/track'));
    expect(trackOps.map(([p]) => p).sort()).toEqual([
      '/api/track',
      '/api/track/identity',
      '/api/track/messages',
      '/api/track/objection',
      '/api/track/rating',
      '/api/track/view',
    ]);
    for (const [, ops] of trackOps)
      for (const op of Object.values(ops)) expect((op.parameters ?? []).filter((p) => p.in === 'query')).toEqual([]);
  });
});

describe('messages both ways', () => {
  it('a staff question is flagged new once; the answer with a photo reaches staff, flags the queue and shows in the timeline', async () => {
    const t = await newTip();
    await act(t.id, 'accept');
    await messageReporter(env, trackAdmin, t.id, '请问隐患具体在几号楼？');
    const first = await viewOf(t);
    expect(first.view.newMessages).toBe(1);
    expect(first.view.messages).toEqual([
      {
        id: expect.any(String),
        at: ANY_INSTANT,
        from: 'staff',
        body: '请问隐患具体在几号楼？',
        attachments: 0,
        isNew: true,
      },
    ]);
    expect(first.view.timeline.at(-1)).toEqual({ at: first.view.messages[0]!.at, text: '工作人员给您留言' });
    const again = ReporterView.parse(await (await withToken(first.token, '/api/track/view')).json());
    expect(again.messages[0]!.isNew).toBe(false);
    expect(again.newMessages).toBe(0);

    const up = (await (await upload(jpegWithMetadata())).json()) as { id: string; claim: string };
    const reply = await withToken(first.token, '/api/track/messages', {
      body: '在 3 号楼地下室，已补充照片。',
      attachments: [{ id: up.id, claim: up.claim }],
    });
    expect(reply.status).toBe(201);
    const after = ReporterView.parse(await reply.json());
    expect(after.messages.map((m) => [m.from, m.body, m.attachments])).toEqual([
      ['staff', '请问隐患具体在几号楼？', 0],
      ['reporter', '在 3 号楼地下室，已补充照片。', 1],
    ]);
    expect(after.timeline.at(-1)).toEqual({ at: after.messages[1]!.at, text: '您回复了工作人员并补充了 1 个附件' });

    // Staff: the queue flag, the message, and the photo as evidence of that message.
    const tip = await env.DB.prepare('SELECT reporter_message_pending FROM tips WHERE id = ?')
      .bind(t.id)
      .first<{ reporter_message_pending: number }>();
    expect(tip!.reporter_message_pending).toBe(1);
    const att = await env.DB.prepare('SELECT tip_id, message_id, origin, status FROM attachments WHERE id = ?')
      .bind(up.id)
      .first();
    expect(att).toEqual({ tip_id: t.id, message_id: after.messages[1]!.id, origin: 'evidence', status: 'attached' });
    const detail = (await tipDetail(env, trackAdmin, t.id)) as unknown as {
      messages: { author: string; body: string }[];
      attachments: { id: string; origin: string }[];
    };
    expect(detail.messages.map((m) => [m.author, m.body])).toEqual([
      ['staff', '请问隐患具体在几号楼？'],
      ['reporter', '在 3 号楼地下室，已补充照片。'],
    ]);
    expect(detail.attachments.map((a) => [a.id, a.origin])).toEqual([[up.id, 'evidence']]);
    // The audit row says that the reporter wrote, not what.
    const entry = await env.DB.prepare(
      "SELECT actor, detail FROM audit_log WHERE tip_id = ? AND action = 'tip.reporter_message'",
    )
      .bind(t.id)
      .first<{ actor: string; detail: string }>();
    expect(entry).toEqual({ actor: 'reporter', detail: JSON.stringify({ evidence: 1 }) });
  });

  it('evidence follows the submission rules: a used, unknown or wrongly claimed upload is refused and nothing is written', async () => {
    const t = await newTip();
    const { token } = await viewOf(t);
    const uploaded = (await (await upload(jpegWithMetadata())).json()) as { id: string; claim: string };
    const up = { id: uploaded.id, claim: uploaded.claim };
    const count = async () =>
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM messages WHERE tip_id = ?').bind(t.id).first<{ n: number }>())!
        .n;

    const wrongClaim = await withToken(token, '/api/track/messages', {
      body: '补充照片',
      attachments: [{ id: up.id, claim: 'X'.repeat(26) }],
    });
    expect(wrongClaim.status).toBe(422);
    expect((await errorOf(wrongClaim)).fields).toEqual([
      { path: 'attachments.0', code: 'ATTACHMENT_INVALID', message: '附件已失效，请重新上传' },
    ]);
    const twiceInOne = await withToken(token, '/api/track/messages', { body: '补充照片', attachments: [up, up] });
    expect((await errorOf(twiceInOne)).fields?.[0]?.code).toBe('DUPLICATE_FILE');
    const notUuid = await withToken(token, '/api/track/messages', {
      body: '补充照片',
      attachments: [{ id: '../../etc', claim: up.claim }],
    });
    expect(notUuid.status).toBe(422);
    expect(await count()).toBe(0);

    expect((await withToken(token, '/api/track/messages', { body: '补充照片', attachments: [up] })).status).toBe(201);
    const reuse = await withToken(token, '/api/track/messages', { body: '再发一次同一张照片', attachments: [up] });
    expect(reuse.status).toBe(422);
    expect(await count()).toBe(1);
    // Another tip cannot take this tip's evidence either.
    const other = await newTip();
    const otherToken = (await viewOf(other)).token;
    expect(
      (await withToken(otherToken, '/api/track/messages', { body: '用别人的照片', attachments: [up] })).status,
    ).toBe(422);
  });

  it('answers 422 for an empty or too long reply, 409 on a merged or rejected tip, 429 when flooding', async () => {
    const t = await newTip();
    const { token } = await viewOf(t);
    const empty = await withToken(token, '/api/track/messages', { body: ' ' });
    expect(empty.status).toBe(422);
    expect((await errorOf(empty)).fields?.[0]).toMatchObject({ path: 'body', message: '请填写留言' });
    const short = await withToken(token, '/api/track/messages', { body: '好' });
    expect((await errorOf(short)).fields?.[0]).toMatchObject({ path: 'body', message: '留言至少 2 个字' });
    const long = await withToken(token, '/api/track/messages', { body: '长'.repeat(2001) });
    expect((await errorOf(long)).fields?.[0]).toMatchObject({ path: 'body', message: '留言不能超过 2000 个字' });

    for (let i = 0; i < 20; i++)
      expect((await withToken(token, '/api/track/messages', { body: `第 ${i + 1} 条补充` })).status).toBe(201);
    const flood = await withToken(token, '/api/track/messages', { body: '第 21 条补充' });
    expect(flood.status).toBe(429);
    expect(await errorOf(flood)).toMatchObject({ code: 'RATE_LIMITED', message: '留言过于频繁，请稍后再发。' });
    expect(Number(flood.headers.get('retry-after'))).toBeGreaterThan(0);

    const rejected = await newTip();
    await act(rejected.id, 'reject', { reason: 'out_of_scope' });
    const res = await withToken((await viewOf(rejected)).token, '/api/track/messages', { body: '我不同意' });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toContain('重新举报');
  });

  it('staff writing to an opted-in real-name reporter queues an e-mail without the message or the address', async () => {
    const t = await newTip({ reporter: realName() });
    await messageReporter(env, trackAdmin, t.id, '请补充现场照片');
    const row = await env.DB.prepare('SELECT subject, body FROM outbox WHERE tip_id = ?')
      .bind(t.id)
      .first<{ subject: string; body: string }>();
    expect(row!.subject).toContain(t.trackingNo);
    expect(row!.body).not.toContain('请补充现场照片');
    expect(JSON.stringify(row)).not.toContain('lisi@example.com');
  });
});

describe('POST /api/track/objection (异议)', () => {
  async function concluded() {
    const t = await newTip();
    await acceptAndAssign(t.id);
    await act(t.id, 'conclude', { conclusion: 'false', decision: '经核查不属实', rectificationRequired: false });
    return t;
  }
  const REASON = '现场仍有钢瓶靠近灶具，核查结论与事实不符。';

  it('inside the 10-day window reopens the tip for 复查 with a 30-day deadline, once', async () => {
    const t = await concluded();
    const { token } = await viewOf(t);
    const before = Date.now();
    const ok = await withToken(token, '/api/track/objection', { reason: REASON });
    expect(ok.status).toBe(200);
    const v = ReporterView.parse(await ok.json());
    const due = plus(before, 30);
    expect(v).toMatchObject({
      status: 'verifying',
      statusLabel: '核查中',
      conclusion: null,
      objection: { open: false, until: null, final: true },
    });
    expect(v.deadlines).toEqual([{ kind: 'review', label: '复查期限', date: due }]);
    expect(v.timeline.at(-1)).toEqual({ at: ANY_INSTANT, text: `举报人提出异议，已进入复查，复查期限 ${said(due)}` });
    expect(JSON.stringify(v)).not.toContain(REASON); // the reason is for staff
    const row = await env.DB.prepare('SELECT state, due_kind FROM tips WHERE id = ?').bind(t.id).first();
    expect(row).toEqual({ state: 'reviewing', due_kind: 'review' });
    const again = await withToken(token, '/api/track/objection', { reason: REASON });
    expect(again.status).toBe(409);
  });

  it('outside the window it is refused with the date the window ended; before a conclusion it is refused', async () => {
    const late = await concluded();
    const concludedAt = Date.now() - 12 * DAY;
    await env.DB.prepare('UPDATE tips SET concluded_at = ?, replied_at = ? WHERE id = ?')
      .bind(concludedAt, concludedAt, late.id)
      .run();
    const { token, view } = await viewOf(late);
    expect(view.objection).toEqual({ open: false, until: plus(concludedAt, 10), final: false });
    const refused = await withToken(token, '/api/track/objection', { reason: REASON });
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toEqual({
      code: 'INVALID_TRANSITION',
      message: `异议期已于 ${said(plus(concludedAt, 10))} 结束，如有新情况请重新举报并注明原举报编号。`,
    });
    expect(
      (await env.DB.prepare('SELECT state FROM tips WHERE id = ?').bind(late.id).first<{ state: string }>())!.state,
    ).toBe('concluded');

    const open = await newTip();
    const early = await withToken((await viewOf(open)).token, '/api/track/objection', { reason: REASON });
    expect(early.status).toBe(409);
    const short = await withToken(token, '/api/track/objection', { reason: '不同意' });
    expect((await errorOf(short)).fields?.[0]).toMatchObject({ path: 'reason', message: '异议理由至少 10 个字' });
  });
});

describe('reporter tokens', () => {
  it('carry no internal id, expire, and cannot be turned into a token for another tip', async () => {
    const a = await newTip();
    const b = await newTip();
    const { token, expiresAt } = await viewOf(a);
    expect(token).not.toContain(a.id);
    expect(token).not.toContain(a.queryCode.replaceAll('-', ''));
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect((await withToken(token, '/api/track/view')).status).toBe(200);

    const [, exp, sig] = token.split('.');
    const forB = `${b.trackingNo.replaceAll('-', '')}.${exp}.${sig}`;
    const refused = await withToken(forB, '/api/track/view');
    expect(refused.status).toBe(401);
    expect(await errorOf(refused)).toEqual({
      code: 'TOKEN_INVALID',
      message: '查询已过期，请重新输入举报编号和查询码。',
    });
    expect((await withToken(forB, '/api/track/messages', { body: '冒充另一个举报' })).status).toBe(401);
    const later = `${token.split('.')[0]}.${Number(exp) + 3_600_000}.${sig}`;
    expect((await withToken(later, '/api/track/view')).status).toBe(401);

    // A correctly signed token past its 15 minutes.
    const old = await issueToken(
      env,
      { id: a.id, trackingNo: a.trackingNo.replaceAll('-', '') },
      Date.now() - 15 * 60_000 - 1000,
    );
    const expired = await withToken(old.token, '/api/track/view');
    expect(expired.status).toBe(401);
    expect((await errorOf(expired)).code).toBe('TOKEN_INVALID');
    expect(
      (await withToken(old.token, '/api/track/objection', { reason: '现场仍有钢瓶靠近灶具，核查结论与事实不符。' }))
        .status,
    ).toBe(401);
    for (const bad of ['', 'Bearer', 'x.y.z', `${a.id}.${exp}.${sig}`]) {
      expect((await withToken(bad, '/api/track/view')).status).toBe(401);
    }
    expect((await (await import('cloudflare:test')).SELF.fetch('http://localhost/api/track/view')).status).toBe(401);
  });
});

describe('guessing is useless', () => {
  it('an unknown number, a wrong code and a malformed code get identical answers', async () => {
    const t = await newTip();
    const answers = [
      await openTrack(t.trackingNo, WRONG),
      await openTrack('AQ-00000-00000', WRONG),
      await openTrack('AQ-00000-00001', 'not a code'),
    ];
    const bodies = await Promise.all(
      answers.map(async (r) => ({ status: r.status, retry: r.headers.get('retry-after'), body: await r.json() })),
    );
    expect(bodies[0]).toEqual({
      status: 404,
      retry: null,
      body: { error: { code: 'TRACK_NOT_FOUND', message: '举报编号或查询码不正确，请核对后重试。' } },
    });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it('a lookup is one D1 round trip: the view is read with the check, for the tip the number and code open', async () => {
    const t = await newTip();
    const MARK = 3; // the latency wrapper's wait in ms: how its round trips are told apart from other timers
    const lookup = async (queryCode: string) => {
      const spy = vi.spyOn(globalThis, 'setTimeout');
      const res = await createApp().request(
        'http://localhost/api/track',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'cf-connecting-ip': '2001:db8:5a::1' },
          body: JSON.stringify({ trackingNo: t.trackingNo, queryCode }),
        },
        { ...env, DB: delayedD1(env.DB, MARK) },
      );
      const roundTrips = spy.mock.calls.filter((c) => c[1] === MARK).length;
      spy.mockRestore();
      return { res, roundTrips };
    };
    const opened = await lookup(t.queryCode);
    expect(opened.res.status).toBe(200);
    expect(opened.roundTrips).toBe(1);
    const { view } = (await opened.res.json()) as { view: ReporterView };
    expect(view.trackingNo).toBe(t.trackingNo);
    expect(view.timeline.length).toBeGreaterThan(0);
    // The same view the token's own reads give (reporterView, by the tip's id).
    expect(view).toEqual(await reporterView(env, t.id));
  });

  it('a wrong code, or a client past its limit with the right code, gets no view and marks no message read', async () => {
    const t = await newTip();
    await messageReporter(env, trackAdmin, t.id, '请补充隐患所在的楼号');
    const unread = async () =>
      (await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM messages WHERE tip_id = ? AND author = 'staff' AND read_by_reporter_at IS NULL",
      )
        .bind(t.id)
        .first<{ n: number }>())!.n;
    const wrong = await openTrack(t.trackingNo, WRONG);
    expect(wrong.status).toBe(404);
    expect(await wrong.text()).not.toContain('楼号');
    const ip = '2001:db8:5b:7::3'; // a network of its own (the limit holds per /64)
    const key = `track-client:${(await hmacHex(appSecret(env), 'client-net', networkOf(ip))).slice(0, 24)}`;
    await env.DB.prepare('INSERT INTO rate_limits (key, window_start, count, failures) VALUES (?, ?, 30, 30)')
      .bind(key, Date.now() - 60_000)
      .run();
    const limited = await openTrack(t.trackingNo, t.queryCode, ip);
    expect(limited.status).toBe(429);
    expect(await limited.text()).not.toContain('楼号');
    expect(await unread()).toBe(1);
    // The right code from another client: the message, new, and now read.
    const { view } = await viewOf(t);
    expect(view.newMessages).toBe(1);
    expect(view.messages.at(-1)).toMatchObject({ from: 'staff', body: '请补充隐患所在的楼号', isNew: true });
    expect(await unread()).toBe(0);
  });

  it('an unknown number and a wrong code do the same work: the same queries, one HMAC each, the same delay', async () => {
    // Timing itself is measured by `npm run bench` (docs/BENCHMARKS.md, "Guessing"), never asserted here. What
    // makes the times equal is checked instead: the statements sent to D1 and the delay chosen are identical.
    const tips = [await newTip(), await newTip()];
    const trace = async (no: string, client: string) => {
      const sql: string[] = [];
      const delays: number[] = [];
      const db = env.DB;
      const spy = new Proxy(db, {
        get(target, prop, receiver) {
          if (prop === 'prepare')
            return (q: string) => {
              sql.push(q.replace(/\s+/g, ' ').trim());
              return target.prepare(q);
            };
          const v = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      // Every HMAC (the number's rate-limit key, the code's hash) is a WebCrypto sign: count them too.
      const sign = vi.spyOn(crypto.subtle, 'sign');
      // As the lookup route calls it: with the view read in the same round trip.
      const withSpy = { ...env, DB: spy };
      const err = await checkCode(withSpy, client, no, WRONG, {
        wait: async (ms) => delays.push(ms),
        alsoRead: (tip) => viewStatements(withSpy, tip),
      }).catch((e: unknown) => e);
      const hmacs = sign.mock.calls.length;
      sign.mockRestore();
      return { sql, delays, hmacs, code: (err as { code?: string }).code, message: (err as Error).message };
    };
    const wrong = await trace(tips[0]!.trackingNo, 'client-a');
    const unknown = await trace('AQ-00000-30000', 'client-b');
    expect(wrong.code).toBe('TRACK_NOT_FOUND');
    expect(wrong.hmacs).toBeGreaterThanOrEqual(2);
    expect(wrong.sql.some((q) => q.includes('FROM tip_events'))).toBe(true);
    expect(unknown).toEqual(wrong);
    // A second failure of each: still the same, with the longer delay.
    const wrong2 = await trace(tips[0]!.trackingNo, 'client-a');
    const unknown2 = await trace('AQ-00000-30000', 'client-b');
    expect(unknown2).toEqual(wrong2);
    expect(wrong2.delays[0]).toBeGreaterThan(wrong.delays[0]!);
  });

  it('a public id (as Open311 and open data list it) with the right query code opens nothing', async () => {
    const t = await newTip();
    const row = await env.DB.prepare('SELECT public_id FROM tips WHERE tracking_no = ?')
      .bind(t.trackingNo.replaceAll('-', ''))
      .first<{ public_id: string }>();
    const publicId = formatPublicId(row!.public_id);
    expect(publicId).toMatch(/^GK-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    for (const spelling of [publicId, publicId.replaceAll('-', '').toLowerCase()]) {
      const res = await openTrack(spelling, t.queryCode);
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toEqual({ code: 'TRACK_NOT_FOUND', message: PUBLIC_ID_MESSAGE });
    }
    // The tracking number still opens it.
    expect((await openTrack(t.trackingNo, t.queryCode)).status).toBe(200);
  });

  it("POST /api/track: 12 strangers' wrong codes, then the owner's right code → the view (no number is ever locked)", async () => {
    const t = await newTip({ reporter: realName() });
    for (let i = 0; i < 12; i++) {
      const res = await openTrack(t.trackingNo, WRONG); // each from a network of its own
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toEqual({
        code: 'TRACK_NOT_FOUND',
        message: '举报编号或查询码不正确，请核对后重试。',
      });
    }
    const { view } = await viewOf(t);
    expect(view.trackingNo).toBe(t.trackingNo);
    // And again after more strangers: the owner is never kept out, by any number of them.
    for (let i = 0; i < 8; i++) expect((await openTrack(t.trackingNo, WRONG)).status).toBe(404);
    expect((await openTrack(t.trackingNo, t.queryCode)).status).toBe(200);
  }, 30_000);

  it('staff see a number under attack: one audit entry per number per hour (no reporter data), unknown numbers alike', async () => {
    const t = await newTip({ reporter: realName() });
    const wait = async () => {};
    const now = Date.now();
    const entries = () =>
      env.DB.prepare(
        "SELECT actor, tip_id, detail FROM audit_log WHERE action = 'track.guessing' AND (tip_id = ? OR tip_id IS NULL) ORDER BY seq",
      )
        .bind(t.id)
        .all<{ actor: string; tip_id: string | null; detail: string }>()
        .then((r) => r.results);
    const before = (await entries()).length;
    for (let i = 0; i < 4; i++)
      await checkCode(env, `stranger-${i}`, t.trackingNo, WRONG, { wait, now }).catch(() => {});
    expect(await entries()).toHaveLength(before);
    for (let i = 4; i < 20; i++)
      await checkCode(env, `stranger-${i}`, t.trackingNo, WRONG, { wait, now: now + i }).catch(() => {});
    const first = (await entries()).slice(before);
    expect(first.map((e) => [e.actor, e.tip_id])).toEqual([['public', t.id]]);
    expect(JSON.parse(first[0]!.detail)).toEqual({ failures: 5, windowMinutes: 60 });
    expect(first[0]!.detail).not.toMatch(/李四|139|lisi|AQ|ZZZZ|2001:db8|stranger/);
    // The next hour is a new window: five more failures, one more entry.
    const later = now + 61 * 60_000;
    for (let i = 0; i < 6; i++)
      await checkCode(env, `stranger-b${i}`, t.trackingNo, WRONG, { wait, now: later + i }).catch(() => {});
    expect((await entries()).slice(before).map((e) => e.tip_id)).toEqual([t.id, t.id]);
    // The owner opens the tip at any time.
    expect(await checkCode(env, 'owner', t.trackingNo, t.queryCode, { now: later + 10 })).toEqual({
      id: t.id,
      trackingNo: t.trackingNo.replaceAll('-', ''),
    });
    // An unknown number is counted alike (the same work), its entry names no tip.
    const nulls = async () =>
      (await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'track.guessing' AND tip_id IS NULL",
      ).first<{ n: number }>())!.n;
    const nullsBefore = await nulls();
    for (let i = 0; i < 7; i++)
      await checkCode(env, `stranger-u${i}`, 'AQ-00000-20000', WRONG, { wait, now }).catch(() => {});
    expect(await nulls()).toBe(nullsBefore + 1);
  });

  it('the client limit holds per IPv4 address and per IPv6 /64, whatever address of the /64 is used', async () => {
    const t = await newTip();
    const seed = async (network: string) => {
      const key = `track-client:${(await hmacHex(appSecret(env), 'client-net', network)).slice(0, 24)}`;
      await env.DB.prepare('INSERT INTO rate_limits (key, window_start, count, failures) VALUES (?, ?, 30, 30)')
        .bind(key, Date.now() - 60_000)
        .run();
    };
    await seed('2001:db8:99:1::/64');
    await seed('198.51.100.7');
    for (const ip of [
      '2001:db8:99:1::2',
      '2001:db8:99:1:ffff:ffff:ffff:ffff',
      '2001:0db8:0099:0001:0:0:0:abcd',
      '198.51.100.7',
      '::ffff:198.51.100.7',
    ]) {
      const res = await openTrack(t.trackingNo, t.queryCode, ip);
      expect(res.status, ip).toBe(429);
      expect((await errorOf(res)).code).toBe('RATE_LIMITED');
    }
    for (const ip of ['2001:db8:99:2::2', '2001:db8:99::1', '198.51.100.8']) {
      expect((await openTrack(t.trackingNo, t.queryCode, ip)).status, ip).toBe(200);
    }
  });

  it('networkOf: IPv4 as is, IPv6 to its /64 in every spelling, IPv4-mapped to IPv4, anything else unchanged', () => {
    expect(networkOf('198.51.100.7')).toBe('198.51.100.7');
    expect(networkOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:DB8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(networkOf('::1')).toBe('0:0:0:0::/64');
    expect(networkOf('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(networkOf('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(networkOf('local')).toBe('local');
    expect(networkOf('1:2:3')).toBe('1:2:3');
  });

  it('one client trying many numbers is slowed down step by step, then refused for the rest of the window', async () => {
    const client = 'test-client-many-numbers';
    const waits: number[] = [];
    const wait = async (ms: number) => void waits.push(ms);
    const codes: string[] = [];
    for (let i = 0; i < 31; i++) {
      codes.push(
        await checkCode(env, client, `AQ-${String(i).padStart(5, '0')}-77777`, WRONG, { wait }).then(
          () => 'OK',
          (e: { code: string }) => e.code,
        ),
      );
    }
    expect(codes.slice(0, 30)).toEqual(Array(30).fill('TRACK_NOT_FOUND'));
    // Each number failed once, but the client's failures grow the delay: 200 ms, 400 ms, … up to 2 s.
    expect(waits.slice(0, 11)).toEqual([200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000, 2000]);
    expect(waits).toHaveLength(30);
    expect(codes[30]).toBe('RATE_LIMITED');
    const refused = await checkCode(env, client, 'AQ-99999-00000', WRONG, { wait }).catch(
      (e: { code: string; message: string; retryAfter: number }) => e,
    );
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', message: '查询过于频繁，请 10 分钟后再试。' });
    expect((refused as { retryAfter: number }).retryAfter).toBeGreaterThan(590);
    // The window passes: the client may try again (and its delay starts over).
    const later = await checkCode(env, client, 'AQ-99999-00000', WRONG, { wait, now: Date.now() + 11 * 60_000 }).catch(
      (e: { code: string }) => e.code,
    );
    expect(later).toBe('TRACK_NOT_FOUND');
    expect(waits.at(-1)).toBe(200);
  });

  it('POST /api/track answers a client over its limit with 429, a Chinese message and Retry-After; other clients go on', async () => {
    const ip = '2001:db8:98::2';
    const key = `track-client:${(await hmacHex(appSecret(env), 'client-net', networkOf(ip))).slice(0, 24)}`;
    await env.DB.prepare('INSERT INTO rate_limits (key, window_start, count, failures) VALUES (?, ?, 30, 30)')
      .bind(key, Date.now() - 60_000)
      .run();
    const t = await newTip();
    const refused = await openTrack(t.trackingNo, t.queryCode, ip); // even with the right code
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^5\d\d$/);
    expect(await errorOf(refused)).toEqual({
      code: 'RATE_LIMITED',
      message: '查询过于频繁，请 9 分钟后再试。',
      retryAfter: Number(refused.headers.get('retry-after')),
    });
    expect((await openTrack(t.trackingNo, t.queryCode)).status).toBe(200);
  });
});
