/**
 * 进度查询 schemas: what the reporter sends (number + code, replies, the objection) and the one view they get
 * back. The view schema is strict and lists every field a reporter may see, so a field added to the service
 * by mistake fails the tests instead of reaching the public (tests parse every answer with it). The /track/
 * page takes its types from here.
 *
 * Plain `zod` from ./zod (not the OpenAPI-extended one), like schemas/tip.ts; OpenAPI names come from `.meta()`.
 */
import { z } from './zod';
import { LIMITS } from '../domain/limits';
import { PUBLIC_STATUSES, type PublicStatus } from '../domain/catalog';
import { AttachmentRef, isValidIdNumber, plain, RealNameReporter } from './tip';
import { RATING_LEVELS, type RatingLevel } from '../domain/workflow';

/** POST /api/track: the tracking number (any spelling a person types: dashes, spaces, lower case) and the code. */
export const TrackOpen = z
  .object({
    trackingNo: z
      .string({ error: '请填写举报编号' })
      .trim()
      .min(1, { error: '请填写举报编号' })
      .max(40, { error: '举报编号格式不正确' }),
    queryCode: z
      .string({ error: '请填写查询码' })
      .trim()
      .min(1, { error: '请填写查询码' })
      .max(40, { error: '查询码格式不正确' }),
  })
  .strict()
  .meta({ id: 'TrackOpen' });

/** POST /api/track/messages: the reporter's answer, with evidence uploaded first through POST /api/uploads. */
export const TrackMessage = z
  .object({
    body: plain('留言', 2, 2000),
    attachments: z
      .array(AttachmentRef)
      .max(LIMITS.attachments.maxFiles, { error: `一次最多补充 ${LIMITS.attachments.maxFiles} 个附件` })
      .default([]),
  })
  .strict()
  .meta({ id: 'TrackMessage' });
export type TrackMessage = z.infer<typeof TrackMessage>;

/** POST /api/track/rating: the reporter's verdict on the conclusion (好差评), with an optional reason. */
export const TrackRating = z
  .object({
    level: z.enum(RATING_LEVELS.map((r) => r.code) as [RatingLevel, ...RatingLevel[]], { error: '请选择评价' }),
    reason: plain('评价理由', 0, 1000).optional(),
  })
  .strict()
  .meta({ id: 'TrackRating' });

/** POST /api/track/objection: why the reporter disagrees with the conclusion. */
export const TrackObjection = z
  .object({ reason: plain('异议理由', 10, 2000) })
  .strict()
  .meta({ id: 'TrackObjection' });

/**
 * POST /api/track/identity: an anonymous reporter adds a real identity later (proved by the number + code that
 * opened the lookup), so a reward can go to an identifiable reporter claiming with a valid ID (docs/rules.md, "Claim
 * terms"). Name, mobile and the ID number are required; encrypted like any identity.
 */
export const TrackIdentity = z
  .object({
    name: RealNameReporter.shape.name,
    mobile: RealNameReporter.shape.mobile,
    idNumber: z
      .string({ error: '请填写身份证号码' })
      .trim()
      .min(1, { error: '请填写身份证号码', abort: true })
      .refine(isValidIdNumber, { error: '身份证号码不正确，请核对', params: { code: 'ID_INVALID' } })
      .transform((v) => v.toUpperCase()),
    email: RealNameReporter.shape.email,
  })
  .strict()
  .meta({ id: 'TrackIdentity' });
export type TrackIdentity = z.infer<typeof TrackIdentity>;

const Instant = z.string().meta({ description: 'ISO 8601 instant (UTC)', example: '2026-11-22T02:15:00.000Z' });
const Day = z.string().meta({ description: 'Calendar day in China (YYYY-MM-DD)', example: '2027-01-21' });

/** A reward notice (举报奖励), filled in once staff notify it (worker/services/rewards.ts `rewardNotice`). */
export const ReporterReward = z
  .object({
    /** notified: waiting to be claimed; paid; expired: not claimed in time. */
    status: z.enum(['notified', 'paid', 'expired']),
    amountFen: z.number().int(),
    /** Display form, e.g. "¥3,000". */
    amount: z.string(),
    /** Last moment to claim it. */
    claimDeadline: Instant,
    /** Where to claim it. */
    where: z.string(),
    /** What to bring (anonymous reporters prove authorship with number + code). */
    whatToBring: z.string(),
    paidAt: Instant.nullable(),
  })
  .strict();

/** The reporter's view of a tip: public facts only — no staff names, notes, identity or other reporters. */
export const ReporterView = z
  .object({
    /** 举报编号 as shown on the receipt (AQ-XXXXX-XXXXX). */
    trackingNo: z.string(),
    /** Public status code (pending, accepted, verifying, rectifying, concluded, rejected, merged). */
    status: z.enum(PUBLIC_STATUSES.map((s) => s.code) as [PublicStatus, ...PublicStatus[]]),
    /** 待受理 · 已受理 · 核查中 · 整改中 · 已办结 · 不予受理 · 已合并 */
    statusLabel: z.string(),
    submittedAt: Instant,
    /** 承办单位, once the tip is handed to a department. */
    handlingUnit: z.string().nullable(),
    /** The time limit that runs now: 受理期限, 办结期限 (incl. an approved extension), 整改时限, 整改复查期限 or 复查期限 (异议). */
    deadlines: z.array(
      z
        .object({ kind: z.enum(['accept', 'conclude', 'rectify', 'recheck', 'review']), label: z.string(), date: Day })
        .strict(),
    ),
    /** An approved extension (延期) and its reason; null when none was approved. */
    extension: z.object({ days: z.number().int(), reason: z.string() }).strict().nullable(),
    /** 核查结论 and 处理决定, from the day the conclusion is given (also while a rectification it ordered runs). */
    conclusion: z.object({ verdict: z.string(), decision: z.string(), concludedAt: Instant }).strict().nullable(),
    /** 不予受理 reason, from the fixed list. */
    rejectReason: z.string().nullable(),
    /** For a tip merged into another (已合并): the primary's number and where it stands. */
    merged: z.object({ primaryTrackingNo: z.string(), primaryStatus: z.string() }).strict().nullable(),
    /** Dated public events, with the conversation's messages as entries, oldest first. */
    timeline: z.array(z.object({ at: Instant, text: z.string() }).strict()),
    /** The conversation with staff, oldest first; `isNew` flags staff messages unread until this view. */
    messages: z.array(
      z
        .object({
          id: z.string(),
          at: Instant,
          from: z.enum(['staff', 'reporter']),
          body: z.string(),
          /** Evidence files sent with a reporter's message. */
          attachments: z.number().int(),
          isNew: z.boolean(),
        })
        .strict(),
    ),
    /** How many staff messages were new when this view was opened. */
    newMessages: z.number().int(),
    /**
     * Whether an objection (异议) can be made now, and the last day for it (counted from the day the conclusion
     * reached the reporter). `final`: the reporter already objected and the 复查 conclusion closes the matter.
     */
    objection: z.object({ open: z.boolean(), until: Day.nullable(), final: z.boolean() }).strict(),
    reward: ReporterReward.nullable(),
    /**
     * The claim terms as they apply to this tip: whether it is (still) anonymous, whether the rule set in force lets
     * an anonymous reporter claim on the receipt alone (`claimByCode`, off in the national default), and whether
     * a real identity can be added now (anonymous, not merged or rejected).
     */
    claim: z.object({ anonymous: z.boolean(), claimByCode: z.boolean(), canAddIdentity: z.boolean() }).strict(),
    /**
     * 评价: whether the conclusion can be rated (or the rating changed) now and until which day, the rating
     * given, and the follow-up (回访) a low rating opened: open until its due date, then 'stood' (conclusion
     * maintained, answer in the messages), 'reopened' (back to 复查) or 'objected' (the reporter's objection
     * took it to 复查).
     */
    rating: z
      .object({
        open: z.boolean(),
        until: Day.nullable(),
        level: z.enum(RATING_LEVELS.map((r) => r.code) as [RatingLevel, ...RatingLevel[]]).nullable(),
        levelLabel: z.string().nullable(),
        reason: z.string().nullable(),
        followup: z
          .object({
            state: z.enum(['open', 'stood', 'reopened', 'objected']),
            dueDate: Day,
            decidedAt: Instant.nullable(),
          })
          .strict()
          .nullable(),
      })
      .strict(),
    /** False for merged and rejected tips: replies go to a new report instead. */
    canMessage: z.boolean(),
  })
  .strict()
  .meta({ id: 'ReporterView' });
export type ReporterView = z.infer<typeof ReporterView>;

/** The answer to POST /api/track: the view and a token for the follow-up calls (`Authorization: Bearer …`). */
export const TrackOpened = z
  .object({
    token: z.string().meta({ description: 'Short-lived, bound to this tip; send as `Authorization: Bearer <token>`' }),
    expiresAt: Instant,
    view: ReporterView,
  })
  .strict()
  .meta({ id: 'TrackOpened' });
