/**
 * Validation glue: zod speaks Chinese (its zh-CN locale, plus our own per-field messages), and every failed
 * validation becomes the one error envelope with the failing fields listed.
 */
import type { z } from '../schemas/zod';
import { ApiError, type FieldError } from './errors';

/** Map zod issues to field errors with stable codes (`params.code` of a refinement, else zod's issue code). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    code: String((i as { params?: { code?: string } }).params?.code ?? i.code).toUpperCase(),
    message: i.message,
  }));
}

/** The `defaultHook` of every OpenAPIHono router: a failed schema check → 422 envelope. */
export const validationHook = (result: { success: boolean; error?: unknown }) => {
  if (!result.success) {
    throw new ApiError('VALIDATION_FAILED', { fields: fieldErrors(result.error as z.ZodError) });
  }
};
