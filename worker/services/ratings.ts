/**
 * The reporter's verdict (评价与回访). After a conclusion reaches the reporter (办结, also while a rectification
 * it ordered runs), the lookup asks how the tip was handled on the five levels of 好差评; the rating is optional,
 * one per conclusion, and can be changed within `ratingDays` until a follow-up on it has been answered. A low
 * rating (不满意 / 非常不满意) opens a follow-up (回访) due in `followupWorkingDays` working days; a supervisor
 * ends it through the state machine (`followup_stand` / `followup_reopen` in worker/domain/workflow.ts). The
 * Cron reminds on follow-ups near or past their deadline. Ratings carry nothing that identifies the reporter.
 */
import type { Env } from '../env';
import { followupDeadline, ratingWindowEnd, reminderLevels, chinaDate, chinaDateText } from '../domain/deadlines';
import {
  LOW_RATINGS,
  RATEABLE_STATES,
  RATING_LEVELS,
  labelOfRating,
  type RatingLevel,
  type TipState,
} from '../domain/workflow';
import { writeWithAudit } from '../lib/audit';
import { ApiError } from '../lib/errors';
import { calendarAround } from './calendar';
import { timeLimits } from './settings';

export type RatingRowOf = RatingRow;
export interface RatingState {
  /** Whether a rating can be given or changed now, and until which day. */
  open: boolean;
  until: string | null;
  level: RatingLevel | null;
  levelLabel: string | null;
  reason: string | null;
  followup: { state: 'open' | 'stood' | 'reopened' | 'objected'; dueDate: string; decidedAt: string | null } | null;
}

interface TipForRating {
  state: string;
  replied_at: number | null;
  concluded_at: number | null;
}

interface RatingRow {
  id: string;
  level: RatingLevel;
  reason: string | null;
  f_state: 'open' | 'stood' | 'reopened' | 'objected' | null;
  f_due: number | null;
  f_decided: number | null;
}

const RATING_SQL = `SELECT r.id, r.level, r.reason, f.state AS f_state, f.due_at AS f_due, f.decided_at AS f_decided
  FROM tip_ratings r LEFT JOIN tip_followups f ON f.rating_id = r.id WHERE r.tip_id = ? AND r.conclusion_at = ?`;

/** The conclusion a rating is about: the instant it reached the reporter. */
const conclusionAt = (t: TipForRating) => t.replied_at ?? t.concluded_at;

/** The rating part of the reporter's view (computed from rows read in the lookup's own batch when given). */
export function ratingState(
  tip: TipForRating,
  row: RatingRow | null | undefined,
  windowEnd: number | null,
  now: number,
): RatingState {
  const rateable = RATEABLE_STATES.includes(tip.state as TipState) && conclusionAt(tip) != null;
  const locked = row?.f_state != null && row.f_state !== 'open';
  return {
    open: rateable && windowEnd != null && now <= windowEnd && !locked,
    until: rateable && windowEnd != null ? chinaDate(windowEnd) : null,
    level: row?.level ?? null,
    levelLabel: row ? labelOfRating(row.level) : null,
    reason: row?.reason ?? null,
    followup: row?.f_state
      ? {
          state: row.f_state,
          dueDate: chinaDate(row.f_due!),
          decidedAt: row.f_decided ? new Date(row.f_decided).toISOString() : null,
        }
      : null,
  };
}

/** The lookup's query for the tip `tip` yields (an SQL expression, bound twice): the rating of the conclusion that reached the reporter last. */
export const ratingSqlByTip = (
  tip: string,
) => `SELECT r.id, r.level, r.reason, f.state AS f_state, f.due_at AS f_due, f.decided_at AS f_decided
  FROM tip_ratings r LEFT JOIN tip_followups f ON f.rating_id = r.id
 WHERE r.tip_id = ${tip} AND r.conclusion_at = (SELECT COALESCE(replied_at, concluded_at) FROM tips WHERE id = ${tip})`;

/**
 * The reporter rates the conclusion that reached them (or changes their rating). Opens a follow-up for a low
 * rating unless one exists for this conclusion. Throws RATING_CLOSED outside the window or after the follow-up
 * was answered.
 */
export async function rateConclusion(
  env: Env,
  tipId: string,
  level: RatingLevel,
  reason: string | null,
  now = Date.now(),
): Promise<RatingState> {
  const tip = await env.DB.prepare('SELECT state, replied_at, concluded_at FROM tips WHERE id = ?')
    .bind(tipId)
    .first<TipForRating>();
  if (!tip) throw new ApiError('TOKEN_INVALID');
  const at = conclusionAt(tip);
  if (!RATEABLE_STATES.includes(tip.state as TipState) || at == null) {
    throw new ApiError('RATING_CLOSED', { message: '举报办结（作出核查结论）后才能评价。' });
  }
  const limits = await timeLimits(env);
  const days = await calendarAround(env, now, limits.followupWorkingDays);
  const windowEnd = ratingWindowEnd(at, limits, days);
  if (now > windowEnd)
    throw new ApiError('RATING_CLOSED', { message: `评价期限已于 ${chinaDateText(windowEnd)} 结束。` });
  const existing = await env.DB.prepare(RATING_SQL).bind(tipId, at).first<RatingRow>();
  if (existing?.f_state && existing.f_state !== 'open') {
    throw new ApiError('RATING_CLOSED', {
      message: '工作人员已就您的评价作出回访答复，评价不再更改。如仍有异议，请在异议期内提出异议或重新举报。',
    });
  }
  const low = LOW_RATINGS.includes(level);
  const opensFollowup = low && !existing?.f_state;
  const due = followupDeadline(now, limits, days);
  const label = labelOfRating(level);
  const text = existing ? `您将评价改为：${label}` : `您对办理情况的评价：${label}`;
  const ratingId = existing?.id ?? crypto.randomUUID();
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        `INSERT INTO tip_ratings (id, tip_id, conclusion_at, level, reason, created_at, updated_at) VALUES (?,?,?,?,?,?,?)
         ON CONFLICT (tip_id, conclusion_at) DO UPDATE SET level = excluded.level, reason = excluded.reason, updated_at = excluded.updated_at`,
      ).bind(ratingId, tipId, at, level, reason, now, now),
      ...(opensFollowup
        ? [
            env.DB.prepare(
              `INSERT OR IGNORE INTO tip_followups (id, tip_id, rating_id, state, opened_at, due_at)
                 SELECT ?, ?, id, 'open', ?, ? FROM tip_ratings WHERE tip_id = ? AND conclusion_at = ?`,
            ).bind(crypto.randomUUID(), tipId, now, due, tipId, at),
          ]
        : []),
      env.DB.prepare(
        "INSERT INTO tip_events (id, tip_id, at, kind, public, public_text, data) VALUES (?, ?, ?, 'rated', 1, ?, ?)",
      ).bind(
        crypto.randomUUID(),
        tipId,
        now,
        opensFollowup ? `${text}。已转督办人员回访，答复期限 ${chinaDateText(due)}` : text,
        JSON.stringify({ level, reason }),
      ),
    ],
    [
      {
        actor: 'reporter',
        action: 'tip.rated',
        tipId,
        at: now,
        detail: { level, followup: opensFollowup ? due : null },
      },
    ],
  );
  const row = await env.DB.prepare(RATING_SQL).bind(tipId, at).first<RatingRow>();
  return ratingState(tip, row, windowEnd, now);
}

/** Scheduled: 提醒 / 催办 / 督办 for open follow-ups near or past their deadline (working days), once each. */
export async function remindFollowups(env: Env, now: number): Promise<number> {
  const limits = await timeLimits(env);
  const days = await calendarAround(env, now, limits.remindBeforeDays + 16);
  const horizon = now + (limits.remindBeforeDays + 16) * 86_400_000;
  const { results } = await env.DB.prepare(
    `SELECT f.tip_id, f.due_at, t.department_id FROM tip_followups f JOIN tips t ON t.id = f.tip_id
      WHERE f.state = 'open' AND f.due_at <= ? ORDER BY f.due_at LIMIT 500`,
  )
    .bind(horizon)
    .all<{ tip_id: string; due_at: number; department_id: string | null }>();
  const stmts = results.flatMap((f) =>
    reminderLevels(f.due_at, now, limits, days).map((level) =>
      env.DB.prepare(
        "INSERT OR IGNORE INTO reminders (id, tip_id, level, due_kind, due_at, department_id, created_at) VALUES (?, ?, ?, 'followup', ?, ?, ?)",
      ).bind(crypto.randomUUID(), f.tip_id, level, f.due_at, f.department_id, now),
    ),
  );
  if (!stmts.length) return 0;
  const res = await env.DB.batch(stmts);
  return res.reduce((n, r) => n + (r.meta.changes ?? 0), 0);
}

/** Staff view of a tip's ratings and follow-ups, newest conclusion first (never anything about the reporter). */
export async function ratingsOfTip(env: Env, tipId: string) {
  const { results } = await env.DB.prepare(
    `SELECT r.conclusion_at, r.level, r.reason, r.created_at, r.updated_at, f.state AS f_state, f.opened_at, f.due_at, f.decided_at, f.answer,
            s.display_name AS decided_by_name
       FROM tip_ratings r LEFT JOIN tip_followups f ON f.rating_id = r.id LEFT JOIN staff s ON s.id = f.decided_by
      WHERE r.tip_id = ? ORDER BY r.conclusion_at DESC`,
  )
    .bind(tipId)
    .all<Record<string, unknown>>();
  return results.map((r) => ({
    conclusionAt: r.conclusion_at as number,
    level: r.level as RatingLevel,
    levelLabel: labelOfRating(r.level as string),
    reason: (r.reason as string | null) ?? null,
    ratedAt: r.updated_at as number,
    followup: r.f_state
      ? {
          state: r.f_state as string,
          openedAt: r.opened_at as number,
          dueAt: r.due_at as number,
          overdue: r.f_state === 'open' && (r.due_at as number) < Date.now(),
          decidedAt: (r.decided_at as number | null) ?? null,
          decidedBy: (r.decided_by_name as string | null) ?? null,
          answer: (r.answer as string | null) ?? null,
        }
      : null,
  }));
}

export { RATING_LEVELS };
