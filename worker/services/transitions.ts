/**
 * Moving a tip through the closed loop (闭环: 受理 → 交办 → 核查 → 整改 → 复查 → 销号). The only code that
 * changes a tip's state. Legality comes from the table in worker/domain/workflow.ts; this file decides what
 * each move records: columns, timeline events (public ones in words the reporter reads), the statistics
 * aggregate, deadlines and the audit row — all in one batch guarded by the tip's version, so a second person
 * saving the same tip gets CONFLICT instead of overwriting the first.
 */
import type { tips } from '../db/schema';
import type { Row } from '../db/rows';
import type { Env } from '../env';
import { label, labelIn } from '../domain/catalog';
import {
  assignmentDeadline,
  concludeDeadline,
  extendDeadline,
  extensionRule,
  objectionDeadline,
  recheckDeadline,
  rectifyDeadline,
  reviewDeadline,
  chinaDateText,
  type DayKinds,
} from '../domain/deadlines';
import {
  AUTO_CLOSE,
  CONCLUSIONS,
  DIFFERENT_PERSON_FOR_MAJOR,
  PUBLIC_STATUS_OF,
  REJECT_REASONS,
  REPORTER_OBJECTION,
  TRANSITIONS,
  allowedActions,
  type Action,
  type TipState,
} from '../domain/workflow';
import { can, canTakeAction, type Actor } from '../domain/access';
import { writeWithAudit, type AuditEntry } from '../lib/audit';
import type { TimeLimits } from '../domain/limits';
import { ApiError } from '../lib/errors';
import { fieldErrors } from '../lib/validation';
import { ACTION_INPUTS, HAZARD_LEVEL_OF, type ActionInput } from '../schemas/actions';
import { calendarAround, chinaDate } from './calendar';
import { formatTrackingNo, parseTrackingNo } from './codes';
import { timeLimits } from './settings';

/** The signed-in staff member, as the session provides it (access decisions: worker/domain/access.ts). */
export type StaffActor = Actor;

/** The tip columns the workflow reads (TIP_COLUMNS), typed from the schema. */
export type TipRow = Pick<
  Row<typeof tips>,
  | 'id'
  | 'tracking_no'
  | 'state'
  | 'public_status'
  | 'type'
  | 'domain'
  | 'town_id'
  | 'created_at'
  | 'department_id'
  | 'version'
  | 'due_at'
  | 'due_kind'
  | 'conclude_due_at'
  | 'assignment_due_at'
  | 'extension_state'
  | 'extension_days'
  | 'concluded_at'
  | 'merged_into_id'
  | 'hazard_level'
  | 'replied_at'
  | 'rectify_due_at'
  | 'recheck_due_at'
  | 'rectified_by'
  | 'objections'
> & {
  /** 1 when a follow-up (回访) after a low rating waits for an answer (computed in TIP_COLUMNS). */
  followup_open: number;
};

const TIP_COLUMNS =
  "id, tracking_no, state, public_status, type, domain, town_id, created_at, department_id, version, due_at, due_kind, conclude_due_at, assignment_due_at, extension_state, extension_days, concluded_at, merged_into_id, hazard_level, replied_at, rectify_due_at, recheck_due_at, rectified_by, objections, EXISTS (SELECT 1 FROM tip_followups f WHERE f.tip_id = tips.id AND f.state = 'open') AS followup_open";

export async function loadTip(env: Env, id: string): Promise<TipRow | null> {
  return env.DB.prepare(`SELECT ${TIP_COLUMNS} FROM tips WHERE id = ?`).bind(id).first<TipRow>();
}

/** Load a tip the actor may see: 404 when it does not exist, 403 when it belongs to another department. */
export async function tipForActor(env: Env, actor: StaffActor, id: string): Promise<TipRow> {
  const tip = await loadTip(env, id);
  if (!tip) throw new ApiError('NOT_FOUND');
  if (!can(actor, 'tips.read', tip)) throw new ApiError('FORBIDDEN', { message: '该举报不属于您所在单位，无权查看。' });
  return tip;
}

/** The actions this actor may take on this tip now (what the console shows as buttons). */
export function actionsFor(actor: StaffActor, tip: TipRow): Action[] {
  return allowedActions(tip.state, actor.roles, {
    extensionState: tip.extension_state,
    followupOpen: tip.followup_open === 1,
  }).filter((a) => canTakeAction(actor, a, tip) && !sameMajorRectifier(actor, tip, a));
}

/** A 重大事故隐患's 复查/销号 by the person who recorded its 整改完成 (refused). */
function sameMajorRectifier(actor: StaffActor, tip: TipRow, action: Action): boolean {
  return (
    DIFFERENT_PERSON_FOR_MAJOR.includes(action) &&
    tip.hazard_level === 'major' &&
    tip.rectified_by != null &&
    tip.rectified_by === actor.id
  );
}

interface Plan {
  set: Record<string, unknown>;
  events: { kind: string; publicText?: string; data?: Record<string, unknown> }[];
  detail: Record<string, unknown>;
  /** Further writes of the same move (follow-up rows, a message, an outbox entry), run only when the guard holds. */
  extra?: (guard: { sql: string; params: unknown[] }) => D1PreparedStatement[];
}

/** An outbox e-mail to the reporter, queued only if they opted in (the address is resolved when sending). */
function outboxIfOptedIn(
  env: Env,
  tip: TipRow,
  dedupeKey: string,
  subject: string,
  body: string,
  now: number,
  guard: { sql: string; params: unknown[] },
) {
  return env.DB.prepare(
    `INSERT OR IGNORE INTO outbox (id, dedupe_key, kind, tip_id, subject, body, created_at)
       SELECT ?, ?, 'email', tip_id, ?, ?, ? FROM tip_identities WHERE tip_id = ? AND email_opt_in = 1 AND ${guard.sql}`,
  ).bind(crypto.randomUUID(), dedupeKey, subject, body, now, tip.id, ...guard.params);
}

/** The ask to rate a conclusion, for real-name reporters who opted in to e-mail. */
function ratingAsk(env: Env, tip: TipRow, now: number) {
  const no = formatTrackingNo(tip.tracking_no);
  return (guard: { sql: string; params: unknown[] }) => [
    outboxIfOptedIn(
      env,
      tip,
      `rating-ask:${tip.id}:${now}`,
      `请评价举报 ${no} 的办理情况`,
      `您的举报 ${no} 已作出结论。请打开进度查询页面，输入举报编号和查询码查看结论，并对办理情况作出评价（非常满意、满意、基本满意、不满意、非常不满意）。评价自愿。为保护您的信息，邮件中不包含办理内容。`,
      now,
      guard,
    ),
  ];
}

/** A follow-up's end: the follow-up row, the answer as a staff message in the conversation, and an e-mail notice. */
function followupDecision(
  env: Env,
  actor: StaffActor,
  tip: TipRow,
  outcome: 'stood' | 'reopened',
  answer: string,
  now: number,
) {
  const msgId = crypto.randomUUID();
  return (guard: { sql: string; params: unknown[] }) => [
    env.DB.prepare(
      `UPDATE tip_followups SET state = ?, decided_at = ?, decided_by = ?, answer = ? WHERE tip_id = ? AND state = 'open' AND ${guard.sql}`,
    ).bind(outcome, now, actor.id, answer, tip.id, ...guard.params),
    env.DB.prepare(
      `INSERT INTO messages (id, tip_id, at, author, body, staff_id) SELECT ?, ?, ?, 'staff', ?, ? WHERE ${guard.sql}`,
    ).bind(msgId, tip.id, now, answer, actor.id, ...guard.params),
    outboxIfOptedIn(
      env,
      tip,
      `message:${msgId}`,
      `您的举报 ${formatTrackingNo(tip.tracking_no)} 有新的留言`,
      `工作人员就您对举报 ${formatTrackingNo(tip.tracking_no)} 的评价作了答复。请打开进度查询页面，输入举报编号和查询码查看。为保护您的信息，邮件中不包含留言内容。`,
      now,
      guard,
    ),
  ];
}

const publicLabel = label.publicStatus;
const dateText = (ms: number) => chinaDateText(ms);

async function departmentName(env: Env, id: string): Promise<string | null> {
  const row = await env.DB.prepare('SELECT name FROM departments WHERE id = ? AND active = 1')
    .bind(id)
    .first<{ name: string }>();
  return row?.name ?? null;
}

/**
 * The columns that (re)start the 整改 clock at a plan's 整改时限 `date` (not before today, else `path` is refused
 * with `message`): state 整改中, the 整改时限 as the running deadline, the 复查 deadline after it, and no
 * 整改完成 recorded. Used when a conclusion orders 整改 and when a failed 复查 sets a new 整改时限.
 */
function rectifyingClock(date: string, path: string, message: string, now: number, limits: TimeLimits, days: DayKinds) {
  const r = rectifyDeadline(date, now);
  if (!r.ok) throw field(path, r.code, message);
  return {
    state: 'rectifying',
    rectify_due_at: r.due,
    recheck_due_at: recheckDeadline(r.due, limits, days),
    rectified_at: null,
    rectified_by: null,
    due_at: r.due,
    due_kind: 'rectify',
  } as const;
}

/** Work out what an action records. Throws VALIDATION_FAILED / INVALID_TRANSITION for inputs that don't fit. */
async function plan(
  env: Env,
  actor: StaffActor,
  tip: TipRow,
  action: Action,
  input: unknown,
  now: number,
): Promise<Plan> {
  const limits = await timeLimits(env);
  const days: DayKinds = await calendarAround(env, now, limits.concludeDays);
  switch (action) {
    case 'accept': {
      const due = concludeDeadline(now, limits, days);
      return {
        set: { state: 'accepted', accepted_at: now, conclude_due_at: due, due_at: due, due_kind: 'conclude' },
        events: [{ kind: 'accepted', publicText: `已受理，将在 ${dateText(due)} 前核查办结` }],
        detail: { concludeDueAt: due },
      };
    }
    case 'reject': {
      const i = input as ActionInput<'reject'>;
      return {
        set: { state: 'rejected', reject_reason: i.reason, closed_at: now, due_at: null, due_kind: null },
        events: [
          {
            kind: 'rejected',
            publicText: `不予受理：${labelIn(REJECT_REASONS, i.reason)}`,
            data: { note: i.note ?? null },
          },
        ],
        detail: { reason: i.reason },
      };
    }
    case 'assign': {
      const i = input as ActionInput<'assign'>;
      const name = await departmentName(env, i.departmentId);
      if (!name) throw field('departmentId', 'DEPARTMENT_UNKNOWN', '请从列表中选择承办单位');
      const limit = tip.conclude_due_at ?? concludeDeadline(now, limits, days);
      const a = assignmentDeadline(i.dueDate, limit, now);
      if (!a.ok && a.code === 'DUE_IN_PAST') throw field('dueDate', a.code, '交办期限不能早于今天');
      if (!a.ok) throw field('dueDate', a.code, `交办期限不能晚于办结期限 ${dateText(limit)}`);
      const due = a.due;
      return {
        set: {
          state: 'assigned',
          department_id: i.departmentId,
          assigned_at: now,
          assignment_due_at: due,
          conclude_due_at: limit,
          due_at: due,
          due_kind: 'assignment',
        },
        events: [
          { kind: 'assigned', publicText: `已交办${name}核查处理`, data: { departmentId: i.departmentId, dueAt: due } },
          ...(i.instructions ? [{ kind: 'instructions', data: { text: i.instructions } }] : []),
        ],
        detail: { departmentId: i.departmentId, dueAt: due },
      };
    }
    case 'return': {
      const i = input as ActionInput<'return'>;
      return {
        set: {
          state: 'returned',
          department_id: null,
          assignment_due_at: null,
          due_at: tip.conclude_due_at,
          due_kind: 'conclude',
        },
        events: [{ kind: 'returned', data: { reason: i.reason, departmentId: tip.department_id } }],
        detail: { departmentId: tip.department_id },
      };
    }
    case 'conclude': {
      // The conclusion stops the 核查 clock and reaches the reporter at once (the lookup shows it): the
      // objection window runs from now. A 复查 conclusion keeps the date of the original 核查 conclusion.
      const i = input as ActionInput<'conclude'>;
      const fromReview = tip.state === 'reviewing';
      const common = {
        conclusion: i.conclusion,
        decision: i.decision,
        penalty_fen: i.penaltyFen ?? null,
        // A verified 重大/一般事故隐患 is its own 隐患等级 (the schema refuses a contradicting one).
        hazard_level: i.hazardLevel ?? HAZARD_LEVEL_OF[i.verifiedType ?? ''] ?? null,
        verified_type: i.verifiedType ?? null,
        accident_level: i.accidentLevel ?? null,
        concealed_deaths: i.concealedDeaths ?? null,
        risk_colour: i.riskColour ?? null,
        concluded_at: fromReview ? (tip.concluded_at ?? now) : now,
        replied_at: now,
      };
      const verdict = labelIn(CONCLUSIONS, i.conclusion);
      const what = fromReview ? '复查结论' : '核查结论';
      if (i.rectificationRequired) {
        const p = i.rectification!;
        const clock = rectifyingClock(p.deadline, 'rectification.deadline', '整改时限不能早于今天', now, limits, days);
        const { rectify_due_at: due, recheck_due_at: recheckDue } = clock;
        return {
          set: { ...common, ...clock, rectification: JSON.stringify(p) },
          events: [
            {
              kind: 'verified',
              publicText: `${what}：${verdict}，已责令限期整改，整改时限 ${dateText(due)}。处理决定：${i.decision}`,
              data: { rectification: p, rectifyDueAt: due, recheckDueAt: recheckDue },
            },
          ],
          detail: {
            conclusion: i.conclusion,
            verifiedType: i.verifiedType ?? null,
            hazardLevel: common.hazard_level,
            riskColour: i.riskColour ?? null,
            penaltyFen: i.penaltyFen ?? null,
            rectifyDueAt: due,
            recheckDueAt: recheckDue,
          },
          extra: ratingAsk(env, tip, now),
        };
      }
      if (fromReview) {
        // 应急〔2023〕106号: “通过复查确认无误的予以办结” — the 复查 conclusion closes the tip.
        return {
          set: { ...common, state: 'closed', closed_at: now, due_at: null, due_kind: null },
          events: [
            { kind: 'concluded', publicText: `复查已完成，予以办结。${what}：${verdict}。处理决定：${i.decision}` },
          ],
          detail: {
            conclusion: i.conclusion,
            verifiedType: i.verifiedType ?? null,
            penaltyFen: i.penaltyFen ?? null,
            review: true,
          },
          extra: ratingAsk(env, tip, now),
        };
      }
      return {
        set: { ...common, state: 'concluded', due_at: null, due_kind: null },
        events: [{ kind: 'concluded', publicText: `已办结。${what}：${verdict}。处理决定：${i.decision}` }],
        detail: { conclusion: i.conclusion, verifiedType: i.verifiedType ?? null, penaltyFen: i.penaltyFen ?? null },
        extra: ratingAsk(env, tip, now),
      };
    }
    case 'rectify': {
      // 整改完成: a separate step from recording the plan. 复查 is due by the plan's deadline + recheckDays
      // (or that many days after completion, when the work was finished late).
      const i = input as ActionInput<'rectify'>;
      const recheckDue = recheckDeadline(tip.rectify_due_at ?? now, limits, days, now);
      return {
        set: {
          state: 'rectified',
          rectified_at: now,
          rectified_by: actor.id,
          recheck_due_at: recheckDue,
          due_at: recheckDue,
          due_kind: 'recheck',
        },
        events: [
          {
            kind: 'rectified',
            publicText: '整改已完成，等待复查',
            data: { report: i.report, recheckDueAt: recheckDue },
          },
        ],
        detail: { recheckDueAt: recheckDue, late: tip.rectify_due_at != null && now > tip.rectify_due_at },
      };
    }
    case 'recheck': {
      const i = input as ActionInput<'recheck'>;
      if (!i.passed) {
        const clock = rectifyingClock(i.newDeadline!, 'newDeadline', '新的整改时限不能早于今天', now, limits, days);
        const due = clock.rectify_due_at;
        return {
          set: clock,
          events: [
            {
              kind: 'recheck_failed',
              publicText: `复查未通过，继续整改，整改时限 ${dateText(due)}`,
              data: { note: i.note, rectifiedBy: tip.rectified_by, rectifyDueAt: due },
            },
          ],
          detail: { passed: false, rectifyDueAt: due },
        };
      }
      return {
        set: { state: 'closed', concluded_at: tip.concluded_at ?? now, closed_at: now, due_at: null, due_kind: null },
        events: [
          {
            kind: 'closed',
            publicText: '复查合格，隐患已销号，举报办结',
            data: { note: i.note, rectifiedBy: tip.rectified_by },
          },
        ],
        detail: { passed: true },
      };
    }
    case 'merge': {
      const i = input as ActionInput<'merge'>;
      const no = parseTrackingNo(i.primaryTrackingNo);
      const primary = no
        ? await env.DB.prepare('SELECT id, tracking_no, state FROM tips WHERE tracking_no = ?')
            .bind(no)
            .first<{ id: string; tracking_no: string; state: string }>()
        : null;
      if (!primary) throw field('primaryTrackingNo', 'PRIMARY_UNKNOWN', '找不到该举报编号');
      if (primary.id === tip.id) throw field('primaryTrackingNo', 'SAME_TIP', '不能与自身合并');
      if (primary.state === 'merged' || primary.state === 'rejected') {
        throw field('primaryTrackingNo', 'PRIMARY_NOT_OPEN', '主举报已合并或不予受理，请选择其他举报');
      }
      return {
        set: { state: 'merged', merged_into_id: primary.id, closed_at: now, due_at: null, due_kind: null },
        events: [
          {
            kind: 'merged',
            publicText: `已与举报 ${formatTrackingNo(primary.tracking_no)} 合并办理`,
            data: { primaryId: primary.id },
          },
        ],
        detail: { primaryId: primary.id },
      };
    }
    case 'request_extension': {
      const i = input as ActionInput<'request_extension'>;
      const rule = extensionRule(tip.state, i.days, limits);
      if (!rule.ok && rule.code === 'EXTENSION_TOO_LONG') {
        throw field('days', 'EXTENSION_TOO_LONG', `延期不能超过 ${limits.maxExtensionDays} 天`);
      }
      if (!rule.ok) throw new ApiError('EXTENSION_NOT_IN_VERIFICATION');
      return {
        set: { extension_state: 'requested', extension_days: i.days, extension_reason: i.reason },
        events: [{ kind: 'extension_requested', data: { days: i.days, reason: i.reason } }],
        detail: { days: i.days },
      };
    }
    case 'decide_extension': {
      const i = input as ActionInput<'decide_extension'>;
      const rule = extensionRule(tip.state, null, limits);
      if (!rule.ok) throw new ApiError('EXTENSION_NOT_IN_VERIFICATION');
      if (!i.approve) {
        return {
          set: { extension_state: 'refused' },
          events: [{ kind: 'extension_refused', data: { note: i.note ?? null } }],
          detail: { approve: false },
        };
      }
      const extra = tip.extension_days ?? 0;
      const shift = (ms: number | null) => (ms == null ? null : extendDeadline(ms, extra));
      const concludeDue = shift(tip.conclude_due_at);
      const set: Record<string, unknown> = { extension_state: 'approved', conclude_due_at: concludeDue };
      if (tip.due_kind === 'conclude' || tip.due_kind === 'assignment') set.due_at = shift(tip.due_at);
      if (tip.assignment_due_at) set.assignment_due_at = shift(tip.assignment_due_at);
      const reason = (
        await env.DB.prepare('SELECT extension_reason FROM tips WHERE id = ?')
          .bind(tip.id)
          .first<{ extension_reason: string }>()
      )?.extension_reason;
      return {
        set,
        events: [
          {
            kind: 'extended',
            publicText: `办理期限延长 ${extra} 天（${reason ?? ''}），新的办结期限为 ${concludeDue ? dateText(concludeDue) : '—'}`,
            data: { note: i.note ?? null },
          },
        ],
        detail: { approve: true, days: extra },
      };
    }
    case 'followup_stand': {
      const i = input as ActionInput<'followup_stand'>;
      return {
        set: {},
        events: [
          {
            kind: 'followup_stood',
            publicText: '回访答复：经审查，维持原结论（理由见留言）',
            data: { text: i.answer },
          },
        ],
        detail: { outcome: 'stood' },
        extra: followupDecision(env, actor, tip, 'stood', i.answer, now),
      };
    }
    case 'followup_reopen': {
      // Back to 复查 through the same state as an objection, with the 复查 deadline of the rules; it does not use
      // up the reporter's one objection.
      const i = input as ActionInput<'followup_reopen'>;
      const due = reviewDeadline(now, limits, days);
      return {
        set: { state: 'reviewing', due_at: due, due_kind: 'review', closed_at: null },
        events: [
          {
            kind: 'followup_reopened',
            publicText: `回访答复：重新复查，复查期限 ${dateText(due)}`,
            data: { text: i.answer },
          },
        ],
        detail: { outcome: 'reopened', dueAt: due },
        extra: followupDecision(env, actor, tip, 'reopened', i.answer, now),
      };
    }
  }
}

function field(path: string, code: string, message: string) {
  return new ApiError('VALIDATION_FAILED', { fields: [{ path, code, message }] });
}

/**
 * Apply a planned change: tip columns, timeline events, statistics move and audit rows, all guarded by the
 * version the caller read. Returns the new version.
 */
async function apply(
  env: Env,
  tip: TipRow,
  p: Plan,
  audit: Omit<AuditEntry, 'tipId' | 'at'>,
  actorId: string | null,
  now: number,
): Promise<number> {
  const guard = { sql: 'EXISTS (SELECT 1 FROM tips WHERE id = ? AND version = ?)', params: [tip.id, tip.version] };
  const newState = (p.set.state as TipState | undefined) ?? tip.state;
  const newPublic = PUBLIC_STATUS_OF[newState];
  if (newPublic !== tip.public_status) p.set.public_status = newPublic;
  const cols = Object.keys(p.set);
  let results: D1Result[];
  try {
    results = await writeWithAudit(
      env,
      () => [
        ...p.events.map((e) =>
          env.DB.prepare(
            `INSERT INTO tip_events (id, tip_id, at, kind, public, public_text, data, staff_id) SELECT ?,?,?,?,?,?,?,? WHERE ${guard.sql}`,
          ).bind(
            crypto.randomUUID(),
            tip.id,
            now,
            e.kind,
            e.publicText ? 1 : 0,
            e.publicText ?? null,
            e.data ? JSON.stringify(e.data) : null,
            actorId,
            ...guard.params,
          ),
        ),
        ...(newPublic !== tip.public_status
          ? [guardedStats(env, tip, tip.public_status, -1, guard), guardedStats(env, tip, newPublic, 1, guard)]
          : []),
        ...(p.extra?.(guard) ?? []),
        env.DB.prepare(
          `UPDATE tips SET ${cols.map((c) => `${c} = ?, `).join('')}version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
        ).bind(...cols.map((c) => p.set[c]), now, tip.id, tip.version),
      ],
      [{ ...audit, tipId: tip.id, at: now }],
      guard,
    );
  } catch (e) {
    // The batch rolled back as a whole: nothing was written. Say so plainly; the person can retry.
    console.error(
      JSON.stringify({ at: 'transition', tipId: tip.id, error: String((e as Error)?.message ?? e).slice(0, 300) }),
    );
    throw new ApiError('UNAVAILABLE', { message: '保存失败，未做任何更改，请稍后重试。' });
  }
  if (!results.at(-1)?.meta.changes) throw new ApiError('CONFLICT');
  return tip.version + 1;
}

/** statsDelta, but only when the guard holds (so a conflicting save moves no counts). */
function guardedStats(
  env: Env,
  tip: TipRow,
  status: string,
  delta: 1 | -1,
  guard: { sql: string; params: unknown[] },
): D1PreparedStatement {
  // The same upsert as statsDelta (worker/services/tips.ts), as INSERT … SELECT … WHERE guard.
  return env.DB.prepare(
    `INSERT INTO stats_monthly (month, type, domain, town_id, public_status, count) SELECT ?,?,?,?,?,? WHERE ${guard.sql}
     ON CONFLICT DO UPDATE SET count = count + excluded.count`,
  ).bind(chinaDate(tip.created_at).slice(0, 7), tip.type, tip.domain, tip.town_id, status, delta, ...guard.params);
}

/**
 * A staff member takes `action` on a tip, having read it at `version`.
 * @example await transition(env, actor, tipId, 'accept', {}, 1)
 */
export async function transition(
  env: Env,
  actor: StaffActor,
  tipId: string,
  action: Action,
  rawInput: unknown,
  version: number,
  now = Date.now(),
): Promise<{ version: number; state: TipState }> {
  const rule = TRANSITIONS[action];
  if (!rule) throw new ApiError('NOT_FOUND');
  const parsed = ACTION_INPUTS[action].safeParse(rawInput ?? {});
  if (!parsed.success) throw new ApiError('VALIDATION_FAILED', { fields: fieldErrors(parsed.error) });
  const tip = await tipForActor(env, actor, tipId);
  if (!rule.roles.some((r) => actor.roles.includes(r))) throw new ApiError('FORBIDDEN');
  if (!canTakeAction(actor, action, tip)) throw new ApiError('FORBIDDEN', { message: '该举报不属于您所在单位。' });
  if (tip.version !== version) throw new ApiError('CONFLICT');
  if (action === 'request_extension' || action === 'decide_extension') {
    const ext = extensionRule(tip.state, null, await timeLimits(env));
    if (!ext.ok) throw new ApiError('EXTENSION_NOT_IN_VERIFICATION');
  }
  if (sameMajorRectifier(actor, tip, action)) throw new ApiError('DIFFERENT_PERSON_REQUIRED');
  if (!actionsFor(actor, tip).includes(action)) {
    throw new ApiError('INVALID_TRANSITION', {
      message: `当前状态（${publicLabel(tip.public_status)}）下不能${rule.label}。`,
    });
  }
  const p = await plan(env, actor, tip, action, parsed.data, now);
  const v = await apply(env, tip, p, { actor: actor.id, action: `tip.${action}`, detail: p.detail }, actor.id, now);
  return { version: v, state: (p.set.state as TipState | undefined) ?? tip.state };
}

/** The instant the objection window opened: the day the conclusion reached the reporter. */
const repliedAt = (tip: { replied_at: number | null; concluded_at: number | null }) =>
  tip.replied_at ?? tip.concluded_at;

/**
 * The reporter objects (异议) to a conclusion within the window, counted from the day the conclusion reached
 * them (also while a rectification it ordered is running): the tip reopens for 复查 with its own deadline.
 * One objection per tip: the 复查 conclusion is final (应急〔2023〕106号: “通过复查确认无误的予以办结”).
 * Called by the reporter's follow-up endpoint after the query code was checked.
 */
export async function objectToConclusion(
  env: Env,
  tipId: string,
  reason: string,
  now = Date.now(),
): Promise<{ dueAt: number }> {
  const tip = await loadTip(env, tipId);
  if (!tip) throw new ApiError('NOT_FOUND');
  const limits = await timeLimits(env);
  const days = await calendarAround(env, now, limits.reviewDays);
  const from = repliedAt(tip);
  if (tip.objections > 0) {
    throw new ApiError('INVALID_TRANSITION', {
      message:
        '该举报已按您的异议复查并作出复查结论，不能再次提出异议。如有新的事实或证据，请重新举报并注明原举报编号。',
    });
  }
  if (!REPORTER_OBJECTION.from.includes(tip.state) || from == null) {
    throw new ApiError('INVALID_TRANSITION', { message: '核查结论作出后才能提出异议。' });
  }
  const windowEnd = objectionDeadline(from, limits, days);
  if (now > windowEnd) {
    throw new ApiError('INVALID_TRANSITION', {
      message: `异议期已于 ${dateText(windowEnd)} 结束，如有新情况请重新举报并注明原举报编号。`,
    });
  }
  const due = reviewDeadline(now, limits, days);
  await apply(
    env,
    tip,
    {
      set: {
        state: REPORTER_OBJECTION.to,
        due_at: due,
        due_kind: 'review',
        closed_at: null,
        objections: tip.objections + 1,
      },
      events: [
        { kind: 'objection', publicText: `举报人提出异议，已进入复查，复查期限 ${dateText(due)}`, data: { reason } },
      ],
      detail: { dueAt: due },
      // An open follow-up (回访) ends here: the objection's 复查 answers the same dissatisfaction.
      extra: (guard) => [
        env.DB.prepare(
          `UPDATE tip_followups SET state = 'objected', decided_at = ? WHERE tip_id = ? AND state = 'open' AND ${guard.sql}`,
        ).bind(now, tip.id, ...guard.params),
      ],
    },
    { actor: 'reporter', action: 'tip.objection' },
    null,
    now,
  );
  return { dueAt: due };
}

/** Scheduled: concluded tips whose objection window has passed become 销号/closed. Idempotent. */
export async function closeAfterObjectionWindow(env: Env, now: number): Promise<number> {
  const limits = await timeLimits(env);
  const days = await calendarAround(env, now, limits.objectionDays);
  // A concluded tip's conclusion reached the reporter when it was given (replied_at = concluded_at), so the
  // index on concluded_at narrows the candidates; the rule decides.
  const cutoff = now - (limits.objectionDays + 1) * 86_400_000;
  const { results } = await env.DB.prepare(
    `SELECT ${TIP_COLUMNS} FROM tips WHERE state = 'concluded' AND concluded_at < ? LIMIT 200`,
  )
    .bind(cutoff)
    .all<TipRow>();
  let closed = 0;
  for (const tip of results) {
    if (!AUTO_CLOSE.from.includes(tip.state) || objectionDeadline(repliedAt(tip)!, limits, days) >= now) continue;
    try {
      await apply(
        env,
        tip,
        { set: { state: AUTO_CLOSE.to, closed_at: now }, events: [{ kind: 'closed_auto' }], detail: {} },
        { actor: 'system', action: 'tip.closed' },
        null,
        now,
      );
      closed++;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'CONFLICT')) throw e;
    }
  }
  return closed;
}
