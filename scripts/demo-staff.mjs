/**
 * Demo staff accounts for the LOCAL portal only (`npm start` and the browser tests); never run against a
 * deployment. Admin, supervisor and reward roles have a TOTP key already enrolled, printed below so a developer can add it
 * to an authenticator app (or compute codes in tests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seal } from '../worker/lib/crypto.ts';
import { ROLES } from '../worker/domain/workflow.ts';
import { ROOT } from './lib/local.mjs';
import { staffInsert } from './lib/staff-sql.mjs';

export const DEMO_PASSWORD = 'Anquan-Demo-2026';
/** Fixed demo TOTP key (base32), so printed logins stay valid across restarts. Local only. */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export const DEMO_STAFF = [
  { id: 'demo-admin', username: 'admin', displayName: '王管理', roles: ['admin'] },
  { id: 'demo-dispatcher', username: 'shouli', displayName: '李受理', roles: ['dispatcher'] },
  {
    id: 'demo-handler-yjj',
    username: 'yjj',
    displayName: '赵承办（区应急管理局）',
    roles: ['handler'],
    departmentId: 'yjj',
  },
  {
    id: 'demo-handler-zjj',
    username: 'zjj',
    displayName: '钱承办（区住建局）',
    roles: ['handler'],
    departmentId: 'zjj',
  },
  { id: 'demo-supervisor', username: 'duban', displayName: '孙督办', roles: ['supervisor'] },
  { id: 'demo-reward-officer', username: 'jiangli', displayName: '周奖励经办', roles: ['reward_officer'] },
  { id: 'demo-reward-approver', username: 'shenpi', displayName: '吴奖励审批', roles: ['reward_approver'] },
  { id: 'demo-auditor', username: 'shenji', displayName: '郑审计', roles: ['auditor'] },
];
/** Keep equal to TOTP_ROLES of worker/domain/access.ts (roles holding identity, account or money capabilities). */
const TOTP_ROLES = ['admin', 'supervisor', 'reward_officer', 'reward_approver'];

function devVars() {
  const vars = {};
  for (const line of readFileSync(join(ROOT, '.dev.vars'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

/** INSERT OR IGNORE statements for the demo accounts (re-running changes nothing). */
export async function demoStaffStatements() {
  const env = devVars();
  const out = [];
  for (const s of DEMO_STAFF) {
    const totp = s.roles.some((r) => TOTP_ROLES.includes(r));
    const totpSecret = totp ? JSON.stringify(await seal(env, DEMO_TOTP_SECRET, `totp:${s.id}`)) : null;
    out.push(await staffInsert({ ...s, password: DEMO_PASSWORD, totpSecret, totpLastStep: totp ? 0 : null }));
  }
  return out;
}

export const DEMO_STAFF_PRINT = [
  ...DEMO_STAFF.map(
    (s) =>
      `${s.username.padEnd(8)} ${DEMO_PASSWORD}   ${s.roles.map((r) => ROLES.find((x) => x.code === r)?.label ?? r).join('、')} · ${s.displayName}`,
  ),
  `动态验证码密钥 TOTP key for admin/duban/jiangli/shenpi: ${DEMO_TOTP_SECRET}  (添加到验证器 App，或 otpauth://totp/Anquan?secret=${DEMO_TOTP_SECRET})`,
];
