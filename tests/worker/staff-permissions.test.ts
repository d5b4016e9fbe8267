/**
 * The permission matrix: every staff route × every role (and no session) → 401 / 403 / allowed. The expected
 * table is written out here by hand, independently of the routes' own declarations, and the test fails if the
 * API gains a staff route this table does not list.
 */
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLE_CODES } from '../../worker/domain/workflow';
import { transition } from '../../worker/services/transitions';
import { submitTip, validTip, tipIdOf } from '../support/tips';
import { signedIn, type StaffClient } from '../support/staff';

const ALL = [...ROLE_CODES];
const WORKERS = ['admin', 'dispatcher', 'handler', 'supervisor'];
const EXPECTED: Record<string, string[]> = {
  'GET /api/staff/tips': ALL,
  'GET /api/staff/tips/export.csv': ['admin', 'dispatcher', 'supervisor', 'auditor'],
  'GET /api/staff/tips/{id}': ALL,
  'POST /api/staff/tips/{id}/actions/{action}': WORKERS,
  'POST /api/staff/tips/bulk-assign': ['admin', 'dispatcher'],
  'POST /api/staff/tips/{id}/notes': WORKERS,
  'POST /api/staff/tips/{id}/messages': WORKERS,
  'POST /api/staff/tips/{id}/reveal': ['admin', 'dispatcher', 'supervisor', 'reward_officer'],
  'GET /api/staff/tips/{id}/attachments/{attId}': ALL,
  'GET /api/staff/reference': ALL,
  'GET /api/staff/reminders': ALL,
  'POST /api/staff/reminders/{id}/read': ALL,
  'GET /api/staff/admin/staff': ['admin'],
  'POST /api/staff/admin/staff': ['admin'],
  'PATCH /api/staff/admin/staff/{id}': ['admin'],
  'PUT /api/staff/admin/reference': ['admin'],
  'GET /api/staff/admin/time-limits': ['admin', 'supervisor'],
  'PUT /api/staff/admin/time-limits': ['admin'],
  'GET /api/staff/admin/calendar': ['admin', 'supervisor'],
  'PUT /api/staff/admin/calendar': ['admin'],
  'GET /api/staff/admin/partners': ['admin'],
  'POST /api/staff/admin/partners': ['admin'],
  'PATCH /api/staff/admin/partners/{id}': ['admin'],
  'GET /api/staff/audit/verify': ['admin', 'auditor'],
  'GET /api/staff/audit': ['admin', 'auditor'],
  'GET /api/staff/rewards': ['admin', 'auditor', 'reward_officer', 'reward_approver'],
  'GET /api/staff/tips/{id}/reward-preview': ['reward_officer', 'reward_approver'],
  'POST /api/staff/rewards': ['reward_officer'],
  'POST /api/staff/rewards/{id}/approve': ['reward_approver'],
  'POST /api/staff/rewards/{id}/notify': ['reward_officer'],
  'POST /api/staff/rewards/{id}/extend': ['reward_approver'],
  'POST /api/staff/rewards/{id}/pay': ['reward_officer'],
  'POST /api/staff/rewards/{id}/decline': ['reward_approver'],
  'GET /api/staff/rewards/report': ['admin', 'auditor', 'reward_officer', 'reward_approver'],
  'GET /api/staff/rewards/candidates': ['admin', 'auditor', 'reward_officer', 'reward_approver'],
  'GET /api/staff/rewards/ledger.csv': ['admin', 'auditor', 'reward_officer', 'reward_approver'],
  'GET /api/staff/reward-rules': ['admin', 'reward_officer', 'reward_approver'],
  'POST /api/staff/reward-rules': ['admin'],
};

let tipId: string;
const clients: Record<string, StaffClient> = {};

beforeAll(async () => {
  const res = await submitTip(validTip());
  const no = ((await res.json()) as { trackingNo: string }).trackingNo.replaceAll('-', '');
  tipId = await tipIdOf(no);
  const admin = { id: 'perm-admin', roles: ['admin'], departmentId: null };
  await transition(env, admin, tipId, 'accept', {}, 1);
  await transition(env, admin, tipId, 'assign', { departmentId: 'yjj' }, 2);
  for (const role of ALL) clients[role] = (await signedIn([role], { departmentId: role === 'handler' ? 'yjj' : null })).client;
});

function concrete(path: string) {
  return path
    .replace('{id}', path.includes('/admin/staff/') || path.includes('/admin/partners/') || path.includes('/rewards/') ? crypto.randomUUID() : path.includes('/reminders/') ? 'no-such-reminder' : tipId)
    .replace('{action}', 'accept')
    .replace('{attId}', crypto.randomUUID());
}

describe('staff permission matrix', () => {
  it('the table lists exactly the staff routes of /api/openapi.json', async () => {
    const doc = (await (await SELF.fetch('http://localhost/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { 'x-roles'?: string[] }>>;
    };
    const routes: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) if (op['x-roles']) routes.push(`${method.toUpperCase()} ${path}`);
    }
    expect(routes.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [route, allowed] of Object.entries(EXPECTED)) {
    it(`${route}: no session → 401; ${allowed.length === ALL.length ? 'every role' : allowed.join(', ')} → allowed; others → 403`, async () => {
      const [method, path] = route.split(' ') as [string, string];
      const url = concrete(path);
      const body = method === 'GET' ? undefined : {};
      const anon = await SELF.fetch(`http://localhost${url}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(anon.status, `${route} without a session`).toBe(401);
      for (const role of ALL) {
        const res = await clients[role]!.fetch(url, { method, json: body });
        if (allowed.includes(role)) expect([401, 403], `${route} as ${role}: ${res.status}`).not.toContain(res.status);
        else expect(res.status, `${route} as ${role}`).toBe(403);
        await res.body?.cancel();
      }
    });
  }

  it('a 承办员 reading or acting on another department’s tip by id is refused', async () => {
    const other = (await signedIn(['handler'], { departmentId: 'zjj' })).client;
    expect((await other.get(`/api/staff/tips/${tipId}`)).status).toBe(403);
    expect((await other.post(`/api/staff/tips/${tipId}/notes`, { body: '看一眼' })).status).toBe(403);
    expect((await other.post(`/api/staff/tips/${tipId}/actions/return`, { version: 3, input: { reason: '不是我们的' } })).status).toBe(403);
    const list = (await (await other.get('/api/staff/tips?view=all')).json()) as { rows: { id: string }[] };
    expect(list.rows.map((r) => r.id)).not.toContain(tipId);
  });
});
