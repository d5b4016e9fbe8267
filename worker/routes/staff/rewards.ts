/**
 * Rewards in the console (docs/rules.md, "Rewards"): preview and propose, approve (a different person), notify, extend,
 * pay, decline; the list, reports, ledger CSV (no identity) and rule sets. The reward service checks the
 * roles again for each step (defence in depth).
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv, Env } from '../../env';
import type { Capability } from '../../domain/access';
import type { StaffSession } from '../../services/auth';
import { ELIGIBILITY_CHECKS } from '../../domain/reward-rules';
import { csvAnswer, jsonAnswer, jsonBody, noContent, ok } from '../../lib/openapi';
import { csvDownload } from '../../lib/csv';
import { createRouter } from '../../lib/router';
import { plain } from '../../schemas/tip';
import { DateString } from '../../schemas/actions';
import { endOfChinaDay } from '../../services/calendar';
import { exportRewardLedger, rewardReport } from '../../services/reward-reports';
import {
  addRuleSet,
  approveReward,
  CLAIM_VERIFICATIONS,
  declineReward,
  extendClaim,
  listRewards,
  listRuleSets,
  notifyReward,
  PAY_METHODS,
  payReward,
  previewReward,
  proposeReward,
  rewardCandidates,
} from '../../services/rewards';
import { tipForActor } from '../../services/transitions';
import { RewardCandidates, RewardList, RewardPreview, RewardReport, RewardRuleSets } from '../../schemas/staff';
import { staffRoute } from './session';

// Capabilities (worker/domain/access.ts): the officer proposes, notifies and pays; the approver approves, extends, declines.
const OFFICER = 'rewards.propose';
const APPROVER = 'rewards.approve';
const REWARD_READERS = 'rewards.read';
const done = noContent('已完成');
const RewardId = z.object({ id: z.uuid() });

const list = staffRoute(REWARD_READERS, {
  method: 'get',
  path: '/rewards',
  summary: '奖励列表',
  request: {
    query: z
      .object({ status: z.enum(['proposed', 'approved', 'notified', 'paid', 'expired', 'declined']).optional() })
      .strict(),
  },
  responses: ok('奖励', RewardList),
});
const preview = staffRoute('rewards.preview', {
  method: 'get',
  path: '/tips/{id}/reward-preview',
  summary: '奖励测算（显示计算过程，不写入）',
  request: {
    params: z.object({ id: z.uuid() }),
  },
  responses: ok('测算结果', RewardPreview),
});
const propose = staffRoute(OFFICER, {
  method: 'post',
  path: '/rewards',
  summary: '提出奖励（奖励经办）',
  request: jsonBody(
    z
      .object({
        tipId: z.uuid(),
        /**
         * 第七条, item by item (ELIGIBILITY_CHECKS in worker/domain/reward-rules.ts): an item left out answers 422
         * ELIGIBILITY_UNCONFIRMED, an excluding answer 422 REWARD_EXCLUDED; `identifiable` is the claim condition.
         */
        eligibility: z
          .object({
            checklist: z
              .object(
                Object.fromEntries(
                  ELIGIBILITY_CHECKS.map((c) => [
                    c.code,
                    z
                      .enum(c.options.map((o) => o.code) as [string, ...string[]], { error: `请确认：${c.question}` })
                      .optional(),
                  ]),
                ),
              )
              .strict(),
            identifiable: z.boolean({ error: '请确认能否确认举报人身份' }),
          })
          .strict(),
        amountFen: z.number().int().min(0).optional(),
        adjustReason: plain('调整理由', 0, 500).optional(),
      })
      .strict(),
  ),
  responses: { 201: jsonAnswer('已提出', z.object({ rewardId: z.string(), amountFen: z.number() })) },
});

/** A step on one reward, taken by the signed-in staff member (the service checks who may take it again). */
type RewardTarget = { rewardId: string; actor: StaffSession };
interface RewardStep {
  cap: Capability;
  summary: string;
  /** The step's JSON body, when it takes one. */
  body?: z.ZodType;
  run: (env: Env, target: RewardTarget, input: never) => Promise<unknown>;
}
/** Type-checks one step: `run` receives what `body` validated. */
const step = <B extends z.ZodType>(s: {
  cap: Capability;
  summary: string;
  body?: B;
  run: (env: Env, target: RewardTarget, input: z.infer<B>) => Promise<unknown>;
}): RewardStep => s;

/** The steps after the proposal, each POST /rewards/{id}/<step> answering 204, in the order they are listed. */
const REWARD_STEPS: Record<string, RewardStep> = {
  approve: step({ cap: APPROVER, summary: '审批同意（须非经办人）', run: approveReward }),
  notify: step({ cap: OFFICER, summary: '通知举报人领取', run: notifyReward }),
  extend: step({
    cap: APPROVER,
    summary: '延长领取期限（说明理由）',
    body: z.object({ days: z.number().int().min(1).max(60), reason: plain('理由', 2, 500) }).strict(),
    run: (env, target, b) => extendClaim(env, { ...target, ...b }),
  }),
  pay: step({
    cap: OFFICER,
    summary: '登记兑付（日期、方式、凭证号、领取人核验方式）',
    body: z
      .object({
        paidOn: DateString,
        method: z.enum(PAY_METHODS.map((m) => m.code) as [string, ...string[]]),
        voucherNo: plain('凭证号', 1, 64),
        verification: z.enum(CLAIM_VERIFICATIONS.map((v) => v.code) as [string, ...string[]]),
        /** For an anonymous claimant (`tracking_and_code`): the receipt they show, checked and not stored. */
        claim: z
          .object({ trackingNo: z.string().max(40), queryCode: z.string().max(40) })
          .strict()
          .optional(),
      })
      .strict(),
    run: (env, target, b) =>
      payReward(env, {
        ...target,
        paidAt: Math.min(endOfChinaDay(b.paidOn), Date.now()),
        method: b.method,
        voucherNo: b.voucherNo,
        verification: b.verification as never,
        claim: b.claim,
      }),
  }),
  decline: step({
    cap: APPROVER,
    summary: '不予奖励（说明理由）',
    body: z.object({ reason: plain('理由', 2, 500) }).strict(),
    run: (env, target, b) => declineReward(env, { ...target, reason: b.reason }),
  }),
};

/** Mount the reward steps: each validates its body, runs its service call on the reward in the path, 204. */
function addRewardSteps(router: OpenAPIHono<AppEnv>) {
  for (const [name, s] of Object.entries(REWARD_STEPS)) {
    const route = staffRoute(s.cap, {
      method: 'post',
      path: `/rewards/{id}/${name}`,
      summary: s.summary,
      request: { params: RewardId, ...(s.body ? jsonBody(s.body) : {}) },
      responses: done,
    });
    router.openapi(route, async (c) => {
      // Built in a loop, the route's body type is not known here; step() checked `run` against `body`.
      const input = s.body ? c.req.valid('json' as never) : undefined;
      await s.run(c.env, { rewardId: c.req.valid('param').id, actor: c.get('staff') }, input as never);
      return c.body(null, 204);
    });
  }
  return router;
}

const candidates = staffRoute(REWARD_READERS, {
  method: 'get',
  path: '/rewards/candidates',
  summary: '待提出奖励的举报（核查属实或部分属实、尚无奖励），附测算金额',
  responses: ok('候选', RewardCandidates),
});
const report = staffRoute(REWARD_READERS, {
  method: 'get',
  path: '/rewards/report',
  summary: '奖励统计（按年度、领域、承办单位）',
  request: {
    query: z
      .object({
        year: z
          .string()
          .regex(/^\d{4}$/)
          .optional(),
      })
      .strict(),
  },
  responses: ok('统计', RewardReport),
});
const ledger = staffRoute(REWARD_READERS, {
  method: 'get',
  path: '/rewards/ledger.csv',
  summary: '奖励台账 CSV（不含举报人身份）',
  responses: { 200: csvAnswer('CSV') },
});
const rules = staffRoute('reward_rules.read', {
  method: 'get',
  path: '/reward-rules',
  summary: '奖励标准（版本）',
  responses: ok('规则', RewardRuleSets),
});
const addRules = staffRoute('reward_rules.manage', {
  method: 'post',
  path: '/reward-rules',
  summary: '新增奖励标准（如本省标准），自指定日期起适用',
  request: jsonBody(
    z
      .object({ name: plain('名称', 2, 100), effectiveFrom: DateString, rules: z.record(z.string(), z.unknown()) })
      .strict(),
  ),
  responses: { 201: jsonAnswer('已新增', z.object({ id: z.string() })) },
});

export function staffRewardRoutes() {
  const router = createRouter()
    .openapi(list, async (c) => c.json(await listRewards(c.env, c.req.valid('query').status), 200))
    .openapi(preview, async (c) => {
      await tipForActor(c.env, c.get('staff'), c.req.valid('param').id);
      return c.json({ ...(await previewReward(c.env, { tipId: c.req.valid('param').id })) }, 200);
    })
    .openapi(propose, async (c) => {
      const b = c.req.valid('json');
      const r = await proposeReward(c.env, { ...b, actor: c.get('staff') });
      return c.json({ rewardId: r.rewardId, amountFen: r.amountFen }, 201);
    });
  return addRewardSteps(router)
    .openapi(candidates, async (c) => c.json(await rewardCandidates(c.env), 200))
    .openapi(report, async (c) => c.json({ ...(await rewardReport(c.env, c.req.valid('query'))) }, 200))
    .openapi(ledger, async (c) => {
      const { csv } = await exportRewardLedger(c.env, c.get('staff'));
      return c.body(csv, 200, csvDownload('reward-ledger.csv'));
    })
    .openapi(rules, async (c) => c.json(await listRuleSets(c.env), 200))
    .openapi(addRules, async (c) => {
      const b = c.req.valid('json');
      const id = await addRuleSet(c.env, {
        actor: c.get('staff'),
        name: b.name,
        effectiveFrom: Date.parse(`${b.effectiveFrom}T00:00:00+08:00`),
        rules: b.rules,
      });
      return c.json({ id }, 201);
    });
}
