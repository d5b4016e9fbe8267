#!/usr/bin/env node
/**
 * Create the first administrator of a new deployment (demo accounts exist only in local seed data).
 *
 *   npm run create-admin -- --username admin --name "系统管理员" [--remote] [-c wrangler.toml]
 *
 * The password is read from the terminal (hidden), or from ANQUAN_ADMIN_PASSWORD for automation. It must
 * have at least 12 characters of three kinds. The admin enrols a TOTP authenticator at first sign-in
 * (/staff/login/ shows the key and a QR code) and can then create the other accounts in the console.
 * The creation is written to the audit log (who ran it on which OS account), in the same execution.
 */
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { passwordProblem } from '../worker/lib/password.ts';
import { OFFLINE_ENV, ROOT } from './lib/local.mjs';
import { staffInsert } from './lib/staff-sql.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const username = opt('--username', 'admin');
const displayName = opt('--name', '系统管理员');
if (!/^[a-z0-9._-]{3,32}$/.test(username)) {
  console.error('用户名为 3–32 位小写字母、数字或 . _ - (username: 3–32 of a-z 0-9 . _ -)');
  process.exit(1);
}

async function readPassword() {
  if (process.env.ANQUAN_ADMIN_PASSWORD) return process.env.ANQUAN_ADMIN_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  rl._writeToOutput = (s) => rl.output.write(s.includes('密码') ? s : '');
  const ask = (p) => new Promise((r) => rl.question(p, r));
  const a = await ask('密码 Password: ');
  process.stdout.write('\n');
  const b = await ask('再次输入密码 Repeat: ');
  process.stdout.write('\n');
  rl.close();
  if (a !== b) throw new Error('两次输入的密码不一致 (passwords differ)');
  return a;
}

const password = await readPassword();
const problem = passwordProblem(password);
if (problem) {
  console.error(`✗ ${problem}`);
  process.exit(1);
}
const id = crypto.randomUUID();
// The account and its audit entry in one execution; the entry only if the account was really created (an
// existing username is left alone, and then nothing is audited). Sealed by the next run of the sealer.
const auditDetail = JSON.stringify({
  via: 'npm run create-admin',
  staffId: id,
  username,
  roles: ['admin'],
  osUser: userInfo().username,
});
const sql = `${await staffInsert({ id, username, displayName, password, roles: ['admin'] })};
INSERT INTO audit_log (at, actor, action, tip_id, detail)
  SELECT ${Date.now()}, 'system', 'staff.created', NULL, '${auditDetail.replaceAll("'", "''")}'
  WHERE EXISTS (SELECT 1 FROM staff WHERE id = '${id}')`;
const where = args.includes('--remote')
  ? ['--remote']
  : ['--local', '--persist-to', opt('--persist-to', '.wrangler/state')];
const r = spawnSync(
  'wrangler',
  ['d1', 'execute', 'DB', ...where, '-c', opt('-c', 'wrangler.toml'), '--command', sql, '--yes'],
  {
    cwd: ROOT,
    env: OFFLINE_ENV,
    encoding: 'utf8',
  },
);
if (r.status !== 0) {
  console.error(r.stderr || r.stdout);
  process.exit(1);
}
console.log(`✓ 管理员账号 ${username} 已创建（如用户名已存在则未作更改）。首次登录 /staff/login/ 时绑定动态验证码。`);
