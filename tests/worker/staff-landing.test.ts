/**
 * Where the console opens after sign-in: decided from the capabilities /api/staff/me returns (landingPage in
 * worker/domain/access.ts), not from role names — reward staff land on 举报奖励, everyone else on the queue.
 */
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, landingPage } from '../../worker/domain/access';
import { ROLE_CODES } from '../../worker/domain/workflow';
import { signedIn } from '../support/staff';

const landing = (roles: string[]) =>
  landingPage(capabilitiesOf({ id: 'x', roles, departmentId: null, secondFactorDone: true }));

describe('landing page after sign-in', () => {
  it.each([
    [['reward_officer'], '/staff/rewards/'],
    [['reward_approver'], '/staff/rewards/'],
    [['reward_officer', 'reward_approver'], '/staff/rewards/'],
    [['dispatcher'], '/staff/'],
    [['handler'], '/staff/'],
    [['supervisor'], '/staff/'],
    [['auditor'], '/staff/'],
    [['admin'], '/staff/'],
    // Someone who also handles tips starts on the queue.
    [['dispatcher', 'reward_officer'], '/staff/'],
  ])('%j → %s', (roles, page) => {
    expect(landing(roles)).toBe(page);
  });

  it('covers every role', () => {
    for (const r of ROLE_CODES) expect(['/staff/', '/staff/rewards/']).toContain(landing([r]));
  });

  it('/api/staff/me returns the capabilities the console decides from', async () => {
    const { client } = await signedIn(['reward_officer']);
    const me = (await (await client.get('/api/staff/me')).json()) as { capabilities: string[] };
    expect(landingPage(me.capabilities)).toBe('/staff/rewards/');
  });
});
