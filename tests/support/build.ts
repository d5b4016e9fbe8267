/** Building the site from a test, as `npm run build` does (niced, offline). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
// @ts-expect-error — plain ESM helper shared with `npm start`
import { OFFLINE_ENV, ROOT } from '../../scripts/lib/local.mjs';

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
