/**
 * POST /api/uploads — upload one attachment (the raw file as the request body, so the browser can show
 * progress). The type is decided from the bytes; metadata is removed before the file reaches R2. The answer
 * carries a `claim` secret that the tip submission must present to attach the file.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../domain/limits';
import { appSecret, hmacHex, randomCode, sha256Hex } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { clientKey, hit } from '../../lib/ratelimit';
import { createRouter } from '../../lib/router';
import { ErrorEnvelope } from '../../schemas/common';
import { UploadResult } from '../../schemas/tip';
import { MediaError, sniff, stripMetadata } from '../../services/media';

export const UPLOAD_LIMIT = { limit: 60, windowMs: 60 * 60 * 1000 };
const MAX_ANY = Math.max(...Object.values(LIMITS.attachments.maxBytes));
const KIND_LABEL = { image: '照片', video: '视频', audio: '音频' } as const;

const upload = createRoute({
  method: 'post',
  path: '/uploads',
  summary: '上传附件（照片、视频、音频）',
  request: {
    body: {
      required: true,
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
  responses: {
    201: { description: 'Stored', content: { 'application/json': { schema: UploadResult } } },
    413: { description: 'Too large', content: { 'application/json': { schema: ErrorEnvelope } } },
    415: { description: 'Not a photo, video or audio file', content: { 'application/json': { schema: ErrorEnvelope } } },
    429: { description: 'Rate limited', content: { 'application/json': { schema: ErrorEnvelope } } },
    503: { description: 'Storage failed: retry', content: { 'application/json': { schema: ErrorEnvelope } } },
  },
});

/** Store one uploaded file: sniff, cap, strip, write to R2, then record it as pending. */
export async function storeUpload(
  env: Parameters<typeof appSecret>[0] & { FILES: R2Bucket; DB: D1Database },
  bytes: Uint8Array,
  now = Date.now(),
) {
  const type = sniff(bytes);
  if (!type) throw new ApiError('FILE_TYPE');
  const cap = LIMITS.attachments.maxBytes[type.kind];
  if (bytes.length > cap) {
    throw new ApiError('FILE_TOO_LARGE', {
      message: `${KIND_LABEL[type.kind]}不能超过 ${Math.round(cap / 1024 / 1024)} MB。`,
    });
  }
  let clean: Uint8Array;
  try {
    clean = stripMetadata(bytes, type);
  } catch (e) {
    if (e instanceof MediaError) throw new ApiError('FILE_TYPE', { message: '文件已损坏或格式不正确，请换一个文件。' });
    throw e;
  }
  const id = crypto.randomUUID();
  const claim = randomCode(26);
  const r2Key = `attachments/${new Date(now).toISOString().slice(0, 7)}/${id}.${type.ext}`;
  try {
    await env.FILES.put(r2Key, clean, { httpMetadata: { contentType: type.mime } });
  } catch {
    throw new ApiError('STORAGE_FAILED');
  }
  await env.DB.prepare(
    `INSERT INTO attachments (id, claim_hash, r2_key, kind, mime, bytes, sha256, status, origin, created_at)
     VALUES (?,?,?,?,?,?,?,'pending','report',?)`,
  )
    .bind(id, await hmacHex(appSecret(env), 'upload-claim', claim), r2Key, type.kind, type.mime, clean.length, await sha256Hex(clean), now)
    .run();
  return { id, claim, kind: type.kind, mime: type.mime, bytes: clean.length };
}

export function uploadRoutes() {
  return createRouter().openapi(upload, async (c) => {
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > MAX_ANY) throw new ApiError('FILE_TOO_LARGE');
    await hit(c.env, `upload:${await clientKey(c)}`, UPLOAD_LIMIT);
    const buf = new Uint8Array(await c.req.arrayBuffer());
    if (buf.length > MAX_ANY) throw new ApiError('FILE_TOO_LARGE');
    if (buf.length === 0) throw new ApiError('FILE_TYPE', { message: '文件是空的。' });
    return c.json(await storeUpload(c.env, buf), 201);
  });
}
