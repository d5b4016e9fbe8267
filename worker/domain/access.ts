/**
 * Who may do what, in one place. Every staff route declares the capability it needs (`staffRoute`), and every
 * service and query that reads or changes tips asks this module — `can(actor, capability, tip)` for one tip,
 * `tipScope(actor, capability)` for SQL over many — instead of naming roles. `/api/staff/me` returns the caller's
 * capabilities, so the console shows what the API allows; the permission-matrix test is derived from `GRANTS`.
 *
 * Department scope: a 承办员 (handler) holds its capabilities for its own department's tips only (the tip's
 * *current* department, so a tip that moves away leaves that department's lists, reminders and exports at
 * once); every other role holds them district-wide.
 */
import { ROLE_CODES, TRANSITIONS, type Action, type Role } from './workflow';

export const CAPABILITIES = {
  'tips.read': '查看举报（队列、详情、附件）',
  'tips.export': '导出举报 CSV',
  'tips.act': '办理举报（受理、交办、核查结论等，具体由流程表决定）',
  'tips.bulk_assign': '批量交办',
  'tips.note': '添加内部备注',
  'tips.message': '给举报人留言',
  /** Opening a tip marks the reporter's new messages as read: only for those who handle tips (not auditors). */
  'tips.mark_read': '打开举报时将举报人留言标为已读',
  'hazards.read': '查看隐患台账与统计分析（一张图）',
  'hazards.export': '导出隐患台账 CSV（不含举报人信息）',
  'identity.reveal': '查看实名举报人身份（须说明理由）',
  'reveals.watch': '接收身份查看提醒',
  'reveals.acknowledge': '确认身份查看提醒',
  'reference.read': '查看单位、镇街、领域列表',
  'reminders.read': '查看提醒、催办、督办',
  'reminders.mark_read': '将提醒标为已读',
  'staff.manage': '管理工作人员账号',
  'reference.manage': '维护单位、镇街、领域',
  'settings.read': '查看办理时限与工作日历',
  'settings.manage': '修改办理时限与工作日历',
  'partners.manage': '管理 Open311 合作平台',
  'audit.read': '查看和校验审计日志',
  'audit.seal': '立即封存审计日志（平时由定时任务每分钟完成）',
  'rewards.read': '查看奖励、统计与台账',
  'rewards.preview': '测算奖励金额',
  'rewards.propose': '提出、通知、发放奖励（经办）',
  'rewards.approve': '审批、延期、不予奖励（审批）',
  'reward_rules.read': '查看奖励标准',
  'reward_rules.manage': '新增奖励标准',
} as const;
export type Capability = keyof typeof CAPABILITIES;

const ALL: readonly Role[] = ROLE_CODES;
const WORKERS: readonly Role[] = ['admin', 'dispatcher', 'handler', 'supervisor'];
const REWARD_READERS: readonly Role[] = ['admin', 'auditor', 'reward_officer', 'reward_approver'];

/** The roles holding each capability. */
export const GRANTS: Record<Capability, readonly Role[]> = {
  'tips.read': ALL,
  'tips.export': ['admin', 'dispatcher', 'supervisor', 'auditor'],
  'tips.act': WORKERS,
  'tips.bulk_assign': ['admin', 'dispatcher'],
  'tips.note': WORKERS,
  'tips.message': WORKERS,
  'tips.mark_read': WORKERS,
  // The hazard ledger and the district picture are for those who supervise rectification (督办, admin), the
  // departments that carry it out (承办员: their own department's hazards, their own ledger to export) and auditors
  // (read only: the ledger changes nothing). The ledger holds nothing about the reporter.
  'hazards.read': ['admin', 'supervisor', 'handler', 'auditor'],
  'hazards.export': ['admin', 'supervisor', 'handler', 'auditor'],
  // Dispatchers and handlers talk to the reporter through the conversation and never need the identity; 督办 may
  // (protection against retaliation), and the reward officer to pay a notified reward (see `can`).
  'identity.reveal': ['admin', 'supervisor', 'reward_officer'],
  'reveals.watch': ['admin', 'auditor'],
  'reveals.acknowledge': ['admin'],
  'reference.read': ALL,
  'reminders.read': ALL,
  // An auditor reads; marking a shared reminder read would change what others see.
  'reminders.mark_read': ['admin', 'dispatcher', 'handler', 'supervisor', 'reward_officer', 'reward_approver'],
  'staff.manage': ['admin'],
  'reference.manage': ['admin'],
  'settings.read': ['admin', 'supervisor'],
  'settings.manage': ['admin'],
  'partners.manage': ['admin'],
  'audit.read': ['admin', 'auditor'],
  'audit.seal': ['admin'],
  'rewards.read': REWARD_READERS,
  'rewards.preview': ['reward_officer', 'reward_approver'],
  'rewards.propose': ['reward_officer'],
  'rewards.approve': ['reward_approver'],
  'reward_rules.read': ['admin', 'reward_officer', 'reward_approver'],
  'reward_rules.manage': ['admin'],
};

/**
 * Where the console opens after sign-in, from the capabilities /api/staff/me returns (never from role names): someone
 * who handles rewards and no tips lands on 举报奖励; everyone else on the queue.
 */
export function landingPage(capabilities: readonly string[]): '/staff/rewards/' | '/staff/' {
  const rewards = capabilities.includes('rewards.propose') || capabilities.includes('rewards.approve');
  return rewards && !capabilities.includes('tips.act') ? '/staff/rewards/' : '/staff/';
}

/** Capabilities whose holders must sign in with a second factor (TOTP): identity, accounts, money. */
const SECOND_FACTOR: readonly Capability[] = ['identity.reveal', 'staff.manage', 'rewards.propose', 'rewards.approve'];
/** Roles that sign in with TOTP: every role holding a capability of `SECOND_FACTOR`. */
export const TOTP_ROLES: readonly Role[] = ROLE_CODES.filter((r) => SECOND_FACTOR.some((c) => GRANTS[c].includes(r)));

/** Roles whose capabilities reach only their own department's tips. */
const DEPARTMENT_ROLES: readonly Role[] = ['handler'];

/** The signed-in staff member, as far as access decisions go. */
export interface Actor {
  id: string;
  roles: readonly string[];
  departmentId: string | null;
  /** Whether this session passed the TOTP step (absent for actors built in code, e.g. the scheduled job). */
  secondFactorDone?: boolean;
}

/** What a decision about one tip may look at. */
export interface TipFacts {
  department_id: string | null;
  /** For `identity.reveal` by a reward officer: the tip has a reward notified to the reporter. */
  reward_notified?: boolean;
}

type Scope = 'all' | 'department' | 'none';

/** How far the actor holds a capability: district-wide, its department's tips only, or not at all. */
export function scopeOf(actor: Actor, cap: Capability): Scope {
  const held = GRANTS[cap].filter((r) => actor.roles.includes(r));
  if (held.some((r) => !DEPARTMENT_ROLES.includes(r))) return 'all';
  return held.length && actor.departmentId != null ? 'department' : 'none';
}

/**
 * Whether the actor may use `cap` — on `tip` when given (department scope and the capability's own conditions),
 * or on some tip at all when not (what the route gate and the console's menus ask).
 * @example can(session, 'tips.read', tip)
 */
export function can(actor: Actor, cap: Capability, tip?: TipFacts): boolean {
  const scope = scopeOf(actor, cap);
  if (scope === 'none') return false;
  if (cap === 'identity.reveal') {
    if (actor.secondFactorDone === false) return false;
    // A reward officer (without another revealing role) only for a tip whose reward was notified: to pay it.
    const other = GRANTS[cap].some((r) => r !== 'reward_officer' && actor.roles.includes(r));
    if (!other && tip && tip.reward_notified !== true) return false;
  }
  if (!tip) return true;
  return scope === 'all' || tip.department_id === actor.departmentId;
}

/**
 * An SQL condition limiting a query over tips to those the actor may use `cap` on, with its parameters.
 * `column` is the tip's department column as the query names it.
 * @example const s = tipScope(actor, 'tips.read', 't.department_id'); `… WHERE ${s.sql}`, ...s.params
 */
export function tipScope(actor: Actor, cap: Capability, column = 'department_id'): { sql: string; params: unknown[] } {
  const scope = scopeOf(actor, cap);
  if (scope === 'all') return { sql: '1 = 1', params: [] };
  if (scope === 'department') return { sql: `${column} = ?`, params: [actor.departmentId] };
  return { sql: '0 = 1', params: [] };
}

/**
 * Whether the actor may take a workflow action on this tip as far as roles and departments go (the state machine
 * in ./workflow.ts decides the rest): a role of the action's rule, and for department-bound actions the tip's
 * department unless the actor also holds a district-wide role of the rule.
 */
export function canTakeAction(actor: Actor, action: Action, tip: TipFacts): boolean {
  const rule = TRANSITIONS[action];
  const held = rule.roles.filter((r) => actor.roles.includes(r));
  if (!held.length || !can(actor, 'tips.act', tip)) return false;
  if (!rule.departmentBound || held.some((r) => !DEPARTMENT_ROLES.includes(r))) return true;
  return actor.departmentId != null && tip.department_id === actor.departmentId;
}

/** Every capability the actor holds (for `/api/staff/me` and the console). */
export function capabilitiesOf(actor: Actor): Capability[] {
  return (Object.keys(GRANTS) as Capability[]).filter((c) => can(actor, c));
}

/** The roles holding a capability (the `x-roles` of a route in the OpenAPI document). */
export const rolesWith = (cap: Capability): readonly Role[] => GRANTS[cap];
