/**
 * Everything staff see and do on one tip besides state changes: the full record with its timeline, messages
 * and internal notes, suggested duplicates, files streamed from R2, notes, messages to the reporter, and the
 * identity reveal (only with a reason, only for permitted roles, always audited).
 */
import type { Env } from '../env';
import { can, tipScope } from '../domain/access';
import { writeWithAudit } from '../lib/audit';
import { hit } from '../lib/ratelimit';
import { unseal, type Sealed } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { overdueOf } from '../domain/deadlines';
import type { tips } from '../db/schema';
import type { Row } from '../db/rows';
import { formatTrackingNo } from './codes';
import { tipRef, tipSubject } from './queue';
import { actionsFor, tipForActor, type StaffActor } from './transitions';
import { ratingsOfTip } from './ratings';
import type { RevealedIdentity, TipDetail } from '../schemas/staff';
import type { RectificationPlan } from '../schemas/actions';
import type { z } from '../schemas/zod';

const DUPLICATE_WINDOW_MS = 30 * 86_400_000;
/** Identity reveals per person: a few an hour and a day are plenty for real work; a mass read is stopped early. */
export const REVEAL_LIMIT = { hour: { limit: 5, windowMs: 3_600_000 }, day: { limit: 20, windowMs: 86_400_000 } };

/** Whether the tip has a reward notified to the reporter (the one case a reward officer may reveal: to pay it). */
async function rewardNotified(env: Env, tipId: string): Promise<boolean> {
  const r = await env.DB.prepare("SELECT 1 AS y FROM rewards WHERE tip_id = ? AND status = 'notified' LIMIT 1")
    .bind(tipId)
    .first();
  return r != null;
}

export async function tipDetail(env: Env, actor: StaffActor, id: string, now = Date.now()): Promise<TipDetail> {
  const tip = await tipForActor(env, actor, id);
  const row = (await env.DB.prepare(
    `SELECT t.*, d.name AS department_name, tw.name AS town_name, m.tracking_no AS merged_into_no,
            (SELECT email_opt_in FROM tip_identities WHERE tip_id = t.id) AS email_opt_in
       FROM tips t LEFT JOIN departments d ON d.id = t.department_id LEFT JOIN towns tw ON tw.id = t.town_id
       LEFT JOIN tips m ON m.id = t.merged_into_id WHERE t.id = ?`,
  )
    .bind(id)
    .first<
      Row<typeof tips> & {
        department_name: string | null;
        town_name: string | null;
        merged_into_no: string | null;
        email_opt_in: number | null;
      }
    >())!;
  // Suggested duplicates and merged tips are lists of other tips: only those the actor may read themselves.
  const scope = tipScope(actor, 'tips.read');
  const [attachments, events, messages, duplicates, merged, ratings, notified] = await Promise.all([
    env.DB.prepare(
      "SELECT id, kind, mime, bytes, origin, created_at FROM attachments WHERE tip_id = ? AND status = 'attached' ORDER BY created_at",
    )
      .bind(id)
      .all(),
    env.DB.prepare(
      `SELECT e.id, e.at, e.kind, e.public, e.public_text, e.data, s.display_name AS staff_name
         FROM tip_events e LEFT JOIN staff s ON s.id = e.staff_id WHERE e.tip_id = ? ORDER BY e.at, e.id`,
    )
      .bind(id)
      .all(),
    env.DB.prepare(
      `SELECT m.id, m.at, m.author, m.body, m.read_by_reporter_at, m.read_by_staff_at, s.display_name AS staff_name
         FROM messages m LEFT JOIN staff s ON s.id = m.staff_id WHERE m.tip_id = ? ORDER BY m.at, m.id`,
    )
      .bind(id)
      .all(),
    env.DB.prepare(
      `SELECT id, tracking_no, unit_name, address, state, created_at FROM tips
        WHERE domain = ? AND created_at BETWEEN ? AND ? AND id != ? AND (unit_name = ? OR address = ?) AND ${scope.sql}
        ORDER BY created_at LIMIT 10`,
    )
      .bind(
        tip.domain,
        tip.created_at - DUPLICATE_WINDOW_MS,
        tip.created_at + DUPLICATE_WINDOW_MS,
        id,
        row.unit_name,
        row.address,
        ...scope.params,
      )
      .all<Pick<Row<typeof tips>, 'id' | 'tracking_no' | 'unit_name' | 'address' | 'state' | 'created_at'>>(),
    env.DB.prepare(
      `SELECT id, tracking_no, created_at FROM tips WHERE merged_into_id = ? AND ${scope.sql} ORDER BY created_at`,
    )
      .bind(id, ...scope.params)
      .all<Pick<Row<typeof tips>, 'id' | 'tracking_no' | 'created_at'>>(),
    ratingsOfTip(env, id),
    rewardNotified(env, id),
  ]);
  // Reading is not handling: only those who handle tips mark the reporter's new messages read (an auditor does not).
  if (row.reporter_message_pending && can(actor, 'tips.mark_read', tip)) {
    await env.DB.batch([
      env.DB.prepare(
        "UPDATE messages SET read_by_staff_at = ? WHERE tip_id = ? AND author = 'reporter' AND read_by_staff_at IS NULL",
      ).bind(now, id),
      env.DB.prepare('UPDATE tips SET reporter_message_pending = 0 WHERE id = ?').bind(id),
    ]);
  }
  const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : (v ?? null));
  return {
    ...tipRef(tip),
    version: tip.version,
    state: tip.state,
    publicStatus: tip.public_status,
    ...tipSubject(row),
    townName: (row.town_name as string | null) ?? null,
    location: row.lat != null ? { lat: row.lat as number, lng: row.lng as number } : null,
    seenAt: row.seen_at as number,
    description: row.description as string,
    isEmployee: row.is_employee === 1,
    anonymous: row.anonymous === 1,
    /** 联名举报: how many signed (names only in the identity record). */
    signatories: (row.signatories as number | null) ?? 1,
    emailOptIn: row.email_opt_in === 1,
    source: row.source as string,
    createdAt: row.created_at as number,
    departmentId: tip.department_id,
    departmentName: (row.department_name as string | null) ?? null,
    dueAt: tip.due_at,
    dueKind: tip.due_kind,
    overdue: tip.due_at != null && tip.due_at < now,
    /** 'accept' 受理超期, 'verify' 核查超期, 'rectify' 整改超期, or null. */
    overdueKind: overdueOf(tip.due_at, tip.due_kind, now),
    concludeDueAt: tip.conclude_due_at,
    /** The rectification's own clock: 整改时限 from the plan, the 复查 deadline, and who recorded 整改完成. */
    rectifyDueAt: tip.rectify_due_at,
    recheckDueAt: tip.recheck_due_at,
    rectifiedAt: (row.rectified_at as number | null) ?? null,
    rectifiedBy: tip.rectified_by,
    repliedAt: tip.replied_at,
    assignmentDueAt: tip.assignment_due_at,
    extension: tip.extension_state
      ? {
          state: tip.extension_state,
          days: tip.extension_days,
          reason: (row.extension_reason as string | null) ?? null,
        }
      : null,
    rejectReason: (row.reject_reason as string | null) ?? null,
    conclusion: (row.conclusion as string | null) ?? null,
    decision: (row.decision as string | null) ?? null,
    penaltyFen: (row.penalty_fen as number | null) ?? null,
    hazardLevel: (row.hazard_level as string | null) ?? null,
    /** 核查认定: what 核查 found, beside `type` (what the reporter chose); rewards follow this. */
    verifiedType: (row.verified_type as string | null) ?? null,
    accidentLevel: (row.accident_level as string | null) ?? null,
    concealedDeaths: (row.concealed_deaths as number | null) ?? null,
    riskColour: (row.risk_colour as string | null) ?? null,
    rectification: json(row.rectification) as z.infer<typeof RectificationPlan> | null,
    mergedInto: tip.merged_into_id
      ? { id: tip.merged_into_id, trackingNo: formatTrackingNo(row.merged_into_no as string) }
      : null,
    mergedTips: merged.results.map((m) => ({ ...tipRef(m), createdAt: m.created_at })),
    attachments: attachments.results.map((a) => ({
      id: a.id as string,
      kind: a.kind as string,
      mime: a.mime as string,
      bytes: a.bytes as number,
      origin: a.origin as string,
      url: `/api/staff/tips/${tip.id}/attachments/${a.id as string}`,
    })),
    events: events.results.map((e) => ({
      id: e.id as string,
      at: e.at as number,
      kind: e.kind as string,
      public: e.public === 1,
      publicText: (e.public_text as string | null) ?? null,
      data: json(e.data) as Record<string, unknown> | null,
      staffName: (e.staff_name as string | null) ?? null,
    })),
    messages: messages.results.map((m) => ({
      id: m.id as string,
      at: m.at as number,
      author: m.author as 'reporter' | 'staff',
      body: m.body as string,
      staffName: (m.staff_name as string | null) ?? null,
      readByReporterAt: (m.read_by_reporter_at as number | null) ?? null,
    })),
    duplicates: duplicates.results.map((d) => ({
      ...tipRef(d),
      unitName: d.unit_name,
      address: d.address,
      state: d.state,
      createdAt: d.created_at,
    })),
    /** The reporter's ratings (评价) per conclusion and the follow-ups (回访) they opened; no identity. */
    ratings,
    actions: actionsFor(actor, tip),
    canReveal:
      !(row.anonymous === 1) &&
      can(actor, 'identity.reveal', { department_id: tip.department_id, reward_notified: notified }),
  };
}

/** An internal note: staff only, never shown to the reporter. */
export async function addNote(env: Env, actor: StaffActor, id: string, body: string, now = Date.now()): Promise<void> {
  const tip = await tipForActor(env, actor, id);
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        "INSERT INTO tip_events (id, tip_id, at, kind, public, data, staff_id) VALUES (?, ?, ?, 'note', 0, ?, ?)",
      ).bind(crypto.randomUUID(), tip.id, now, JSON.stringify({ text: body }), actor.id),
    ],
    [{ actor: actor.id, action: 'tip.note', tipId: tip.id, at: now }],
  );
}

/**
 * A message to the reporter (a question, a request for evidence). If the reporter opted in to e-mail, an
 * outbox entry says there is news — without the message, and without the address (resolved when sending).
 */
export async function messageReporter(
  env: Env,
  actor: StaffActor,
  id: string,
  body: string,
  now = Date.now(),
): Promise<string> {
  const tip = await tipForActor(env, actor, id);
  if (tip.state === 'merged') throw new ApiError('INVALID_TRANSITION', { message: '已合并的举报请在主举报中留言。' });
  const msgId = crypto.randomUUID();
  const optIn = await env.DB.prepare('SELECT email_opt_in FROM tip_identities WHERE tip_id = ?')
    .bind(tip.id)
    .first<{ email_opt_in: number }>();
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        "INSERT INTO messages (id, tip_id, at, author, body, staff_id) VALUES (?, ?, ?, 'staff', ?, ?)",
      ).bind(msgId, tip.id, now, body, actor.id),
      ...(optIn?.email_opt_in
        ? [
            env.DB.prepare(
              "INSERT OR IGNORE INTO outbox (id, dedupe_key, kind, tip_id, subject, body, created_at) VALUES (?, ?, 'email', ?, ?, ?, ?)",
            ).bind(
              crypto.randomUUID(),
              `message:${msgId}`,
              tip.id,
              `您的举报 ${formatTrackingNo(tip.tracking_no)} 有新的留言`,
              `工作人员就您的举报 ${formatTrackingNo(tip.tracking_no)} 给您留言。请打开进度查询页面，输入举报编号和查询码查看并回复。为保护您的信息，邮件中不包含留言内容。`,
              now,
            ),
          ]
        : []),
    ],
    [{ actor: actor.id, action: 'tip.message_sent', tipId: tip.id, at: now, detail: { messageId: msgId } }],
  );
  return msgId;
}

/**
 * Decrypt a real-name reporter's identity for a permitted person (worker/domain/access.ts, `identity.reveal`: a
 * revealing role, signed in with TOTP, and for a reward officer only a tip whose reward is notified), at most
 * `REVEAL_LIMIT` times per person. The reason goes to the audit log, and an alert to admins and auditors, in the
 * same batch — before anything is decrypted.
 */
export async function revealIdentity(
  env: Env,
  actor: StaffActor,
  id: string,
  reason: string,
  now = Date.now(),
): Promise<RevealedIdentity> {
  if (!can(actor, 'identity.reveal')) throw new ApiError('FORBIDDEN', { message: '您的角色无权查看举报人身份。' });
  const tip = await tipForActor(env, actor, id);
  if (
    !can(actor, 'identity.reveal', {
      department_id: tip.department_id,
      reward_notified: await rewardNotified(env, tip.id),
    })
  ) {
    throw new ApiError('FORBIDDEN', { message: '奖励经办人员只能在奖励已通知举报人领取后查看其身份。' });
  }
  // Every revealing role signs in with TOTP; a session from before the account had a second factor does not count.
  const enrolled = await env.DB.prepare('SELECT totp_last_step FROM staff WHERE id = ?')
    .bind(actor.id)
    .first<{ totp_last_step: number | null }>();
  if (enrolled?.totp_last_step == null || actor.secondFactorDone !== true) {
    throw new ApiError('FORBIDDEN', { message: '查看举报人身份须先启用动态验证码并以其登录。请退出后重新登录。' });
  }
  await hit(env, `reveal-h:${actor.id}`, REVEAL_LIMIT.hour, now);
  await hit(env, `reveal-d:${actor.id}`, REVEAL_LIMIT.day, now);
  const row = await env.DB.prepare('SELECT key_id, iv, ciphertext FROM tip_identities WHERE tip_id = ?')
    .bind(tip.id)
    .first<{ key_id: string; iv: string; ciphertext: string }>();
  if (!row) throw new ApiError('NOT_FOUND', { message: '该举报为匿名举报，没有举报人身份信息。' });
  // Audit and alert first: if they cannot be written, nothing is shown.
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        "INSERT INTO staff_alerts (id, kind, tip_id, staff_id, at, detail) VALUES (?, 'identity_revealed', ?, ?, ?, ?)",
      ).bind(crypto.randomUUID(), tip.id, actor.id, now, JSON.stringify({ reason })),
    ],
    [{ actor: actor.id, action: 'identity.revealed', tipId: tip.id, at: now, detail: { reason } }],
  );
  const sealed: Sealed = { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext };
  return unseal<RevealedIdentity>(env, sealed, `identity:${tip.id}`);
}

/** An attachment's bytes, for staff who may see the tip. */
export async function attachmentFor(
  env: Env,
  actor: StaffActor,
  tipId: string,
  attId: string,
): Promise<{ body: ReadableStream; mime: string; bytes: number }> {
  const tip = await tipForActor(env, actor, tipId);
  const a = await env.DB.prepare(
    "SELECT r2_key, mime, bytes FROM attachments WHERE id = ? AND tip_id = ? AND status = 'attached'",
  )
    .bind(attId, tip.id)
    .first<{ r2_key: string; mime: string; bytes: number }>();
  if (!a) throw new ApiError('NOT_FOUND');
  const obj = await env.FILES.get(a.r2_key);
  if (!obj) throw new ApiError('NOT_FOUND');
  return { body: obj.body, mime: a.mime, bytes: a.bytes };
}
