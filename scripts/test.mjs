#!/usr/bin/env node
/**
 * `npm test`: every check, in the order that fails fastest.
 *   0. biome lint — the code lint, zero warnings (`npm run format` fixes layout; lint findings are fixed by hand);
 *   1. astro build — the site and the bundled Worker (content schema errors fail here);
 *   2. typecheck — `astro check` (site) and `tsc` for the Worker and both test projects, zero warnings;
 *   3. vitest — Worker tests in workerd against local D1/R2, then browser tests in Chromium;
 *   4. wrangler deploy --dry-run — bundling and configuration errors show before any deploy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, run } from './lib/local.mjs';

const step = (s) => console.log(`\n▶ ${s}`);
step('biome lint');
run('npm', ['run', '--silent', 'lint']);
step('astro build');
build({ quiet: true });
step('typecheck');
run('npm', ['run', '--silent', 'typecheck']);
step('vitest run (worker + e2e)');
run('vitest', ['run', ...process.argv.slice(2)]);
step('wrangler deploy --dry-run');
run('wrangler', ['deploy', '--dry-run', '--outdir', mkdtempSync(join(tmpdir(), 'anquan-dry-run-'))]);
console.log('\n✓ all checks passed');
