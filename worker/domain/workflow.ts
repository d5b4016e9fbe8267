/**
 * The tip workflow: one explicit state machine, so no code moves a tip by hand. States, the actions that move between them,
 * which staff roles may take each action, and how each internal state reads to the public.
 *
 * The API (`worker/services/transitions.ts`), the console (buttons are derived from `allowedActions`) and the
 * tests all use this table; nothing else decides whether a move is legal.
 */
import { codeList, type PublicStatus } from './catalog.ts';

export const ROLES = codeList({
  admin: '系统管理员',
  dispatcher: '受理员',
  handler: '承办员',
  supervisor: '督办',
  reward_officer: '奖励经办',
  reward_approver: '奖励审批',
  auditor: '审计',
});
export type Role = (typeof ROLES)[number]['code'];
export const ROLE_CODES = ROLES.map((r) => r.code) as [Role, ...Role[]];

export const STATES = [
  'submitted', // 待受理
  'accepted', // 已受理, waiting to be handed to a department
  'rejected', // 不予受理 (final)
  'assigned', // 已交办: the department is verifying (核查)
  'returned', // the department handed it back with a reason
  'rectifying', // 整改中: the conclusion ordered 整改 and recorded the 五到位 plan; runs to its 整改时限
  'rectified', // 整改完成 recorded, waiting for 复查 (by its own deadline)
  'concluded', // conclusion given; objection window open
  'reviewing', // 复查 after an objection (异议)
  'closed', // 销号 / 办结 (final unless objected within the window)
  'merged', // merged into a primary tip (final)
] as const;
export type TipState = (typeof STATES)[number];

/** How each internal state reads to the reporter and the public. */
export const PUBLIC_STATUS_OF: Record<TipState, PublicStatus> = {
  submitted: 'pending',
  accepted: 'accepted',
  returned: 'accepted',
  rejected: 'rejected',
  assigned: 'verifying',
  reviewing: 'verifying',
  rectifying: 'rectifying',
  rectified: 'rectifying',
  concluded: 'concluded',
  closed: 'concluded',
  merged: 'merged',
};

export const ACTIONS = [
  'accept',
  'reject',
  'assign',
  'return',
  'conclude',
  'rectify',
  'recheck',
  'merge',
  'request_extension',
  'decide_extension',
  'followup_stand',
  'followup_reopen',
] as const;
export type Action = (typeof ACTIONS)[number];

export interface TransitionRule {
  from: readonly TipState[];
  /** Target state; `conclude` and `recheck` pick one of several targets from their input. */
  to: readonly TipState[];
  roles: readonly Role[];
  label: string;
  /** A 承办员 may act only on tips assigned to their own department. */
  departmentBound?: boolean;
}

export const TRANSITIONS: Record<Action, TransitionRule> = {
  accept: { from: ['submitted'], to: ['accepted'], roles: ['dispatcher', 'admin'], label: '受理' },
  reject: {
    from: ['submitted', 'accepted'],
    to: ['rejected'],
    roles: ['dispatcher', 'admin'],
    label: '不予受理',
  },
  assign: {
    from: ['accepted', 'returned'],
    to: ['assigned'],
    roles: ['dispatcher', 'admin'],
    label: '交办',
  },
  return: {
    from: ['assigned'],
    to: ['returned'],
    roles: ['handler', 'admin'],
    label: '退回',
    departmentBound: true,
  },
  // From 'reviewing' (复查 after an objection) without 整改 the tip is closed: the 复查 conclusion is final.
  conclude: {
    from: ['assigned', 'reviewing'],
    to: ['rectifying', 'concluded', 'closed'],
    roles: ['handler', 'admin'],
    label: '核查结论',
    departmentBound: true,
  },
  // 整改完成: the plan was recorded with the conclusion; this records that the work is done.
  rectify: {
    from: ['rectifying'],
    to: ['rectified'],
    roles: ['handler', 'admin'],
    label: '整改完成',
    departmentBound: true,
  },
  // For a 重大事故隐患, someone other than the person who recorded 整改完成 (DIFFERENT_PERSON_FOR_MAJOR).
  recheck: {
    from: ['rectified'],
    to: ['closed', 'rectifying'],
    roles: ['handler', 'supervisor', 'admin'],
    label: '复查 / 销号',
    departmentBound: true,
  },
  merge: {
    from: ['submitted', 'accepted', 'returned'],
    to: ['merged'],
    roles: ['dispatcher', 'admin'],
    label: '合并',
  },
  // Extensions keep the state; at most one is granted per tip, of at most `maxExtensionDays`, and only while
  // 核查 runs (worker/domain/deadlines.ts extensionRule): 整改 has its plan's 时限, 复查 its fixed limit.
  request_extension: {
    from: ['assigned'],
    to: [],
    roles: ['handler', 'admin'],
    label: '申请延期',
    departmentBound: true,
  },
  decide_extension: {
    from: ['accepted', 'assigned', 'returned'],
    to: [],
    roles: ['supervisor', 'admin'],
    label: '审批延期',
  },
  // 回访: a reporter rated a conclusion 不满意 / 非常不满意. A supervisor answers the reporter in the conversation and
  // either stands by the conclusion with reasons (the state stays) or reopens the tip for 复查. Offered only
  // while a follow-up is open (TipFlags.followupOpen); separate from the reporter's objection (异议).
  followup_stand: {
    from: ['rectifying', 'rectified', 'concluded', 'closed'],
    to: [],
    roles: ['supervisor', 'admin'],
    label: '回访：维持结论',
  },
  followup_reopen: {
    from: ['rectifying', 'rectified', 'concluded', 'closed'],
    to: ['reviewing'],
    roles: ['supervisor', 'admin'],
    label: '回访：重新复查',
  },
};

/**
 * Moves that are not staff actions: the reporter's objection (异议) within the window (counted from the day the
 * conclusion reached them, also while a rectification it ordered runs) reopens the tip for 复查, and the
 * scheduled job closes a concluded tip once the objection window has passed.
 */
export const REPORTER_OBJECTION = {
  from: ['rectifying', 'rectified', 'concluded', 'closed'] as TipState[],
  to: 'reviewing' as TipState,
};

/** A 重大事故隐患's 复查/销号 is signed off by someone other than the person who recorded 整改完成. */
export const DIFFERENT_PERSON_FOR_MAJOR: readonly Action[] = ['recheck'];
export const AUTO_CLOSE = { from: ['concluded'] as TipState[], to: 'closed' as TipState };

/** States in which a tip is still being handled (deadlines run, reminders are sent). */
export const OPEN_STATES: readonly TipState[] = [
  'submitted',
  'accepted',
  'assigned',
  'returned',
  'rectifying',
  'rectified',
  'reviewing',
];
/** Open states in which the department's 核查 runs (the 60-day clock and its reply deadline). */
export const HANDLING_STATES: readonly TipState[] = ['accepted', 'assigned', 'returned'];
/** States that end a tip's handling (reopened only by an objection or a follow-up). */
export const CLOSED_STATES: readonly TipState[] = STATES.filter((s) => !OPEN_STATES.includes(s));

/** How each internal state reads to staff (the console, the CSV export). */
export const STATE_LABELS: Record<TipState, string> = {
  submitted: '待受理',
  accepted: '已受理（待交办）',
  rejected: '不予受理',
  assigned: '已交办（核查中）',
  returned: '已退回（待重新交办）',
  rectifying: '整改中',
  rectified: '整改完成（待复查）',
  concluded: '已办结（异议期）',
  reviewing: '复查中（异议）',
  closed: '已销号',
  merged: '已合并',
};
/** The staff label of a state code; an unknown code is shown as it is. */
export const stateLabel = (code: string): string => STATE_LABELS[code as TipState] ?? code;

/** Reasons for 不予受理 (docs/rules.md, "Acceptance"). */
export const REJECT_REASONS = codeList({
  out_of_scope: '不属于安全生产举报范围',
  no_facts: '无明确对象或事实',
  duplicate: '重复举报',
  handled_elsewhere: '已由其他部门受理',
  other_channel: '属于建议、信息公开、复议或诉讼事项',
});

export const CONCLUSIONS = codeList({ true: '属实', partly_true: '部分属实', false: '不属实' });
export const HAZARD_LEVELS = codeList({ general: '一般', major: '重大' });
export const RISK_COLOURS = codeList({ red: '红', orange: '橙', yellow: '黄', blue: '蓝' });

/**
 * How serious a tip is, for ordering (lower is more serious): a 重大事故隐患 first — determined by staff (隐患等级
 * 'major', or 核查认定 'major_hazard'), or reported as one and not determined otherwise yet — then by risk colour,
 * red to blue, then the rest. The queue breaks ties in its deadline order with this, in SQL; `isMajorHazard` is
 * the same test for one row (the console's 重大 marker).
 */
export const isMajorHazard = (t: { hazardLevel: string | null; verifiedType?: string | null; type: string }) =>
  t.hazardLevel === 'major' ||
  t.verifiedType === 'major_hazard' ||
  (t.hazardLevel === null && (t.verifiedType ?? null) === null && t.type === 'major_hazard');
export const SEVERITY_SQL = (t = '') =>
  `(CASE WHEN ${t}hazard_level = 'major' OR ${t}verified_type = 'major_hazard' OR ` +
  `(${t}hazard_level IS NULL AND ${t}verified_type IS NULL AND ${t}type = 'major_hazard') THEN 0 ELSE 5 END + ` +
  `CASE ${t}risk_colour ${RISK_COLOURS.map((r, i) => `WHEN '${r.code}' THEN ${i}`).join(' ')} ELSE ${RISK_COLOURS.length} END)`;

/** What an action needs beyond state and role (extension bookkeeping). */
export interface TipFlags {
  extensionState?: string | null;
  /** A follow-up (回访) after a low rating is waiting for a supervisor's answer. */
  followupOpen?: boolean;
}

/** Actions the given roles may take on a tip in `state` (department binding is checked by the caller). */
export function allowedActions(state: TipState, roles: readonly string[], flags: TipFlags = {}): Action[] {
  return ACTIONS.filter((a) => {
    const rule = TRANSITIONS[a];
    if (!rule.from.includes(state) || !rule.roles.some((r) => roles.includes(r))) return false;
    if (a === 'request_extension') return flags.extensionState == null || flags.extensionState === 'refused';
    if (a === 'decide_extension') return flags.extensionState === 'requested';
    if (a === 'followup_stand' || a === 'followup_reopen') return flags.followupOpen === true;
    return true;
  });
}

/**
 * The reporter's verdict on a conclusion (评价), on the five levels of 政务服务“好差评” (国办发〔2019〕51号).
 * `low` levels open a follow-up (回访) for staff; `satisfied` levels count as 满意 in the public on-time record.
 */
export const RATING_LEVELS = [
  { code: 'very_satisfied', label: '非常满意', satisfied: true, low: false },
  { code: 'satisfied', label: '满意', satisfied: true, low: false },
  { code: 'basic', label: '基本满意', satisfied: false, low: false },
  { code: 'dissatisfied', label: '不满意', satisfied: false, low: true },
  { code: 'very_dissatisfied', label: '非常不满意', satisfied: false, low: true },
] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number]['code'];
export const LOW_RATINGS: readonly RatingLevel[] = RATING_LEVELS.filter((r) => r.low).map((r) => r.code);
export const SATISFIED_RATINGS: readonly RatingLevel[] = RATING_LEVELS.filter((r) => r.satisfied).map((r) => r.code);
/** The label of a rating level; an unknown code is shown as it is. */
export const labelOfRating = (code: string): string => RATING_LEVELS.find((r) => r.code === code)?.label ?? code;
/** States in which a conclusion has reached the reporter and can be rated (the same as for an objection). */
export const RATEABLE_STATES: readonly TipState[] = ['rectifying', 'rectified', 'concluded', 'closed'];

export function publicStatusOf(state: TipState): PublicStatus {
  return PUBLIC_STATUS_OF[state];
}
