/**
 * What each workflow action records: the input schema of every transition in
 * worker/domain/workflow.ts. The staff API validates with these, the console builds its forms from the same
 * field names, and the OpenAPI document lists them.
 */
import { z } from './zod';
import { plain } from './tip';
import { VERIFIED_TYPES } from '../domain/catalog';
import { ACCIDENT_LEVELS } from '../domain/reward-rules';
import { CONCLUSIONS, HAZARD_LEVELS, REJECT_REASONS, RISK_COLOURS, type Action } from '../domain/workflow';

/** The 隐患等级 a verified hazard category implies (a 重大事故隐患 is 重大, an 一般事故隐患 一般). */
export const HAZARD_LEVEL_OF: Partial<Record<string, 'major' | 'general'>> = {
  major_hazard: 'major',
  general_hazard: 'general',
};

const codes = <T extends readonly { code: string }[]>(list: T, label: string) =>
  z.enum(list.map((x) => x.code) as [T[number]['code'], ...T[number]['code'][]], { error: `请选择${label}` });

/** A China-time calendar date, YYYY-MM-DD. */
export const DateString = z
  .string({ error: '请填写日期' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: '日期格式应为 YYYY-MM-DD' })
  // A day that exists: 2026-02-30 parses (and rolls over to March), so the round trip must give the same day back.
  .refine(
    (s) => {
      const t = Date.parse(`${s}T00:00:00Z`);
      return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s);
    },
    { error: '日期不存在' },
  );

/** The 五到位 plan (整改方案): 措施、责任人、资金、时限、预案, recorded with the conclusion that orders 整改. */
export const RectificationPlan = z
  .object({
    measures: plain('整改措施', 2, 1000),
    responsibility: plain('责任人', 2, 500),
    funds: plain('资金落实', 1, 500),
    /** 整改时限: the rectification's deadline (a China date, not before today). */
    deadline: DateString,
    plan: plain('应急预案', 2, 1000),
  })
  .strict();

export const ACTION_INPUTS = {
  accept: z.object({}).strict(),
  reject: z.object({ reason: codes(REJECT_REASONS, '不予受理理由'), note: plain('说明', 0, 500).optional() }).strict(),
  assign: z
    .object({
      departmentId: z.string({ error: '请选择承办单位' }).min(1, { error: '请选择承办单位' }).max(40),
      /** 交办 due date; defaults to the statutory conclusion deadline and may not pass it. */
      dueDate: DateString.optional(),
      instructions: plain('交办要求', 0, 1000).optional(),
    })
    .strict(),
  return: z.object({ reason: plain('退回理由', 2, 500) }).strict(),
  conclude: z
    .object({
      conclusion: codes(CONCLUSIONS, '核查结论'),
      /** 处理决定: shown to the reporter. */
      decision: plain('处理决定', 2, 2000),
      penaltyFen: z
        .number({ error: '行政处罚金额应为数字' })
        .int({ error: '金额以分为单位，须为整数' })
        .min(0)
        .max(1e12)
        .optional(),
      hazardLevel: codes(HAZARD_LEVELS, '隐患等级').optional(),
      /**
       * 核查认定类别: what 核查 found, required with 属实/部分属实 — the reward follows it, not the reporter's choice
       * (docs/rules.md, "Reward amount"). For 瞒报谎报事故 also the finally confirmed accident grade and deaths.
       */
      verifiedType: codes(VERIFIED_TYPES, '核查认定类别').optional(),
      accidentLevel: codes(ACCIDENT_LEVELS, '事故等级').optional(),
      concealedDeaths: z
        .number({ error: '瞒报谎报死亡人数应为数字' })
        .int({ error: '瞒报谎报死亡人数须为整数' })
        .min(0, { error: '瞒报谎报死亡人数不能为负数' })
        .max(1000, { error: '瞒报谎报死亡人数过大' })
        .optional(),
      riskColour: codes(RISK_COLOURS, '风险颜色').optional(),
      rectificationRequired: z.boolean({ error: '请选择是否需要整改' }),
      /** Required when 整改 is ordered: the 五到位 plan, whose 时限 starts the rectification clock. */
      rectification: RectificationPlan.optional(),
    })
    .strict()
    .refine((v) => !(v.conclusion === 'false' && v.rectificationRequired), {
      error: '核查不属实的举报无需整改',
      path: ['rectificationRequired'],
      params: { code: 'NO_RECTIFICATION_WHEN_FALSE' },
    })
    .refine((v) => v.conclusion === 'false' || v.verifiedType, {
      error: '核查属实或部分属实时请选择核查认定类别（奖励按核查认定的类别计算）',
      path: ['verifiedType'],
      params: { code: 'VERIFIED_TYPE_REQUIRED' },
    })
    .refine((v) => v.conclusion !== 'false' || !v.verifiedType, {
      error: '核查不属实的举报无需认定类别',
      path: ['verifiedType'],
      params: { code: 'VERIFIED_TYPE_UNEXPECTED' },
    })
    .refine((v) => v.verifiedType !== 'concealed_accident' || (v.accidentLevel && v.concealedDeaths !== undefined), {
      error: '认定为瞒报谎报事故时请填写最终确认的事故等级和查实的瞒报谎报死亡人数',
      path: ['accidentLevel'],
      params: { code: 'ACCIDENT_FACTS_REQUIRED' },
    })
    .refine((v) => v.verifiedType === 'concealed_accident' || (!v.accidentLevel && v.concealedDeaths === undefined), {
      error: '事故等级和瞒报谎报死亡人数只在认定为瞒报谎报事故时填写',
      path: ['accidentLevel'],
      params: { code: 'ACCIDENT_FACTS_UNEXPECTED' },
    })
    .refine(
      (v) =>
        !v.hazardLevel || !HAZARD_LEVEL_OF[v.verifiedType ?? ''] || HAZARD_LEVEL_OF[v.verifiedType!] === v.hazardLevel,
      {
        error: '隐患等级与核查认定类别不一致（重大事故隐患为重大，一般事故隐患为一般）',
        path: ['hazardLevel'],
        params: { code: 'HAZARD_LEVEL_MISMATCH' },
      },
    )
    .refine((v) => !v.rectificationRequired || v.hazardLevel || HAZARD_LEVEL_OF[v.verifiedType ?? ''], {
      error: '需要整改时请填写隐患等级',
      path: ['hazardLevel'],
      params: { code: 'HAZARD_LEVEL_REQUIRED' },
    })
    .refine((v) => !v.rectificationRequired || v.rectification, {
      error: '责令整改时请同时填写整改方案（措施、责任人、资金、时限、预案）',
      path: ['rectification'],
      params: { code: 'RECTIFICATION_PLAN_REQUIRED' },
    })
    .refine((v) => v.rectificationRequired || !v.rectification, {
      error: '未责令整改时不填写整改方案',
      path: ['rectification'],
      params: { code: 'RECTIFICATION_PLAN_UNEXPECTED' },
    }),
  /** 整改完成: what was done (the plan itself was recorded with the conclusion). */
  rectify: z.object({ report: plain('整改完成情况', 2, 1000) }).strict(),
  /** 复查 / 销号. A failed 复查 sets a new 整改时限. */
  recheck: z
    .object({
      passed: z.boolean({ error: '请选择复查结果' }),
      note: plain('复查意见', 2, 1000),
      newDeadline: DateString.optional(),
    })
    .strict()
    .refine((v) => v.passed || v.newDeadline, {
      error: '复查未通过时请填写新的整改时限',
      path: ['newDeadline'],
      params: { code: 'NEW_DEADLINE_REQUIRED' },
    }),
  merge: z.object({ primaryTrackingNo: z.string({ error: '请填写主举报编号' }).min(10).max(20) }).strict(),
  request_extension: z
    .object({
      days: z.number({ error: '请填写延期天数' }).int().min(1, { error: '延期至少 1 天' }),
      reason: plain('延期理由', 4, 500),
    })
    .strict(),
  decide_extension: z.object({ approve: z.boolean(), note: plain('审批意见', 0, 500).optional() }).strict(),
  /** 回访: the answer to the reporter (sent in the conversation), with the reasons the conclusion stands… */
  followup_stand: z.object({ answer: plain('答复举报人', 10, 2000) }).strict(),
  /** …or with what the 复查 will look at. */
  followup_reopen: z.object({ answer: plain('答复举报人', 10, 2000) }).strict(),
} satisfies Record<Action, z.ZodType>;

export type ActionInput<A extends Action> = z.infer<(typeof ACTION_INPUTS)[A]>;

/** Every action request carries the version of the tip the person looked at (optimistic concurrency). */
export const ActionRequest = z
  .object({ version: z.number().int().min(1), input: z.record(z.string(), z.unknown()).default({}) })
  .strict();
