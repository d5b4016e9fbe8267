/**
 * Building while the portal runs: `astro build` (npm run build, the benchmarks) empties and rewrites dist/, and
 * the running server (this project's global one, started like `npm start`) must keep answering every page.
 */
import { describe, expect, inject, it } from 'vitest';
import { astroBuild } from '../support/build';

const PAGES = ['/', '/report/', '/track/', '/notices/', '/learn/', '/staff/login/', '/search/'];

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
