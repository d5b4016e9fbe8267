/**
 * Open311 GeoReport v2 at /open311/v2/ for partner systems (e.g. a 12345 hotline):
 *
 *   GET  discovery.{json,xml}                 endpoints and formats
 *   GET  services.{fmt}                       one service per tip type × domain
 *   GET  services/{service_code}.{fmt}        its attributes
 *   POST requests.{fmt}                       form-encoded, needs the partner's api_key; answers the tracking
 *                                             number, a token and (extension) the citizen's query code, once;
 *                                             `Idempotency-Key` (a v4 UUID): a retry with the same form
 *                                             gets the same answer, another form under that key → 422
 *   GET  tokens/{token}.{fmt}                 the request id behind a token
 *   GET  requests.{fmt}                       filters: service_request_id, service_code, start_date, end_date
 *                                             (≤ 90 days apart; last 90 days by default), status=open,closed;
 *                                             the public sees ended months only, coarsened (PUBLIC_REQUESTS_RULE),
 *                                             a partner's `api_key` gets every tip with day dates (never cached)
 *   GET  requests/{service_request_id}.{fmt}
 *
 * A request's id is its public id (公开编号, GK-…), never the tracking number that opens the reporter's lookup.
 *
 * Errors answer as the spec says (`[{ code, description }]` / `<errors>`), never with the API envelope;
 * `jurisdiction_id` is accepted and ignored (one jurisdiction). See README "Open311".
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../env';
import { ApiError } from '../../lib/errors';
import { clientKey, hit } from '../../lib/ratelimit';
import {
  findRequest,
  findRequests,
  Open311Error,
  publicRequestsCacheKey,
  type Viewer,
  resolveToken,
  SERVICES,
  serviceDefinition,
  submitRequest,
} from '../../services/open311';
import { partnerForKey } from '../../services/partners';
import { IDEMPOTENCY_KEY } from '../../services/tips';
import { edgeCache } from '../public/stats';
import { errorAnswer, formatOfPath, respond, splitFormat, type Format } from './format';

/** Tips a partner may submit per hour. */
export const PARTNER_POST_LIMIT = { limit: 300, windowMs: 60 * 60 * 1000 };
/** Refused api_keys a client may send per hour before it is refused outright. */
export const BAD_KEY_LIMIT = { limit: 20, windowMs: 60 * 60 * 1000 };
/** A GeoReport form is small: the longest description is 5000 characters. */
export const MAX_FORM_BYTES = 64 * 1024;
/** The date this interface last changed (discovery's `changeset`). */
export const CHANGESET = '2026-11-22T00:00:00+08:00';

/**
 * Who is reading: a partner when `api_key` is sent (a refused key → 403, counted like a refused POST key), the
 * public otherwise.
 */
async function viewerOf(c: Context<AppEnv>): Promise<Viewer> {
  const key = c.req.query('api_key');
  if (key === undefined) return 'public';
  if (!(await partnerForKey(c.env, key))) {
    await hit(c.env, `open311-badkey:${await clientKey(c)}`, BAD_KEY_LIMIT);
    throw new Open311Error(403, ['api_key 无效或已停用']);
  }
  return 'partner';
}

/** A partner's answer is its own: never stored at the edge or in a shared cache. */
const PRIVATE = { 'cache-control': 'private, no-store' };

/**
 * The edge-cache key of the `/v2/:file` resources: discovery and services take no parameter; public
 * `requests` is keyed on its checked query (`publicRequestsCacheKey`); a partner (`api_key`) is never cached.
 */
function fileCacheKey(url: URL): string | null {
  if (url.searchParams.has('api_key')) return null;
  const file = url.pathname.split('/').pop() ?? '';
  if (!file.startsWith('requests.')) return '';
  return publicRequestsCacheKey(Object.fromEntries(url.searchParams));
}
const byPathOnly = (url: URL) => (url.searchParams.has('api_key') ? null : '');

function fileOf(param: string): { name: string; format: Format } {
  const f = splitFormat(param);
  if (!f) throw new Open311Error(404, ['请在资源名后加 .json 或 .xml，例如 services.json']);
  return f;
}

export function open311Api() {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    const format = formatOfPath(new URL(c.req.url).pathname);
    if (err instanceof Open311Error) return errorAnswer(format, err);
    if (err instanceof ApiError) {
      if (err.code === 'RATE_LIMITED')
        return errorAnswer(format, new Open311Error(429, ['提交过于频繁，请稍后再试'], err.retryAfter));
      if (err.code === 'PAYLOAD_TOO_LARGE') return errorAnswer(format, new Open311Error(413, ['提交的内容过大']));
      if (err.code === 'UNAVAILABLE') return errorAnswer(format, new Open311Error(503, [err.message]));
      if (err.code === 'IDEMPOTENCY_KEY_REUSED')
        return errorAnswer(
          format,
          new Open311Error(422, [
            '该 Idempotency-Key 已用于另一份不同的表单，不返回其回执；新的提交请使用新的 Idempotency-Key',
          ]),
        );
      return errorAnswer(format, new Open311Error(err.status === 404 ? 404 : 400, [err.message]));
    }
    console.error(
      JSON.stringify({ at: 'open311', path: new URL(c.req.url).pathname, error: String(err).slice(0, 300) }),
    );
    return errorAnswer(format, new Open311Error(500, ['系统出现错误，请稍后重试']));
  });

  app.get('/v2/:file', edgeCache(60, 60, { key: fileCacheKey }), async (c) => {
    const { name, format } = fileOf(c.req.param('file'));
    const origin = new URL(c.req.url).origin;
    if (name === 'discovery') {
      return respond(format, 'discovery', {
        changeset: CHANGESET,
        contact: '区安全生产委员会办公室（举报电话 12350）',
        key_service: '合作平台的 api_key 由平台管理员在管理后台创建，请与区安委办联系。',
        endpoints: [
          {
            specification: 'http://wiki.open311.org/GeoReport_v2',
            url: `${origin}/open311/v2`,
            changeset: CHANGESET,
            type: 'production',
            formats: ['application/json', 'text/xml'],
          },
        ],
      });
    }
    if (name === 'services') return respond(format, 'services', SERVICES);
    if (name === 'requests') {
      const viewer = await viewerOf(c);
      const body = await findRequests(c.env, c.req.query(), viewer);
      return respond(format, 'service_requests', body, 200, viewer === 'partner' ? PRIVATE : {});
    }
    throw new Open311Error(404, [`找不到资源 ${name}`]);
  });

  app.get('/v2/services/:file', edgeCache(300, 3600, { params: [] }), async (c) => {
    const { name, format } = fileOf(c.req.param('file'));
    return respond(format, 'service_definition', await serviceDefinition(c.env, name));
  });

  app.get('/v2/requests/:file', edgeCache(60, 60, { key: byPathOnly }), async (c) => {
    const { name, format } = fileOf(c.req.param('file'));
    const viewer = await viewerOf(c);
    return respond(
      format,
      'service_requests',
      [await findRequest(c.env, name, viewer)],
      200,
      viewer === 'partner' ? PRIVATE : {},
    );
  });

  app.get('/v2/tokens/:file', async (c) => {
    const { name, format } = fileOf(c.req.param('file'));
    return respond(format, 'service_requests', [await resolveToken(c.env, name)], 200, { 'cache-control': 'no-store' });
  });

  app.post(
    '/v2/:file',
    bodyLimit({
      maxSize: MAX_FORM_BYTES,
      onError: (c) => errorAnswer(formatOfPath(c.req.path), new Open311Error(413, ['提交的内容过大'])),
    }),
    async (c) => {
      const { name, format } = fileOf(c.req.param('file'));
      if (name !== 'requests') throw new Open311Error(404, [`找不到资源 ${name}`]);
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
        throw new Open311Error(400, ['请以 application/x-www-form-urlencoded 表单提交']);
      }
      const raw = await c.req.parseBody().catch(() => {
        throw new Open311Error(400, ['表单无法解析']);
      });
      // Only text fields count; files (media) are not accepted through Open311.
      const form: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') form[k] = v;

      const partner = await partnerForKey(c.env, form.api_key);
      if (!partner) {
        await hit(c.env, `open311-badkey:${await clientKey(c)}`, BAD_KEY_LIMIT);
        throw new Open311Error(403, ['api_key 无效或已停用']);
      }
      await hit(c.env, `open311-post:${partner.id}`, PARTNER_POST_LIMIT);
      const idem = c.req.header('idempotency-key');
      if (idem !== undefined && !IDEMPOTENCY_KEY.test(idem)) {
        throw new Open311Error(400, [
          'Idempotency-Key 应为随机生成的 UUID（第 4 版），每次提交一个新的，如 3f0e2b1c-9d4a-4c6e-8b7f-1a2b3c4d5e6f',
        ]);
      }
      const receipt = await submitRequest(c.env, partner, form, {
        origin: new URL(c.req.url).origin,
        idempotencyKey: idem ?? null,
      });
      return respond(format, 'service_requests', [receipt], 201, { 'cache-control': 'no-store' });
    },
  );

  app.all('*', (c) =>
    errorAnswer(formatOfPath(new URL(c.req.url).pathname), new Open311Error(404, ['找不到请求的资源'])),
  );
  return app;
}
