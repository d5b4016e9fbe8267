/**
 * Running the portal locally: build, migrate, seed and serve with wrangler (workerd + miniflare's local
 * D1/R2). Shared by `npm start`, the browser tests and the benchmarks, so all three run the same thing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { referenceStatements } from '../reference-data.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** No phoning home: this machine (and many deployments' CI) has no route to Cloudflare's APIs. */
export const OFFLINE_ENV = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'warn',
  ASTRO_TELEMETRY_DISABLED: '1',
};

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: opts.quiet ? 'pipe' : 'inherit',
    env: OFFLINE_ENV,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    if (opts.quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
  }
  return r;
}

/** Local secrets: copy the documented example on first run. */
export function ensureDevVars() {
  const target = join(ROOT, '.dev.vars');
  if (!existsSync(target)) copyFileSync(join(ROOT, '.dev.vars.example'), target);
}

/**
 * Local-only defaults the server gets unless `.dev.vars` sets them: Cloudflare's always-pass test sitekey for
 * the offline stand-in (wrangler.toml ships no sitekey, so a deployment never falls back to a test key), and the
 * demo audit key.
 */
export const LOCAL_VARS = {
  TURNSTILE_SITEKEY: '1x00000000000000000000AA',
  // For a .dev.vars made before the audit key existed (demo value, as in .dev.vars.example).
  AUDIT_HMAC_KEY: 'dev-only-audit-hmac-key-please-change-0123456789',
};

function localDefaults() {
  const path = join(ROOT, '.dev.vars');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  return Object.fromEntries(Object.entries(LOCAL_VARS).filter(([k]) => !new RegExp(`^${k}=`, 'm').test(text)));
}

export function build({ quiet = false } = {}) {
  ensureDevVars();
  run('astro', ['build'], { quiet });
}

/**
 * Load the reference data (departments, 镇街, domains with their 牵头单位, the 节假日/调休 calendar, the national
 * reward rules) into a D1: `where` is `['--remote']` or `['--local', '--persist-to', dir]`. Every row is
 * INSERT OR IGNORE, so running it again (each deploy does) adds what a newer release brings — next year's
 * holidays — and never overwrites what an admin changed.
 */
export function applyReference(where, { quiet = true, config = 'wrangler.toml' } = {}) {
  mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
  const file = join(ROOT, '.wrangler', `reference-${process.pid}.sql`);
  writeFileSync(file, `${referenceStatements().join(';\n')};\n`);
  try {
    run('wrangler', ['d1', 'execute', 'DB', ...where, '-c', config, '--file', file, '--yes'], { quiet });
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * Apply migrations and reference data to the local D1 stored under `persistTo`.
 * @param {string} persistTo folder for miniflare's local state
 */
export function migrateAndSeed(persistTo, { quiet = false } = {}) {
  const common = ['--local', '-c', 'wrangler.toml', '--persist-to', persistTo];
  run('wrangler', ['d1', 'migrations', 'apply', 'DB', ...common], { quiet: true });
  applyReference(['--local', '--persist-to', persistTo]);
  if (!quiet) console.log('  ✓ 数据库迁移与基础数据已就绪 (migrations and reference data applied)');
}

/**
 * Add the demo staff accounts (scripts/demo-staff.mjs) to the local D1 under `persistTo`. Local only.
 * @param {string} persistTo folder for miniflare's local state
 */
export async function seedDemoStaff(persistTo) {
  const { demoStaffStatements } = await import('../demo-staff.mjs');
  const file = join(ROOT, '.wrangler', `demo-staff-${process.pid}.sql`);
  writeFileSync(file, `${(await demoStaffStatements()).join(';\n')};\n`);
  run(
    'wrangler',
    ['d1', 'execute', 'DB', '--local', '-c', 'wrangler.toml', '--persist-to', persistTo, '--file', file, '--yes'],
    { quiet: true },
  );
  rmSync(file, { force: true });
}

/** Where each running server keeps its copy of the build: `.wrangler/serve/<pid>-<port>/{client,server}`. */
const SNAPSHOTS = join(ROOT, '.wrangler', 'serve');

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

/**
 * Copy the current build (`dist/`) to a folder of its own and return the Worker configuration inside it. The
 * server runs from the copy, so `astro build` (`npm run build`, the benchmarks, the browser tests), which
 * empties and rewrites `dist/`, never pulls the pages from under a running portal. Copies left by a server
 * that died without stopping are removed here.
 */
export function snapshotBuild(port) {
  mkdirSync(SNAPSHOTS, { recursive: true });
  for (const name of readdirSync(SNAPSHOTS)) {
    const pid = Number(name.split('-')[0]);
    if (!alive(pid)) rmSync(join(SNAPSHOTS, name), { recursive: true, force: true });
  }
  const config = join(ROOT, 'dist', 'server', 'wrangler.json');
  if (!existsSync(config)) throw new Error('dist/server/wrangler.json is missing: build first (npm run build)');
  const dir = join(SNAPSHOTS, `${process.pid}-${port}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, 'dist'), dir, { recursive: true });
  // The one path in the generated configuration that leaves dist/ (the copy sits elsewhere): make it absolute.
  const copied = join(dir, 'server', 'wrangler.json');
  const json = JSON.parse(readFileSync(copied, 'utf8'));
  for (const db of json.d1_databases ?? [])
    if (db.migrations_dir) db.migrations_dir = join(ROOT, 'dist', 'server', db.migrations_dir);
  writeFileSync(copied, JSON.stringify(json));
  // wrangler reads .dev.vars next to the configuration. The build copies it there only when it existed at build
  // time (a bare `npm run build` on a fresh clone runs before anything made it), so take the current one.
  ensureDevVars();
  copyFileSync(join(ROOT, '.dev.vars'), join(dir, 'server', '.dev.vars'));
  return { dir, config: copied };
}

/**
 * A TCP port free on 127.0.0.1 right now (the OS picks it). The bench serves on such ports, and every server's
 * inspector takes one, so `npm run bench` runs beside `npm start` (whose inspector once sat on 18787, the bench's
 * fixed port).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start `wrangler dev` on a snapshot of the built Worker (see snapshotBuild) and wait until /api/health answers.
 * @returns {Promise<{ url: string, stop: () => Promise<void>, child: import('node:child_process').ChildProcess }>}
 */
export async function serve({ port = 8787, persistTo, quiet = false, inspectorPort, vars = {} } = {}) {
  const snapshot = snapshotBuild(port);
  const args = [
    'dev',
    '-c',
    snapshot.config,
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    persistTo,
    '--show-interactive-dev-session=false',
    '--inspector-port',
    String(inspectorPort ?? (await freePort())),
    '--test-scheduled',
    ...Object.entries({ ...localDefaults(), ...vars }).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  const child = spawn('wrangler', args, {
    cwd: ROOT,
    env: OFFLINE_ENV,
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(snapshot.dir, { recursive: true, force: true });
      throw new Error(`wrangler dev exited early:\n${log}`);
    }
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      rmSync(snapshot.dir, { recursive: true, force: true });
      throw new Error(`wrangler dev did not answer within 90 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const removeSnapshot = () => rmSync(snapshot.dir, { recursive: true, force: true });
  child.once('exit', removeSnapshot);
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return { url, stop, child, log: () => log };
}
