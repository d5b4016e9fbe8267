/** Building the site from a test, as `npm run build` does (niced, offline). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
// @ts-expect-error — plain ESM helper shared with `npm start`
import { OFFLINE_ENV, ROOT } from '../../scripts/lib/local.mjs';

/**
 * `astro build` with extra arguments and environment; resolves with its exit code and output. Prerendering opens
 * workerd's inspector on 127.0.0.1:9229, so a build started at the same moment elsewhere on the machine makes one
 * of them fail with EADDRINUSE: that (and only that) is retried.
 */
export async function astroBuild(args: string[] = [], env: Record<string, string> = {}) {
  for (let attempt = 1; ; attempt++) {
    const result = await astroBuildOnce(args, env);
    if (result.code === 0 || !result.out.includes('EADDRINUSE') || attempt === 4) return result;
    await new Promise((r) => setTimeout(r, 5_000 * attempt));
  }
}

function astroBuildOnce(args: string[], env: Record<string, string>) {
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
