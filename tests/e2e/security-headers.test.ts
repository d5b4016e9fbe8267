/**
 * Every response — pages, files, API answers, errors — carries the security headers, and no built page
 * relies on inline script or style (the CSP would block it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const base = inject('baseUrl');
const dist = new URL('../../dist/client/', import.meta.url).pathname;

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? htmlFiles(p) : p.endsWith('.html') ? [p] : [];
  });
}

function expectSecurityHeaders(h: Headers, where: string) {
  const csp = h.get('content-security-policy') ?? '';
  expect(csp, where).toContain("default-src 'self'");
  expect(csp, where).toContain("frame-ancestors 'none'");
  expect(csp, where).toContain("object-src 'none'");
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
  // 'wasm-unsafe-eval' (search compiles Pagefind's WebAssembly) allows no JavaScript eval; 'unsafe-eval' would.
  expect(scriptSrc, where).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*/);
  expect(scriptSrc.replace("'wasm-unsafe-eval'", ''), where).not.toMatch(/unsafe/);
  // …and only the search pages have it.
  const path = where.split(' ').find((w) => w.startsWith('/')) ?? '';
  expect(scriptSrc.includes("'wasm-unsafe-eval'"), where).toBe(/^\/((zh-hant\/)?search\/(\?|$)|pagefind\/)/.test(path));
  expect(h.get('strict-transport-security'), where).toMatch(/max-age=\d{7,}/);
  expect(h.get('x-content-type-options'), where).toBe('nosniff');
  expect(h.get('referrer-policy'), where).toBeTruthy();
  expect(h.get('permissions-policy'), where).toBeTruthy();
}

/** Every Open311 resource in both formats (GET answers; POST is refused without a key, still with the headers). */
const OPEN311 = [
  'discovery',
  'services',
  'services/general_hazard-gas',
  'requests',
  'requests/AQ-00000-00000',
  'tokens/T0',
].flatMap((r) => [`/open311/v2/${r}.json`, `/open311/v2/${r}.xml`]);

describe('security headers on every route', () => {
  it('every page of the site, every API route, static files and errors carry them', async () => {
    const pages = htmlFiles(dist).map(
      (f) =>
        '/' +
        f
          .slice(dist.length)
          .replace(/index\.html$/, '')
          .replace(/\.html$/, '/'),
    );
    const doc = await (await fetch(`${base}/api/openapi.json`)).json();
    const api = Object.keys(doc.paths).map((p: string) => p.replace(/\{[^}]+\}/g, 'x'));
    const urls = [
      ...new Set([
        ...pages,
        ...api,
        '/favicon.svg',
        '/styles/base.css',
        '/pagefind/pagefind.js',
        '/pagefind/pagefind-worker.js',
        '/no-such-page/',
        '/api/no-such-route',
        '/open311/v2/nope',
        ...OPEN311,
      ]),
    ];
    expect(pages.length).toBeGreaterThan(1);
    for (const u of urls) {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(`${base}${u}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: method === 'POST' ? '{}' : undefined,
          redirect: 'manual',
        });
        expect(res.status, `${method} ${u}`).toBeLessThan(500);
        expectSecurityHeaders(res.headers, `${method} ${u}`);
        await res.body?.cancel();
      }
    }
  }, 120_000);

  it('no built page has inline script, inline event handlers, <style> blocks or style attributes', () => {
    for (const f of htmlFiles(dist)) {
      const html = readFileSync(f, 'utf8');
      const where = f.slice(dist.length);
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
        if (/type="application\/(ld\+)?json"/.test(tag)) continue;
        expect(tag, `${where}: inline script`).toMatch(/\bsrc=/);
      }
      expect(html, `${where}: inline handler`).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
      expect(html, `${where}: <style> block`).not.toMatch(/<style[\s>]/i);
      expect(html, `${where}: style attribute`).not.toMatch(/<[^>]+\sstyle\s*=/i);
    }
  });
});
