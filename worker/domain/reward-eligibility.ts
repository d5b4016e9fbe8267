/**
 * The 第七条 eligibility checklist as data and its check — no imports, so the console's browser code can use it
 * without bringing zod along (worker/domain/reward-rules.ts re-exports it). docs/rules.md, "Eligibility".
 */

/** The answers of a yes/no item about the reporter: 是 excludes the reward. */
const NOT_IF_YES = [
  { code: 'no', label: '不是', excludes: false },
  { code: 'yes', label: '是（不予奖励）', excludes: true },
] as const;

/**
 * Eligibility under 2018 奖励办法 第七条, as a checklist staff confirm item by item before proposing (docs/rules.md,
 * "Eligibility" and "Exclusions"). Each item names its clause; every item must be answered, and an answer that
 * excludes the reward blocks the proposal. An item the regulator had found but not handled according to the rules
 * is eligible (第七条: "虽然发现但未按有关规定依法处理").
 */
export const ELIGIBILITY_CHECKS = [
  {
    code: 'discovery',
    clause: '第七条',
    question: '举报事项此前是否已被生产经营单位或负有安全监管职责的部门发现并依法处理',
    options: [
      { code: 'not_found', label: '此前没有发现', excludes: false },
      { code: 'found_not_handled', label: '虽已发现，但未按有关规定依法处理（可以奖励）', excludes: false },
      { code: 'found_and_handled', label: '已发现并已依法处理（不予奖励）', excludes: true },
    ],
  },
  {
    code: 'governmentDuty',
    clause: '第七条',
    question: '举报人是否为负有安全生产监管、监察职责的政府部门工作人员',
    options: NOT_IF_YES,
  },
  {
    code: 'enterpriseDuty',
    clause: '第七条',
    question: '举报人是否为生产经营单位中负有安全生产管理职责的人员（如主要负责人、安全生产管理人员）',
    options: NOT_IF_YES,
  },
  {
    code: 'closeRelative',
    clause: '第七条',
    question: '举报人是否为上述负有安全生产管理、监管、监察职责人员的近亲属',
    options: NOT_IF_YES,
  },
  {
    code: 'instructed',
    clause: '第七条',
    question: '举报人是否受上述人员授意举报',
    options: NOT_IF_YES,
  },
] as const;
export type EligibilityCheckCode = (typeof ELIGIBILITY_CHECKS)[number]['code'];
export type EligibilityAnswers = Partial<Record<EligibilityCheckCode, string>>;

export interface EligibilityResult {
  /** Items not answered (or answered with a value the item does not offer). */
  unconfirmed: { code: EligibilityCheckCode; clause: string; question: string }[];
  /** Items whose answer excludes the reward. */
  excluded: { code: EligibilityCheckCode; clause: string; question: string; answer: string }[];
  /** What is stored with the reward: each item with its clause and answer. */
  record: { code: EligibilityCheckCode; clause: string; answer: string | null }[];
}

/** Check the staff's answers against 第七条: what is missing, what excludes, and the record to keep. */
export function checkEligibility(answers: EligibilityAnswers): EligibilityResult {
  const out: EligibilityResult = { unconfirmed: [], excluded: [], record: [] };
  for (const c of ELIGIBILITY_CHECKS) {
    const given = answers[c.code];
    const option = c.options.find((o) => o.code === given);
    out.record.push({ code: c.code, clause: c.clause, answer: option ? option.code : null });
    if (!option) out.unconfirmed.push({ code: c.code, clause: c.clause, question: c.question });
    else if (option.excludes)
      out.excluded.push({ code: c.code, clause: c.clause, question: c.question, answer: option.label });
  }
  return out;
}
