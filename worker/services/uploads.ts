/**
 * Storing an upload (POST /api/uploads, worker/routes/public/uploads.ts): the client network's quotas — bytes per
 * hour and unattached files held at once (count and bytes) — the file's type and size from its bytes, metadata
 * stripped (services/media.ts), the object in R2 and its pending `attachments` row, which a tip or a reporter's
 * message later claims (services/file-claims.ts). The route reads the body and checks tickets and rate limits.
 */
import type { Env } from '../env';
import { LIMITS } from '../domain/limits';
import { appSecret, hmacHex, randomCode, sha256Hex } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import type { UploadResult } from '../schemas/tip';
import { MediaError, sniff, stripMetadata, type MediaKind } from './media';

const A = LIMITS.attachments;
const KIND_LABEL = { image: '照片', video: '视频', audio: '音频' } as const;
const MB = 1024 * 1024;

/** The 413 for a file past the cap of its kind. */
export const tooLarge = (kind: MediaKind) =>
  new ApiError('FILE_TOO_LARGE', { message: `${KIND_LABEL[kind]}不能超过 ${Math.round(A.maxBytes[kind] / MB)} MB。` });

/** Add `amount` to a fixed-window counter in one statement; returns the window's new total. */
async function spend(
  env: Env,
  key: string,
  amount: number,
  windowMs: number,
  now: number,
): Promise<{ count: number; window_start: number }> {
  return (await env.DB.prepare(
    `INSERT INTO rate_limits (key, window_start, count) VALUES (?1, ?2, ?4)
     ON CONFLICT(key) DO UPDATE SET
       count = CASE WHEN window_start <= ?2 - ?3 THEN ?4 ELSE count + ?4 END,
       window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END
     RETURNING count, window_start`,
  )
    .bind(key, now, windowMs, amount)
    .first<{ count: number; window_start: number }>())!;
}

const HOUR = 60 * 60 * 1000;
const hourlyFull = (retryAfterMs: number) =>
  new ApiError('RATE_LIMITED', {
    message: `本网络每小时最多上传 ${A.bytesPerHour / MB} MB 附件，请稍后再试，或用文字说明情况。`,
    retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
const pendingFull = () =>
  new ApiError('RATE_LIMITED', {
    message: `未提交的附件已达上限（${A.pendingFiles} 个或 ${A.pendingBytes / MB} MB）：请先提交举报，未使用的附件一天后自动删除。`,
    retryAfter: 3600,
  });

/** Refuse before reading the body when this client already holds its share of unattached files or hourly bytes. */
export async function precheckUpload(env: Env, uploader: string, now: number) {
  const [pending, hourly] = await Promise.all([
    env.DB.prepare(
      "SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM attachments WHERE uploader = ? AND status = 'pending'",
    )
      .bind(uploader)
      .first<{ n: number; bytes: number }>(),
    env.DB.prepare('SELECT count, window_start FROM rate_limits WHERE key = ?')
      .bind(`upload-bytes:${uploader}`)
      .first<{ count: number; window_start: number }>(),
  ]);
  if (pending && (pending.n >= A.pendingFiles || pending.bytes >= A.pendingBytes)) throw pendingFull();
  if (hourly && hourly.window_start > now - HOUR && hourly.count >= A.bytesPerHour)
    throw hourlyFull(hourly.window_start + HOUR - now);
}

/**
 * Store one uploaded file: sniff, cap, strip, count its bytes against the client's hour, write to R2, then
 * record it as pending — the last step only while the client's unattached files stay under their cap.
 */
export async function storeUpload(
  env: Env,
  bytes: Uint8Array,
  opts: { uploader: string; now?: number },
): Promise<UploadResult> {
  const now = opts.now ?? Date.now();
  const type = sniff(bytes);
  if (!type) throw new ApiError('FILE_TYPE');
  if (bytes.length > A.maxBytes[type.kind]) throw tooLarge(type.kind);
  let clean: Uint8Array;
  try {
    clean = stripMetadata(bytes, type);
  } catch (e) {
    if (e instanceof MediaError) throw new ApiError('FILE_TYPE', { message: '文件已损坏或格式不正确，请换一个文件。' });
    throw e;
  }
  const hour = await spend(env, `upload-bytes:${opts.uploader}`, clean.length, HOUR, now);
  if (hour.count > A.bytesPerHour) throw hourlyFull(hour.window_start + HOUR - now);
  const id = crypto.randomUUID();
  const claim = randomCode(26);
  const r2Key = `attachments/${new Date(now).toISOString().slice(0, 7)}/${id}.${type.ext}`;
  const sha256 = await sha256Hex(clean);
  try {
    await env.FILES.put(r2Key, clean, { httpMetadata: { contentType: type.mime } });
  } catch {
    throw new ApiError('STORAGE_FAILED');
  }
  const inserted = await env.DB.prepare(
    `INSERT INTO attachments (id, claim_hash, r2_key, kind, mime, bytes, sha256, status, origin, created_at, uploader)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 'report', ?8, ?9
     WHERE (SELECT COUNT(*) < ?10 AND COALESCE(SUM(bytes), 0) + ?6 <= ?11 FROM attachments WHERE uploader = ?9 AND status = 'pending')`,
  )
    .bind(
      id,
      await hmacHex(appSecret(env), 'upload-claim', claim),
      r2Key,
      type.kind,
      type.mime,
      clean.length,
      sha256,
      now,
      opts.uploader,
      A.pendingFiles,
      A.pendingBytes,
    )
    .run();
  if (!inserted.meta.changes) {
    await env.FILES.delete(r2Key).catch(() => {}); // the sweep cannot see an object with no row: remove it now
    throw pendingFull();
  }
  return { id, claim, kind: type.kind, mime: type.mime, bytes: clean.length };
}
