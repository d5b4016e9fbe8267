/**
 * The figures of the rules (docs/rules.md) in one place. The site's 举报须知 page, the API and the tests read these;
 * nothing else may restate them. Deployment-specific overrides live in the `settings` table.
 */
export const LIMITS = {
  description: { min: 10, max: 5000 },
  attachments: {
    maxFiles: 9,
    /** Per-file caps by kind, in bytes. */
    maxBytes: { image: 10 * 1024 * 1024, audio: 20 * 1024 * 1024, video: 50 * 1024 * 1024 },
    maxTotalBytes: 100 * 1024 * 1024,
    /** Uploads not attached to a tip within this time are deleted by the scheduled job. */
    orphanTtlMs: 24 * 60 * 60 * 1000,
    /** An upload ticket (issued after the form's Turnstile check, or to a reporter's lookup) lasts this long… */
    ticketTtlMs: 2 * 60 * 60 * 1000,
    /** …and allows this many uploads (a full report twice over, plus retries). */
    uploadsPerTicket: 30,
    /** Unattached files one client network may hold at once: what a client can abandon is bounded by this. */
    pendingFiles: 30,
    pendingBytes: 200 * 1024 * 1024,
    /** Bytes one client network may store per hour (three full reports). */
    bytesPerHour: 300 * 1024 * 1024,
  },
} as const;

/** Default time limits (docs/rules.md); per-deployment values are stored in `settings` under `time_limits`. */
export const DEFAULT_TIME_LIMITS = {
  /** 受理 decision, in working days (Chinese public holidays and 调休 respected). */
  acceptWorkingDays: 5,
  /** 核查 and 办结 within this many calendar days of 受理. */
  concludeDays: 60,
  /** One extension of at most this many days, approved by a supervisor. */
  maxExtensionDays: 30,
  /** Reply to the reporter within this many days of the conclusion. */
  replyDays: 10,
  /** Objection window after a conclusion. */
  objectionDays: 10,
  /** 复查 after an objection. */
  reviewDays: 30,
  /** 复查 of a rectification, within this many days after its 整改时限. */
  recheckDays: 10,
  /** 提醒 this many days before a deadline. */
  remindBeforeDays: 3,
  /** Unclaimed reward notices expire after this many days. */
  rewardClaimDays: 60,
  /** The reporter may rate a conclusion (and change the rating) within this many days of receiving it. */
  ratingDays: 30,
  /** A follow-up (回访) after a low rating is answered within this many working days. */
  followupWorkingDays: 5,
} as const;
export type TimeLimits = { -readonly [K in keyof typeof DEFAULT_TIME_LIMITS]: number };
