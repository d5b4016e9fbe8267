import { z } from '@hono/zod-openapi';

/** The one error envelope (see worker/lib/errors.ts). */
export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
      message: z.string().openapi({ example: '提交的内容有误，请按提示修改后再试。' }),
      fields: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
      retryAfter: z.number().optional(),
    }),
  })
  .openapi('ErrorEnvelope');
