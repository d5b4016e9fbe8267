/**
 * Client-side checks: the very schema the API validates with, so the messages a reporter sees before
 * sending are the ones the server would answer.
 */
import type { FieldError } from '../../../worker/lib/errors';
import { fieldErrors } from '../../../worker/lib/validation';
import { EMPLOYEE_REAL_NAME, employeeAnonymous, TipSubmission } from '../../../worker/schemas/tip';

export type { FieldError };

export function check(body: unknown): FieldError[] {
  const r = TipSubmission.safeParse(body);
  if (r.success) return [];
  // The same field errors, paths and codes as the API's 422 answer (the Worker's own mapping).
  const out = fieldErrors(r.error);
  // The schema checks the employee rule only once every field is valid; the form says it at once.
  if (employeeAnonymous(body) && !out.some((e) => e.code === EMPLOYEE_REAL_NAME.code))
    out.push({ path: 'reporter', code: EMPLOYEE_REAL_NAME.code, message: EMPLOYEE_REAL_NAME.message });
  return out;
}
