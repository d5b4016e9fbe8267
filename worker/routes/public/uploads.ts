/**
 * Attachments: POST /api/uploads/ticket (a short-lived upload ticket, after the form's Turnstile check or for a
 * reporter's open lookup), then POST /api/uploads with the ticket in `X-Upload-Ticket` and the raw file as the
 * body (so the browser can show progress). The type is decided from the bytes; metadata is removed before the
 * file reaches R2 (worker/services/uploads.ts stores it). The answer carries a `claim` secret that the tip
 * submission must present to attach the file.
 *
 * Limits, and why (README "Security"):
 * - a ticket is an HMAC-signed (expiry, nonce) pair, valid `ticketTtlMs`, good for `uploadsPerTicket` uploads:
 *   a script cannot upload without passing Turnstile (or holding a reporter's lookup token);
 * - the body is read as a stream and refused with 413 as soon as it passes the cap of its kind (or a larger
 *   declared Content-Length is refused unread); it is read into one buffer sized once, and videos are stripped
 *   in that buffer, so a 50 MB video is never held twice;
 * - per client network (an IPv4 address or an IPv6 /64): uploads per hour, bytes per hour, and unattached files
 *   held at once (count and bytes). The last bounds what a client can abandon whatever the sweep interval;
 *   the Cron sweep removes files left unattached for a day.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv, Env } from '../../env';
import { LIMITS } from '../../domain/limits';
import { appSecret, hmacHex, randomCode, timingSafeEqual } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { hit, networkOf } from '../../lib/ratelimit';
import { errorAnswers, jsonAnswer, jsonBody } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import { verifyTurnstile } from '../../lib/turnstile';
import { UploadResult } from '../../schemas/tip';
import { sniff, type MediaKind } from '../../services/media';
import { tipFromToken } from '../../services/track';
import { precheckUpload, storeUpload, tooLarge } from '../../services/uploads';

export const UPLOAD_LIMIT = { limit: 60, windowMs: 60 * 60 * 1000 };
/** Tickets one client network may be issued per hour (each needs a fresh Turnstile token anyway). */
export const TICKET_LIMIT = { limit: 20, windowMs: 60 * 60 * 1000 };
const A = LIMITS.attachments;
const MAX_ANY = Math.max(...Object.values(A.maxBytes));

const ticketRoute = createRoute({
  method: 'post',
  path: '/uploads/ticket',
  summary: '获取上传凭证（先通过人机验证，或持有进度查询的凭证）',
  request: {
    headers: z.object({
      authorization: z
        .string()
        .max(300)
        .optional()
        .openapi({ description: 'Bearer <token from POST /api/track>, instead of a Turnstile token' }),
    }),
    ...jsonBody(z.object({ turnstileToken: z.string().max(2048).optional() })),
  },
  responses: {
    200: jsonAnswer(
      'A ticket for POST /api/uploads (header X-Upload-Ticket)',
      z.object({ ticket: z.string(), expiresAt: z.string(), uploads: z.number() }),
    ),
    ...errorAnswers({
      400: 'Turnstile missing',
      401: 'Lookup token invalid',
      403: 'Turnstile failed',
      429: 'Rate limited',
    }),
  },
});

const upload = createRoute({
  method: 'post',
  path: '/uploads',
  summary: '上传附件（照片、视频、音频）',
  request: {
    headers: z.object({
      'x-upload-ticket': z.string().max(200).optional().openapi({ description: 'From POST /api/uploads/ticket' }),
    }),
    body: {
      required: true,
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
  responses: {
    201: jsonAnswer('Stored', UploadResult),
    ...errorAnswers({
      403: 'No valid upload ticket',
      413: 'Too large',
      415: 'Not a photo, video or audio file',
      429: 'Rate limited or storage quota reached',
      503: 'Storage failed: retry',
    }),
  },
});

// ---------- tickets ----------

const TICKET = /^(\d{13})\.([0-9A-Z]{26})\.([0-9a-f]{32})$/;
const ticketMac = async (env: Env, exp: string, nonce: string) =>
  (await hmacHex(appSecret(env), 'upload-ticket', `${exp}.${nonce}`)).slice(0, 32);

/** A signed ticket: expiry, a 130-bit nonce (its uploads are counted under it), and an HMAC over both. */
export async function issueTicket(env: Env, now = Date.now()) {
  const exp = String(now + A.ticketTtlMs);
  const nonce = randomCode(26);
  return {
    ticket: `${exp}.${nonce}.${await ticketMac(env, exp, nonce)}`,
    expiresAt: new Date(Number(exp)).toISOString(),
    uploads: A.uploadsPerTicket,
  };
}

/** The ticket's nonce, or `UPLOAD_TICKET` when it is missing, forged or expired. */
export async function checkTicket(env: Env, ticket: string | undefined, now = Date.now()): Promise<string> {
  const m = TICKET.exec(ticket?.trim() ?? '');
  if (!m || Number(m[1]) <= now || Number(m[1]) > now + A.ticketTtlMs) throw new ApiError('UPLOAD_TICKET');
  if (!timingSafeEqual(await ticketMac(env, m[1]!, m[2]!), m[3]!)) throw new ApiError('UPLOAD_TICKET');
  return m[2]!;
}

// ---------- reading the body ----------

/**
 * Read the request body as a stream into one buffer, refusing it (413, the rest unread) as soon as it passes
 * the cap for its kind. The buffer is sized once: to the declared length, or to the kind's cap for a chunked
 * body. The first bytes decide the kind (and a file that is no photo, video or audio is refused at once).
 */
export async function readUpload(
  body: ReadableStream<Uint8Array> | null,
  declared: number | null,
): Promise<Uint8Array> {
  if (declared !== null && declared > MAX_ANY) throw new ApiError('FILE_TOO_LARGE');
  if (!body || declared === 0) throw new ApiError('FILE_TYPE', { message: '文件是空的。' });
  const reader = body.getReader();
  let head: Uint8Array = new Uint8Array(0);
  let buf: Uint8Array | null = null;
  let n = 0;
  let kind: MediaKind = 'video';
  const start = () => {
    const type = sniff(head);
    if (!type) throw new ApiError('FILE_TYPE');
    kind = type.kind;
    const cap = A.maxBytes[kind];
    if (declared !== null && declared > cap) throw tooLarge(kind);
    buf = new Uint8Array(declared ?? cap);
    buf.set(head);
    n = head.length;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!buf) {
        const joined = new Uint8Array(head.length + value.length);
        joined.set(head);
        joined.set(value, head.length);
        head = joined;
        if (head.length >= 16) start();
        continue;
      }
      const b: Uint8Array = buf;
      if (n + value.length > b.length) throw tooLarge(kind);
      b.set(value, n);
      n += value.length;
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  if (!buf) {
    if (head.length === 0) throw new ApiError('FILE_TYPE', { message: '文件是空的。' });
    start();
  }
  return buf!.subarray(0, n);
}

/**
 * The key one client's uploads are counted under: an HMAC of its network (the IPv4 address, or the IPv6 /64 a
 * client can pick any of 2^64 addresses from), never the address itself.
 */
export async function uploaderKey(env: Env, ip: string) {
  return `u:${(await hmacHex(appSecret(env), 'uploader', networkOf(ip))).slice(0, 24)}`;
}
const uploaderOf = (c: Context<AppEnv>) => uploaderKey(c.env, c.req.header('cf-connecting-ip') ?? 'local');

export function uploadRoutes() {
  return createRouter()
    .openapi(ticketRoute, async (c) => {
      const bearer = c.req.valid('header').authorization;
      if (bearer) await tipFromToken(c.env, bearer);
      else {
        await verifyTurnstile(c.env, {
          token: c.req.valid('json').turnstileToken,
          requestUrl: c.req.url,
          remoteIp: c.req.header('cf-connecting-ip'),
          action: 'report',
        });
      }
      await hit(c.env, `upload-ticket-issue:${await uploaderOf(c)}`, TICKET_LIMIT);
      return c.json(await issueTicket(c.env), 200);
    })
    .openapi(upload, async (c) => {
      const now = Date.now();
      const nonce = await checkTicket(c.env, c.req.header('x-upload-ticket'), now);
      const length = c.req.header('content-length');
      const declared = length === undefined || length === '' ? null : Number(length);
      if (declared !== null && !(declared <= MAX_ANY)) throw new ApiError('FILE_TOO_LARGE');
      const uploader = await uploaderOf(c);
      await hit(c.env, `upload-ticket:${nonce}`, { limit: A.uploadsPerTicket, windowMs: A.ticketTtlMs }, now);
      await hit(c.env, `upload:${uploader}`, UPLOAD_LIMIT, now);
      await precheckUpload(c.env, uploader, now);
      const bytes = await readUpload(c.req.raw.body, declared);
      return c.json(await storeUpload(c.env, bytes, { uploader, now }), 201);
    });
}
