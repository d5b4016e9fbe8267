/**
 * Creating a tip: the tip, its encrypted identity record, its attachments, its first timeline event, the
 * statistics aggregate, the idempotency record and the first audit entry are written in one D1 batch —
 * all or nothing.
 */
import type { Env } from '../env';
import { acceptDeadline, calendarSpan, type DayKinds } from '../domain/deadlines';
import { LIMITS } from '../domain/limits';
import { writeWithAudit } from '../lib/audit';
import { appSecret, hmacHex, seal, timingSafeEqual, unseal, type Sealed } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { rateLimitStatement, rateLimitVerdict, type Window } from '../lib/ratelimit';
import type { Receipt, TipSubmission } from '../schemas/tip';
import { calendarAround, chinaDate } from './calendar';
import { formatQueryCode, formatTrackingNo, hashQueryCode, newPublicId, newQueryCode, newTrackingNo } from './codes';
import { assertClaims, assertDistinctFiles, type ClaimedFileRow } from './file-claims';
import { parseTimeLimits } from './settings';

export interface CreateTipOptions {
  idempotencyKey?: string | null;
  /** `requestHash` of the submission; stored with the receipt (required with `idempotencyKey`). */
  bodyHash?: string | null;
  /** `idempotencyId` of the key, when the caller computed it already (saves an HMAC). */
  idempotencyId?: string | null;
  /**
   * Count this submission against a rate limit (`hit` in lib/ratelimit.ts) in the same round trip as the
   * reference reads; RATE_LIMITED (nothing else checked or written) once it is passed.
   */
  rateLimit?: { key: string; window: Window; now?: number };
  source?: string;
  now?: number;
  origin: string;
}

/** Statements that bump the public statistics aggregate for a tip moving into `publicStatus` (delta ±1). */
export function statsDelta(
  env: Env,
  t: { createdAt: number; type: string; domain: string; townId: string },
  publicStatus: string,
  delta: 1 | -1,
): D1PreparedStatement {
  return env.DB.prepare(
    `INSERT INTO stats_monthly (month, type, domain, town_id, public_status, count) VALUES (?,?,?,?,?,?)
     ON CONFLICT DO UPDATE SET count = count + excluded.count`,
  ).bind(chinaDate(t.createdAt).slice(0, 7), t.type, t.domain, t.townId, publicStatus, delta);
}

/** How long a stored receipt answers retries (the scheduled job deletes older ones). */
export const IDEMPOTENCY_WINDOW_MS = 86_400_000;

/**
 * An `Idempotency-Key` must carry at least 122 random bits: a version-4 UUID (as `crypto.randomUUID()` makes).
 * A stored receipt holds the query code, so a key that can be guessed or counted would hand it out.
 */
export const IDEMPOTENCY_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Refuse an `Idempotency-Key` that is not a version-4 UUID (IDEMPOTENCY_KEY_INVALID); no key is fine. */
export function checkIdempotencyKey(key: string | null | undefined): string | null {
  if (key == null) return null;
  if (!IDEMPOTENCY_KEY.test(key)) throw new ApiError('IDEMPOTENCY_KEY_INVALID');
  return key.toLowerCase();
}

/** The stored form of an idempotency key (an HMAC: the key alone must not find a receipt in a database dump). */
export async function idempotencyId(env: Env, key: string): Promise<string> {
  return hmacHex(appSecret(env), 'idempotency', key);
}

/** JSON with object keys sorted at every level, so equal values always give the same text. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * The hash a retry must match to get the stored receipt: an HMAC (the body holds personal data) of the
 * request's canonical JSON, leaving out what may rightly differ between a request and its retry (`omit`,
 * e.g. the single-use Turnstile token).
 */
export async function requestHash(env: Env, body: Record<string, unknown>, omit: string[] = []): Promise<string> {
  const kept = Object.fromEntries(Object.entries(body).filter(([k]) => !omit.includes(k)));
  return hmacHex(appSecret(env), 'idempotency-body', canonicalJson(kept));
}

/** The stored receipt of an idempotency key within the window (the row `receiptFrom` reads). */
function receiptStatement(env: Env, id: string, now: number): D1PreparedStatement {
  return env.DB.prepare(
    'SELECT receipt_iv, receipt_ciphertext, receipt_key_id, body_hash FROM idempotency_keys WHERE key = ? AND created_at > ?',
  ).bind(id, now - IDEMPOTENCY_WINDOW_MS);
}

interface ReceiptRow {
  receipt_iv: string;
  receipt_ciphertext: string;
  receipt_key_id: string;
  body_hash: string | null;
}

/** The receipt in a `receiptStatement` row, for a request with the first one's body hash only. */
async function receiptFrom(env: Env, row: ReceiptRow | null | undefined, key: string, bodyHash: string) {
  if (!row) return null;
  if (!row.body_hash || !timingSafeEqual(row.body_hash, bodyHash)) throw new ApiError('IDEMPOTENCY_KEY_REUSED');
  const sealed: Sealed = { keyId: row.receipt_key_id, iv: row.receipt_iv, ciphertext: row.receipt_ciphertext };
  return unseal<Receipt>(env, sealed, `receipt:${key}`);
}

/**
 * The receipt stored for an idempotency key within the window, if the key was used: only for a request with
 * the same body hash as the first (else IDEMPOTENCY_KEY_REUSED — whoever holds only the key gets nothing).
 */
export async function findReceipt(
  env: Env,
  key: string,
  bodyHash: string,
  now = Date.now(),
  id?: string,
): Promise<Receipt | null> {
  const row = await receiptStatement(env, id ?? (await idempotencyId(env, key)), now).first<ReceiptRow>();
  return receiptFrom(env, row, key, bodyHash);
}

/** The 受理 limit (working days) the calendar is read for in the same round trip as the other reads. */
const CALENDAR_GUESS = 30;

/**
 * What this isolate last read of the reference data a submission depends on: the stored time limits (as
 * stored) and the calendar of a span, as text the database can compare (`CALENDAR_TEXT`). A submission that
 * finds it current for its own span writes in ONE round trip: its write batch carries the checks the reads
 * would have made (`guardFor`), evaluated by the database inside the write's own transaction, so a deadline
 * is never computed from limits or a calendar an admin has changed since.
 */
interface Reference {
  timeLimits: string | null;
  span: { from: string; to: string };
  calendarText: string;
}
let reference: Reference | null = null;

/** The calendar of a span as one text, in SQL; `calendarText` gives the same text from its rows. */
const CALENDAR_TEXT = `coalesce((SELECT group_concat(d, ',') FROM
  (SELECT date || ':' || kind AS d FROM calendar_days WHERE date BETWEEN ? AND ? ORDER BY date)), '')`;
const calendarText = (rows: { date: string; kind: string }[]) =>
  [...rows]
    .sort((a, b) => (a.date < b.date ? -1 : 1))
    .map((r) => `${r.date}:${r.kind}`)
    .join(',');

interface Guard {
  sql: string;
  params: unknown[];
}

/**
 * The condition under which the one-round-trip write may stand: every check the reads make, written as SQL
 * over the same rows — the rate limit not passed (its hit is the batch's first statement), the 镇街 active, each
 * attachment this uploader's pending file within the total size, and the time limits and calendar exactly
 * those the deadline was computed from.
 */
function guardFor(
  ref: Reference,
  input: TipSubmission,
  claimHashes: string[],
  limit: CreateTipOptions['rateLimit'],
): Guard {
  const files = input.attachments ?? [];
  const parts = [
    'EXISTS (SELECT 1 FROM towns WHERE id = ? AND active = 1)',
    "(SELECT value FROM settings WHERE key = 'time_limits') IS ?",
    `${CALENDAR_TEXT} = ?`,
  ];
  const params: unknown[] = [input.townId, ref.timeLimits, ref.span.from, ref.span.to, ref.calendarText];
  if (limit) {
    parts.push('(SELECT count FROM rate_limits WHERE key = ?) <= ?');
    params.push(limit.key, limit.window.limit);
  }
  for (const [i, f] of files.entries()) {
    parts.push("EXISTS (SELECT 1 FROM attachments WHERE id = ? AND claim_hash = ? AND status = 'pending')");
    params.push(f.id, claimHashes[i]);
  }
  if (files.length) {
    parts.push(
      `(SELECT coalesce(sum(bytes), 0) FROM attachments WHERE id IN (${files.map(() => '?').join(',')})) <= ?`,
    );
    params.push(...files.map((f) => f.id), LIMITS.attachments.maxTotalBytes);
  }
  return { sql: parts.join(' AND '), params };
}

/** Thrown by the guarded write when its guard did not hold: nothing was written; read, check and write again. */
class StaleReference extends Error {}

/** A receipt, and whether it is the one stored for this Idempotency-Key by an earlier request (a retry). */
export interface Submitted {
  receipt: Receipt;
  replayed: boolean;
}

export async function createTip(env: Env, input: TipSubmission, opts: CreateTipOptions): Promise<Submitted> {
  const now = opts.now ?? Date.now();
  const files = input.attachments ?? [];
  const claimHashes = await Promise.all(files.map((f) => hmacHex(appSecret(env), 'upload-claim', f.claim)));
  const idemId = opts.idempotencyKey ? (opts.idempotencyId ?? (await idempotencyId(env, opts.idempotencyKey))) : null;
  const span = calendarSpan(now, CALENDAR_GUESS);

  // One round trip when this isolate's reference data is current (the usual case): the write, guarded.
  const ref = reference;
  if (
    ref &&
    ref.span.from === span.from &&
    ref.span.to === span.to &&
    new Set(files.map((f) => f.id)).size === files.length
  ) {
    const limits = parseTimeLimits(ref.timeLimits);
    if (limits.acceptWorkingDays <= CALENDAR_GUESS) {
      const days: DayKinds = new Map(
        ref.calendarText
          ? ref.calendarText.split(',').map((e) => e.split(':') as [string, 'holiday' | 'workday' | 'normal'])
          : [],
      );
      try {
        return await writeTip(env, input, opts, {
          now,
          acceptDue: acceptDeadline(now, limits, days),
          idemId,
          guard: guardFor(ref, input, claimHashes, opts.rateLimit),
        });
      } catch (e) {
        if (!(e instanceof StaleReference)) throw e;
        // Something the guard checks changed or was refused: the reads below say what, exactly as without it.
      }
    }
  }

  // One round trip for everything read before the write: a key's stored receipt, the rate-limit hit (when asked), the town, each
  // attachment, the time limits and the calendar. The calendar is read for a 受理 limit of up to
  // CALENDAR_GUESS working days (calendarSpan grows with n, so that span holds any shorter one); a deployment
  // set longer reads its calendar again below.
  const reads: D1PreparedStatement[] = [
    env.DB.prepare('SELECT id FROM towns WHERE id = ? AND active = 1').bind(input.townId),
    env.DB.prepare("SELECT value FROM settings WHERE key = 'time_limits'"),
    env.DB.prepare('SELECT date, kind FROM calendar_days WHERE date BETWEEN ? AND ?').bind(span.from, span.to),
    ...files.map((f) => env.DB.prepare('SELECT claim_hash, status, bytes FROM attachments WHERE id = ?').bind(f.id)),
  ];
  const limit = opts.rateLimit;
  if (limit) reads.unshift(rateLimitStatement(env, limit.key, limit.window, limit.now ?? now));
  // A retry reads the receipt its key holds, answered before any check: neither the limit, nor a file the first
  // request attached, nor a 镇街 closed since keeps a reporter from the receipt of a tip already filed.
  const key = opts.idempotencyKey;
  if (key) reads.unshift(receiptStatement(env, idemId!, now));
  const results = await env.DB.batch<Record<string, unknown>>(reads);
  if (key) {
    const prior = await receiptFrom(
      env,
      results.shift()?.results[0] as ReceiptRow | undefined,
      key,
      opts.bodyHash ?? '',
    );
    if (prior) return { receipt: prior, replayed: true };
  }
  if (limit) rateLimitVerdict(results.shift()?.results[0] as never, limit.window, limit.now ?? now);
  const [townRows, settingRows, calendarRows, ...fileRows] = results;

  // Reference data is checked against the database, where admins maintain it.
  if (!townRows?.results.length) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'townId', code: 'TOWN_UNKNOWN', message: '请从列表中选择镇（街道）' }],
    });
  }

  // Attachments must be this uploader's pending files (the claim secret proves it).
  assertDistinctFiles(files);
  await assertClaims(env, files, (i) => fileRows[i]?.results[0] as ClaimedFileRow | undefined);

  const timeLimits = (settingRows?.results[0] as { value: string } | undefined)?.value ?? null;
  const limits = parseTimeLimits(timeLimits);
  const calendar = (calendarRows?.results ?? []) as { date: string; kind: 'holiday' | 'workday' | 'normal' }[];
  reference = { timeLimits, span, calendarText: calendarText(calendar) };
  const days: DayKinds =
    limits.acceptWorkingDays <= CALENDAR_GUESS
      ? new Map(calendar.map((r) => [r.date, r.kind]))
      : await calendarAround(env, now, limits.acceptWorkingDays);
  return writeTip(env, input, opts, { now, acceptDue: acceptDeadline(now, limits, days), idemId });
}

/**
 * Write a checked submission in one batch (the tip, its first event, statistics, identity, attachments, the
 * idempotency record and the audit row). With `guard`, the rate-limit hit comes first and the tip row is
 * inserted only where the guard holds; every later row refers to the tip (D1 enforces foreign keys), so a
 * guard that fails rolls the whole batch back and `StaleReference` is thrown.
 */
async function writeTip(
  env: Env,
  input: TipSubmission,
  opts: CreateTipOptions,
  { now, acceptDue, idemId, guard }: { now: number; acceptDue: number; idemId: string | null; guard?: Guard },
): Promise<Submitted> {
  const files = input.attachments ?? [];
  const limit = opts.rateLimit;
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = crypto.randomUUID();
    const trackingNo = newTrackingNo();
    const publicId = newPublicId();
    const queryCode = newQueryCode();
    const queryCodeHash = await hashQueryCode(env, trackingNo, queryCode);
    const receipt: Receipt = {
      trackingNo: formatTrackingNo(trackingNo),
      queryCode: formatQueryCode(queryCode),
      createdAt: new Date(now).toISOString(),
      trackUrl: `${opts.origin}/track/?no=${encodeURIComponent(formatTrackingNo(trackingNo))}`,
    };
    const r = input.reporter;
    const identity = r.anonymous
      ? null
      : await seal(
          env,
          {
            name: r.name,
            mobile: r.mobile,
            idNumber: r.idNumber || null,
            email: r.email || null,
            ...(r.coSigners?.length ? { coSigners: r.coSigners } : {}),
          },
          `identity:${id}`,
        );
    const idem = opts.idempotencyKey
      ? {
          id: idemId!,
          sealed: await seal(env, receipt, `receipt:${opts.idempotencyKey}`),
          bodyHash: opts.bodyHash ?? null,
        }
      : null;

    const statements = () => {
      const s: D1PreparedStatement[] = [
        // The rate-limit hit first, so the guard sees this submission counted.
        ...(guard && limit ? [rateLimitStatement(env, limit.key, limit.window, limit.now ?? now)] : []),
        env.DB.prepare(
          `INSERT INTO tips (id, tracking_no, public_id, query_code_hash, type, domain, unit_name, address, town_id, lat, lng,
             seen_at, description, is_employee, anonymous, signatories, state, public_status, source, created_at, updated_at,
             due_at, due_kind, version)
           SELECT ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'submitted','pending',?,?,?,?,'accept',1 WHERE ${guard?.sql ?? '1'}`,
        ).bind(
          id,
          trackingNo,
          publicId,
          queryCodeHash,
          input.type,
          input.domain,
          input.unitName,
          input.address,
          input.townId,
          input.location?.lat ?? null,
          input.location?.lng ?? null,
          Date.parse(input.seenAt),
          input.description,
          input.isEmployee ? 1 : 0,
          r.anonymous ? 1 : 0,
          r.anonymous ? 1 : 1 + (r.coSigners?.length ?? 0),
          opts.source ?? 'web',
          now,
          now,
          acceptDue,
          ...(guard?.params ?? []),
        ),
        // Refers to the tip: if the guarded insert wrote nothing, this fails and the batch rolls back whole.
        env.DB.prepare(
          `INSERT INTO tip_events (id, tip_id, at, kind, public, public_text) VALUES (?, ?, ?, 'submitted', 1, '举报已提交，等待受理')`,
        ).bind(crypto.randomUUID(), id, now),
        statsDelta(env, { createdAt: now, type: input.type, domain: input.domain, townId: input.townId }, 'pending', 1),
      ];
      if (identity) {
        s.push(
          env.DB.prepare(
            'INSERT INTO tip_identities (tip_id, key_id, iv, ciphertext, email_opt_in, created_at) VALUES (?,?,?,?,?,?)',
          ).bind(id, identity.keyId, identity.iv, identity.ciphertext, !r.anonymous && r.emailOptIn ? 1 : 0, now),
        );
      }
      for (const f of files) {
        s.push(
          env.DB.prepare(
            "UPDATE attachments SET tip_id = ?, status = 'attached', origin = 'report' WHERE id = ? AND status = 'pending'",
          ).bind(id, f.id),
        );
      }
      if (idem) {
        s.push(
          // A receipt past the window no longer answers its key (the scheduled job may not have deleted it yet).
          env.DB.prepare('DELETE FROM idempotency_keys WHERE key = ? AND created_at <= ?').bind(
            idem.id,
            now - IDEMPOTENCY_WINDOW_MS,
          ),
          env.DB.prepare(
            'INSERT INTO idempotency_keys (key, tip_id, receipt_iv, receipt_ciphertext, receipt_key_id, body_hash, created_at) VALUES (?,?,?,?,?,?,?)',
          ).bind(idem.id, id, idem.sealed.iv, idem.sealed.ciphertext, idem.sealed.keyId, idem.bodyHash, now),
        );
      }
      return s;
    };

    try {
      await writeWithAudit(env, statements, [
        {
          actor: 'reporter',
          action: 'tip.submitted',
          tipId: id,
          at: now,
          detail: { source: opts.source ?? 'web', attachments: files.length, anonymous: r.anonymous },
        },
      ]);
      return { receipt, replayed: false };
    } catch (e) {
      const msg = String((e as Error).message ?? e);
      if (guard && /FOREIGN KEY constraint failed/.test(msg)) throw new StaleReference();
      if (idem && /idempotency_keys/.test(msg) && opts.idempotencyKey) {
        // The same submission arrived twice at once: answer with the receipt the first one stored (only if
        // the bodies match; a different body under the same key gets IDEMPOTENCY_KEY_REUSED).
        const again = await findReceipt(env, opts.idempotencyKey, opts.bodyHash ?? '', now, idemId ?? undefined);
        if (again) return { receipt: again, replayed: true };
      }
      if (/tips\.(tracking_no|public_id)|tips_(tracking_no|public_id)/.test(msg)) continue; // a one-in-2^50 collision: draw again
      // The batch rolled back as a whole: nothing was stored. Tell the reporter to retry (the form keeps the draft).
      console.error(JSON.stringify({ at: 'createTip', error: msg.slice(0, 300) }));
      throw new ApiError('UNAVAILABLE');
    }
  }
  throw new ApiError('UNAVAILABLE');
}
