/** Worker bundle size: what `wrangler deploy --dry-run` would upload, raw and gzipped. */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '../lib/local.mjs';

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

export function bundleSize() {
  const out = mkdtempSync(join(tmpdir(), 'anquan-bundle-'));
  run('wrangler', ['deploy', '--dry-run', '--outdir', out], { quiet: true });
  let raw = 0;
  let gz = 0;
  for (const f of files(out).filter((f) => /\.(m?js|wasm)$/.test(f))) {
    const b = readFileSync(f);
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
  }
  return { rawKiB: +(raw / 1024).toFixed(1), gzipKiB: +(gz / 1024).toFixed(1) };
}
