/**
 * 进度查询: POST /api/track (number + code → view and a short-lived token); with the token in
 * `Authorization: Bearer …`: GET /api/track/view, POST /api/track/messages, POST /api/track/objection.
 * The query code is only ever in the body of the first request, never in a URL.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { clientKey } from '../../lib/ratelimit';
import { createRouter } from '../../lib/router';
import { ErrorEnvelope } from '../../schemas/common';
import { plain } from '../../schemas/tip';
import { checkCode, issueToken, reporterMessage, reporterObjection, reporterView, tipFromToken } from '../../services/track';

const err = (d: string) => ({ description: d, content: { 'application/json': { schema: ErrorEnvelope } } });
const View = z.object({}).passthrough().openapi('ReporterView');
const auth = z.object({ authorization: z.string().max(300).optional() });

const open = createRoute({
  method: 'post',
  path: '/track',
  summary: '进度查询：输入举报编号和查询码',
  description: 'Unknown number and wrong code answer alike. Limits per client and per number; a locked number still opens with the right code after the lock.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ trackingNo: z.string({ error: '请填写举报编号' }).min(1, { error: '请填写举报编号' }).max(40), queryCode: z.string({ error: '请填写查询码' }).min(1, { error: '请填写查询码' }).max(40) }).strict(),
        },
      },
    },
  },
  responses: {
    200: { description: '举报进度与后续操作的令牌', content: { 'application/json': { schema: z.object({ token: z.string(), expiresAt: z.string(), view: View }) } } },
    404: err('举报编号或查询码不正确'),
    429: err('过于频繁或已锁定'),
  },
});
const view = createRoute({
  method: 'get',
  path: '/track/view',
  summary: '刷新进度（凭令牌）',
  request: { headers: auth },
  responses: { 200: { description: '举报进度', content: { 'application/json': { schema: View } } }, 401: err('令牌无效或已过期') },
});
const message = createRoute({
  method: 'post',
  path: '/track/messages',
  summary: '回复工作人员 / 补充证据（凭令牌）',
  request: {
    headers: auth,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              body: plain('留言', 2, 2000),
              attachments: z.array(z.object({ id: z.string().max(64), claim: z.string().max(64) }).strict()).max(9, { error: '一次最多补充 9 个附件' }).default([]),
            })
            .strict(),
        },
      },
    },
  },
  responses: { 201: { description: '已发送', content: { 'application/json': { schema: View } } }, 401: err('令牌无效或已过期'), 422: err('输入有误') },
});
const objection = createRoute({
  method: 'post',
  path: '/track/objection',
  summary: '对办理结果提出异议（办结后 10 日内，凭令牌）',
  request: { headers: auth, body: { required: true, content: { 'application/json': { schema: z.object({ reason: plain('异议理由', 10, 2000) }).strict() } } } },
  responses: { 200: { description: '已受理异议，进入复查', content: { 'application/json': { schema: View } } }, 401: err('令牌无效或已过期'), 409: err('不在异议期内') },
});

export function trackRoutes() {
  return createRouter()
    .openapi(open, async (c) => {
      const { trackingNo, queryCode } = c.req.valid('json');
      const tipId = await checkCode(c.env, await clientKey(c), trackingNo, queryCode);
      return c.json({ ...(await issueToken(c.env, tipId)), view: { ...(await reporterView(c.env, tipId)) } }, 200);
    })
    .openapi(view, async (c) => c.json({ ...(await reporterView(c.env, await tipFromToken(c.env, c.req.header('authorization')))) }, 200))
    .openapi(message, async (c) => {
      const tipId = await tipFromToken(c.env, c.req.header('authorization'));
      const b = c.req.valid('json');
      await reporterMessage(c.env, tipId, b.body, b.attachments);
      return c.json({ ...(await reporterView(c.env, tipId)) }, 201);
    })
    .openapi(objection, async (c) => {
      const tipId = await tipFromToken(c.env, c.req.header('authorization'));
      await reporterObjection(c.env, tipId, c.req.valid('json').reason);
      return c.json({ ...(await reporterView(c.env, tipId)) }, 200);
    });
}
