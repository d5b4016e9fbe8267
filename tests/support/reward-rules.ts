/**
 * A province's own reward rule set, as an admin enters it on the console or through the API (worker tests and browser
 * tests): 50 % of the fine between ¥5,000 and ¥500,000, ¥30,000–¥60,000 per concealed death by accident grade.
 * Pure data with no imports, for workerd and Node alike.
 */
export const PROVINCE_RULES = {
  penaltyShare: {
    tipTypes: ['major_hazard', 'illegal_operation'],
    basisPoints: 5000,
    minFen: 5_000_00,
    maxFen: 500_000_00,
  },
  perDeath: {
    tipTypes: ['concealed_accident'],
    fenByLevel: { general: 30_000_00, large: 40_000_00, major: 50_000_00, especially_major: 60_000_00 },
    maxFen: 500_000_00,
  },
};
