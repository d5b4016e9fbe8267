/**
 * Reward rule sets as data, and the computation of a reward from a rule set and what 核查 verified.
 *
 * The default set is the national 《安全生产领域举报奖励办法》(安监总财〔2018〕19号): for 重大事故隐患 and
 * 违法生产经营建设行为, 15% of the 行政处罚金额, at least ¥3,000 and at most ¥300,000; for 瞒报/谎报 accidents, per
 * concealed death ¥30,000 (一般) / ¥40,000 (较大) / ¥50,000 (重大) / ¥60,000 (特别重大), at most ¥300,000
 * (docs/rules.md, "Reward amount", with the article of each figure). The category is the one 核查 verified
 * (`tips.verified_type`), never the one the reporter chose. A province with other figures adds its own set
 * (validated by `RewardRuleSetSchema`) — data, not code. Every amount names the rule set, its version and the
 * clause applied. All money is integer fen.
 */
// Plain zod (not ../schemas/zod): scripts/reference-data.mjs loads this file in Node, which needs bare specifiers.
// Relative imports name their .ts file: Node strips the types but does not guess extensions.
import { z } from 'zod';
import { ACCIDENT_LEVELS, type AccidentLevel } from './catalog.ts';
import { yuan } from './money.ts';

export { ACCIDENT_LEVELS, type AccidentLevel };

const fen = z.number().int().min(0).max(100_000_000_00);

/** The shape of a rule set; admins' province sets are checked against it. */
export const RewardRuleSetSchema = z
  .object({
    /** 重大事故隐患 / 违法行为: a share of the 行政处罚金额 in basis points (1500 = 15%), clamped to [minFen, maxFen]. */
    penaltyShare: z
      .object({
        tipTypes: z.array(z.string()).min(1),
        basisPoints: z.number().int().min(1).max(10_000),
        minFen: fen,
        maxFen: fen,
        /** The article this amount applies, shown with every amount (e.g. "第十一条（一）"). */
        clause: z.string().max(200).optional(),
      })
      .refine((p) => p.minFen <= p.maxFen, { error: '最低奖励不能高于最高奖励', path: ['minFen'] }),
    /** 瞒报/谎报 accidents: a fixed amount per concealed death by accident level, capped at maxFen. */
    perDeath: z.object({
      tipTypes: z.array(z.string()).min(1),
      fenByLevel: z.object({ general: fen, large: fen, major: fen, especially_major: fen }),
      maxFen: fen,
      clause: z.string().max(200).optional(),
    }),
    /** The article that says which categories the set rewards (cited when a category is outside it). */
    scopeClause: z.string().max(200).optional(),
    /**
     * Claiming by tracking number + query code alone: an anonymous reporter is paid on the receipt, without an
     * identity (some provinces use a verification code this way). Off (absent) in the national default, where the
     * reward goes to an identifiable reporter claiming with a valid ID (docs/rules.md, "Claim terms").
     */
    claimByCode: z.boolean().optional(),
  })
  .strict();
export type RewardRuleSet = z.infer<typeof RewardRuleSetSchema>;

export const NATIONAL_2018 = {
  id: 'national-2018',
  name: '安全生产领域举报奖励办法（安监总财〔2018〕19号）',
  version: 1,
  /** 2018-01-04, the date the rules took effect (China time). */
  effectiveFrom: Date.parse('2018-01-04T00:00:00+08:00'),
  rules: {
    penaltyShare: {
      tipTypes: ['major_hazard', 'illegal_operation'],
      basisPoints: 1500,
      minFen: 300_000,
      maxFen: 30_000_000,
      clause: '第十一条（一）',
    },
    perDeath: {
      tipTypes: ['concealed_accident'],
      fenByLevel: { general: 3_000_000, large: 4_000_000, major: 5_000_000, especially_major: 6_000_000 },
      maxFen: 30_000_000,
      clause: '第十一条（二）',
    },
    scopeClause: '第二条、第七条',
    claimByCode: false,
  } satisfies RewardRuleSet,
};

export interface RewardFacts {
  /** The category 核查 verified (VERIFIED_TYPES in catalog.ts); null when the conclusion recorded none. */
  verifiedType: string | null;
  /** 行政处罚金额 in fen (0 when the decision had no fine). */
  penaltyFen?: number | null;
  accidentLevel?: AccidentLevel | null;
  concealedDeaths?: number | null;
}

export interface RewardComputation {
  eligible: boolean;
  /** Why not, when not eligible (Chinese, shown to staff). */
  reason?: string;
  amountFen: number;
  /** The range the reward officer may adjust within. */
  minFen: number;
  maxFen: number;
  /** The computation, step by step, in Chinese. */
  steps: string[];
  /** The article of the rule set applied (or, when not eligible, the one that excludes), if the set names it. */
  clause: string | null;
}

export { yuan };

/**
 * The reward a rule set gives for what 核查 verified (category, fine, accident grade, concealed deaths).
 * @example computeReward(NATIONAL_2018.rules, { verifiedType: 'major_hazard', penaltyFen: 1_000_000_00 }).amountFen // 15_000_000 (¥150,000)
 */
export function computeReward(rules: RewardRuleSet, facts: RewardFacts): RewardComputation {
  const ps = rules.penaltyShare;
  const category = facts.verifiedType;
  if (!category) {
    return {
      eligible: false,
      reason: '核查结论未记录核查认定类别，不能测算奖励',
      amountFen: 0,
      minFen: 0,
      maxFen: 0,
      steps: [],
      clause: null,
    };
  }
  if (ps.tipTypes.includes(category)) {
    const penalty = Math.max(0, Math.trunc(facts.penaltyFen ?? 0));
    // Integer arithmetic: fen × basis points / 10 000, rounded down to the fen.
    const share = Math.floor((penalty * ps.basisPoints) / 10_000);
    const amount = Math.min(ps.maxFen, Math.max(ps.minFen, share));
    const steps = [
      `行政处罚金额 ${yuan(penalty)} × ${ps.basisPoints / 100}% = ${yuan(share)}`,
      share < ps.minFen
        ? `低于最低奖励，按最低奖励 ${yuan(ps.minFen)} 计`
        : share > ps.maxFen
          ? `超过最高奖励，按最高奖励 ${yuan(ps.maxFen)} 计`
          : `在 ${yuan(ps.minFen)}–${yuan(ps.maxFen)} 范围内`,
      `奖励金额 ${yuan(amount)}`,
    ];
    return {
      eligible: true,
      amountFen: amount,
      minFen: ps.minFen,
      maxFen: ps.maxFen,
      steps,
      clause: ps.clause ?? null,
    };
  }
  const pd = rules.perDeath;
  if (pd.tipTypes.includes(category)) {
    const level = facts.accidentLevel;
    const deaths = Math.max(0, Math.trunc(facts.concealedDeaths ?? 0));
    if (!level || deaths < 1) {
      return {
        eligible: false,
        reason: '需核实事故等级和瞒报谎报死亡人数',
        amountFen: 0,
        minFen: 0,
        maxFen: pd.maxFen,
        steps: [],
        clause: pd.clause ?? null,
      };
    }
    const per = pd.fenByLevel[level];
    const raw = per * deaths;
    const amount = Math.min(pd.maxFen, raw);
    const label = ACCIDENT_LEVELS.find((l) => l.code === level)!.label;
    const steps = [
      `${label}：每查实瞒报谎报 1 人奖励 ${yuan(per)} × ${deaths} 人 = ${yuan(raw)}`,
      raw > pd.maxFen ? `超过最高奖励，按最高奖励 ${yuan(pd.maxFen)} 计` : `不超过最高奖励 ${yuan(pd.maxFen)}`,
      `奖励金额 ${yuan(amount)}`,
    ];
    return {
      eligible: true,
      amountFen: amount,
      minFen: Math.min(per, pd.maxFen),
      maxFen: pd.maxFen,
      steps,
      clause: pd.clause ?? null,
    };
  }
  return {
    eligible: false,
    reason: '核查认定的类别不在本奖励标准的奖励范围内',
    amountFen: 0,
    minFen: 0,
    maxFen: 0,
    steps: [],
    clause: rules.scopeClause ?? null,
  };
}

export {
  checkEligibility,
  ELIGIBILITY_CHECKS,
  type EligibilityAnswers,
  type EligibilityCheckCode,
  type EligibilityResult,
} from './reward-eligibility.ts';
