#!/usr/bin/env node
/**
 * Verify the audit log's hash chain and name the first broken row.
 *
 *   npm run audit:verify -- [--remote] [--persist-to .wrangler/state] [-c wrangler.toml]
 *
 * Reads the rows with `wrangler d1 execute --json` (local state or the deployed D1) and hashes them exactly as
 * the Worker does (worker/lib/audit-payload.ts). Exit code 0 when the chain is intact, 1 when it is not.
 * The same check runs in the console (审计 → 校验) as GET /api/staff/audit/verify.
 */
import { spawnSync } from 'node:child_process';
import { OFFLINE_ENV, ROOT } from './lib/local.mjs';
import { verifyChainRows } from './lib/audit-chain.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const where = args.includes('--remote') ? ['--remote'] : ['--local', '--persist-to', opt('--persist-to', '.wrangler/state')];
const PAGE = 5000;
const rows = [];
for (let after = 0; ; ) {
  // With WRANGLER_LOG set at all (our quiet default sets it), wrangler 4 prints no `--json` output: unset it.
  const r = spawnSync(
    'wrangler',
    ['d1', 'execute', 'DB', ...where, '-c', opt('-c', 'wrangler.toml'), '--json', '--command',
      `SELECT seq, at, actor, action, tip_id, detail, prev_hash, hash FROM audit_log WHERE seq > ${after} ORDER BY seq LIMIT ${PAGE}`],
    { cwd: ROOT, env: { ...OFFLINE_ENV, WRANGLER_LOG: undefined }, encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) {
    console.error(r.stderr || r.stdout);
    process.exit(2);
  }
  const page = JSON.parse(r.stdout)[0].results;
  rows.push(...page);
  if (page.length < PAGE) break;
  after = page.at(-1).seq;
}
const result = verifyChainRows(rows);
if (result.ok) console.log(`✓ 审计日志完整 audit chain intact: ${result.rows} rows`);
else console.error(`✗ 审计日志被篡改 audit chain broken at seq ${result.firstBroken.seq} (${result.firstBroken.reason}); ${result.rows} rows read`);
process.exit(result.ok ? 0 : 1);
