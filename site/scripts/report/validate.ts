/**
 * Client-side checks: the very schema the API validates with, so the messages a reporter sees before
 * sending are the ones the server would answer.
 */
import { z } from 'zod';
import { TipSubmission } from '../../../worker/schemas/tip';

// jitless: no `new Function` probe (the CSP forbids eval, and the probe itself is reported as a violation).
z.config({ ...z.locales.zhCN(), jitless: true });

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
