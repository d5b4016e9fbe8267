/**
 * Deadline reminders (docs/rules.md, "Reminders"): 提醒 before a deadline, 催办 at it, 督办 after it (on working days, by the rule in
 * worker/domain/deadlines.ts), and 挂牌督办 for a 重大事故隐患 under rectification. Every running deadline has
 * its own reminders — 核查 (交办, 办结, 复查 after an objection) and 整改 (the 整改时限 of the plan, then the
 * 复查 of the rectification) — told apart by `due_kind`. Run by the Cron Trigger. Each reminder has a unique key
 * (tip, level, deadline kind, deadline), so a second run — or a retry after an interrupted one — inserts nothing new.
 */
import type { Env } from '../env';
import { codeList } from '../domain/catalog';
import { OPEN_STATES_SQL } from '../db/schema';
import { DAY, reminderLevels } from '../domain/deadlines';
import { calendarAround } from './calendar';
import { timeLimits } from './settings';
import { tipScope } from '../domain/access';
import { hazardCategorySql, LISTED_STATES } from './hazards';
import type { StaffActor } from './transitions';
import type { Reminder } from '../schemas/staff';

export const REMINDER_LEVELS = codeList({ remind: '提醒', urge: '催办', escalate: '督办', listed: '挂牌督办' });

/** Calendar days that can hold `n` working days, the longest holiday (春节, 国庆 with weekends) included. */
const horizonDays = (n: number) => n + 16;

/** The scheduled job. Returns how many reminders were newly created. */
export async function sendReminders(env: Env, now: number): Promise<number> {
  const limits = await timeLimits(env);
  const days = await calendarAround(env, now, horizonDays(limits.remindBeforeDays));
  const horizon = now + horizonDays(limits.remindBeforeDays) * DAY;
  let created = 0;
  let after: [number, string] = [0, ''];
  for (;;) {
    // Walks open tips by deadline (index tips_due), in pages, up to the reminder horizon.
    const { results } = await env.DB.prepare(
      `SELECT id, due_at, due_kind, department_id FROM tips
        WHERE due_at IS NOT NULL AND due_at <= ? AND (due_at > ? OR (due_at = ? AND id > ?))
          AND state IN ${OPEN_STATES_SQL}
        ORDER BY due_at, id LIMIT 200`,
    )
      .bind(horizon, after[0], after[0], after[1])
      .all<{ id: string; due_at: number; due_kind: string; department_id: string | null }>();
    if (!results.length) break;
    const stmts: D1PreparedStatement[] = [];
    for (const t of results) {
      for (const level of reminderLevels(t.due_at, now, limits, days)) {
        stmts.push(
          env.DB.prepare(
            'INSERT OR IGNORE INTO reminders (id, tip_id, level, due_kind, due_at, department_id, created_at) VALUES (?,?,?,?,?,?,?)',
          ).bind(crypto.randomUUID(), t.id, level, t.due_kind, t.due_at, t.department_id, now),
        );
      }
    }
    if (stmts.length) {
      const res = await env.DB.batch(stmts);
      created += res.reduce((n, r) => n + (r.meta.changes ?? 0), 0);
    }
    const last = results.at(-1)!;
    after = [last.due_at, last.id];
    if (results.length < 200) break;
  }
  // 挂牌督办 for major hazards (the verified category: worker/services/hazards.ts) is flagged as soon as the
  // rectification is ordered, once per 整改时限.
  const majors = await env.DB.prepare(
    `INSERT OR IGNORE INTO reminders (id, tip_id, level, due_kind, due_at, department_id, created_at)
       SELECT lower(hex(randomblob(16))), id, 'listed', 'major_hazard', COALESCE(rectify_due_at, 0), department_id, ?
         FROM tips WHERE ${hazardCategorySql('')} = 'major' AND rectify_due_at IS NOT NULL
          AND state IN (${LISTED_STATES.map((s) => `'${s}'`).join(', ')})`,
  )
    .bind(now)
    .run();
  return created + (majors.meta.changes ?? 0);
}

/**
 * Reminders a staff member should see: those of the tips they may read now — a 承办员's department is the tip's
 * current one, so a tip moved to another department takes its reminders along. Unread first.
 */
export async function remindersFor(env: Env, actor: StaffActor, limit = 100): Promise<Reminder[]> {
  const scope = tipScope(actor, 'reminders.read', 't.department_id');
  const { results } = await env.DB.prepare(
    `SELECT r.id, r.tip_id, r.level, r.due_kind, r.due_at, r.created_at, r.read_at, t.tracking_no, t.unit_name, t.state
       FROM reminders r JOIN tips t ON t.id = r.tip_id
      WHERE ${scope.sql}
      ORDER BY (r.read_at IS NOT NULL), r.created_at DESC LIMIT ?`,
  )
    .bind(...scope.params, limit)
    .all<Reminder>();
  return results;
}

/** Mark a reminder read, if it belongs to a tip the actor may mark reminders of. */
export async function markReminderRead(env: Env, actor: StaffActor, id: string, now = Date.now()): Promise<boolean> {
  const scope = tipScope(actor, 'reminders.mark_read', 't.department_id');
  const r = await env.DB.prepare(
    `UPDATE reminders SET read_at = ? WHERE id = ? AND read_at IS NULL
        AND EXISTS (SELECT 1 FROM tips t WHERE t.id = reminders.tip_id AND ${scope.sql})`,
  )
    .bind(now, id, ...scope.params)
    .run();
  return (r.meta.changes ?? 0) > 0;
}
