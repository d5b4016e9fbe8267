/** POST /api/tips — submit a tip (隐患举报). */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorEnvelope } from '../../schemas/common';
import { Receipt, TipSubmission } from '../../schemas/tip';
import { clientKey, hit } from '../../lib/ratelimit';
import { createRouter } from '../../lib/router';
import { verifyTurnstile } from '../../lib/turnstile';
import { createTip, findReceipt } from '../../services/tips';

/** Submissions allowed per client per hour before RATE_LIMITED. */
export const SUBMIT_LIMIT = { limit: 20, windowMs: 60 * 60 * 1000 };

const submit = createRoute({
  method: 'post',
  path: '/tips',
  summary: '提交举报',
  description:
    'Turnstile-verified; `Idempotency-Key` (8–100 characters, one per submission) makes retries safe: the same key returns the same receipt.',
  request: {
    headers: z.object({ 'idempotency-key': z.string().min(8).max(100).optional() }),
    body: { required: true, content: { 'application/json': { schema: TipSubmission } } },
  },
  responses: {
    201: { description: '已提交：回执', content: { 'application/json': { schema: Receipt } } },
    200: { description: '重复提交：同一回执', content: { 'application/json': { schema: Receipt } } },
    400: { description: 'Bad request', content: { 'application/json': { schema: ErrorEnvelope } } },
    403: { description: 'Turnstile failed', content: { 'application/json': { schema: ErrorEnvelope } } },
    422: { description: 'Validation failed', content: { 'application/json': { schema: ErrorEnvelope } } },
    429: { description: 'Rate limited', content: { 'application/json': { schema: ErrorEnvelope } } },
  },
});

export function tipRoutes() {
  return createRouter().openapi(submit, async (c) => {
    const key = c.req.valid('header')['idempotency-key'] ?? null;
    if (key) {
      const prior = await findReceipt(c.env, key);
      if (prior) return c.json(prior, 200);
    }
    const body = c.req.valid('json');
    await verifyTurnstile(c.env, {
      token: body.turnstileToken,
      requestUrl: c.req.url,
      remoteIp: c.req.header('cf-connecting-ip'),
      action: 'report',
    });
    await hit(c.env, `submit:${await clientKey(c)}`, SUBMIT_LIMIT);
    const receipt = await createTip(c.env, body, { idempotencyKey: key, origin: new URL(c.req.url).origin });
    return c.json(receipt, 201);
  });
}

