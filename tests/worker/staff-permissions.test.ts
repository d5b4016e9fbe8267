/**
 * The permission matrix: every staff route × every role (and no session) → 401 / 403 / allowed. The expected roles
 * of each route are derived from the access module (worker/domain/access.ts: the route's declared capability and
 * the roles holding it), so the console, the API and this test cannot drift apart; what the module grants is
 * pinned separately below for the decisions that matter most (identity, exports, read-only auditors).
 */
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { can, CAPABILITIES, GRANTS, TOTP_ROLES, type Capability } from '../../worker/domain/access';
import { ROLE_CODES } from '../../worker/domain/workflow';
import { transition } from '../../worker/services/transitions';
import { submitTip, validTip, tipIdOf } from '../support/tips';
import { signedIn, type StaffClient } from '../support/staff';

const ALL = [...ROLE_CODES];
/** The roles allowed through a route gated by `cap` (a signed-in session with its second factor). */
const allowedFor = (cap: Capability) =>
  ALL.filter((r) =>
    can({ id: 'x', roles: [r], departmentId: r === 'handler' ? 'yjj' : null, secondFactorDone: true }, cap),
  );

let routes: { route: string; cap: Capability; roles: string[] }[] = [];

let tipId: string;
const clients: Record<string, StaffClient> = {};

beforeAll(async () => {
  const res = await submitTip(validTip());
  const no = ((await res.json()) as { trackingNo: string }).trackingNo.replaceAll('-', '');
  tipId = await tipIdOf(no);
  const admin = { id: 'perm-admin', roles: ['admin'], departmentId: null };
  await transition(env, admin, tipId, 'accept', {}, 1);
  await transition(env, admin, tipId, 'assign', { departmentId: 'yjj' }, 2);
  for (const role of ALL)
    clients[role] = (await signedIn([role], { departmentId: role === 'handler' ? 'yjj' : null })).client;
});

function concrete(path: string) {
  return path
    .replace(
      '{id}',
      path.includes('/admin/staff/') ||
        path.includes('/admin/partners/') ||
        path.includes('/rewards/') ||
        path.includes('/alerts/')
        ? crypto.randomUUID()
        : path.includes('/reminders/')
          ? 'no-such-reminder'
          : tipId,
    )
    .replace('{action}', 'accept')
    .replace('{attId}', crypto.randomUUID());
}

describe('staff permission matrix', () => {
  beforeAll(async () => {
    const doc = (await (await SELF.fetch('http://localhost/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { 'x-roles'?: string[]; 'x-capability'?: Capability }>>;
    };
    routes = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op['x-roles'] || op['x-capability'])
          routes.push({
            route: `${method.toUpperCase()} ${path}`,
            cap: op['x-capability']!,
            roles: op['x-roles'] ?? [],
          });
      }
    }
  });

  it('every staff route declares a capability of the access module, and lists exactly the roles holding it', () => {
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      expect(Object.keys(CAPABILITIES), r.route).toContain(r.cap);
      expect([...r.roles].sort(), r.route).toEqual(allowedFor(r.cap).sort());
    }
  });

  it('the module grants what the rules say for the decisions that matter most', () => {
    // Identity: few roles, all signing in with TOTP; never the handler, dispatcher or auditor.
    expect([...GRANTS['identity.reveal']].sort()).toEqual(['admin', 'reward_officer', 'supervisor']);
    for (const r of GRANTS['identity.reveal']) expect(TOTP_ROLES).toContain(r);
    expect([...TOTP_ROLES].sort()).toEqual(['admin', 'reward_approver', 'reward_officer', 'supervisor']);
    // Exports leave the system: not for a 承办员 (department-bound) nor the reward roles.
    expect([...GRANTS['tips.export']].sort()).toEqual(['admin', 'auditor', 'dispatcher', 'supervisor']);
    // The hazard ledger: 督办 and admins district-wide, a 承办员 its own department's (to keep its own ledger),
    // auditors reading; it holds nothing about the reporter.
    expect([...GRANTS['hazards.read']].sort()).toEqual(['admin', 'auditor', 'handler', 'supervisor']);
    expect([...GRANTS['hazards.export']].sort()).toEqual(['admin', 'auditor', 'handler', 'supervisor']);
    // An auditor reads everything and changes nothing: no capability that writes.
    const auditorWrites = (Object.keys(GRANTS) as Capability[]).filter(
      (c) =>
        GRANTS[c].includes('auditor') &&
        ![
          'tips.read',
          'tips.export',
          'hazards.read',
          'hazards.export',
          'reference.read',
          'reminders.read',
          'audit.read',
          'rewards.read',
          'reveals.watch',
        ].includes(c),
    );
    expect(auditorWrites).toEqual([]);
    // A 承办员's capabilities reach its own department only.
    const handler = { id: 'h', roles: ['handler'], departmentId: 'yjj' };
    expect(can(handler, 'tips.read', { department_id: 'yjj' })).toBe(true);
    expect(can(handler, 'tips.read', { department_id: 'zjj' })).toBe(false);
    expect(can(handler, 'tips.read', { department_id: null })).toBe(false);
    expect(can({ ...handler, departmentId: null }, 'tips.read')).toBe(false);
    // A reward officer reveals only for a tip whose reward is notified, and only after TOTP.
    const officer = { id: 'o', roles: ['reward_officer'], departmentId: null, secondFactorDone: true };
    expect(can(officer, 'identity.reveal', { department_id: null, reward_notified: false })).toBe(false);
    expect(can(officer, 'identity.reveal', { department_id: null, reward_notified: true })).toBe(true);
    expect(
      can({ ...officer, secondFactorDone: false }, 'identity.reveal', { department_id: null, reward_notified: true }),
    ).toBe(false);
  });

  // Every route × every role (about 400 requests): more than the default 5 s on a shared machine.
  it('the API enforces the matrix: no session → 401; the roles holding the capability → allowed; others → 403', async () => {
    for (const { route, cap } of routes) {
      const allowed = allowedFor(cap);
      const [method, path] = route.split(' ') as [string, string];
      const url = concrete(path);
      const body = method === 'GET' ? undefined : {};
      const anon = await SELF.fetch(`http://localhost${url}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(anon.status, `${route} without a session`).toBe(401);
      await anon.body?.cancel();
      for (const role of ALL) {
        const res = await clients[role]!.fetch(url, { method, json: body });
        if (allowed.includes(role)) expect([401, 403], `${route} as ${role}: ${res.status}`).not.toContain(res.status);
        else expect(res.status, `${route} as ${role}`).toBe(403);
        await res.body?.cancel();
      }
    }
  }, 60_000);

  it('/api/staff/me returns the caller’s capabilities from the module', async () => {
    for (const role of ALL) {
      const me = (await (await clients[role]!.get('/api/staff/me')).json()) as {
        capabilities: string[];
        tipScope: string;
      };
      expect(me.capabilities.sort(), role).toEqual(
        (Object.keys(GRANTS) as Capability[]).filter((c) => allowedFor(c).includes(role)).sort(),
      );
      expect(me.tipScope, role).toBe(role === 'handler' ? 'department' : 'all');
    }
  });

  it('a 承办员 reading or acting on another department’s tip by id is refused', async () => {
    const other = (await signedIn(['handler'], { departmentId: 'zjj' })).client;
    expect((await other.get(`/api/staff/tips/${tipId}`)).status).toBe(403);
    expect((await other.post(`/api/staff/tips/${tipId}/notes`, { body: '看一眼' })).status).toBe(403);
    expect(
      (await other.post(`/api/staff/tips/${tipId}/actions/return`, { version: 3, input: { reason: '不是我们的' } }))
        .status,
    ).toBe(403);
    const list = (await (await other.get('/api/staff/tips?view=all')).json()) as { rows: { id: string }[] };
    expect(list.rows.map((r) => r.id)).not.toContain(tipId);
  });
});
