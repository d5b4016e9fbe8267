/**
 * Client-side checks: the very schema the API validates with, so the messages a reporter sees before
 * sending are the ones the server would answer.
 */
import { EMPLOYEE_REAL_NAME, employeeAnonymous, TipSubmission } from '../../../worker/schemas/tip';

export interface FieldError {
  path: string;
  code: string;
  message: string;
}

export function check(body: unknown): FieldError[] {
  const r = TipSubmission.safeParse(body);
  if (r.success) return [];
  const out: FieldError[] = r.error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    code: String((i as { params?: { code?: string } }).params?.code ?? i.code).toUpperCase(),
    message: i.message,
  }));
  // The schema checks the employee rule only once every field is valid; the form says it at once.
  if (employeeAnonymous(body) && !out.some((e) => e.code === EMPLOYEE_REAL_NAME.code))
    out.push({ path: 'reporter', code: EMPLOYEE_REAL_NAME.code, message: EMPLOYEE_REAL_NAME.message });
  return out;
}
