#!/usr/bin/env node
/**
 * `npm run bench`: benchmarks, printed and saved (docs/BENCHMARKS.md and bench-results/*.json).
 * Figures are ratios against a baseline measured in the same run, never assertions.
 *
 *   npm run bench                 # everything
 *   npm run bench -- --only api   # one part: api | remote | scale | site | bundle
 *   npm run bench -- --only remote --remote-d1 50   # remote-D1 mode with 50 ms per D1 round trip (default 20)
 *   npm run bench -- --only submit                 # submission vs bare at 1/8/32 only (printed and saved to
 *                                                  # bench-results/, docs untouched); with --remote-d1 N: remote mode
 *
 * Every server runs on a free port (and its inspector on another), so the bench runs beside `npm start`.
 *   BENCH_SECONDS=10 npm run bench
 *   SCALE_TIPS=100000 npm run bench -- --only scale   # a smaller scale run
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchApi } from './bench/api.mjs';
import { bundleSize } from './bench/bundle.mjs';
import { d1File, generate, queryPlans } from './bench/scale.mjs';
import { load } from './bench/load.mjs';
import { build, freePort, migrateAndSeed, ROOT, seedDemoStaff, serve } from './lib/local.mjs';
import { burst, burstLine } from './bench/burst.mjs';
import { capacity, tableBytes } from './bench/capacity.mjs';
import { prepareScenes } from './bench/scenes.mjs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const want = (part) => !only || only === part;
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const remoteMs = process.argv.includes('--remote-d1')
  ? Number(process.argv[process.argv.indexOf('--remote-d1') + 1])
  : Number(process.env.BENCH_D1_LATENCY_MS ?? 20);
const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  node: process.version,
};

console.log('▶ build');
build({ quiet: true });

if (want('bundle')) {
  console.log('▶ Worker bundle');
  results.bundle = bundleSize();
  console.log(`  ${results.bundle.rawKiB} KiB raw, ${results.bundle.gzipKiB} KiB gzipped`);
}

if (only === 'submit') {
  // Submission against the bare endpoint only, for measuring the write path before and after a change.
  const remote = process.argv.includes('--remote-d1');
  console.log(`▶ submission vs bare (${seconds} s per scenario${remote ? `, +${remoteMs} ms per D1 round trip` : ''})`);
  const persistTo = mkdtempSync(join(tmpdir(), 'anquan-submit-'));
  migrateAndSeed(persistTo, { quiet: true });
  const vars = { SERVER_TIMING: '1', ...(remote ? { BENCH_D1_LATENCY_MS: String(remoteMs) } : {}) };
  const server = await serve({ port: await freePort(), persistTo, quiet: true, vars });
  try {
    results.submit = {
      latencyMs: remote ? remoteMs : 0,
      api: await benchApi(server.url, { duration: seconds, only: ['submit'] }),
    };
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const file = `submit-${results.date.replace(/[:.]/g, '-')}.json`;
  writeFileSync(join(ROOT, 'bench-results', file), JSON.stringify(results, null, 2));
  console.log(`\n✓ saved bench-results/${file} (docs/BENCHMARKS.md untouched)`);
  process.exit(0);
}

let apiBytes = null;
let scaleBytes = null;
if (want('api')) {
  console.log(`▶ API under load (${seconds} s per scenario)`);
  const persistTo = mkdtempSync(join(tmpdir(), 'anquan-bench-'));
  migrateAndSeed(persistTo, { quiet: true });
  await seedDemoStaff(persistTo);
  const server = await serve({ port: await freePort(), persistTo, quiet: true, vars: { SERVER_TIMING: '1' } });
  try {
    results.api = await benchApi(server.url, { duration: seconds, extra: await prepareScenes(server.url) });
    console.log('▶ burst: 300 submissions, 100 in flight, each its own client, staff acting meanwhile');
    results.burst = await burst(server.url);
    console.log(burstLine(results.burst));
    // Seal what the run wrote (the every-minute Cron Trigger), then weigh the real rows for the capacity estimate.
    await fetch(`${server.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`).then((r) =>
      r.arrayBuffer(),
    );
    await new Promise((r) => setTimeout(r, 2000));
    apiBytes = tableBytes(d1File(persistTo));
    const { guessTiming } = await import('./bench/guess-timing.mjs');
    results.guess = await guessTiming(server.url);
    console.log(
      `  failed check: wrong code mean ${results.guess.wrongCode.mean} ms, unknown number mean ${results.guess.unknownNumber.mean} ms (difference ${results.guess.diffMeanMs} ms)`,
    );
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

if (want('remote')) {
  // The same write and read paths with every D1 round trip `remoteMs` later (worker/lib/d1-latency.ts): what a
  // Worker far from its D1 primary sees. Only the scenarios the design is about, to keep the run short.
  console.log(`▶ remote-D1 mode: +${remoteMs} ms per D1 round trip (${seconds} s per scenario)`);
  const persistTo = mkdtempSync(join(tmpdir(), 'anquan-remote-'));
  migrateAndSeed(persistTo, { quiet: true });
  await seedDemoStaff(persistTo);
  const server = await serve({
    port: await freePort(),
    persistTo,
    quiet: true,
    vars: { SERVER_TIMING: '1', BENCH_D1_LATENCY_MS: String(remoteMs) },
  });
  try {
    const api = await benchApi(server.url, {
      duration: seconds,
      extra: await prepareScenes(server.url),
      only: ['submit', 'lookup'],
    });
    console.log('▶ remote-D1 burst');
    const b = await burst(server.url);
    console.log(burstLine(b));
    results.remote = { latencyMs: remoteMs, api, burst: b };
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

if (want('site')) {
  console.log('▶ site: Lighthouse per page type');
  const persistTo = mkdtempSync(join(tmpdir(), 'anquan-site-'));
  migrateAndSeed(persistTo, { quiet: true });
  const server = await serve({ port: await freePort(), persistTo, quiet: true });
  try {
    const { benchSite, siteMarkdown } = await import('./bench/site.mjs');
    const rows = await benchSite(server.url);
    results.site = { rows, markdown: siteMarkdown(rows) };
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

if (want('scale')) {
  const count = Number(process.env.SCALE_TIPS ?? 1_000_000);
  console.log(`▶ scale: ${count.toLocaleString()} generated tips`);
  const persistTo = mkdtempSync(join(tmpdir(), 'anquan-scale-'));
  migrateAndSeed(persistTo, { quiet: true });
  await seedDemoStaff(persistTo);
  const file = d1File(persistTo);
  const genSeconds = generate(file, count);
  console.log(`  generated in ${genSeconds.toFixed(1)} s`);
  scaleBytes = { count, tables: tableBytes(file) };
  const plans = queryPlans(file);
  for (const p of plans) console.log(`  ${p.fullScan ? 'FULL SCAN' : 'index'}  ${p.name}: ${p.plan.join(' / ')}`);
  const server = await serve({ port: await freePort(), persistTo, quiet: true, vars: { SERVER_TIMING: '1' } });
  const timings = [];
  try {
    const probes = (await import('./bench/scale-probes.mjs')).probes;
    const scenes = await prepareScenes(server.url);
    const all = [...(await probes(server.url)), ...Object.entries(scenes).map(([name, spec]) => ({ name, spec }))];
    for (const probe of all) {
      if (!probe) continue;
      const r = await load(server.url, probe.spec, { connections: 1, seconds });
      timings.push({ name: probe.name, ...r });
      console.log(
        `  ${probe.name.padEnd(40)} p50 ${r.p50} ms  p95 ${r.p95} ms${r.workerP95 !== undefined ? `  in Worker p50 ${r.workerP50} / p95 ${r.workerP95} ms` : ''}  (${r.requests} requests, statuses ${JSON.stringify(r.statuses)})`,
      );
    }
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
  results.scale = {
    count,
    genSeconds,
    plans,
    timings,
    markdown: (await import('./bench/report.mjs')).scaleMarkdown(count, plans, timings),
  };
}

if (apiBytes && scaleBytes) {
  results.capacity = capacity(apiBytes, scaleBytes.tables, scaleBytes.count);
  console.log(`  capacity: ${results.capacity.perTip} bytes per handled tip`);
}

mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
const stamp = results.date.replace(/[:.]/g, '-');
writeFileSync(join(ROOT, 'bench-results', `${stamp}.json`), JSON.stringify(results, null, 2));
// A partial run (--only) keeps the other parts of the last full report.
const latestFile = join(ROOT, 'bench-results', 'latest.json');
const previous = only && existsSync(latestFile) ? JSON.parse(readFileSync(latestFile, 'utf8')) : null;
// Say which parts were measured when: each part re-run since (and when), and the full run the others come from.
const merged = previous
  ? {
      ...previous,
      ...results,
      partial: {
        parts: { ...previous.partial?.parts, [only]: results.date },
        fullRunDate: previous.partial?.fullRunDate ?? previous.date,
      },
    }
  : results;
writeFileSync(latestFile, JSON.stringify(merged, null, 2));
writeFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), (await import('./bench/report.mjs')).report(merged));
console.log(`\n✓ saved docs/BENCHMARKS.md and bench-results/${stamp}.json`);
process.exit(0);
