/**
 * The console's one way to talk to /api/staff: JSON in and out, the CSRF token on every write, and errors
 * turned into a readable Chinese message (with field errors kept for forms). A 401 sends the person to sign in.
 */
let csrf = sessionStorage.getItem('aq-csrf') ?? '';

export function setCsrf(token: string) {
  csrf = token;
  sessionStorage.setItem('aq-csrf', token);
}

export interface ApiErrorBody {
  code: string;
  message: string;
  fields?: { path: string; code: string; message: string }[];
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiErrorBody,
  ) {
    super(error.message);
  }
}

export async function api<T = unknown>(path: string, opts: { method?: string; json?: unknown } = {}): Promise<T> {
  const method = opts.method ?? (opts.json !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiFailure(0, { code: 'NETWORK', message: '网络连接失败，请检查网络后重试。' });
  }
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => null)) as ({ error?: ApiErrorBody } & T) | null;
  if (!res.ok) {
    const error = body?.error ?? { code: 'INTERNAL', message: '系统出现错误，请稍后重试。' };
    if (res.status === 401 && !location.pathname.startsWith('/staff/login/')) {
      location.assign(`/staff/login/?next=${encodeURIComponent(location.pathname + location.search)}`);
      // The page is leaving for the login: nothing after this call should run (or report an error).
      return new Promise<T>(() => {});
    }
    throw new ApiFailure(res.status, error);
  }
  return body as T;
}

export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  roleLabels: string[];
  departmentId: string | null;
  csrfToken: string;
  /**
   * What the caller may do (worker/domain/access.ts): the console shows a section or button only for a
   * capability listed here, and never keeps role lists of its own (the API decides again on every call).
   */
  capabilities: string[];
}

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
