/**
 * 进度查询: POST /api/track (number + code → view and a short-lived token); with the token in
 * `Authorization: Bearer …`: GET /api/track/view, POST /api/track/messages, POST /api/track/objection.
 * The query code is only ever in the body of the first request, never in a URL.
 */
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { clientNetworkKey } from '../../lib/ratelimit';
import { errorAnswers, jsonAnswer, jsonBody } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
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
  viewFrom,
  viewStatements,
  tipFromToken,
} from '../../services/track';

const viewAnswer = (d: string) => jsonAnswer(d, ReporterView);
const auth = z.object({
  authorization: z.string().max(300).optional().openapi({ description: 'Bearer <token from POST /api/track>' }),
});
const TOKEN_INVALID = '令牌无效或已过期';

const open = createRoute({
  method: 'post',
  path: '/track',
  summary: '进度查询：输入举报编号和查询码',
  description:
    'Unknown number and wrong code answer alike. The right code always opens the tip: failed checks are slowed and limited per client network (an IPv4 address or an IPv6 /64), never per number.',
  request: jsonBody(TrackOpen),
  responses: {
    200: jsonAnswer('举报进度与后续操作的令牌', TrackOpened),
    ...errorAnswers({
      404: '举报编号或查询码不正确（未知编号与错误查询码的回答完全相同）',
      422: '输入有误',
      429: 'RATE_LIMITED（本客户端所在网络查询失败过多），带 Retry-After',
    }),
  },
});
const view = createRoute({
  method: 'get',
  path: '/track/view',
  summary: '刷新进度（凭令牌）',
  request: { headers: auth },
  responses: { 200: viewAnswer('举报进度'), ...errorAnswers({ 401: TOKEN_INVALID }) },
});

/**
 * A change the reporter makes with the lookup token: POST with a JSON body, answered with the updated view;
 * 401 when the token is invalid or expired, 422 for bad input, and the change's own answers in `responses`.
 */
function changeRoute<P extends string, B extends z.ZodType, R extends RouteConfig['responses']>(
  path: P,
  body: B,
  config: { summary: string; description?: string; responses: R },
) {
  return createRoute({
    ...config,
    method: 'post',
    path,
    request: { headers: auth, ...jsonBody(body) },
    responses: { ...errorAnswers({ 401: TOKEN_INVALID, 422: '输入有误' }), ...config.responses },
  });
}

const message = changeRoute('/track/messages', TrackMessage, {
  summary: '回复工作人员 / 补充证据（凭令牌）',
  responses: {
    201: viewAnswer('已发送：更新后的举报进度'),
    ...errorAnswers({ 409: '已合并或不予受理的举报不能留言', 422: '输入有误或附件无效', 429: '留言过于频繁' }),
  },
});
const objection = changeRoute('/track/objection', TrackObjection, {
  summary: '对办理结果提出异议（办结后 10 日内，凭令牌）',
  responses: { 200: viewAnswer('已受理异议，进入复查'), ...errorAnswers({ 409: '不在异议期内' }) },
});
const rating = changeRoute('/track/rating', TrackRating, {
  summary: '评价办理情况（办结后，评价期限内可更改；不满意转回访，凭令牌）',
  responses: {
    200: viewAnswer('已评价：更新后的举报进度'),
    ...errorAnswers({ 409: 'RATING_CLOSED：未办结、超过评价期限或回访已答复' }),
  },
});
const identity = changeRoute('/track/identity', TrackIdentity, {
  summary: '匿名举报人补充真实身份（凭令牌）',
  description:
    'An anonymous reporter adds a real identity later, proved by the token that the tracking number + query code opened; encrypted like any identity and audited. Refused with 409 IDENTITY_EXISTS when the tip already has one.',
  responses: {
    200: viewAnswer('已补充：更新后的举报进度'),
    ...errorAnswers({ 409: 'IDENTITY_EXISTS（已登记身份）或已合并、不予受理的举报' }),
  },
});

/** The lookup token's tip, the change applied to it, then the updated view. */
async function changeThenView(c: Context<AppEnv>, apply: (tipId: string) => Promise<unknown>) {
  const tipId = await tipFromToken(c.env, c.req.header('authorization'));
  await apply(tipId);
  return reporterView(c.env, tipId);
}

export function trackRoutes() {
  return createRouter()
    .openapi(open, async (c) => {
      const { trackingNo, queryCode } = c.req.valid('json');
      // The view is read in the check's own round trip, for the tip the number and code open.
      const now = Date.now();
      const tip = await checkCode(c.env, await clientNetworkKey(c), trackingNo, queryCode, {
        now,
        alsoRead: (t) => viewStatements(c.env, t, now),
      });
      let view = await viewFrom(c.env, tip.also ?? [], now);
      if (!view) {
        // Not expected (the batch read the tip the check opened): say so, and read the view on its own.
        console.error(JSON.stringify({ at: 'track.open', error: 'view not read with the check' }));
        view = await reporterView(c.env, tip.id, now);
      }
      return c.json({ ...(await issueToken(c.env, tip, now)), view }, 200);
    })
    .openapi(view, async (c) =>
      c.json(await reporterView(c.env, await tipFromToken(c.env, c.req.header('authorization'))), 200),
    )
    .openapi(message, async (c) => {
      const b = c.req.valid('json');
      return c.json(await changeThenView(c, (tipId) => reporterMessage(c.env, tipId, b.body, b.attachments)), 201);
    })
    .openapi(rating, async (c) => {
      const b = c.req.valid('json');
      const reason = b.reason?.trim() ? b.reason : null;
      return c.json(await changeThenView(c, (tipId) => rateConclusion(c.env, tipId, b.level, reason)), 200);
    })
    .openapi(identity, async (c) =>
      c.json(await changeThenView(c, (tipId) => addReporterIdentity(c.env, tipId, c.req.valid('json'))), 200),
    )
    .openapi(objection, async (c) =>
      c.json(await changeThenView(c, (tipId) => reporterObjection(c.env, tipId, c.req.valid('json').reason)), 200),
    );
}
