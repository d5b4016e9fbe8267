/**
 * Builders for 进度查询 tests in workerd: a tip submitted through the API (with its internal id for driving
 * the workflow), the workflow actions as an admin, and the reporter's calls (open with number + code, then
 * follow-up calls with the token). Every answer of the lookup is parsed with the strict `ReporterView` schema,
 * so an extra field fails the test.
 */
import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { ReporterView } from '../../worker/schemas/track';
import { transition } from '../../worker/services/transitions';
import type { Action } from '../../worker/domain/workflow';
import { submitTip, validTip, tipIdOf } from './tips';

export const trackAdmin = { id: 'track-admin', roles: ['admin'], departmentId: null };

export interface SubmittedTip {
  id: string;
  trackingNo: string;
  queryCode: string;
}

/** Submit a tip through POST /api/tips and return its receipt with the internal id. */
export async function newTip(overrides: Record<string, unknown> = {}): Promise<SubmittedTip> {
  const res = await submitTip(validTip(overrides));
  expect(res.status).toBe(201);
  const r = (await res.json()) as { trackingNo: string; queryCode: string };
  const id = await tipIdOf(r.trackingNo);
  return { id, trackingNo: r.trackingNo, queryCode: r.queryCode };
}

/** Drive a tip through the one workflow service, as an admin, at `now`. */
export async function act(id: string, action: Action, input: Record<string, unknown> = {}, now = Date.now()) {
  const { version } = (await env.DB.prepare('SELECT version FROM tips WHERE id = ?')
    .bind(id)
    .first<{ version: number }>())!;
  return transition(env, trackAdmin, id, action, input, version, now);
}

/** 受理 at `now` and 交办 to 区应急管理局 at `assignAt` (the same instant unless a test times each step), as an admin. */
export async function acceptAndAssign(id: string, now = Date.now(), assignAt = now) {
  await act(id, 'accept', {}, now);
  await act(id, 'assign', { departmentId: 'yjj' }, assignAt);
}

let ipN = 0;
/** A fresh client network (its own IPv6 /64) per call, so per-client limits only bite where a test wants them to. */
export const freshIp = () => `2001:db8:7:${(++ipN).toString(16)}::1`;

/** POST /api/track as a browser would. */
export function openTrack(trackingNo: string, queryCode: string, from = freshIp()) {
  return SELF.fetch('http://localhost/api/track', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': from },
    body: JSON.stringify({ trackingNo, queryCode }),
  });
}

/** Open a tip with its receipt; the view is checked against the strict schema. */
export async function viewOf(t: {
  trackingNo: string;
  queryCode: string;
}): Promise<{ token: string; expiresAt: string; view: ReporterView }> {
  const res = await openTrack(t.trackingNo, t.queryCode);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { token: string; expiresAt: string; view: unknown };
  return { ...body, view: ReporterView.parse(body.view) };
}

/** A follow-up call with the token in the Authorization header (GET without a body, POST with one). */
export function withToken(token: string, path: string, json?: unknown) {
  return SELF.fetch(`http://localhost${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
}

/** The body of an error answer. */
export async function errorOf(res: Response): Promise<{
  code: string;
  message: string;
  fields?: { path: string; code: string; message: string }[];
  retryAfter?: number;
}> {
  return ((await res.json()) as { error: never }).error;
}
