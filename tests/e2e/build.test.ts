/**
 * Building while the portal runs: `astro build` (npm run build, the benchmarks) empties and rewrites dist/, and
 * the running server (this project's global one, started like `npm start`) must keep answering every page.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
// @ts-expect-error — plain ESM helper shared with `npm start`
import { OFFLINE_ENV, ROOT } from '../../scripts/lib/local.mjs';

const PAGES = ['/', '/report/', '/track/', '/notices/', '/learn/', '/staff/login/', '/search/'];

/** Runs `astro build` with extra arguments/env; resolves with its exit code and output. */
export function astroBuild(args: string[] = [], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn('nice', ['-n', '10', join(ROOT, 'node_modules', '.bin', 'astro'), 'build', ...args], {
      cwd: ROOT,
      env: { ...OFFLINE_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function statuses(base: string) {
  const seen: string[] = [];
  for (const p of PAGES) {
    const r = await fetch(`${base}${p}`);
    const body = await r.text();
    if (r.status !== 200 || body.length < 500) seen.push(`${p} ${r.status} (${body.length} bytes)`);
  }
  return seen;
}

describe('rebuilding next to a running portal', () => {
  const base = inject('baseUrl');

  it('every page answers 200 during and after `astro build` rewrites dist/', async () => {
    expect(await statuses(base)).toEqual([]);
    const build = astroBuild();
    let done = false;
    const during: string[] = [];
    void build.then(() => (done = true));
    while (!done) {
      during.push(...(await statuses(base)));
      await new Promise((r) => setTimeout(r, 500));
    }
    const { code, out } = await build;
    expect(code, out.slice(-2000)).toBe(0);
    expect(during).toEqual([]);
    expect(await statuses(base)).toEqual([]);
  }, 300_000);
});
