/** Chinese labels for codes, from the same catalogues the Worker uses (worker/domain). */
import {
  ACCIDENT_LEVELS,
  DOMAINS,
  labelIn,
  PUBLIC_STATUSES,
  TIP_TYPES,
  TOWNS,
  VERIFIED_TYPES,
} from '../../../worker/domain/catalog';
import { DUE_KINDS } from '../../../worker/domain/deadlines';
import {
  CONCLUSIONS,
  HAZARD_LEVELS,
  REJECT_REASONS,
  RISK_COLOURS,
  ROLES,
  STATE_LABELS,
  stateLabel,
  TRANSITIONS,
  type Action,
} from '../../../worker/domain/workflow';

export const DUE_KIND_LABELS: Record<string, string> = Object.fromEntries(
  Object.entries(DUE_KINDS).map(([k, v]) => [k, v.label]),
);
/** 受理超期 / 核查超期 / 整改超期, by the clock that is overdue. */
export const OVERDUE_LABELS: Record<string, string> = { accept: '受理超期', verify: '核查超期', rectify: '整改超期' };
export const EVENT_LABELS: Record<string, string> = {
  submitted: '提交',
  accepted: '受理',
  rejected: '不予受理',
  assigned: '交办',
  instructions: '交办要求',
  returned: '退回',
  verified: '核查结论',
  concluded: '办结',
  rectified: '整改完成',
  recheck_failed: '复查未通过',
  closed: '复查销号',
  closed_auto: '异议期满办结',
  merged: '合并',
  extension_requested: '申请延期',
  extension_refused: '延期未获批准',
  extended: '延期',
  objection: '异议',
  rated: '举报人评价',
  followup_stood: '回访：维持结论',
  followup_reopened: '回访：重新复查',
  note: '内部备注',
  reward_notified: '奖励通知',
  identity_added: '举报人补充真实身份',
};
export const actionLabel = (a: Action) => TRANSITIONS[a].label;
export const tipType = (c: string) => labelIn(TIP_TYPES, c);
/** 核查认定类别 (what 核查 found; rewards follow it). */
export const verifiedType = (c: string) => labelIn(VERIFIED_TYPES, c);
export const domain = (c: string) => DOMAINS.find((d) => d.code === c)?.label ?? c;
export const town = (c: string) => TOWNS.find((t) => t.id === c)?.name ?? c;
export const publicStatus = (c: string) => labelIn(PUBLIC_STATUSES, c);
export const state = stateLabel;
export const roleLabel = (c: string) => labelIn(ROLES, c);
export {
  STATE_LABELS,
  CONCLUSIONS,
  DOMAINS,
  HAZARD_LEVELS,
  REJECT_REASONS,
  RISK_COLOURS,
  ROLES,
  TIP_TYPES,
  TOWNS,
  VERIFIED_TYPES,
  ACCIDENT_LEVELS,
  labelIn,
};
