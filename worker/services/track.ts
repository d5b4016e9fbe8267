/**
 * The reporter's side after submitting (进度查询, PRODUCT §2): opening a tip with its tracking number and query
 * code, the public view of it, two-way messages with evidence, and the objection (异议).
 *
 * Guessing must be useless: an unknown number and a wrong code get the same answer after the same work (the
 * HMAC is always computed and compared in constant time); failures per number and per client are counted with
 * a growing delay and a temporary lock; a lock on a number is written to the audit log (no reporter data).
 * Follow-up actions use a short-lived token bound to the tip, so the query code never travels again.
 */
import type { Env } from '../env';
import { label, labelIn } from '../domain/catalog';
import { CONCLUSIONS, REJECT_REASONS } from '../domain/workflow';
import { LIMITS } from '../domain/limits';
import { audit, writeWithAudit } from '../lib/audit';
import { appSecret, hmacHex, timingSafeEqual } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { addCalendarDays, chinaDate } from './calendar';
import { formatTrackingNo, hashQueryCode, parseQueryCode, parseTrackingNo } from './codes';
import { rewardNotice } from './rewards';
import { timeLimits } from './settings';
import { objectToConclusion } from './transitions';

export const TRACK = {
  /** Failed checks on one tracking number before it locks. */
  maxFailures: 5,
  /** First lock length; each further lock doubles it (capped at a day). */
  lockMs: 15 * 60_000,
  /** Checks per client address per 10 minutes, right or wrong. */
  clientLimit: { limit: 30, windowMs: 10 * 60_000 },
  /** How long a reporter token stays valid. */
  tokenMs: 15 * 60_000,
};

const DUMMY_HASH = '0'.repeat(64);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Counter {
  count: number;
  failures: number;
  locked_until: number | null;
  window_start: number;
}

async function counter(env: Env, key: string): Promise<Counter | null> {
  return env.DB.prepare('SELECT count, failures, locked_until, window_start FROM rate_limits WHERE key = ?').bind(key).first<Counter>();
}

function lockedError(until: number, now: number) {
  const mins = Math.max(1, Math.ceil((until - now) / 60_000));
  return new ApiError('LOCKED', {
    message: `查询失败次数过多，该举报编号已暂时锁定，请 ${mins} 分钟后再试。输入正确的编号和查询码即可正常查询。`,
    retryAfter: Math.ceil((until - now) / 1000),
  });
}

/**
 * Check a tracking number and query code. Returns the tip id, or throws TRACK_NOT_FOUND (same for an unknown
 * number and a wrong code), LOCKED or RATE_LIMITED.
 */
export async function checkCode(env: Env, client: string, rawNo: string, rawCode: string, now = Date.now()): Promise<string> {
  // Per client: every check counts, right or wrong.
  const clientKey = `track-client:${client}`;
  const c = await env.DB.prepare(
    `INSERT INTO rate_limits (key, window_start, count) VALUES (?1, ?2, 1)
     ON CONFLICT(key) DO UPDATE SET
       count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
       window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END
     RETURNING count, window_start`,
  )
    .bind(clientKey, now, TRACK.clientLimit.windowMs)
    .first<{ count: number; window_start: number }>();
  if (c && c.count > TRACK.clientLimit.limit) {
    throw new ApiError('RATE_LIMITED', {
      message: '查询过于频繁，请稍后再试。',
      retryAfter: Math.max(1, Math.ceil((c.window_start + TRACK.clientLimit.windowMs - now) / 1000)),
    });
  }

  const no = parseTrackingNo(rawNo) ?? rawNo.slice(0, 40).toUpperCase();
  const code = parseQueryCode(rawCode) ?? '';
  const numberKey = `track-no:${await hmacHex(appSecret(env), 'track-no', no)}`;
  const n = await counter(env, numberKey);
  if (n?.locked_until && n.locked_until > now) throw lockedError(n.locked_until, now);

  // The same work whether or not the number exists: one lookup, one HMAC, one constant-time comparison.
  const tip = await env.DB.prepare('SELECT id, query_code_hash FROM tips WHERE tracking_no = ?').bind(no).first<{ id: string; query_code_hash: string }>();
  const computed = await hashQueryCode(env, no, code);
  const ok = timingSafeEqual(computed, tip?.query_code_hash ?? DUMMY_HASH) && !!tip && code !== '';
  if (ok) {
    if (n?.failures) await env.DB.prepare('UPDATE rate_limits SET failures = 0 WHERE key = ?').bind(numberKey).run();
    return tip!.id;
  }

  // A failure: count it on the number; lock after maxFailures, each lock twice as long as the one before.
  const row = await env.DB.prepare(
    `INSERT INTO rate_limits (key, window_start, count, failures) VALUES (?1, ?2, 0, 1)
     ON CONFLICT(key) DO UPDATE SET failures = failures + 1
     RETURNING failures, count`,
  )
    .bind(numberKey, now)
    .first<{ failures: number; count: number }>();
  const failures = row?.failures ?? 1;
  if (failures >= TRACK.maxFailures) {
    const locks = (row?.count ?? 0) + 1; // `count` remembers how many times this number was locked
    const until = now + Math.min(TRACK.lockMs * 2 ** (locks - 1), 86_400_000);
    await env.DB.prepare('UPDATE rate_limits SET failures = 0, count = ?, locked_until = ? WHERE key = ?').bind(locks, until, numberKey).run();
    // Staff can see that a number is under attack; the entry names the tip only if it exists, nothing else.
    await audit(env, { actor: 'public', action: 'track.locked', tipId: tip?.id ?? null, at: now, detail: { locks, lockedUntil: until } });
    throw lockedError(until, now);
  }
  // A growing delay makes each further guess slower.
  await sleep(Math.min(200 * failures, 1000));
  throw new ApiError('TRACK_NOT_FOUND', {
    message: `举报编号或查询码不正确，请核对后重试（再错 ${TRACK.maxFailures - failures} 次将暂时锁定）。`,
  });
}

/** A reporter token: `<tipId>.<expiry>.<hmac>`, valid for one tip for TRACK.tokenMs. */
export async function issueToken(env: Env, tipId: string, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
  const exp = now + TRACK.tokenMs;
  const sig = await hmacHex(appSecret(env), 'reporter-token', `${tipId}.${exp}`);
  return { token: `${tipId}.${exp}.${sig}`, expiresAt: new Date(exp).toISOString() };
}

/** The tip id a token is for, or TOKEN_INVALID (malformed, forged or expired). */
export async function tipFromToken(env: Env, header: string | undefined, now = Date.now()): Promise<string> {
  const token = header?.replace(/^Bearer\s+/i, '').trim() ?? '';
  const [tipId, exp, sig] = token.split('.');
  if (!tipId || !exp || !sig || token.length > 200) throw new ApiError('TOKEN_INVALID');
  const expected = await hmacHex(appSecret(env), 'reporter-token', `${tipId}.${exp}`);
  if (!timingSafeEqual(sig, expected) || Number(exp) < now) throw new ApiError('TOKEN_INVALID');
  return tipId;
}

export interface ReporterView {
  trackingNo: string;
  status: string;
  statusLabel: string;
  submittedAt: string;
  handlingUnit: string | null;
  deadlines: { label: string; date: string; kind: string }[];
  extension: { days: number; reason: string } | null;
  conclusion: { verdict: string; decision: string; concludedAt: string } | null;
  rejectReason: string | null;
  merged: { primaryTrackingNo: string; primaryStatus: string } | null;
  timeline: { at: string; text: string }[];
  messages: { id: string; at: string; from: 'staff' | 'reporter'; body: string; isNew: boolean }[];
  newMessages: number;
  objection: { open: boolean; until: string | null };
  reward: Awaited<ReturnType<typeof rewardNotice>>;
  canMessage: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The reporter's view of a tip: public facts only. Marks staff messages read (and reports which were new). */
export async function reporterView(env: Env, tipId: string, now = Date.now()): Promise<ReporterView> {
  const t = await env.DB.prepare(
    `SELECT t.tracking_no, t.public_status, t.state, t.created_at, t.accepted_at, t.due_at, t.due_kind, t.conclude_due_at,
            t.extension_state, t.extension_days, t.extension_reason, t.concluded_at, t.conclusion, t.decision, t.reject_reason,
            t.merged_into_id, d.name AS department, m.tracking_no AS primary_no, m.public_status AS primary_status
       FROM tips t LEFT JOIN departments d ON d.id = t.department_id LEFT JOIN tips m ON m.id = t.merged_into_id
      WHERE t.id = ?`,
  )
    .bind(tipId)
    .first<Record<string, string | number | null>>();
  if (!t) throw new ApiError('TOKEN_INVALID');
  const [events, msgs] = await Promise.all([
    env.DB.prepare('SELECT at, public_text FROM tip_events WHERE tip_id = ? AND public = 1 ORDER BY at, rowid').bind(tipId).all<{ at: number; public_text: string }>(),
    env.DB.prepare('SELECT id, at, author, body, read_by_reporter_at FROM messages WHERE tip_id = ? ORDER BY at, rowid').bind(tipId).all<{
      id: string;
      at: number;
      author: 'staff' | 'reporter';
      body: string;
      read_by_reporter_at: number | null;
    }>(),
  ]);
  const unread = msgs.results.filter((m) => m.author === 'staff' && m.read_by_reporter_at == null);
  if (unread.length) {
    await env.DB.prepare("UPDATE messages SET read_by_reporter_at = ? WHERE tip_id = ? AND author = 'staff' AND read_by_reporter_at IS NULL").bind(now, tipId).run();
  }
  const limits = await timeLimits(env);
  const state = t.state as string;
  const deadlines: ReporterView['deadlines'] = [];
  if (state === 'submitted' && t.due_at) deadlines.push({ kind: 'accept', label: '受理期限', date: chinaDate(t.due_at as number) });
  if (['accepted', 'assigned', 'returned', 'rectifying', 'rectified'].includes(state) && t.conclude_due_at) {
    deadlines.push({ kind: 'conclude', label: '办结期限', date: chinaDate(t.conclude_due_at as number) });
  }
  if (state === 'reviewing' && t.due_at) deadlines.push({ kind: 'review', label: '复查期限', date: chinaDate(t.due_at as number) });
  const objectionUntil = t.concluded_at ? addCalendarDays(t.concluded_at as number, limits.objectionDays) : null;
  const objectionOpen = (state === 'concluded' || state === 'closed') && objectionUntil != null && now <= objectionUntil;
  const concluded = (state === 'concluded' || state === 'closed') && t.conclusion;
  return {
    trackingNo: formatTrackingNo(t.tracking_no as string),
    status: t.public_status as string,
    statusLabel: label.publicStatus(t.public_status as string),
    submittedAt: iso(t.created_at as number),
    handlingUnit: (t.department as string | null) ?? null,
    deadlines,
    extension: t.extension_state === 'approved' ? { days: t.extension_days as number, reason: (t.extension_reason as string) ?? '' } : null,
    conclusion: concluded
      ? { verdict: labelIn(CONCLUSIONS, t.conclusion as string), decision: (t.decision as string) ?? '', concludedAt: iso(t.concluded_at as number) }
      : null,
    rejectReason: t.reject_reason ? labelIn(REJECT_REASONS, t.reject_reason as string) : null,
    merged: t.merged_into_id
      ? { primaryTrackingNo: formatTrackingNo(t.primary_no as string), primaryStatus: label.publicStatus(t.primary_status as string) }
      : null,
    timeline: events.results.map((e) => ({ at: iso(e.at), text: e.public_text })),
    messages: msgs.results.map((m) => ({
      id: m.id,
      at: iso(m.at),
      from: m.author,
      body: m.body,
      isNew: m.author === 'staff' && m.read_by_reporter_at == null,
    })),
    newMessages: unread.length,
    objection: { open: objectionOpen, until: objectionUntil ? chinaDate(objectionUntil) : null },
    reward: await rewardNotice(env, tipId),
    canMessage: state !== 'merged' && state !== 'rejected',
  };
}

/**
 * The reporter answers (and may add evidence: files uploaded through /api/uploads, claimed with their secret).
 * Staff see a "new message" flag in the queue.
 */
export async function reporterMessage(
  env: Env,
  tipId: string,
  body: string,
  files: { id: string; claim: string }[],
  now = Date.now(),
): Promise<string> {
  const tip = await env.DB.prepare('SELECT state FROM tips WHERE id = ?').bind(tipId).first<{ state: string }>();
  if (!tip) throw new ApiError('TOKEN_INVALID');
  if (tip.state === 'merged' || tip.state === 'rejected') {
    throw new ApiError('INVALID_TRANSITION', { message: '该举报已合并或不予受理，不能再补充留言。如有新情况请重新举报并注明原举报编号。' });
  }
  const existing = await env.DB.prepare("SELECT COUNT(*) AS n FROM attachments WHERE tip_id = ? AND status = 'attached'").bind(tipId).first<{ n: number }>();
  if ((existing?.n ?? 0) + files.length > LIMITS.attachments.maxFiles * 2) {
    throw new ApiError('TOO_MANY_FILES', { message: '该举报的附件已达上限。' });
  }
  for (const [i, f] of files.entries()) {
    const row = await env.DB.prepare('SELECT claim_hash, status FROM attachments WHERE id = ?').bind(f.id).first<{ claim_hash: string; status: string }>();
    const claimHash = await hmacHex(appSecret(env), 'upload-claim', f.claim);
    if (!row || row.status !== 'pending' || !timingSafeEqual(row.claim_hash, claimHash)) {
      throw new ApiError('VALIDATION_FAILED', { fields: [{ path: `attachments.${i}`, code: 'ATTACHMENT_INVALID', message: '附件已失效，请重新上传' }] });
    }
  }
  const id = crypto.randomUUID();
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare("INSERT INTO messages (id, tip_id, at, author, body) VALUES (?, ?, ?, 'reporter', ?)").bind(id, tipId, now, body),
      env.DB.prepare('UPDATE tips SET reporter_message_pending = 1 WHERE id = ?').bind(tipId),
      ...files.map((f) =>
        env.DB.prepare("UPDATE attachments SET tip_id = ?, message_id = ?, status = 'attached', origin = 'evidence' WHERE id = ? AND status = 'pending'").bind(tipId, id, f.id),
      ),
    ],
    [{ actor: 'reporter', action: 'tip.reporter_message', tipId, at: now, detail: { evidence: files.length } }],
  );
  return id;
}

/** The objection, with the reporter's reason; reopens the tip for 复查. */
export async function reporterObjection(env: Env, tipId: string, reason: string, now = Date.now()) {
  return objectToConclusion(env, tipId, reason, now);
}
