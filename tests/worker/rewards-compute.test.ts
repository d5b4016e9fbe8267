import { describe, expect, it } from 'vitest';
import {
  computeReward,
  NATIONAL_2018,
  RewardRuleSetSchema,
  type RewardRuleSet,
} from '../../worker/domain/reward-rules';

const Y = (yuan: number) => yuan * 100; // fen

describe('reward amounts under the national 2018 rules (integer fen)', () => {
  it.each([
    // [tip type, fine ¥, expected reward ¥]
    ['major_hazard', 0, 3_000],
    ['major_hazard', 10_000, 3_000], // 15% = 1,500 → minimum
    ['major_hazard', 19_999, 3_000], // 2,999.85 → minimum
    ['major_hazard', 20_000, 3_000], // exactly 15% = 3,000
    ['major_hazard', 20_001, 3_000.15],
    ['illegal_operation', 1_000_000, 150_000],
    ['illegal_operation', 1_999_999, 299_999.85],
    ['major_hazard', 2_000_000, 300_000], // exactly the cap
    ['major_hazard', 2_000_001, 300_000],
    ['major_hazard', 5_000_000, 300_000],
  ])('%s with a fine of ¥%d → ¥%d', (tipType, fine, expected) => {
    const r = computeReward(NATIONAL_2018.rules, { verifiedType: tipType, penaltyFen: Y(fine) });
    expect(r.eligible).toBe(true);
    expect(r.amountFen).toBe(Math.round(Y(expected)));
    expect(Number.isInteger(r.amountFen)).toBe(true);
    expect(r.steps.at(-1)).toMatch(/^奖励金额 ¥/);
  });

  it.each([
    ['general', 1, 30_000],
    ['large', 1, 40_000],
    ['major', 1, 50_000],
    ['especially_major', 1, 60_000],
    ['general', 10, 300_000], // 300,000 exactly
    ['especially_major', 5, 300_000], // 300,000 exactly
    ['especially_major', 6, 300_000], // 360,000 → cap
  ] as const)('瞒报谎报 %s accident, %d concealed death(s) → ¥%d', (accidentLevel, concealedDeaths, expected) => {
    const r = computeReward(NATIONAL_2018.rules, {
      verifiedType: 'concealed_accident',
      accidentLevel,
      concealedDeaths,
    });
    expect(r.amountFen).toBe(Y(expected));
  });

  it('a concealed accident without confirmed level and deaths is not yet computable', () => {
    const r = computeReward(NATIONAL_2018.rules, {
      verifiedType: 'concealed_accident',
      accidentLevel: 'major',
      concealedDeaths: 0,
    });
    expect(r).toMatchObject({ eligible: false, reason: '需核实事故等级和瞒报谎报死亡人数' });
  });

  it('一般事故隐患 is outside the national rules', () => {
    expect(computeReward(NATIONAL_2018.rules, { verifiedType: 'general_hazard', penaltyFen: Y(50_000) })).toMatchObject(
      {
        eligible: false,
        amountFen: 0,
      },
    );
  });

  it('a province rule set (50%, ¥5,000–500,000) is data, not code', () => {
    const province: RewardRuleSet = RewardRuleSetSchema.parse({
      penaltyShare: {
        tipTypes: ['major_hazard', 'illegal_operation', 'general_hazard'],
        basisPoints: 5000,
        minFen: Y(5_000),
        maxFen: Y(500_000),
      },
      perDeath: {
        tipTypes: ['concealed_accident'],
        fenByLevel: { general: Y(30_000), large: Y(40_000), major: Y(50_000), especially_major: Y(60_000) },
        maxFen: Y(500_000),
      },
    });
    expect(computeReward(province, { verifiedType: 'major_hazard', penaltyFen: Y(8_000) }).amountFen).toBe(Y(5_000));
    expect(computeReward(province, { verifiedType: 'major_hazard', penaltyFen: Y(100_000) }).amountFen).toBe(Y(50_000));
    expect(computeReward(province, { verifiedType: 'general_hazard', penaltyFen: Y(2_000_000) }).amountFen).toBe(
      Y(500_000),
    );
    expect(
      computeReward(province, {
        verifiedType: 'concealed_accident',
        accidentLevel: 'especially_major',
        concealedDeaths: 6,
      }).amountFen,
    ).toBe(Y(360_000));
  });

  it('a rule set with minimum above maximum is refused with a Chinese message', () => {
    const r = RewardRuleSetSchema.safeParse({
      ...NATIONAL_2018.rules,
      penaltyShare: { ...NATIONAL_2018.rules.penaltyShare, minFen: Y(10), maxFen: Y(5) },
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe('最低奖励不能高于最高奖励');
  });
});
