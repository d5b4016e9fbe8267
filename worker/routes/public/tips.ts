/** POST /api/tips — submit a tip (隐患举报). */
import { createRoute, z } from '@hono/zod-openapi';
import { ApiError } from '../../lib/errors';
import { Receipt, TipSubmission } from '../../schemas/tip';
import { clientKey } from '../../lib/ratelimit';
import { errorAnswers, jsonAnswer, jsonBody } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import { verifyTurnstile } from '../../lib/turnstile';
import { checkIdempotencyKey, createTip, findReceipt, idempotencyId, requestHash } from '../../services/tips';

/** Submissions allowed per client per hour before RATE_LIMITED. */
export const SUBMIT_LIMIT = { limit: 20, windowMs: 60 * 60 * 1000 };

const submit = createRoute({
  method: 'post',
  path: '/tips',
  summary: '提交举报',
  description:
    'Turnstile-verified. `Idempotency-Key` (a version-4 UUID, one per submission; anything else → 400 IDEMPOTENCY_KEY_INVALID) makes retries safe: ' +
    'within a day, a retry with the same key and the same body (the Turnstile token aside) returns the same receipt; the same key with another body → 422 IDEMPOTENCY_KEY_REUSED and no receipt.',
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .max(200)
        .optional()
        .openapi({ description: 'A version-4 UUID, e.g. crypto.randomUUID()' }),
    }),
    ...jsonBody(TipSubmission),
  },
  responses: {
    201: jsonAnswer('已提交：回执', Receipt),
    200: jsonAnswer('重复提交：同一回执', Receipt),
    ...errorAnswers({
      400: 'Bad request; IDEMPOTENCY_KEY_INVALID',
      403: 'Turnstile failed',
      422: 'Validation failed; IDEMPOTENCY_KEY_REUSED (the key was used with another body)',
      429: 'Rate limited',
    }),
  },
});

export function tipRoutes() {
  return createRouter().openapi(submit, async (c) => {
    const key = checkIdempotencyKey(c.req.valid('header')['idempotency-key']);
    const body = c.req.valid('json');
    // A retry gets the stored receipt only with the same body (the single-use Turnstile token may differ).
    const bodyHash = key ? await requestHash(c.env, body, ['turnstileToken']) : null;
    const idemId = key ? await idempotencyId(c.env, key) : null;
    try {
      await verifyTurnstile(c.env, {
        token: body.turnstileToken,
        requestUrl: c.req.url,
        remoteIp: c.req.header('cf-connecting-ip'),
        action: 'report',
      });
    } catch (e) {
      // A retry whose single-use token is already spent still gets the receipt stored for its key and body.
      const prior = key && e instanceof ApiError ? await findReceipt(c.env, key, bodyHash!, Date.now(), idemId!) : null;
      if (prior) return c.json(prior, 200);
      throw e;
    }
    // No read before the write: the write itself finds a key already used (and answers with its receipt), and
    // the rate-limit hit goes to D1 with the write (or createTip's reads), still after Turnstile and before
    // anything is written.
    const { receipt, replayed } = await createTip(c.env, body, {
      idempotencyKey: key,
      idempotencyId: idemId,
      bodyHash,
      origin: new URL(c.req.url).origin,
      rateLimit: { key: `submit:${await clientKey(c)}`, window: SUBMIT_LIMIT },
    });
    return c.json(receipt, replayed ? 200 : 201);
  });
}
