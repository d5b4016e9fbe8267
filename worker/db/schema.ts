/**
 * The database schema: the single source of truth for `migrations/`. `npm run db:generate` turns changes here
 * into SQL under `migrations/`, which wrangler applies locally and in production.
 *
 * Conventions: ids are text (random UUIDs, or codes for reference data); times are integer milliseconds since
 * the Unix epoch (UTC); money is integer fen; JSON columns hold small structured records.
 * The reporter's identity never lives in `tips`: see `tip_identities`.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { REWARD_STATES } from '../domain/reward-workflow';
import { OPEN_STATES, STATES } from '../domain/workflow';

const now = sql`(unixepoch('subsec') * 1000)`;

/** The open states of the state machine as an SQL list literal, for the partial indexes and the queries that must match them. */
export const OPEN_STATES_SQL = `(${OPEN_STATES.map((s) => `'${s}'`).join(', ')})`;

/** The hazards of the ledger: worker/services/hazards.ts `hazardWhere` (without its alias) must read the same. */
export const HAZARD_INDEX_WHERE = `conclusion IN ('true', 'partly_true') AND verified_type IN ('major_hazard', 'general_hazard')`;

/** 承办单位 — departments that handle tips. */
export const departments = sqliteTable('departments', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  sort: integer('sort').notNull().default(0),
});

/** 镇/街道 — the configured list a reporter picks from. */
export const towns = sqliteTable('towns', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  sort: integer('sort').notNull().default(0),
});

/**
 * 行业领域 and the department that leads it (routing default for 交办), with a second lead where the plan names
 * two (plan 001 (二)11: 工业园区 — 区工业和信息化局、济北开发区管委会; worker/domain/catalog.ts DOMAIN_CO_LEADS).
 */
export const domains = sqliteTable('domains', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  leadDepartmentId: text('lead_department_id').references(() => departments.id),
  coLeadDepartmentId: text('co_lead_department_id').references(() => departments.id),
  sort: integer('sort').notNull().default(0),
});

/** Deployment settings (time limits, reward claim place, …) as JSON values. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at').notNull().default(now),
});

/** Public holidays and 调休 working days, editable by admins (kind: 'holiday' | 'workday' | 'normal' = weekday rule). */
export const calendarDays = sqliteTable('calendar_days', {
  date: text('date').primaryKey(), // YYYY-MM-DD, China time
  kind: text('kind', { enum: ['holiday', 'workday', 'normal'] }).notNull(),
  name: text('name').notNull(),
});

/** A tip (举报). Holds no reporter identity. */
export const tips = sqliteTable(
  'tips',
  {
    id: text('id').primaryKey(),
    /** 举报编号: public, random, not derivable from another. */
    trackingNo: text('tracking_no').notNull(),
    /**
     * 公开编号: the id public interfaces (Open311 GET, open data) list the tip under — random, drawn apart from the
     * tracking number, so a listed id is useless for the lookup. Set at submission; nullable only because SQLite
     * cannot add a NOT NULL column to a filled table (the migration fills every existing row).
     */
    publicId: text('public_id'),
    /** HMAC of the 查询码; the code itself is never stored. */
    queryCodeHash: text('query_code_hash').notNull(),
    type: text('type').notNull(),
    domain: text('domain')
      .notNull()
      .references(() => domains.code),
    unitName: text('unit_name').notNull(),
    address: text('address').notNull(),
    townId: text('town_id')
      .notNull()
      .references(() => towns.id),
    lat: real('lat'),
    lng: real('lng'),
    seenAt: integer('seen_at').notNull(),
    description: text('description').notNull(),
    isEmployee: integer('is_employee', { mode: 'boolean' }).notNull(),
    anonymous: integer('anonymous', { mode: 'boolean' }).notNull(),
    /** How many people signed (联名举报 > 1; the first signatory is the real-name reporter). Names stay in the identity record. */
    signatories: integer('signatories').notNull().default(1),
    /** Internal workflow state (see worker/domain/workflow.ts). */
    state: text('state', { enum: STATES }).notNull().default('submitted'),
    /** Denormalised public status, kept in step with `state` for fast public queries. */
    publicStatus: text('public_status').notNull().default('pending'),
    departmentId: text('department_id').references(() => departments.id),
    /** 'web' or 'open311:<partner id>'. */
    source: text('source').notNull().default('web'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    acceptedAt: integer('accepted_at'),
    assignedAt: integer('assigned_at'),
    concludedAt: integer('concluded_at'),
    closedAt: integer('closed_at'),
    /** The deadline currently running (acceptance, conclusion, 复查, …) and what it is for. */
    dueAt: integer('due_at'),
    dueKind: text('due_kind'),
    /** 交办 due date set by the dispatcher. */
    assignmentDueAt: integer('assignment_due_at'),
    /** The statutory 办结 deadline (受理 + 60 days, plus an approved extension); shown to the reporter. */
    concludeDueAt: integer('conclude_due_at'),
    extensionDays: integer('extension_days'),
    extensionReason: text('extension_reason'),
    extensionState: text('extension_state'), // requested | approved | refused
    rejectReason: text('reject_reason'),
    conclusion: text('conclusion'), // true | partly_true | false
    decision: text('decision'),
    penaltyFen: integer('penalty_fen'),
    hazardLevel: text('hazard_level'),
    /**
     * 核查认定类别 (catalog.ts VERIFIED_TYPES), recorded with a 属实/部分属实 conclusion: rewards follow it, not `type`
     * (the reporter's choice). For 瞒报谎报事故 also the finally confirmed accident grade and the concealed deaths.
     */
    verifiedType: text('verified_type'),
    accidentLevel: text('accident_level'),
    concealedDeaths: integer('concealed_deaths'),
    riskColour: text('risk_colour'),
    /** The 五到位 plan (整改方案: 措施、责任人、资金、时限、预案), recorded with the conclusion that orders 整改. */
    rectification: text('rectification', { mode: 'json' }),
    /** When the conclusion reached the reporter (the lookup publishes it at once): the objection window runs from here. */
    repliedAt: integer('replied_at'),
    /** The 整改时限 of the plan (end of that day, China time): the rectification's own clock. */
    rectifyDueAt: integer('rectify_due_at'),
    /** 复查 of the rectification is due by then (整改时限 + `recheckDays`). */
    recheckDueAt: integer('recheck_due_at'),
    /** 整改完成 recorded (a separate step from recording the plan), and by whom. */
    rectifiedAt: integer('rectified_at'),
    rectifiedBy: text('rectified_by'),
    /** How many objections the reporter made (one: the 复查 conclusion is final). */
    objections: integer('objections').notNull().default(0),
    mergedIntoId: text('merged_into_id'),
    /** Set when the reporter wrote and no staff member has read it yet. */
    reporterMessagePending: integer('reporter_message_pending', { mode: 'boolean' }).notNull().default(false),
    /** Optimistic concurrency: every staff save sends the version it read. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('tips_tracking_no').on(t.trackingNo),
    uniqueIndex('tips_public_id').on(t.publicId),
    index('tips_state_due').on(t.state, t.dueAt),
    index('tips_due').on(t.dueAt),
    index('tips_dept_state_due').on(t.departmentId, t.state, t.dueAt),
    index('tips_created').on(t.createdAt),
    index('tips_public_created').on(t.publicStatus, t.createdAt),
    index('tips_domain_created').on(t.domain, t.createdAt),
    index('tips_town_created').on(t.townId, t.createdAt),
    index('tips_merged_into').on(t.mergedIntoId),
    // The staff queue's default view (every open tip by deadline, and one department's): partial indexes over
    // open tips only, already in (due_at, id) order, so the first page reads 50 index entries and sorts nothing.
    // Queries must spell the state list as literals (OPEN_STATES_SQL) for SQLite to match these.
    index('tips_open_due')
      .on(t.dueAt, t.id)
      .where(sql.raw(`state IN ${OPEN_STATES_SQL}`)),
    index('tips_open_dept_due')
      .on(t.departmentId, t.dueAt, t.id)
      .where(sql.raw(`state IN ${OPEN_STATES_SQL}`)),
    // The scheduled rebuild of `stats_conclusions` reads recently concluded tips by this range.
    index('tips_concluded').on(t.concludedAt),
    // … and `stats_rectifications` recently completed rectifications by this one.
    index('tips_rectified').on(t.rectifiedAt),
    // The hazard ledger and its dashboard (worker/services/hazards.ts, `hazardWhere`, spelt the same): only the
    // tips 核查 found to be a 重大 or 一般事故隐患, by the day it was found — district-wide, and one department's
    // (a 承办员's scope) — and the running 整改 deadlines (the ledger's and the queue's 整改超期).
    index('tips_hazards').on(t.concludedAt, t.id).where(sql.raw(HAZARD_INDEX_WHERE)),
    index('tips_hazards_dept').on(t.departmentId, t.concludedAt, t.id).where(sql.raw(HAZARD_INDEX_WHERE)),
    index('tips_rectify_due').on(t.dueAt, t.id).where(sql.raw(`due_kind IN ('rectify', 'recheck')`)),
  ],
);

/**
 * The reporter's identity, stored apart from the tip and encrypted (AES-GCM, key chosen by `keyId` so keys
 * can rotate). Anonymous tips have no row here.
 */
export const tipIdentities = sqliteTable('tip_identities', {
  tipId: text('tip_id')
    .primaryKey()
    .references(() => tips.id),
  keyId: text('key_id').notNull(),
  iv: text('iv').notNull(),
  ciphertext: text('ciphertext').notNull(),
  /** The reporter asked to be e-mailed when staff write (the address itself is inside the ciphertext). */
  emailOptIn: integer('email_opt_in', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
});

/** Uploaded files. A file is `pending` until a tip or message claims it; orphans are swept. */
export const attachments = sqliteTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    tipId: text('tip_id').references(() => tips.id),
    messageId: text('message_id'),
    /** Secret handed to the uploader; needed to attach the file, so ids alone cannot be claimed. */
    claimHash: text('claim_hash').notNull(),
    r2Key: text('r2_key').notNull(),
    kind: text('kind').notNull(), // image | video | audio
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    status: text('status').notNull().default('pending'), // pending | attached
    origin: text('origin').notNull().default('report'), // report | evidence
    createdAt: integer('created_at').notNull(),
    /**
     * While pending only: the uploader's client key (an HMAC of its network, never the address), so the
     * unattached files one client may hold are capped. A trigger clears it when the file is attached, so no
     * tip is ever linked to a client.
     */
    uploader: text('uploader'),
  },
  (t) => [
    index('attachments_tip').on(t.tipId),
    index('attachments_status_created').on(t.status, t.createdAt),
    index('attachments_pending_uploader').on(t.uploader).where(sql.raw(`status = 'pending'`)),
  ],
);

/**
 * The tip's timeline. `public` events are shown to the reporter with `publicText`; the rest (internal notes,
 * staff ids) are for staff only.
 */
export const tipEvents = sqliteTable(
  'tip_events',
  {
    id: text('id').primaryKey(),
    tipId: text('tip_id')
      .notNull()
      .references(() => tips.id),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    public: integer('public', { mode: 'boolean' }).notNull().default(false),
    publicText: text('public_text'),
    data: text('data', { mode: 'json' }),
    staffId: text('staff_id'),
  },
  (t) => [index('tip_events_tip_at').on(t.tipId, t.at)],
);

/** Messages between staff and the reporter (the reporter's side is anonymous by construction). */
export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    tipId: text('tip_id')
      .notNull()
      .references(() => tips.id),
    at: integer('at').notNull(),
    author: text('author').notNull(), // staff | reporter
    body: text('body').notNull(),
    staffId: text('staff_id'),
    readByReporterAt: integer('read_by_reporter_at'),
    readByStaffAt: integer('read_by_staff_at'),
  },
  (t) => [index('messages_tip_at').on(t.tipId, t.at)],
);

/** Idempotency records for submissions: the same key returns the same receipt. Swept after a day. */
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  key: text('key').primaryKey(),
  tipId: text('tip_id').notNull(),
  /** The receipt (tracking number + query code), encrypted like identities, so a retry can show it again. */
  receiptIv: text('receipt_iv').notNull(),
  receiptCiphertext: text('receipt_ciphertext').notNull(),
  receiptKeyId: text('receipt_key_id').notNull(),
  /** HMAC of the first request's body: the receipt is returned only to a retry with the same body. */
  bodyHash: text('body_hash'),
  createdAt: integer('created_at').notNull(),
});

/** Fixed-window counters with lock-outs for rate limiting and anti-guessing. */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  count: integer('count').notNull(),
  failures: integer('failures').notNull().default(0),
  lockedUntil: integer('locked_until'),
});

/** Staff accounts. Roles are a JSON array of role codes; 承办员 are bound to a department. */
export const staff = sqliteTable(
  'staff',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    roles: text('roles', { mode: 'json' }).$type<string[]>().notNull(),
    departmentId: text('department_id').references(() => departments.id),
    totpSecret: text('totp_secret'),
    /** The last TOTP time step accepted, so a code cannot be replayed within its window. */
    totpLastStep: integer('totp_last_step'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** Wrong passwords since the last successful sign-in (a correct password resets it). */
    failedLogins: integer('failed_logins').notNull().default(0),
    /** Wrong TOTP codes since the last correct code: never reset by a password, so codes cannot be guessed across logins. */
    totpFailures: integer('totp_failures').notNull().default(0),
    lockedUntil: integer('locked_until'),
    /** Declared safety-supervision duty (excludes the person and close relatives from rewards). */
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('staff_username').on(t.username)],
);

/** Server-side sessions; only the SHA-256 of the cookie token is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staff.id),
    csrfToken: text('csrf_token').notNull(),
    secondFactorDone: integer('second_factor_done', { mode: 'boolean' }).notNull().default(false),
    /** Wrong TOTP codes in this half-signed-in session; it ends after `LOCKOUT.totpPerSession`. */
    totpFailures: integer('totp_failures').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [index('sessions_staff').on(t.staffId)],
);

/**
 * Append-only audit log. A row gets its `seq` from the database (AUTOINCREMENT: commit order, never reused)
 * in the same batch as the change it records; nobody reads a chain head to write one. Triggers in the
 * migrations refuse UPDATE, DELETE and INSERT OR REPLACE. The sealer chains rows into `audit_seals`.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(), // staff id, 'system', 'reporter' or 'public'
    action: text('action').notNull(),
    tipId: text('tip_id'),
    detail: text('detail', { mode: 'json' }),
  },
  (t) => [index('audit_tip').on(t.tipId)],
);

/**
 * Alerts for admins and auditors in the console: each identity reveal (who, which tip, why — never the identity),
 * until an admin acknowledges it. The audit log holds the same event; this is what gets noticed.
 */
export const staffAlerts = sqliteTable(
  'staff_alerts',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(), // identity_revealed
    tipId: text('tip_id'),
    staffId: text('staff_id').notNull(),
    at: integer('at').notNull(),
    detail: text('detail', { mode: 'json' }),
    acknowledgedAt: integer('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
  },
  (t) => [index('staff_alerts_at').on(t.at)],
);

/**
 * The keyed hash chain over `audit_log`, written only by the sealer (worker/lib/audit.ts): for each row,
 * `mac = HMAC-SHA-256(key, previous mac ‖ row content)`, and `key_id` names the key (a fingerprint, never the
 * key). Append-only like the log; each seal's head is also written to R2 (audit/anchors/).
 */
export const auditSeals = sqliteTable('audit_seals', {
  seq: integer('seq').primaryKey(),
  mac: text('mac').notNull(),
  keyId: text('key_id').notNull(),
  sealedAt: integer('sealed_at').notNull(),
});

/** Reminders (提醒 / 催办 / 督办) sent by the scheduled job; the unique key makes re-runs harmless. */
export const reminders = sqliteTable(
  'reminders',
  {
    id: text('id').primaryKey(),
    tipId: text('tip_id')
      .notNull()
      .references(() => tips.id),
    level: text('level').notNull(), // remind | urge | escalate
    dueKind: text('due_kind').notNull(),
    dueAt: integer('due_at').notNull(),
    departmentId: text('department_id'),
    createdAt: integer('created_at').notNull(),
    readAt: integer('read_at'),
  },
  (t) => [uniqueIndex('reminders_once').on(t.tipId, t.level, t.dueKind, t.dueAt)],
);

/** Outgoing notifications (e-mail to opted-in reporters), drained by the Worker. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind').notNull(), // email
    tipId: text('tip_id'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [uniqueIndex('outbox_dedupe').on(t.dedupeKey), index('outbox_pending').on(t.sentAt, t.createdAt)],
);

/** Versioned reward rule sets (docs/rules.md, "Reward amount"); `effectiveFrom` picks the set that applies on a date. */
export const rewardRules = sqliteTable('reward_rules', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  version: integer('version').notNull(),
  effectiveFrom: integer('effective_from').notNull(),
  rules: text('rules', { mode: 'json' }).notNull(),
  createdAt: integer('created_at').notNull(),
});

/** A reward decision for a tip; its full history is in `reward_events`. */
export const rewards = sqliteTable(
  'rewards',
  {
    id: text('id').primaryKey(),
    tipId: text('tip_id')
      .notNull()
      .references(() => tips.id),
    ruleId: text('rule_id')
      .notNull()
      .references(() => rewardRules.id),
    status: text('status', { enum: REWARD_STATES }).notNull(),
    amountFen: integer('amount_fen').notNull(),
    computation: text('computation', { mode: 'json' }).notNull(),
    proposedBy: text('proposed_by'),
    approvedBy: text('approved_by'),
    notifiedAt: integer('notified_at'),
    claimDeadline: integer('claim_deadline'),
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** Staff's answers to the 第七条 checklist, each item with its clause, and that the reporter is identifiable. */
    exclusions: text('exclusions', { mode: 'json' }),
    /** Why the proposer moved the amount away from the computed one (within the rule's bounds). */
    adjustReason: text('adjust_reason'),
    extensionReason: text('extension_reason'),
    paidAt: integer('paid_at'),
    payMethod: text('pay_method'),
    voucherNo: text('voucher_no'),
    /** How the claimant proved they are the reporter (never the identity itself). */
    claimantVerification: text('claimant_verification'),
    declineReason: text('decline_reason'),
  },
  (t) => [
    index('rewards_tip').on(t.tipId),
    index('rewards_status_deadline').on(t.status, t.claimDeadline),
    index('rewards_paid_at').on(t.paidAt),
  ],
);

/**
 * The reward ledger: every reward event, append-only (triggers refuse UPDATE and DELETE); each event is also
 * written to the hash-chained audit log in the same batch.
 */
export const rewardEvents = sqliteTable(
  'reward_events',
  {
    id: text('id').primaryKey(),
    rewardId: text('reward_id')
      .notNull()
      .references(() => rewards.id),
    tipId: text('tip_id').notNull(),
    at: integer('at').notNull(),
    kind: text('kind').notNull(), // proposed | adjusted | approved | notified | extended | paid | expired | declined
    actor: text('actor').notNull(), // staff id or 'system'
    amountFen: integer('amount_fen'),
    detail: text('detail', { mode: 'json' }),
  },
  (t) => [index('reward_events_reward').on(t.rewardId, t.at), index('reward_events_at').on(t.at)],
);

/** Open311 partners (e.g. a 12345 hotline); only a hash of each API key is kept. */
export const partners = sqliteTable(
  'partners',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    apiKeyHash: text('api_key_hash').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('partners_key').on(t.apiKeyHash)],
);

/** Aggregates for public statistics, kept current on write (month × type × domain × town × public status). */
export const statsMonthly = sqliteTable(
  'stats_monthly',
  {
    month: text('month').notNull(), // YYYY-MM
    type: text('type').notNull(),
    domain: text('domain').notNull(),
    townId: text('town_id').notNull(),
    publicStatus: text('public_status').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.month, t.type, t.domain, t.townId, t.publicStatus] })],
);

/**
 * Aggregates for the public timeliness figures, rebuilt by the scheduled job from recently concluded tips
 * (month of conclusion, China time × whole days from submission to conclusion). `withDue` counts the tips
 * that had a statutory 办结 deadline, `onTime` those concluded on or before it. The median days to
 * conclusion is read from this histogram, so the public page never scans `tips`.
 */
export const statsConclusions = sqliteTable(
  'stats_conclusions',
  {
    month: text('month').notNull(), // YYYY-MM of concluded_at
    days: integer('days').notNull(),
    count: integer('count').notNull(),
    withDue: integer('with_due').notNull(),
    onTime: integer('on_time').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.days] })],
);

/**
 * Aggregates for the public 整改 figures, rebuilt with `stats_conclusions`: per month in which 整改完成 was
 * recorded (China time), how many rectifications were done and how many of those by their 整改时限. Kept apart
 * from the 核查 figures, so a long rectification never reads as a late 核查.
 */
export const statsRectifications = sqliteTable('stats_rectifications', {
  month: text('month').primaryKey(), // YYYY-MM of rectified_at
  done: integer('done').notNull(),
  onTime: integer('on_time').notNull(),
});
/**
 * The reporter's verdict on a conclusion (评价, worker/domain/workflow.ts RATING_LEVELS): one row per tip and
 * conclusion (`conclusionAt` = the instant that conclusion reached the reporter, `tips.replied_at`), changeable
 * within the rating window until a follow-up on it is decided. Holds nothing that identifies the reporter.
 */
export const tipRatings = sqliteTable(
  'tip_ratings',
  {
    id: text('id').primaryKey(),
    tipId: text('tip_id')
      .notNull()
      .references(() => tips.id),
    conclusionAt: integer('conclusion_at').notNull(),
    level: text('level').notNull(),
    reason: text('reason'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('tip_ratings_once').on(t.tipId, t.conclusionAt), index('tip_ratings_updated').on(t.updatedAt)],
);

/**
 * 回访: opened by a low rating, answered by a supervisor within `followupWorkingDays` working days, ending with
 * 'stood' (the conclusion stands, with reasons) or 'reopened' (the tip went back to 复查).
 */
export const tipFollowups = sqliteTable(
  'tip_followups',
  {
    id: text('id').primaryKey(),
    tipId: text('tip_id')
      .notNull()
      .references(() => tips.id),
    ratingId: text('rating_id')
      .notNull()
      .references(() => tipRatings.id),
    state: text('state').notNull().default('open'), // open | stood | reopened
    openedAt: integer('opened_at').notNull(),
    dueAt: integer('due_at').notNull(),
    decidedAt: integer('decided_at'),
    decidedBy: text('decided_by'),
    answer: text('answer'),
  },
  (t) => [
    uniqueIndex('tip_followups_rating').on(t.ratingId),
    index('tip_followups_state_due').on(t.state, t.dueAt),
    index('tip_followups_tip').on(t.tipId),
  ],
);

/**
 * The public on-time record (按时办结记录), per China-time month and per scope: the district ('district', key
 * 'all'), each department ('department', its id) and each domain ('domain', its code). Raw counts; small-count
 * suppression is applied when published (worker/services/ontime.ts). Computed by the Cron from `tips`,
 * `tip_ratings`; a month's rows are frozen once its monthly report (`monthly_reports`) is published.
 */
export const ontimeMonthly = sqliteTable(
  'ontime_monthly',
  {
    month: text('month').notNull(),
    scope: text('scope').notNull(), // district | department | domain
    key: text('key').notNull(),
    received: integer('received').notNull(),
    concluded: integer('concluded').notNull(),
    concludedOnTime: integer('concluded_on_time').notNull(),
    /** Open at the month's end (or now, for the running month) with the 核查 deadline passed. */
    openOverdue: integer('open_overdue').notNull(),
    /** Whole days from submission to conclusion of the month's conclusions, as a JSON histogram {days: count}. */
    daysHistogram: text('days_histogram', { mode: 'json' }).notNull(),
    rectified: integer('rectified').notNull(),
    rectifiedOnTime: integer('rectified_on_time').notNull(),
    ratings: integer('ratings').notNull(),
    satisfied: integer('satisfied').notNull(),
    computedAt: integer('computed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.scope, t.key] })],
);

/** 月度通报: a month's report exists once the Cron has computed its final figures after the month ended. */
export const monthlyReports = sqliteTable('monthly_reports', {
  month: text('month').primaryKey(),
  publishedAt: integer('published_at').notNull(),
});
