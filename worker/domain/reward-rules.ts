/**
 * The default reward rule set: 《安全生产领域举报奖励办法》(安监总财〔2018〕19号), 第十一条 and 第十二条.
 * Amounts are integer fen. Provinces with other figures add their own set as data (see the reward service).
 */
export interface RewardRuleSet {
  /** 重大事故隐患 and 违法行为: a share of the 行政处罚金额, clamped to [min, max]. */
  penaltyShare: { tipTypes: string[]; basisPoints: number; minFen: number; maxFen: number };
  /** 瞒报/谎报 accidents: a fixed amount per concealed death by accident level, capped. */
  perDeath: { tipTypes: string[]; fenByLevel: Record<'general' | 'large' | 'major' | 'especially_major', number>; maxFen: number };
}

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
    },
    perDeath: {
      tipTypes: ['concealed_accident'],
      fenByLevel: { general: 3_000_000, large: 4_000_000, major: 5_000_000, especially_major: 6_000_000 },
      maxFen: 30_000_000,
    },
  } satisfies RewardRuleSet,
};
