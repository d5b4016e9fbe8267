/**
 * The browser's one way to call the Worker: JSON in and out, a network failure and a non-JSON answer turned
 * into the same error envelope the API sends ({ error: { code, message, fields? } }), with Chinese messages.
 * The staff console adds its CSRF header and sign-in redirect on top (staff/api.ts).
 */

import type { z } from '@hono/zod-openapi';
import type { ErrorEnvelope } from '../../../worker/schemas/common';

/** The API's one error envelope's body, as the Worker declares it. */
export type ApiErrorBody = z.infer<typeof ErrorEnvelope>['error'];

/** An answer: the status and the parsed body (null when the body was not JSON). Status 0: no answer. */
export interface Answer<T = unknown> {
  status: number;
  ok: boolean;
  body: T | null;
  error: ApiErrorBody | null;
}

export const NETWORK_ERROR: ApiErrorBody = { code: 'NETWORK', message: '网络连接失败，请检查网络后重试。' };
const UNKNOWN_ERROR: ApiErrorBody = { code: 'INTERNAL', message: '系统出现错误，请稍后重试。' };

/** The error envelope of a parsed body, if it is one. */
export function errorIn(body: unknown): ApiErrorBody | null {
  const e = (body as { error?: unknown } | null)?.error;
  return e && typeof e === 'object' && typeof (e as ApiErrorBody).message === 'string' ? (e as ApiErrorBody) : null;
}

/** What to tell the person: the first field's message when there is one, else the error's. */
export const messageOf = (e: ApiErrorBody | null | undefined) =>
  e?.fields?.[0]?.message ?? e?.message ?? UNKNOWN_ERROR.message;

/** Turn an XMLHttpRequest or fetch answer's status and text into an Answer. */
export function answerOf<T>(status: number, text: string): Answer<T> {
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {}
  const ok = status >= 200 && status < 300;
  return { status, ok, body: ok ? (body as T) : null, error: ok ? null : (errorIn(body) ?? UNKNOWN_ERROR) };
}

export interface RequestInit {
  method?: string;
  /** Sent as JSON (and makes the default method POST). */
  json?: unknown;
  headers?: Record<string, string>;
}

/** Call `path`; never throws. A network failure answers status 0 with NETWORK_ERROR. */
export async function request<T = unknown>(path: string, init: RequestInit = {}): Promise<Answer<T>> {
  const method = init.method ?? (init.json !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
      credentials: 'same-origin',
    });
  } catch {
    return { status: 0, ok: false, body: null, error: NETWORK_ERROR };
  }
  return answerOf<T>(res.status, res.status === 204 ? '' : await res.text().catch(() => ''));
}

/** Thrown by getJson (and the console's api()) for an answer that is not 2xx. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiErrorBody,
  ) {
    super(error.message);
  }
}

/** Call `path` and return its body, or throw ApiFailure. */
export async function getJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const a = await request<T>(path, init);
  if (!a.ok) throw new ApiFailure(a.status, a.error ?? UNKNOWN_ERROR);
  return a.body as T;
}
