/**
 * Client-side checks: the very schema the API validates with, so the messages a reporter sees before
 * sending are the ones the server would answer.
 */
import { TipSubmission } from '../../../worker/schemas/tip';

export interface FieldError {
  path: string;
  code: string;
  message: string;
}

export function check(body: unknown): FieldError[] {
  const r = TipSubmission.safeParse(body);
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    code: String((i as { params?: { code?: string } }).params?.code ?? i.code).toUpperCase(),
    message: i.message,
  }));
}
