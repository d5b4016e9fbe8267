/**
 * The answers of the staff API (queue, tip detail, alerts, administration, audit, reminders): the routes declare
 * these as their responses, the services return `z.infer` of them (a mismatch fails typecheck), and the console
 * scripts `import type` them instead of re-declaring the shapes. None of them carries a reporter's identity except
 * `RevealedIdentity`, the audited answer of the identity reveal.
 *
 * Plain `zod` from ./zod, like schemas/tip.ts; OpenAPI names come from `.meta({ id })`.
 */
import { DEFAULT_TIME_LIMITS, type TimeLimits } from '../domain/limits';
import { ACTIONS, RATING_LEVELS, STATES } from '../domain/workflow';
import { REWARD_STATES } from '../domain/reward-workflow';
import { RectificationPlan } from './actions';
import { ErrorBody } from './common';
import { z } from './zod';

const Millis = z.number().int().meta({ description: 'ms since the epoch' });
const ClockPhase = z.enum(['accept', 'verify', 'rectify']).meta({
  description: 'accept 受理超期, verify 核查超期, rectify 整改超期',
});

const TipRef = z.object({ id: z.uuid(), trackingNo: z.string() });
/** What the queue and the tip page both show of a tip first: where it stands, what and where it is about. */
const TipFacts = TipRef.extend({
  state: z.enum(STATES),
  publicStatus: z.string(),
  type: z.string(),
  domain: z.string(),
  unitName: z.string(),
  address: z.string(),
  townId: z.string(),
});

/** One row of the staff queue (no identity is selected). */
export const QueueRow = TipFacts.extend({
  departmentId: z.string().nullable(),
  createdAt: Millis,
  dueAt: Millis.nullable(),
  dueKind: z.string().nullable(),
  overdue: z.boolean(),
  /** Which clock is overdue; null when on time. */
  overdueKind: ClockPhase.nullable(),
  /** 受理超期 / 核查超期 / 整改超期, or null. */
  overdueLabel: z.string().nullable(),
  /** 隐患等级 as staff determined it ('general' | 'major'), or null before. */
  hazardLevel: z.string().nullable(),
  /** 核查认定类别 (catalog VERIFIED_TYPES), once recorded. */
  verifiedType: z.string().nullable(),
  riskColour: z.string().nullable(),
  reporterMessagePending: z.boolean(),
  anonymous: z.boolean(),
  version: z.number().int(),
  /** The latest rating (评价) of the tip, as a word (never who gave it); null when none. */
  rating: z.string().nullable(),
  lowRating: z.boolean(),
  /** An open follow-up's deadline (回访答复期限); null when none is open. */
  followupDueAt: Millis.nullable(),
}).meta({ id: 'QueueRow' });
export type QueueRow = z.infer<typeof QueueRow>;

export const QueuePage = z.object({ rows: z.array(QueueRow), next: z.string().nullable() }).meta({ id: 'QueuePage' });
export type QueuePage = z.infer<typeof QueuePage>;

/** A rating (评价) of one conclusion and the follow-up (回访) it opened; no identity. */
export const TipRating = z
  .object({
    conclusionAt: Millis,
    level: z.enum(RATING_LEVELS.map((r) => r.code) as [string, ...string[]]),
    levelLabel: z.string(),
    reason: z.string().nullable(),
    ratedAt: Millis,
    followup: z
      .object({
        state: z.string(),
        openedAt: Millis,
        dueAt: Millis,
        overdue: z.boolean(),
        decidedAt: Millis.nullable(),
        decidedBy: z.string().nullable(),
        answer: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'TipRating' });
export type TipRating = z.infer<typeof TipRating>;

/** One tip as staff see it: the record, its timeline, messages, internal notes, files and what may be done next. */
export const TipDetail = TipFacts.extend({
  version: z.number().int(),
  townName: z.string().nullable(),
  location: z.object({ lat: z.number(), lng: z.number() }).nullable(),
  seenAt: Millis,
  description: z.string(),
  isEmployee: z.boolean(),
  anonymous: z.boolean(),
  /** 联名举报: how many signed (names only in the identity record). */
  signatories: z.number().int(),
  emailOptIn: z.boolean(),
  source: z.string(),
  createdAt: Millis,
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  dueAt: Millis.nullable(),
  dueKind: z.string().nullable(),
  overdue: z.boolean(),
  overdueKind: ClockPhase.nullable(),
  concludeDueAt: Millis.nullable(),
  /** The rectification's own clock: 整改时限 from the plan, the 复查 deadline, and who recorded 整改完成. */
  rectifyDueAt: Millis.nullable(),
  recheckDueAt: Millis.nullable(),
  rectifiedAt: Millis.nullable(),
  rectifiedBy: z.string().nullable(),
  repliedAt: Millis.nullable(),
  assignmentDueAt: Millis.nullable(),
  extension: z
    .object({ state: z.string(), days: z.number().int().nullable(), reason: z.string().nullable() })
    .nullable(),
  rejectReason: z.string().nullable(),
  conclusion: z.string().nullable(),
  decision: z.string().nullable(),
  penaltyFen: z.number().int().nullable(),
  hazardLevel: z.string().nullable(),
  /** 核查认定: what 核查 found, beside `type` (what the reporter chose); rewards follow this. */
  verifiedType: z.string().nullable(),
  accidentLevel: z.string().nullable(),
  concealedDeaths: z.number().int().nullable(),
  riskColour: z.string().nullable(),
  /** The 五到位 plan recorded with the conclusion; null when no 整改 was ordered. */
  rectification: RectificationPlan.nullable(),
  mergedInto: TipRef.nullable(),
  mergedTips: z.array(TipRef.extend({ createdAt: Millis })),
  attachments: z.array(
    z.object({
      id: z.uuid(),
      kind: z.string(),
      mime: z.string(),
      bytes: z.number().int(),
      origin: z.string(),
      url: z.string(),
    }),
  ),
  events: z.array(
    z.object({
      id: z.string(),
      at: Millis,
      kind: z.string(),
      public: z.boolean(),
      publicText: z.string().nullable(),
      data: z.record(z.string(), z.unknown()).nullable(),
      staffName: z.string().nullable(),
    }),
  ),
  messages: z.array(
    z.object({
      id: z.string(),
      at: Millis,
      author: z.enum(['reporter', 'staff']),
      body: z.string(),
      staffName: z.string().nullable(),
      readByReporterAt: Millis.nullable(),
    }),
  ),
  duplicates: z.array(
    TipRef.extend({ unitName: z.string(), address: z.string(), state: z.enum(STATES), createdAt: Millis }),
  ),
  ratings: z.array(TipRating),
  /** The actions this person may take now (the console's buttons; the state machine decides). */
  actions: z.array(z.enum(ACTIONS)),
  canReveal: z.boolean(),
}).meta({ id: 'TipDetail' });
export type TipDetail = z.infer<typeof TipDetail>;

/** Bulk 交办: one result per tip, in the order given. */
export const BulkAssignResult = z
  .object({
    results: z.array(
      z.object({
        id: z.uuid(),
        ok: z.boolean(),
        /** The tip's new version (when ok). */
        version: z.number().int().optional(),
        /** Why this tip was not assigned (when not ok). */
        error: ErrorBody.optional(),
      }),
    ),
  })
  .meta({ id: 'BulkAssignResult' });
export type BulkAssignResult = z.infer<typeof BulkAssignResult>;

/** A real-name reporter's identity: only from the audited reveal. */
export const RevealedIdentity = z
  .object({
    name: z.string(),
    mobile: z.string(),
    idNumber: z.string().nullable(),
    email: z.string().nullable(),
    /** 联名举报: the other signatories, in order (the reporter above signed first). */
    coSigners: z.array(z.string()).optional(),
  })
  .meta({ id: 'RevealedIdentity' });
export type RevealedIdentity = z.infer<typeof RevealedIdentity>;

/** An identity reveal, for admins and auditors: who, when, which tip and why (never the identity). */
export const RevealAlert = z
  .object({
    id: z.string(),
    kind: z.string(),
    tipId: z.string().nullable(),
    trackingNo: z.string().nullable(),
    at: Millis,
    staffName: z.string().nullable(),
    username: z.string().nullable(),
    reason: z.string().nullable(),
    acknowledgedAt: Millis.nullable(),
    acknowledgedBy: z.string().nullable(),
  })
  .meta({ id: 'RevealAlert' });
export type RevealAlert = z.infer<typeof RevealAlert>;
export const RevealAlerts = z.object({ alerts: z.array(RevealAlert) }).meta({ id: 'RevealAlerts' });
export type RevealAlerts = z.infer<typeof RevealAlerts>;

const Flagged = z.object({
  id: z.string(),
  name: z.string(),
  active: z.number().int().meta({ description: '1 或 0' }),
});
/** Departments, towns, domains (with their lead departments) and roles, for the console's forms. */
export const ReferenceData = z
  .object({
    departments: z.array(Flagged),
    towns: z.array(Flagged),
    domains: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        lead_department_id: z.string().nullable(),
        co_lead_department_id: z.string().nullable(),
      }),
    ),
    roles: z.array(z.object({ code: z.string(), label: z.string() })),
  })
  .meta({ id: 'ReferenceData' });
export type ReferenceData = z.infer<typeof ReferenceData>;

/** A staff account as admins see it (no password hash, no TOTP secret). */
export const StaffAccount = z
  .object({
    id: z.string(),
    username: z.string(),
    display_name: z.string(),
    roles: z.array(z.string()),
    department_id: z.string().nullable(),
    active: z.boolean(),
    locked_until: Millis.nullable(),
    totp_enrolled: z.boolean(),
    created_at: Millis,
  })
  .meta({ id: 'StaffAccount' });
export type StaffAccount = z.infer<typeof StaffAccount>;
export const StaffAccounts = z.object({ staff: z.array(StaffAccount) }).meta({ id: 'StaffAccounts' });
export type StaffAccounts = z.infer<typeof StaffAccounts>;

export const TimeLimitsView = z
  .object(
    Object.fromEntries(Object.keys(DEFAULT_TIME_LIMITS).map((k) => [k, z.number().int()])) as Record<
      keyof TimeLimits,
      z.ZodNumber
    >,
  )
  .meta({ id: 'TimeLimits' });
export type TimeLimitsView = z.infer<typeof TimeLimitsView>;

export const CalendarYear = z
  .object({
    days: z.array(
      z.object({ date: z.string(), kind: z.enum(['holiday', 'workday', 'normal']), name: z.string().nullable() }),
    ),
  })
  .meta({ id: 'CalendarYear' });
export type CalendarYear = z.infer<typeof CalendarYear>;

export const Partner = z
  .object({ id: z.string(), name: z.string(), active: z.boolean(), createdAt: Millis })
  .meta({ id: 'Partner' });
export type Partner = z.infer<typeof Partner>;
export const Partners = z.object({ partners: z.array(Partner) }).meta({ id: 'Partners' });
export type Partners = z.infer<typeof Partners>;
/** A partner just registered: its API key appears in this answer only. */
export const NewPartner = Partner.extend({ apiKey: z.string() }).meta({ id: 'NewPartner' });
export type NewPartner = z.infer<typeof NewPartner>;

/** The audit check: rows, the seal chain, keys, triggers and R2 anchors, with every problem found. */
export const AuditReport = z
  .object({
    ok: z.boolean(),
    rows: z.number().int(),
    sealedSeq: z.number().int(),
    headMac: z.string(),
    unsealed: z.object({ count: z.number().int(), fromSeq: z.number().int().nullable(), oldestAt: Millis.nullable() }),
    anchors: z.object({ checked: z.number().int(), latestSeq: z.number().int().nullable() }).nullable(),
    problems: z.array(
      z.object({
        kind: z.string(),
        seq: z.number().int().optional(),
        toSeq: z.number().int().optional(),
        message: z.string(),
      }),
    ),
    moreProblems: z.number().int(),
  })
  .meta({ id: 'AuditReport' });
export type AuditReport = z.infer<typeof AuditReport>;

export const SealResult = z
  .object({ sealed: z.number().int(), head: z.number().int(), anchor: z.string().nullable() })
  .meta({ id: 'SealResult' });
export type SealResult = z.infer<typeof SealResult>;

/** One audit log row (newest first); `hash` is its seal, null while unsealed. */
export const AuditRow = z
  .object({
    seq: z.number().int(),
    at: Millis,
    actor: z.string(),
    action: z.string(),
    tip_id: z.string().nullable(),
    /** JSON text. */
    detail: z.string().nullable(),
    hash: z.string().nullable(),
  })
  .meta({ id: 'AuditRow' });
export type AuditRow = z.infer<typeof AuditRow>;
export const AuditPage = z.object({ rows: z.array(AuditRow) }).meta({ id: 'AuditPage' });
export type AuditPage = z.infer<typeof AuditPage>;

/** A reminder (提醒, 催办, 督办, 挂牌督办) of a tip the person may read; unread first. */
export const Reminder = z
  .object({
    id: z.string(),
    tip_id: z.string(),
    level: z.enum(['remind', 'urge', 'escalate', 'listed']),
    due_kind: z.string(),
    due_at: Millis,
    created_at: Millis,
    read_at: Millis.nullable(),
    /** Stored form (no dashes). */
    tracking_no: z.string(),
    unit_name: z.string(),
    state: z.enum(STATES),
  })
  .meta({ id: 'Reminder' });
export type Reminder = z.infer<typeof Reminder>;
export const Reminders = z.object({ reminders: z.array(Reminder) }).meta({ id: 'Reminders' });
export type Reminders = z.infer<typeof Reminders>;

/** A reward computed by a rule set, step by step (worker/domain/reward-rules.ts `computeReward`). */
export const RewardComputation = z
  .object({
    eligible: z.boolean(),
    /** Why not, when not eligible. */
    reason: z.string().optional(),
    amountFen: z.number().int(),
    minFen: z.number().int(),
    maxFen: z.number().int(),
    steps: z.array(z.string()),
    clause: z.string().nullable(),
  })
  .meta({ id: 'RewardComputation' });

const RewardRule = z.object({ id: z.string(), name: z.string(), version: z.number().int() });
/** What the reporter chose and what 核查 verified: the computation uses the verified facts only. */
const RewardVerified = z.object({
  reportedType: z.string(),
  verifiedType: z.string().nullable(),
  penaltyFen: z.number().int().nullable(),
  accidentLevel: z.string().nullable(),
  concealedDeaths: z.number().int().nullable(),
});
const RewardFlags = z.object({
  anonymousNeedsProof: z.boolean(),
  isEarliestReporter: z.boolean(),
  jointSignatories: z.number().int(),
});
/** The computation as stored with a proposed reward: the rule set, flags and verified facts beside it. */
const StoredRewardComputation = RewardComputation.extend({
  rule: RewardRule.optional(),
  flags: RewardFlags.optional(),
  verified: RewardVerified.optional(),
});

/** One reward in the staff list (no identity). */
export const RewardListRow = z
  .object({
    id: z.string(),
    tip_id: z.string(),
    tracking_no: z.string(),
    type: z.string(),
    domain: z.string(),
    status: z.enum(REWARD_STATES),
    amount_fen: z.number().int(),
    computation: StoredRewardComputation,
    proposed_by: z.string().nullable(),
    approved_by: z.string().nullable(),
    notified_at: Millis.nullable(),
    claim_deadline: Millis.nullable(),
    paid_at: Millis.nullable(),
    adjust_reason: z.string().nullable(),
    decline_reason: z.string().nullable(),
    created_at: Millis,
    proposer: z.string().nullable(),
    approver: z.string().nullable(),
    verified_type: z.string().nullable(),
    rule_name: z.string(),
    rule_version: z.number().int(),
  })
  .meta({ id: 'RewardListRow' });
export type RewardListRow = z.infer<typeof RewardListRow>;
export const RewardList = z.object({ rewards: z.array(RewardListRow) }).meta({ id: 'RewardList' });
export type RewardList = z.infer<typeof RewardList>;

/** The preview of a reward: the rule set, the computation and what 核查 verified (nothing is written). */
export const RewardPreview = z
  .object({
    tipId: z.string(),
    beneficiaryTipId: z.string(),
    rule: RewardRule,
    computation: RewardComputation,
    verified: RewardVerified,
    flags: RewardFlags,
  })
  .meta({ id: 'RewardPreview' });
export type RewardPreview = z.infer<typeof RewardPreview>;

/** Tips concluded 属实/部分属实 with no reward yet, with the computed amount. */
export const RewardCandidates = z
  .object({
    candidates: z.array(
      z.object({
        tipId: z.string(),
        trackingNo: z.string(),
        type: z.string(),
        verifiedType: z.string().nullable(),
        domain: z.string(),
        conclusion: z.string(),
        concludedAt: Millis,
        eligible: z.boolean(),
        reason: z.string().nullable(),
        amountFen: z.number().int(),
        clause: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'RewardCandidates' });
export type RewardCandidates = z.infer<typeof RewardCandidates>;

const RewardCounts = z.object({
  proposed: z.number().int(),
  paid: z.number().int(),
  paidFen: z.number().int(),
  expired: z.number().int(),
  declined: z.number().int(),
});
/** Rewards by year (China time) of proposal, domain and handling department, with the totals. */
export const RewardReport = z
  .object({
    rows: z.array(
      RewardCounts.extend({
        year: z.string(),
        domain: z.string(),
        domainLabel: z.string(),
        departmentId: z.string().nullable(),
        departmentName: z.string().nullable(),
      }),
    ),
    total: RewardCounts,
  })
  .meta({ id: 'RewardReport' });
export type RewardReport = z.infer<typeof RewardReport>;

/** The reward rule sets, newest first; `rules` is the rule set's JSON. */
export const RewardRuleSets = z
  .object({
    rules: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        version: z.number().int(),
        effective_from: Millis,
        rules: z.record(z.string(), z.unknown()),
        created_at: Millis,
      }),
    ),
  })
  .meta({ id: 'RewardRuleSets' });
export type RewardRuleSets = z.infer<typeof RewardRuleSets>;
