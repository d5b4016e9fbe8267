import { z } from '@hono/zod-openapi';

/**
 * The body of an API error (worker/lib/errors.ts): the stable code, the Chinese message, the failing fields and,
 * when limited, the seconds to wait. Also the per-item error of a bulk answer (schemas/staff.ts).
 */
export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  fields: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
  retryAfter: z.number().optional(),
});

/** The one error envelope (see worker/lib/errors.ts). */
export const ErrorEnvelope = z
  .object({
    error: ErrorBody.extend({
      code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
      message: z.string().openapi({ example: '提交的内容有误，请按提示修改后再试。' }),
    }),
  })
  .openapi('ErrorEnvelope');
