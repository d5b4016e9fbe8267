/**
 * The tip workflow through the staff API, for Worker tests: an action sent with the tip's current version, a tip
 * 受理 and 交办 ready for 核查, and the conclusions the tests give (one wording for the 五到位 plan and the orders).
 */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import type { StaffClient } from './staff';
import { newTip, type SubmittedTip } from './track';

/** The tip's version as stored now (what the console sends back with an action). */
export async function versionOf(id: string): Promise<number> {
  return (await env.DB.prepare('SELECT version FROM tips WHERE id = ?').bind(id).first<{ version: number }>())!.version;
}

/** POST /api/staff/tips/:id/actions/:action as `client`, with the current version unless a test gives its own. */
export async function staffAction(
  client: StaffClient,
  id: string,
  action: string,
  input: Record<string, unknown> = {},
  version?: number,
): Promise<Response> {
  return client.post(`/api/staff/tips/${id}/actions/${action}`, { version: version ?? (await versionOf(id)), input });
}

/** A tip submitted through the API, then 受理 and 交办 to 区应急管理局 (`yjj`) by `dispatcher`: ready for 核查. */
export async function assignedTip(
  dispatcher: StaffClient,
  overrides: Record<string, unknown> = {},
): Promise<SubmittedTip> {
  const tip = await newTip(overrides);
  expect((await staffAction(dispatcher, tip.id, 'accept')).status).toBe(200);
  expect((await staffAction(dispatcher, tip.id, 'assign', { departmentId: 'yjj' })).status).toBe(200);
  return tip;
}

/** A 五到位 整改方案 (措施、责任人、资金、时限、预案) with its 整改时限 `deadline` (YYYY-MM-DD). */
export const rectificationPlan = (deadline: string) => ({
  measures: '更换燃气管道并安装可燃气体报警器',
  responsibility: '店长张某',
  funds: '3000 元，店方自筹',
  deadline,
  plan: '制定燃气泄漏应急处置预案',
});

/** 属实, found a 一般事故隐患 (yellow): 责令限期整改 with the plan, due `deadline`. */
export const generalHazardOrder = (deadline: string) => ({
  conclusion: 'true',
  verifiedType: 'general_hazard',
  decision: '责令限期整改',
  hazardLevel: 'general',
  riskColour: 'yellow',
  rectificationRequired: true,
  rectification: rectificationPlan(deadline),
});

/** 属实, found a 重大事故隐患 (red): 挂牌督办 and 整改 ordered, with the plan due `deadline` (none without it). */
export const majorHazardOrder = (deadline?: string) => ({
  conclusion: 'true',
  verifiedType: 'major_hazard',
  decision: '重大隐患，挂牌督办',
  hazardLevel: 'major',
  riskColour: 'red',
  rectificationRequired: true,
  ...(deadline === undefined ? {} : { rectification: rectificationPlan(deadline) }),
});
