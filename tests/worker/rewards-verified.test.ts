/**
 * Rewards follow what 核查 verified, not what the reporter chose (docs/rules.md, "Reward amount"). Each case goes
 * through the API: a tip submitted with one type, 受理, 交办, concluded by the handler with the verified category
 * (and fine, accident grade, concealed deaths), then the reward officer's preview. Each row names its clause of the
 * 2018 奖励办法 (安监总财〔2018〕19号).
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeStaff, sessionOf, type StaffClient } from '../support/staff';
import { assignedTip, staffAction } from '../support/workflow';

let dispatcher: StaffClient;
let handler: StaffClient;
let officer: StaffClient;

beforeAll(async () => {
  dispatcher = await sessionOf(await makeStaff(['dispatcher']));
  handler = await sessionOf(await makeStaff(['handler'], { departmentId: 'yjj' }));
  officer = await sessionOf(await makeStaff(['reward_officer']));
});

const act = staffAction;

/** A tip of the reported type, 受理 and 交办 to 区应急管理局, ready for the conclusion. */
const verifyingTip = async (type: string): Promise<string> => (await assignedTip(dispatcher, { type })).id;

interface Preview {
  rule: { name: string; version: number };
  computation: { eligible: boolean; amountFen: number; reason?: string; clause: string | null; steps: string[] };
  verified: { reportedType: string; verifiedType: string | null };
}

const Y = (yuan: number) => yuan * 100;

describe('the reward follows the verified category (through the API)', () => {
  it.each([
    {
      clause: '第十一条（一）',
      what: 'reported 一般事故隐患, verified 重大事故隐患 with a ¥100,000 fine → 15% = ¥15,000',
      reported: 'general_hazard',
      conclusion: { verifiedType: 'major_hazard', penaltyFen: Y(100_000) },
      expect: { eligible: true, amountFen: Y(15_000) },
    },
    {
      clause: '第十一条（一）',
      what: 'reported 一般事故隐患, verified 违法生产经营建设行为 with a ¥10,000 fine → 15% = ¥1,500, raised to the ¥3,000 minimum',
      reported: 'general_hazard',
      conclusion: { verifiedType: 'illegal_operation', penaltyFen: Y(10_000) },
      expect: { eligible: true, amountFen: Y(3_000) },
    },
    {
      clause: '第十一条（一）',
      what: 'reported 一般事故隐患, verified 重大事故隐患 with a ¥3,000,000 fine → capped at ¥300,000',
      reported: 'general_hazard',
      conclusion: { verifiedType: 'major_hazard', penaltyFen: Y(3_000_000) },
      expect: { eligible: true, amountFen: Y(300_000) },
    },
    {
      clause: '第二条、第七条',
      what: 'reported 重大事故隐患, verified 一般事故隐患 (even with a fine) → no reward',
      reported: 'major_hazard',
      conclusion: { verifiedType: 'general_hazard', penaltyFen: Y(100_000) },
      expect: { eligible: false, amountFen: 0 },
    },
    {
      clause: '第十一条（二）',
      what: 'reported 违法行为, verified 瞒报谎报事故: 较大事故, 2 concealed deaths → 2 × ¥40,000',
      reported: 'illegal_operation',
      conclusion: { verifiedType: 'concealed_accident', accidentLevel: 'large', concealedDeaths: 2 },
      expect: { eligible: true, amountFen: Y(80_000) },
    },
  ])('$clause: $what', async (c) => {
    const id = await verifyingTip(c.reported);
    const res = await act(handler, id, 'conclude', {
      conclusion: 'true',
      decision: '经核查属实，依法处理',
      rectificationRequired: false,
      ...c.conclusion,
    });
    expect(res.status).toBe(200);
    const p = (await (await officer.get(`/api/staff/tips/${id}/reward-preview`)).json()) as Preview;
    expect(p.computation).toMatchObject({ ...c.expect, clause: c.clause });
    expect(p.verified).toEqual(
      expect.objectContaining({ reportedType: c.reported, verifiedType: c.conclusion.verifiedType }),
    );
    expect(p.rule).toMatchObject({ name: '安全生产领域举报奖励办法（安监总财〔2018〕19号）', version: 1 });
  });

  it('the tip page shows what the reporter chose beside what 核查 verified; a 重大事故隐患 is 重大 without asking', async () => {
    const id = await verifyingTip('general_hazard');
    expect(
      (
        await act(handler, id, 'conclude', {
          conclusion: 'partly_true',
          verifiedType: 'major_hazard',
          decision: '部分属实，责令整改',
          penaltyFen: Y(50_000),
          rectificationRequired: false,
        })
      ).status,
    ).toBe(200);
    const t = (await (await handler.get(`/api/staff/tips/${id}`)).json()) as Record<string, unknown>;
    expect(t).toMatchObject({ type: 'general_hazard', verifiedType: 'major_hazard', hazardLevel: 'major' });
  });

  it.each([
    [
      'VERIFIED_TYPE_REQUIRED',
      'verifiedType',
      { conclusion: 'true' },
      '核查属实或部分属实时请选择核查认定类别（奖励按核查认定的类别计算）',
    ],
    [
      'VERIFIED_TYPE_UNEXPECTED',
      'verifiedType',
      { conclusion: 'false', verifiedType: 'major_hazard' },
      '核查不属实的举报无需认定类别',
    ],
    [
      'ACCIDENT_FACTS_REQUIRED',
      'accidentLevel',
      { conclusion: 'true', verifiedType: 'concealed_accident' },
      '认定为瞒报谎报事故时请填写最终确认的事故等级和查实的瞒报谎报死亡人数',
    ],
    [
      'ACCIDENT_FACTS_UNEXPECTED',
      'accidentLevel',
      { conclusion: 'true', verifiedType: 'major_hazard', accidentLevel: 'general', concealedDeaths: 1 },
      '事故等级和瞒报谎报死亡人数只在认定为瞒报谎报事故时填写',
    ],
    [
      'HAZARD_LEVEL_MISMATCH',
      'hazardLevel',
      { conclusion: 'true', verifiedType: 'major_hazard', hazardLevel: 'general' },
      '隐患等级与核查认定类别不一致（重大事故隐患为重大，一般事故隐患为一般）',
    ],
  ])('a conclusion is refused with %s', async (code, path, input, message) => {
    const id = await verifyingTip('major_hazard');
    const res = await act(handler, id, 'conclude', {
      decision: '核查处理决定',
      rectificationRequired: false,
      ...input,
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; fields: { path: string; code: string }[] } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.fields).toContainEqual({ path, code, message });
    expect((await env.DB.prepare('SELECT state FROM tips WHERE id = ?').bind(id).first())!.state).toBe('assigned');
  });

  it('a conclusion recorded before the verified category existed is not rewarded on the reporter’s choice', async () => {
    const id = await verifyingTip('major_hazard');
    await env.DB.prepare(
      "UPDATE tips SET state = 'concluded', conclusion = 'true', penalty_fen = 10000000, verified_type = NULL WHERE id = ?",
    )
      .bind(id)
      .run();
    const p = (await (await officer.get(`/api/staff/tips/${id}/reward-preview`)).json()) as Preview;
    expect(p.computation).toMatchObject({ eligible: false, reason: '核查结论未记录核查认定类别，不能测算奖励' });
  });
});
