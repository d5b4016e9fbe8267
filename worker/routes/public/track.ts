/**
 * 进度查询: POST /api/track (number + code → view and a short-lived token); with the token in
 * `Authorization: Bearer …`: GET /api/track/view, POST /api/track/messages, POST /api/track/objection.
 * The query code is only ever in the body of the first request, never in a URL.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { clientNetworkKey } from '../../lib/ratelimit';
import { createRouter } from '../../lib/router';
import { ErrorEnvelope } from '../../schemas/common';
import {
  ReporterView,
  TrackIdentity,
  TrackMessage,
  TrackObjection,
  TrackOpen,
  TrackOpened,
  TrackRating,
} from '../../schemas/track';
import { rateConclusion } from '../../services/ratings';
import {
  addReporterIdentity,
  checkCode,
  issueToken,
  reporterMessage,
  reporterObjection,
  reporterView,
  tipFromToken,
} from '../../services/track';

const err = (d: string) => ({ description: d, content: { 'application/json': { schema: ErrorEnvelope } } });
const view200 = (d: string) => ({ description: d, content: { 'application/json': { schema: ReporterView } } });
const auth = z.object({
  authorization: z.string().max(300).optional().openapi({ description: 'Bearer <token from POST /api/track>' }),
});

const open = createRoute({
  method: 'post',
  path: '/track',
  summary: '进度查询：输入举报编号和查询码',
  description:
    'Unknown number and wrong code answer alike. The right code always opens the tip: failed checks are slowed and limited per client network (an IPv4 address or an IPv6 /64), never per number.',
  request: { body: { required: true, content: { 'application/json': { schema: TrackOpen } } } },
  responses: {
    200: { description: '举报进度与后续操作的令牌', content: { 'application/json': { schema: TrackOpened } } },
    404: err('举报编号或查询码不正确（未知编号与错误查询码的回答完全相同）'),
    422: err('输入有误'),
    429: err('RATE_LIMITED（本客户端所在网络查询失败过多），带 Retry-After'),
  },
});
const view = createRoute({
  method: 'get',
  path: '/track/view',
  summary: '刷新进度（凭令牌）',
  request: { headers: auth },
  responses: { 200: view200('举报进度'), 401: err('令牌无效或已过期') },
});
const message = createRoute({
  method: 'post',
  path: '/track/messages',
  summary: '回复工作人员 / 补充证据（凭令牌）',
  request: { headers: auth, body: { required: true, content: { 'application/json': { schema: TrackMessage } } } },
  responses: {
    201: view200('已发送：更新后的举报进度'),
    401: err('令牌无效或已过期'),
    409: err('已合并或不予受理的举报不能留言'),
    422: err('输入有误或附件无效'),
    429: err('留言过于频繁'),
  },
});
const objection = createRoute({
  method: 'post',
  path: '/track/objection',
  summary: '对办理结果提出异议（办结后 10 日内，凭令牌）',
  request: { headers: auth, body: { required: true, content: { 'application/json': { schema: TrackObjection } } } },
  responses: {
    200: view200('已受理异议，进入复查'),
    401: err('令牌无效或已过期'),
    409: err('不在异议期内'),
    422: err('输入有误'),
  },
});

const rating = createRoute({
  method: 'post',
  path: '/track/rating',
  summary: '评价办理情况（办结后，评价期限内可更改；不满意转回访，凭令牌）',
  request: { headers: auth, body: { required: true, content: { 'application/json': { schema: TrackRating } } } },
  responses: {
    200: view200('已评价：更新后的举报进度'),
    401: err('令牌无效或已过期'),
    409: err('RATING_CLOSED：未办结、超过评价期限或回访已答复'),
    422: err('输入有误'),
  },
});

const identity = createRoute({
  method: 'post',
  path: '/track/identity',
  summary: '匿名举报人补充真实身份（凭令牌）',
  description:
    'An anonymous reporter adds a real identity later, proved by the token that the tracking number + query code opened; encrypted like any identity and audited. Refused with 409 IDENTITY_EXISTS when the tip already has one.',
  request: { headers: auth, body: { required: true, content: { 'application/json': { schema: TrackIdentity } } } },
  responses: {
    200: view200('已补充：更新后的举报进度'),
    401: err('令牌无效或已过期'),
    409: err('IDENTITY_EXISTS（已登记身份）或已合并、不予受理的举报'),
    422: err('输入有误'),
  },
});

export function trackRoutes() {
  return createRouter()
    .openapi(open, async (c) => {
      const { trackingNo, queryCode } = c.req.valid('json');
      const tip = await checkCode(c.env, await clientNetworkKey(c), trackingNo, queryCode);
      return c.json({ ...(await issueToken(c.env, tip)), view: await reporterView(c.env, tip.id) }, 200);
    })
    .openapi(view, async (c) =>
      c.json(await reporterView(c.env, await tipFromToken(c.env, c.req.header('authorization'))), 200),
    )
    .openapi(message, async (c) => {
      const tipId = await tipFromToken(c.env, c.req.header('authorization'));
      const b = c.req.valid('json');
      await reporterMessage(c.env, tipId, b.body, b.attachments);
      return c.json(await reporterView(c.env, tipId), 201);
    })
    .openapi(rating, async (c) => {
      const tipId = await tipFromToken(c.env, c.req.header('authorization'));
      const b = c.req.valid('json');
      await rateConclusion(c.env, tipId, b.level, b.reason?.trim() ? b.reason : null);
      return c.json(await reporterView(c.env, tipId), 200);
    })
    .openapi(identity, async (c) => {
      const tipId = await tipFromToken(c.env, c.req.header('authorization'));
      await addReporterIdentity(c.env, tipId, c.req.valid('json'));
      return c.json(await reporterView(c.env, tipId), 200);
    })
    .openapi(objection, async (c) => {
      const tipId = await tipFromToken(c.env, c.req.header('authorization'));
      await reporterObjection(c.env, tipId, c.req.valid('json').reason);
      return c.json(await reporterView(c.env, tipId), 200);
    });
}
