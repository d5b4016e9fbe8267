#!/usr/bin/env node
/**
 * `npm run bench`: benchmarks, printed and saved (docs/BENCHMARKS.md and bench-results/*.json).
 * Figures are ratios against a baseline measured in the same run, never assertions.
 *
 *   npm run bench                 # everything
 *   npm run bench -- --only api   # one part: api | scale | site | bundle
 *   BENCH_SECONDS=10 npm run bench
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchApi } from './bench/api.mjs';
import { bundleSize } from './bench/bundle.mjs';
import { build, migrateAndSeed, ROOT, serve } from './lib/local.mjs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const want = (part) => !only || only === part;
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const results = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`, node: process.version };

console.log('▶ build');
build({ quiet: true });

if (want('bundle')) {
  console.log('▶ Worker bundle');
  results.bundle = bundleSize();
  console.log(`  ${results.bundle.rawKiB} KiB raw, ${results.bundle.gzipKiB} KiB gzipped`);
}

if (want('api')) {
  console.log(`▶ API under load (${seconds} s per scenario)`);
  const persistTo = mkdtempSync(join(tmpdir(), 'anquan-bench-'));
  migrateAndSeed(persistTo, { quiet: true });
  const server = await serve({ port: 18787, persistTo, quiet: true });
  try {
    results.api = await benchApi(server.url, { duration: seconds });
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
const stamp = results.date.replace(/[:.]/g, '-');
writeFileSync(join(ROOT, 'bench-results', `${stamp}.json`), JSON.stringify(results, null, 2));
writeFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), (await import('./bench/report.mjs')).report(results));
console.log(`\n✓ saved docs/BENCHMARKS.md and bench-results/${stamp}.json`);
process.exit(0);
