/**
 * The reward workflow as one table, the same shape as the tip workflow (worker/domain/workflow.ts): the reward
 * states, the actions between them, which role takes each action, and the different-person rule. The reward
 * service (worker/services/rewards.ts), the console (buttons from `allowedRewardActions`) and the tests read this
 * table; nothing else decides whether a reward step is legal. docs/rules.md, "Rewards".
 */

export const REWARD_STATES = ['proposed', 'approved', 'notified', 'paid', 'expired', 'declined'] as const;
export type RewardStatus = (typeof REWARD_STATES)[number];

export const REWARD_STATE_LABELS: Record<RewardStatus, string> = {
  proposed: '待审批',
  approved: '已审批（待通知）',
  notified: '已通知（待领取）',
  paid: '已发放',
  expired: '逾期未领',
  declined: '不予奖励',
};

/** States in which a reward is still alive: a second proposal for the same item is refused while one is. */
export const LIVE_REWARD_STATES: readonly RewardStatus[] = ['proposed', 'approved', 'notified', 'paid'];

export const REWARD_ACTIONS = ['propose', 'approve', 'notify', 'extend', 'pay', 'decline', 'expire'] as const;
export type RewardAction = (typeof REWARD_ACTIONS)[number];

export type RewardRole = 'reward_officer' | 'reward_approver' | 'system';

export interface RewardRule {
  /** States the action starts from (`propose` starts from none: it creates the reward). */
  from: readonly RewardStatus[];
  to: RewardStatus;
  /** The one role that takes the action; `system` is the scheduled job. */
  role: RewardRole;
  label: string;
  /** The action must be taken by someone other than the person recorded in this column of the reward. */
  differentFrom?: 'proposed_by';
}

export const REWARD_TRANSITIONS: Record<RewardAction, RewardRule> = {
  propose: { from: [], to: 'proposed', role: 'reward_officer', label: '提出奖励' },
  // Public money: nobody approves their own proposal, even holding both roles.
  approve: {
    from: ['proposed'],
    to: 'approved',
    role: 'reward_approver',
    label: '审批同意',
    differentFrom: 'proposed_by',
  },
  notify: { from: ['approved'], to: 'notified', role: 'reward_officer', label: '通知领取' },
  extend: { from: ['notified'], to: 'notified', role: 'reward_approver', label: '延长领取期限' },
  pay: { from: ['notified'], to: 'paid', role: 'reward_officer', label: '登记兑付' },
  decline: { from: ['proposed', 'approved'], to: 'declined', role: 'reward_approver', label: '不予奖励' },
  expire: { from: ['notified'], to: 'expired', role: 'system', label: '逾期未领' },
};

export const ROLE_MESSAGES: Record<RewardRole, string> = {
  reward_officer: '只有奖励经办人员可以进行此操作。',
  reward_approver: '只有奖励审批人员可以进行此操作。',
  system: '此操作由系统定时任务执行。',
};
export const DIFFERENT_PERSON_MESSAGE = '审批人不能与经办人为同一人。';

export interface RewardActorLike {
  id: string;
  roles: readonly string[];
}

/** Why an action is refused, or null when it is allowed: the role, then the state, then the different person. */
export function rewardActionRefusal(
  action: RewardAction,
  reward: { status: RewardStatus; proposed_by: string | null } | null,
  actor: RewardActorLike | 'system',
): { code: 'FORBIDDEN' | 'INVALID_TRANSITION' | 'DIFFERENT_PERSON_REQUIRED'; message?: string } | null {
  const rule = REWARD_TRANSITIONS[action];
  const isSystem = actor === 'system';
  if (rule.role === 'system' ? !isSystem : isSystem || !actor.roles.includes(rule.role))
    return { code: 'FORBIDDEN', message: ROLE_MESSAGES[rule.role] };
  if (reward ? !rule.from.includes(reward.status) : rule.from.length > 0) return { code: 'INVALID_TRANSITION' };
  if (rule.differentFrom && !isSystem && reward?.[rule.differentFrom] === actor.id)
    return { code: 'DIFFERENT_PERSON_REQUIRED', message: DIFFERENT_PERSON_MESSAGE };
  return null;
}

/** The actions the actor may take on a reward now (the console shows only these). */
export function allowedRewardActions(
  reward: { status: RewardStatus; proposed_by: string | null },
  actor: RewardActorLike,
): RewardAction[] {
  return REWARD_ACTIONS.filter((a) => a !== 'propose' && rewardActionRefusal(a, reward, actor) === null);
}
