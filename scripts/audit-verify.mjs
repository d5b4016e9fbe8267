#!/usr/bin/env node
/**
 * Check the audit log: every row against its keyed seal (HMAC-SHA-256 under AUDIT_HMAC_KEY), the links between
 * seals, the keys they name, the guard triggers, and the anchors the sealer wrote to R2 — and name what broke
 * (edited, replaced or deleted row, cut tail, recomputed chain, dropped trigger). Reports the unsealed tail.
 *
 *   npm run audit:verify                       # local state (.wrangler/state), key from .dev.vars
 *   npm run audit:verify -- --persist-to DIR [-c wrangler.toml] [--r2-persist-to DIR]
 *   AUDIT_HMAC_KEY=… npm run audit:verify -- --remote   # the deployed D1 (anchors: see below)
 *
 * Local: D1 and R2 are opened with wrangler's getPlatformProxy (the same local storage `npm start` uses);
 * `--r2-persist-to` reads anchors from another state folder (e.g. the original's, after a restore).
 * Remote: rows are read with `wrangler d1 execute --remote`; wrangler cannot list R2 objects, so the anchors
 * are not compared here — the console's check (审计 → 校验) compares them in the Worker.
 * The key comes from AUDIT_HMAC_KEY in the environment, else from .dev.vars next to the config (locally, else
 * the demo default the local server gets).
 * Exit code 0: intact; 1: a problem was found; 2: the check could not run.
 * The checking code is the Worker's own (worker/lib/audit-chain.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LOCAL_VARS, OFFLINE_ENV, ROOT } from './lib/local.mjs';
import { auditKeyRing, readAnchors, verifyAuditDb } from '../worker/lib/audit-chain.ts';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const config = resolve(ROOT, opt('-c', 'wrangler.toml'));
const remote = args.includes('--remote');

function devVar(name) {
  if (process.env[name]) return process.env[name];
  for (const file of [join(dirname(config), '.dev.vars'), join(ROOT, '.dev.vars')]) {
    if (!existsSync(file)) continue;
    const m = new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(file, 'utf8'));
    if (m) return m[1].trim();
  }
  // Locally the server runs with the same default (scripts/lib/local.mjs) when .dev.vars has none.
  return remote ? undefined : LOCAL_VARS[name];
}

/** `wrangler d1 execute --remote` as the small D1 surface the check needs (integer parameters only). */
function remoteDb() {
  const exec = (sql, params) => {
    const text = sql.replace(/\?(\d*)/g, (_, n) => {
      const v = params[n ? Number(n) - 1 : 0];
      if (!Number.isInteger(v)) throw new Error('only integer parameters');
      return String(v);
    });
    const r = spawnSync('wrangler', ['d1', 'execute', 'DB', '--remote', '-c', config, '--json', '--command', text], {
      cwd: ROOT,
      env: { ...OFFLINE_ENV, WRANGLER_LOG: undefined },
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(r.stderr || r.stdout);
    return { results: JSON.parse(r.stdout)[0].results };
  };
  return {
    prepare: (sql) => ({
      bind: (...params) => ({ all: async () => exec(sql, params) }),
      all: async () => exec(sql, []),
    }),
  };
}

async function localBindings(persistTo) {
  const { getPlatformProxy } = await import('wrangler');
  return getPlatformProxy({ configPath: config, persist: { path: join(persistTo, 'v3') }, remoteBindings: false });
}

let report;
const opened = [];
try {
  const { current, all } = await auditKeyRing(devVar('AUDIT_HMAC_KEY'), devVar('AUDIT_HMAC_OLD_KEYS'));
  if (!current) console.error('! AUDIT_HMAC_KEY 未设置：封存无法校验 (set AUDIT_HMAC_KEY or .dev.vars)');
  if (remote) {
    report = await verifyAuditDb(remoteDb(), all, null);
  } else {
    const persistTo = resolve(ROOT, opt('--persist-to', join(dirname(config), '.wrangler', 'state')));
    const d1 = await localBindings(persistTo);
    opened.push(d1);
    const r2Dir = opt('--r2-persist-to', null);
    const r2 = r2Dir ? await localBindings(resolve(ROOT, r2Dir)) : d1;
    if (r2 !== d1) opened.push(r2);
    report = await verifyAuditDb(d1.env.DB, all, await readAnchors(r2.env.FILES));
  }
} catch (e) {
  console.error(`✗ 无法校验 could not check: ${e?.message ?? e}`);
  process.exit(2);
} finally {
  for (const p of opened) await p.dispose();
}

const when = (t) => new Date(t).toISOString();
const tail = report.unsealed.count
  ? `; ${report.unsealed.count} unsealed (from seq ${report.unsealed.fromSeq}, oldest ${when(report.unsealed.oldestAt)})`
  : '';
const anchors = report.anchors
  ? `; ${report.anchors.checked} anchors checked (latest seq ${report.anchors.latestSeq ?? '—'})`
  : '; anchors not checked (remote)';
if (report.ok) {
  console.log(
    `✓ 审计日志完整 audit chain intact: ${report.rows} rows, sealed to seq ${report.sealedSeq}${tail}${anchors}`,
  );
} else {
  console.error(
    `✗ 审计日志被篡改 audit chain broken: ${report.problems.length + report.moreProblems} problem(s); ${report.rows} rows, sealed to seq ${report.sealedSeq}${tail}${anchors}`,
  );
  for (const p of report.problems)
    console.error(
      `  [${p.kind}]${p.seq ? ` seq ${p.seq}${p.toSeq && p.toSeq !== p.seq ? `–${p.toSeq}` : ''}` : ''}: ${p.message}`,
    );
  if (report.moreProblems) console.error(`  … and ${report.moreProblems} more`);
}
process.exit(report.ok ? 0 : 1);
