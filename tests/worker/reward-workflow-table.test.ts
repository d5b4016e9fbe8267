/**
 * The reward workflow table (worker/domain/reward-workflow.ts), rule by rule: which role takes each action, from
 * which states, and the different-person rule for approval (docs/rules.md, "Claim terms": approval by a
 * different person than the proposer).
 */
import { describe, expect, it } from 'vitest';
import {
  allowedRewardActions,
  REWARD_STATES,
  REWARD_TRANSITIONS,
  rewardActionRefusal,
  type RewardAction,
} from '../../worker/domain/reward-workflow';

const officer = { id: 'o1', roles: ['reward_officer'] };
const approver = { id: 'a1', roles: ['reward_approver'] };
const both = { id: 'b1', roles: ['reward_officer', 'reward_approver'] };

describe('reward workflow table', () => {
  it.each([
    ['approve', 'proposed', approver, null],
    ['approve', 'proposed', officer, 'FORBIDDEN'],
    ['approve', 'approved', approver, 'INVALID_TRANSITION'],
    ['notify', 'approved', officer, null],
    ['notify', 'proposed', officer, 'INVALID_TRANSITION'],
    ['notify', 'approved', approver, 'FORBIDDEN'],
    ['extend', 'notified', approver, null],
    ['pay', 'notified', officer, null],
    ['pay', 'expired', officer, 'INVALID_TRANSITION'],
    ['decline', 'approved', approver, null],
    ['decline', 'notified', approver, 'INVALID_TRANSITION'],
  ] as const)('%s from %s by %o → %s', (action, status, actor, code) => {
    expect(
      rewardActionRefusal(action as RewardAction, { status, proposed_by: 'someone-else' }, actor)?.code ?? null,
    ).toBe(code);
  });

  it('different person: whoever proposed cannot approve, even holding both roles', () => {
    expect(rewardActionRefusal('approve', { status: 'proposed', proposed_by: both.id }, both)).toMatchObject({
      code: 'DIFFERENT_PERSON_REQUIRED',
      message: '审批人不能与经办人为同一人。',
    });
    expect(allowedRewardActions({ status: 'proposed', proposed_by: both.id }, both)).toEqual(['decline']);
  });

  it('only the scheduled job expires a notice; no person can', () => {
    expect(rewardActionRefusal('expire', { status: 'notified', proposed_by: null }, 'system')).toBeNull();
    expect(rewardActionRefusal('expire', { status: 'notified', proposed_by: null }, both)?.code).toBe('FORBIDDEN');
  });

  it('every target is a reward state and every action has one role', () => {
    for (const rule of Object.values(REWARD_TRANSITIONS)) {
      expect(REWARD_STATES).toContain(rule.to);
      for (const f of rule.from) expect(REWARD_STATES).toContain(f);
    }
  });
});
