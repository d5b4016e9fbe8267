/**
 * A typed client for the portal's API, compiled by tests/e2e/openapi-lint.test.ts against types that
 * openapi-typescript generates from the live /api/openapi.json (written to ./generated/, ignored by git). If the
 * document stops describing a response — an untyped `{}` or a field gone missing — this file no longer compiles.
 */
import type { paths } from './generated/api';

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Receipt = JsonOf<paths['/api/tips']['post']['responses'][201]>;
type Me = JsonOf<paths['/api/staff/me']['get']['responses'][200]>;
type ErrorBody = JsonOf<paths['/api/tips']['post']['responses'][422]>;

/** What a program needs from a receipt and from the signed-in staff member. */
export function summary(receipt: Receipt, me: Me, error: ErrorBody): string[] {
  const trackingNo: string = receipt.trackingNo;
  const queryCode: string = receipt.queryCode;
  const csrf: string = me.csrfToken;
  const roles: string[] = me.roles;
  const code: string = error.error.code;
  return [trackingNo, queryCode, csrf, ...roles, code];
}
