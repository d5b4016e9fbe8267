/**
 * The console's one way to talk to /api/staff: JSON in and out, the CSRF token on every write, and errors
 * turned into a readable Chinese message (with field errors kept for forms). A 401 sends the person to sign in.
 */
import type { StaffMe } from '../../../worker/routes/staff/auth';
import { ApiFailure, request } from '../shared/api';

let csrf = sessionStorage.getItem('aq-csrf') ?? '';

export function setCsrf(token: string) {
  csrf = token;
  sessionStorage.setItem('aq-csrf', token);
}

export { ApiFailure, type ApiErrorBody } from '../shared/api';

export async function api<T = unknown>(path: string, opts: { method?: string; json?: unknown } = {}): Promise<T> {
  const method = opts.method ?? (opts.json !== undefined ? 'POST' : 'GET');
  const a = await request<T>(path, {
    method,
    json: opts.json,
    headers: method !== 'GET' ? { 'x-csrf-token': csrf } : {},
  });
  if (a.status === 401 && !location.pathname.startsWith('/staff/login/')) {
    location.assign(`/staff/login/?next=${encodeURIComponent(location.pathname + location.search)}`);
    // The page is leaving for the login: nothing after this call should run (or report an error).
    return new Promise<T>(() => {});
  }
  if (!a.ok) throw new ApiFailure(a.status, a.error!);
  return a.body as T;
}

/** Who is signed in and what they may do (worker/domain/access.ts capabilities): /api/staff/me. */
export type Me = StaffMe;

/** Whether the signed-in person holds a capability (from /api/staff/me). */
export const can = (me: Pick<Me, 'capabilities'>, capability: string) => me.capabilities.includes(capability);

/** Who is signed in (and refresh the CSRF token); fills the header and wires sign-out. */
export async function whoami(): Promise<Me> {
  const me = await api<Me>('/api/staff/me');
  setCsrf(me.csrfToken);
  const el = document.getElementById('whoami');
  if (el) el.textContent = `${me.displayName}（${me.roleLabels.join('、')}）`;
  document.getElementById('logout')?.addEventListener('click', async () => {
    await api('/api/staff/logout', { method: 'POST', json: {} }).catch(() => undefined);
    sessionStorage.removeItem('aq-csrf');
    location.assign('/staff/login/');
  });
  return me;
}
