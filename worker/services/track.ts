/**
 * The reporter's side after submitting (进度查询): opening a tip with its tracking number and query
 * code, the public view of it, two-way messages with evidence, and the objection (异议).
 *
 * Guessing must be useless, and must never keep the reporter out: an unknown number and a wrong code get the
 * same answer after the same work (the HMAC is always computed and compared in constant time); the right code
 * always opens the tip. Guessers are slowed and limited per client network (an IPv4 address, or an IPv6 /64),
 * never per number — a lock on a number would let anyone who knows it (numbers are on receipts, and could
 * leak) keep its reporter away from staff questions, reward notices and the objection window. Failures on a
 * number are counted per hour so staff still see a number under attack (one audit entry per number per hour,
 * no reporter data).
 * Follow-up actions use a short-lived token bound to the tip, so the query code never travels again.
 */
import type { Env } from '../env';
import { label, labelIn } from '../domain/catalog';
import { CONCLUSIONS, REJECT_REASONS } from '../domain/workflow';
import { LIMITS } from '../domain/limits';
import { audit, writeWithAudit } from '../lib/audit';
import { appSecret, hmacHex, seal, timingSafeEqual } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { hit } from '../lib/ratelimit';
import type { ReporterView, TrackIdentity } from '../schemas/track';
import { calendarSpan, objectionDeadline, ratingWindowEnd, type DayKinds } from '../domain/deadlines';
import { ratingSqlByTip, ratingState, type RatingRowOf } from './ratings';
import { HANDLING_STATES, REPORTER_OBJECTION, type TipState } from '../domain/workflow';
import { chinaDate } from './calendar';
import { formatTrackingNo, hashQueryCode, parsePublicId, parseQueryCode, parseTrackingNo } from './codes';

/** The answer to a public id typed into the lookup. */
export const PUBLIC_ID_MESSAGE =
  'GK- 开头的是公开编号，不能用于查询进度。请输入举报回执上以 AQ- 开头的举报编号和查询码。';
import { type RewardNoticeRow, rewardNotice, rewardNoticeSql } from './rewards';
import { assertClaims, assertDistinctFiles, type ClaimedFileRow, invalidFile } from './file-claims';
import { parseTimeLimits } from './settings';
import { objectToConclusion } from './transitions';

export const TRACK = {
  /**
   * Failed checks per client network (`networkOf`: an IPv4 address or an IPv6 /64) per 10 minutes; past it
   * that network waits for the window, right codes included (else the limit would still answer every guess).
   */
  clientLimit: { limit: 30, windowMs: 10 * 60_000 },
  /** Delay added to a failed check per earlier failure of the same client network (never of the number). */
  delayStepMs: 200,
  maxDelayMs: 2000,
  /** Failed checks on one number within `numberWindowMs` at which staff are alerted (once per number and window). */
  alertAfter: 5,
  numberWindowMs: 60 * 60_000,
  /** How long a reporter token stays valid. */
  tokenMs: 15 * 60_000,
  /** Replies per tip per hour (a valid code must not become a way to flood the staff queue). */
  messageLimit: { limit: 20, windowMs: 60 * 60_000 },
  /** Adding an identity: a few tries an hour (a typo, a second device), not a stream of refused attempts. */
  identityLimit: { limit: 5, windowMs: 60 * 60_000 },
};

const DUMMY_HASH = '0'.repeat(64);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stored form of a tracking number as typed, or a bounded stand-in for input that is not one. */
const numberOf = (raw: string) => parseTrackingNo(raw) ?? raw.slice(0, 40).toUpperCase();

/**
 * Check a tracking number and query code. Returns the tip, or throws TRACK_NOT_FOUND (same answer, same work
 * for an unknown number and a wrong code) or RATE_LIMITED (this client network, with Retry-After). `client` is
 * the caller's network key (`clientNetworkKey`). `opts.wait` replaces the delay (tests record it instead).
 */
export async function checkCode(
  env: Env,
  client: string,
  rawNo: string,
  rawCode: string,
  opts: {
    now?: number;
    wait?: (ms: number) => Promise<unknown>;
    /**
     * Statements read in the same round trip as the check, for the tip the number and code open (`tip`: an SQL
     * expression with its parameters that yields that tip's id, or NULL for an unknown number or a wrong
     * code — the same work either way). Their results come back as `also` when the check passes.
     */
    alsoRead?: (tip: TipRef) => D1PreparedStatement[];
  } = {},
): Promise<{ id: string; trackingNo: string; also?: D1Result<Record<string, unknown>>[] }> {
  const now = opts.now ?? Date.now();
  const no = numberOf(rawNo);
  const code = parseQueryCode(rawCode) ?? '';
  const clientKey = `track-client:${client}`;
  const numberKey = `track-no:${await hmacHex(appSecret(env), 'track-no', no)}`;
  const computed = await hashQueryCode(env, no, code);
  // One round trip, reads only: the client's failures in its window and the number's tip (and what the caller
  // reads of the tip the code opens). Only failed checks are counted (guessing is failing); a reporter opening
  // their own tip writes nothing.
  // A client past its limit gets no answer for a right code either, so its reads find no tip (as for a wrong code).
  const also = opts.alsoRead?.({
    sql: `(SELECT id FROM tips WHERE tracking_no = ? AND query_code_hash = ?
            AND NOT EXISTS (SELECT 1 FROM rate_limits WHERE key = ? AND window_start > ? AND count >= ?))`,
    params: [no, computed, clientKey, now - TRACK.clientLimit.windowMs, TRACK.clientLimit.limit],
  });
  const [clientRows, tipRows, ...alsoRows] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare('SELECT count, window_start FROM rate_limits WHERE key = ?').bind(clientKey),
    // The same work whether or not the number exists: one lookup, one HMAC, one constant-time comparison.
    env.DB.prepare('SELECT id, query_code_hash FROM tips WHERE tracking_no = ?').bind(no),
    ...(also ?? []),
  ]);
  const c = clientRows?.results[0] as { count: number; window_start: number } | undefined;
  if (c && c.window_start > now - TRACK.clientLimit.windowMs && c.count >= TRACK.clientLimit.limit) {
    const retryAfter = Math.max(1, Math.ceil((c.window_start + TRACK.clientLimit.windowMs - now) / 1000));
    throw new ApiError('RATE_LIMITED', {
      message: `查询过于频繁，请 ${Math.ceil(retryAfter / 60)} 分钟后再试。`,
      retryAfter,
    });
  }
  const tip = tipRows?.results[0] as { id: string; query_code_hash: string } | undefined;
  const ok = timingSafeEqual(computed, tip?.query_code_hash ?? DUMMY_HASH) && !!tip && code !== '';
  // The right code opens the tip, whatever strangers typed before.
  if (ok) return { id: tip!.id, trackingNo: no, ...(also ? { also: alsoRows } : {}) };

  // A failure: count it on the client network and on the number, each in its own window, in one batch.
  const windowed = (key: string, windowMs: number) =>
    env.DB.prepare(
      `INSERT INTO rate_limits (key, window_start, count, failures) VALUES (?1, ?2, 1, 1)
       ON CONFLICT(key) DO UPDATE SET
         failures = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE failures + 1 END,
         count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
         window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END,
         locked_until = NULL
       RETURNING count`,
    ).bind(key, now, windowMs);
  const [clientRow, numberRow] = await env.DB.batch<{ count: number }>([
    windowed(clientKey, TRACK.clientLimit.windowMs),
    windowed(numberKey, TRACK.numberWindowMs),
  ]);
  // Staff see a number under attack: exactly one entry when its failures in the window reach the threshold
  // (the counter's RETURNING makes that one request, however many arrive at once). It names the tip if it
  // exists, and nothing else (no number, no client, nothing the guesser typed).
  if (numberRow?.results[0]?.count === TRACK.alertAfter) {
    await audit(env, {
      actor: 'public',
      action: 'track.guessing',
      tipId: tip?.id ?? null,
      at: now,
      detail: { failures: TRACK.alertAfter, windowMinutes: TRACK.numberWindowMs / 60_000 },
    });
  }
  // A growing delay makes each further guess from the same network slower.
  const clientFailures = clientRow?.results[0]?.count ?? 1;
  await (opts.wait ?? sleep)(Math.min(TRACK.delayStepMs * clientFailures, TRACK.maxDelayMs));
  // A public id (listed by Open311 and open data) never opens a tip: it is not the tracking number, and no
  // query code is bound to it. Say so when one is typed (the hint depends on the input's form only).
  if (parsePublicId(rawNo)) throw new ApiError('TRACK_NOT_FOUND', { message: PUBLIC_ID_MESSAGE });
  throw new ApiError('TRACK_NOT_FOUND', { message: '举报编号或查询码不正确，请核对后重试。' });
}

/**
 * A reporter token: `<trackingNo>.<expiry>.<hmac(tipId.expiry)>` — carries only the public number, is bound to
 * the tip's internal id by the signature, and is valid for TRACK.tokenMs.
 */
export async function issueToken(
  env: Env,
  tip: { id: string; trackingNo: string },
  now = Date.now(),
): Promise<{ token: string; expiresAt: string }> {
  const exp = now + TRACK.tokenMs;
  const sig = await hmacHex(appSecret(env), 'reporter-token', `${tip.id}.${exp}`);
  return { token: `${tip.trackingNo}.${exp}.${sig}`, expiresAt: new Date(exp).toISOString() };
}

/** The tip id a token is for, or TOKEN_INVALID (missing, malformed, forged, for another tip, or expired). */
export async function tipFromToken(env: Env, header: string | undefined, now = Date.now()): Promise<string> {
  const token = header?.replace(/^Bearer\s+/i, '').trim() ?? '';
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 200 || !/^AQ[0-9A-Z]{10}$/.test(parts[0]!) || !/^\d{13}$/.test(parts[1]!)) {
    throw new ApiError('TOKEN_INVALID');
  }
  const [no, exp, sig] = parts as [string, string, string];
  const tip = await env.DB.prepare('SELECT id FROM tips WHERE tracking_no = ?').bind(no).first<{ id: string }>();
  const expected = await hmacHex(appSecret(env), 'reporter-token', `${tip?.id ?? ''}.${exp}`);
  if (!tip || !timingSafeEqual(sig, expected) || Number(exp) < now) throw new ApiError('TOKEN_INVALID');
  return tip.id;
}

const iso = (ms: number) => new Date(ms).toISOString();
// States in which the 核查 clock runs (the conclusion stops it, even when it orders 整改).

/** Which tip a view reads: an SQL expression that yields its id, with the expression's parameters. */
export interface TipRef {
  sql: string;
  params: unknown[];
}

/**
 * The statements of a reporter's view (`viewFrom` reads their results), for `tip`. One round trip: the tip, its
 * public events, the messages, the settings the view needs, the reward, the calendar rows around today (the
 * objection rule: its window is only open near today) and the rating of the conclusion that reached the
 * reporter last.
 */
export function viewStatements(env: Env, tip: TipRef, now = Date.now()): D1PreparedStatement[] {
  const span = calendarSpan(now, 30);
  return [
    env.DB.prepare(
      `SELECT t.id, t.tracking_no, t.public_status, t.state, t.created_at, t.due_at, t.conclude_due_at, t.anonymous, t.signatories,
              t.replied_at, t.rectify_due_at, t.recheck_due_at, t.objections,
              t.extension_state, t.extension_days, t.extension_reason, t.concluded_at, t.conclusion, t.decision, t.reject_reason,
              t.merged_into_id, d.name AS department, m.tracking_no AS primary_no, m.public_status AS primary_status
         FROM tips t LEFT JOIN departments d ON d.id = t.department_id LEFT JOIN tips m ON m.id = t.merged_into_id
        WHERE t.id = ${tip.sql}`,
    ).bind(...tip.params),
    env.DB.prepare(
      `SELECT at, public_text FROM tip_events WHERE tip_id = ${tip.sql} AND public = 1 ORDER BY at, rowid`,
    ).bind(...tip.params),
    env.DB.prepare(
      `SELECT m.id, m.at, m.author, m.body, m.read_by_reporter_at,
              (SELECT COUNT(*) FROM attachments a WHERE a.message_id = m.id AND a.status = 'attached') AS files
         FROM messages m WHERE m.tip_id = ${tip.sql} ORDER BY m.at, m.rowid`,
    ).bind(...tip.params),
    env.DB.prepare(
      `SELECT key, value FROM settings WHERE key IN ('time_limits', 'reward_claim_place')
       UNION ALL SELECT 'claim_by_code', (SELECT json_extract(rules, '$.claimByCode') FROM reward_rules
         WHERE effective_from <= ? ORDER BY effective_from DESC, version DESC LIMIT 1)`,
    ).bind(now),
    env.DB.prepare(rewardNoticeSql(tip.sql)).bind(...tip.params),
    env.DB.prepare('SELECT date, kind FROM calendar_days WHERE date BETWEEN ? AND ?').bind(span.from, span.to),
    env.DB.prepare(ratingSqlByTip(tip.sql)).bind(...tip.params, ...tip.params),
  ];
}

/**
 * The reporter's view of a tip: public facts only (the shape is `ReporterView` in schemas/track.ts). Marks
 * staff messages read, and reports which of them were new.
 */
export async function reporterView(env: Env, tipId: string, now = Date.now()): Promise<ReporterView> {
  const view = await viewFrom(env, await env.DB.batch(viewStatements(env, { sql: '?', params: [tipId] }, now)), now);
  if (!view) throw new ApiError('TOKEN_INVALID');
  return view;
}

/** The view from the results of `viewStatements` (null when they found no tip). */
export async function viewFrom(
  env: Env,
  results: D1Result<Record<string, unknown>>[],
  now = Date.now(),
): Promise<ReporterView | null> {
  const [tipRows, events, msgs, settingRows, rewardRows, calendarRows, ratingRows] = results;
  const days: DayKinds = new Map(
    ((calendarRows?.results ?? []) as { date: string; kind: 'holiday' | 'workday' | 'normal' }[]).map((r) => [
      r.date,
      r.kind,
    ]),
  );
  const t = tipRows?.results[0] as Record<string, string | number | null> | undefined;
  if (!t) return null;
  const tipId = t.id as string;
  const setting = (key: string) =>
    ((settingRows?.results ?? []) as { key: string; value: string }[]).find((r) => r.key === key)?.value;
  const limits = parseTimeLimits(setting('time_limits'));
  const rewardRow = rewardRows?.results[0] as RewardNoticeRow | undefined;
  const reward = rewardNotice(rewardRow, setting('reward_claim_place'), t.anonymous === 1, Number(t.signatories ?? 1));
  const eventRows = (events?.results ?? []) as { at: number; public_text: string | null }[];
  const msgRows = (msgs?.results ?? []) as {
    id: string;
    at: number;
    author: 'staff' | 'reporter';
    body: string;
    read_by_reporter_at: number | null;
    files: number;
  }[];
  const unread = msgRows.filter((m) => m.author === 'staff' && m.read_by_reporter_at == null);
  if (unread.length) {
    await env.DB.prepare(
      "UPDATE messages SET read_by_reporter_at = ? WHERE tip_id = ? AND author = 'staff' AND read_by_reporter_at IS NULL",
    )
      .bind(now, tipId)
      .run();
  }
  const state = t.state as string;
  // The one time limit running now. conclude_due_at already includes an approved extension.
  const deadlines: ReporterView['deadlines'] = [];
  if (state === 'submitted' && t.due_at)
    deadlines.push({ kind: 'accept', label: '受理期限', date: chinaDate(t.due_at as number) });
  if (HANDLING_STATES.includes(state as TipState) && t.conclude_due_at)
    deadlines.push({ kind: 'conclude', label: '办结期限', date: chinaDate(t.conclude_due_at as number) });
  if (state === 'rectifying' && t.rectify_due_at)
    deadlines.push({ kind: 'rectify', label: '整改时限', date: chinaDate(t.rectify_due_at as number) });
  if (state === 'rectified' && t.recheck_due_at)
    deadlines.push({ kind: 'recheck', label: '整改复查期限', date: chinaDate(t.recheck_due_at as number) });
  if (state === 'reviewing' && t.due_at)
    deadlines.push({ kind: 'review', label: '复查期限', date: chinaDate(t.due_at as number) });
  // The conclusion reached the reporter when it was given (also when it ordered 整改): the objection window
  // runs from then, one objection per tip.
  const concludedState = REPORTER_OBJECTION.from.includes(state as TipState);
  const repliedAt = (t.replied_at ?? t.concluded_at) as number | null;
  const objectionUntil = concludedState && repliedAt != null ? objectionDeadline(repliedAt, limits, days) : null;
  const objectionOpen = objectionUntil != null && now <= objectionUntil && Number(t.objections ?? 0) === 0;

  // The timeline tells the whole dated story: public events, and when each message was written.
  const timeline = [
    ...eventRows.filter((e) => e.public_text).map((e) => ({ at: e.at, text: e.public_text! })),
    ...msgRows.map((m) => ({
      at: m.at,
      text:
        m.author === 'staff' ? '工作人员给您留言' : `您回复了工作人员${m.files ? `并补充了 ${m.files} 个附件` : ''}`,
    })),
  ]
    .sort((a, b) => a.at - b.at) // stable: events stay before messages of the same instant
    .map((e) => ({ at: iso(e.at), text: e.text }));

  const ratedAt = (t.replied_at ?? t.concluded_at) as number | null;
  const rating = ratingState(
    { state, replied_at: t.replied_at as number | null, concluded_at: t.concluded_at as number | null },
    ratingRows?.results[0] as RatingRowOf | undefined,
    ratedAt != null ? ratingWindowEnd(ratedAt, limits, days) : null,
    now,
  );

  return {
    trackingNo: formatTrackingNo(t.tracking_no as string),
    status: t.public_status as ReporterView['status'],
    statusLabel: label.publicStatus(t.public_status as string),
    submittedAt: iso(t.created_at as number),
    handlingUnit: (t.department as string | null) ?? null,
    deadlines,
    extension:
      t.extension_state === 'approved'
        ? { days: t.extension_days as number, reason: (t.extension_reason as string) ?? '' }
        : null,
    conclusion:
      concludedState && t.conclusion
        ? {
            verdict: labelIn(CONCLUSIONS, t.conclusion as string),
            decision: (t.decision as string) ?? '',
            concludedAt: iso(t.concluded_at as number),
          }
        : null,
    rejectReason: t.reject_reason ? labelIn(REJECT_REASONS, t.reject_reason as string) : null,
    claim: {
      anonymous: t.anonymous === 1,
      // A reward already proposed follows its own rule set (as the notice and the pay desk do); before that, the
      // rule set in force today.
      claimByCode: rewardRow ? rewardRow.by_code === 1 : String(setting('claim_by_code')) === '1',
      canAddIdentity: t.anonymous === 1 && !t.merged_into_id && state !== 'rejected',
    },
    merged: t.merged_into_id
      ? {
          primaryTrackingNo: formatTrackingNo(t.primary_no as string),
          primaryStatus: label.publicStatus(t.primary_status as string),
        }
      : null,
    timeline,
    messages: msgRows.map((m) => ({
      id: m.id,
      at: iso(m.at),
      from: m.author,
      body: m.body,
      attachments: m.files,
      isNew: m.author === 'staff' && m.read_by_reporter_at == null,
    })),
    newMessages: unread.length,
    objection: {
      open: objectionOpen,
      until: objectionUntil ? chinaDate(objectionUntil) : null,
      final: Number(t.objections ?? 0) > 0,
    },
    reward,
    rating,
    canMessage: state !== 'merged' && state !== 'rejected',
  };
}

/**
 * The reporter answers, optionally with evidence: files uploaded through POST /api/uploads and claimed here
 * with their secret, under the submission's rules (per-file caps at upload; here the count and the total size).
 * Staff see the tip flagged in the queue (`reporter_message_pending`).
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
    throw new ApiError('INVALID_TRANSITION', {
      message: '该举报已合并或不予受理，不能再补充留言。如有新情况请重新举报，并在描述中写明原举报编号。',
    });
  }
  await hit(env, `track-msg:${tipId}`, TRACK.messageLimit, now).catch((e: unknown) => {
    if (e instanceof ApiError)
      throw new ApiError('RATE_LIMITED', { message: '留言过于频繁，请稍后再发。', retryAfter: e.retryAfter });
    throw e;
  });
  assertDistinctFiles(files);
  const existing = await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM attachments WHERE tip_id = ? AND status = 'attached'",
  )
    .bind(tipId)
    .first<{ n: number }>();
  if ((existing?.n ?? 0) + files.length > LIMITS.attachments.maxFiles * 2) {
    throw new ApiError('TOO_MANY_FILES', {
      message: `该举报的附件已达上限（共 ${LIMITS.attachments.maxFiles * 2} 个），请用文字说明。`,
    });
  }
  await assertClaims(env, files, (i) =>
    env.DB.prepare('SELECT claim_hash, status, bytes FROM attachments WHERE id = ?')
      .bind(files[i]!.id)
      .first<ClaimedFileRow>(),
  );
  const id = crypto.randomUUID();
  // Every claimed file must still be pending when the batch runs, or nothing is written: the message and the
  // flag are guarded by that, and the files by the message's existence (a concurrent claim loses cleanly).
  const ids = files.map((f) => f.id);
  const guard = {
    sql: ids.length
      ? `(SELECT COUNT(*) FROM attachments WHERE status = 'pending' AND id IN (${ids.map(() => '?').join(',')})) = ${ids.length}`
      : '1 = 1',
    params: ids,
  };
  const [inserted] = await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        `INSERT INTO messages (id, tip_id, at, author, body) SELECT ?, ?, ?, 'reporter', ? WHERE ${guard.sql}`,
      ).bind(id, tipId, now, body, ...ids),
      env.DB.prepare(
        `UPDATE tips SET reporter_message_pending = 1 WHERE id = ? AND EXISTS (SELECT 1 FROM messages WHERE id = ?)`,
      ).bind(tipId, id),
      ...ids.map((fileId) =>
        env.DB.prepare(
          "UPDATE attachments SET tip_id = ?, message_id = ?, status = 'attached', origin = 'evidence' WHERE id = ? AND status = 'pending' AND EXISTS (SELECT 1 FROM messages WHERE id = ?)",
        ).bind(tipId, id, fileId, id),
      ),
    ],
    [{ actor: 'reporter', action: 'tip.reporter_message', tipId, at: now, detail: { evidence: files.length } }],
    guard,
  );
  if (!inserted?.meta.changes) throw invalidFile(0);
  return id;
}

/**
 * An anonymous reporter adds a real identity later, from the lookup (the token proves the number + code). The
 * identity is sealed like one given at submission (AES-GCM, bound to the tip), the tip becomes real-name, a staff-
 * visible event and an audit row (never the identity) are written in the same batch. One identity per tip: a second
 * attempt answers 409 IDENTITY_EXISTS (docs/rules.md, "Claim terms").
 */
export async function addReporterIdentity(env: Env, tipId: string, input: TrackIdentity, now = Date.now()) {
  const tip = await env.DB.prepare('SELECT anonymous, merged_into_id, state FROM tips WHERE id = ?')
    .bind(tipId)
    .first<{ anonymous: number; merged_into_id: string | null; state: string }>();
  if (!tip) throw new ApiError('TOKEN_INVALID');
  await hit(env, `track-identity:${tipId}`, TRACK.identityLimit, now).catch((e: unknown) => {
    if (e instanceof ApiError)
      throw new ApiError('RATE_LIMITED', { message: '补充身份的尝试过于频繁，请稍后再试。', retryAfter: e.retryAfter });
    throw e;
  });
  const exists = await env.DB.prepare('SELECT 1 AS y FROM tip_identities WHERE tip_id = ?').bind(tipId).first();
  if (exists || tip.anonymous !== 1) throw new ApiError('IDENTITY_EXISTS');
  if (tip.merged_into_id || tip.state === 'rejected')
    throw new ApiError('INVALID_TRANSITION', { message: '已合并或不予受理的举报不能补充身份。' });
  const sealed = await seal(
    env,
    { name: input.name, mobile: input.mobile, idNumber: input.idNumber, email: input.email || null },
    `identity:${tipId}`,
  );
  const guard = { sql: 'NOT EXISTS (SELECT 1 FROM tip_identities WHERE tip_id = ?)', params: [tipId] };
  const [inserted] = await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        `INSERT INTO tip_identities (tip_id, key_id, iv, ciphertext, email_opt_in, created_at) SELECT ?, ?, ?, ?, 0, ? WHERE ${guard.sql}`,
      ).bind(tipId, sealed.keyId, sealed.iv, sealed.ciphertext, now, ...guard.params),
      env.DB.prepare(
        `UPDATE tips SET anonymous = 0, updated_at = ? WHERE id = ? AND anonymous = 1
           AND EXISTS (SELECT 1 FROM tip_identities WHERE tip_id = ? AND created_at = ?)`,
      ).bind(now, tipId, tipId, now),
      env.DB.prepare(
        `INSERT INTO tip_events (id, tip_id, at, kind, public, public_text) SELECT ?, ?, ?, 'identity_added', 1, ?
          WHERE EXISTS (SELECT 1 FROM tip_identities WHERE tip_id = ? AND created_at = ?)`,
      ).bind(crypto.randomUUID(), tipId, now, '您已补充真实身份（加密保存），可按规定申领举报奖励', tipId, now),
    ],
    [{ actor: 'reporter', action: 'track.identity_added', tipId, at: now, detail: {} }],
    guard,
  );
  if (!inserted?.meta.changes) throw new ApiError('IDENTITY_EXISTS');
}

/** The objection, with the reporter's reason; reopens the tip for 复查 (transitions.ts enforces the window). */
export async function reporterObjection(env: Env, tipId: string, reason: string, now = Date.now()) {
  return objectToConclusion(env, tipId, reason, now);
}
