/**
 * Example content (site/lib/examples.ts): the notices written for this portal are marked 示例 in the local build
 * — on the page, in the lists, the RSS feed, the search index and the campaign outputs — and a production build
 * (`ANQUAN_BUILD=production`, into a folder of its own so dist/ of the running portal is not touched) contains
 * none of them: no page, list entry, feed item, sitemap URL, search result or calendar link.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
// @ts-expect-error — plain ESM helper shared with `npm start`
import { ROOT } from '../../scripts/lib/local.mjs';
import { useBrowser, phonePage } from '../support/browser';
import { astroBuild } from '../support/build';

const NOTICE_IDS = readdirSync(join(ROOT, 'content', 'notices'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => f.replace(/\.md$/, ''));
/** The notices an editor marked real (none in this repository today): they stay in every build. */
const REAL_IDS = NOTICE_IDS.filter((id) =>
  /^real:\s*true\s*$/m.test(readFileSync(join(ROOT, 'content', 'notices', `${id}.md`), 'utf8').split(/^---$/m)[1]!),
);
const EXAMPLE_IDS = NOTICE_IDS.filter((id) => !REAL_IDS.includes(id));

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};
/** A bare static server over a built client folder: enough for pages and the Pagefind search in Chromium. */
function serveStatic(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    let file = join(root, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Search on a portal's /search/ page; the result links and their titles. */
async function search(page: Page, origin: string, q: string) {
  await page.goto(`${origin}/search/?q=${encodeURIComponent(q)}`);
  await page.waitForSelector('#search-results li, #search-status:has-text("没有找到")');
  return page
    .locator('#search-results li > a')
    .evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href') ?? '', title: a.textContent ?? '' })));
}

describe('example notices', () => {
  const base = inject('baseUrl');
  const browser = useBrowser();

  it('every notice in this repository is an example (none is marked real)', () => {
    expect(NOTICE_IDS.length).toBe(8);
    expect(REAL_IDS).toEqual([]);
  });

  it('pages read notices only through publishedNotices() (site/lib/examples.ts), so none can skip the rule', () => {
    const direct = [...files(join(ROOT, 'site'))]
      .filter((f) => /\.(astro|ts|mjs)$/.test(f))
      .filter((f) => /getCollection\(\s*['"]notices['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    // content-checks.ts checks the files themselves (examples included), whatever the build.
    expect(direct.sort()).toEqual(['site/lib/content-checks.ts', 'site/lib/examples.ts']);
  });

  it('the local build marks them 示例: page, lists, RSS, search, calendar and campaigns', async () => {
    for (const id of EXAMPLE_IDS) {
      const html = await (await fetch(`${base}/notices/${id}/`)).text();
      expect(html, id).toMatch(/<h1[^>]*><span class="badge example">示例<\/span>/);
      expect(html, id).toContain('data-example-note');
      expect(html, id).toMatch(/<title>【示例】/);
      const hant = await (await fetch(`${base}/zh-hant/notices/${id}/`)).text();
      expect(hant, id).toMatch(/<span class="badge example">示例<\/span>/);
    }
    const list = await (await fetch(`${base}/notices/`)).text();
    expect(list).toContain('data-example-note');
    for (const id of EXAMPLE_IDS)
      expect(list).toMatch(new RegExp(`<span class="badge example">示例</span> <a href="/notices/${id}/">`));
    const home = await (await fetch(`${base}/`)).text();
    expect(home).toContain('data-example-note');

    const rss = await (await fetch(`${base}/notices/rss.xml`)).text();
    const titles = [...rss.matchAll(/<item><title>([^<]*)<\/title>/g)].map((m) => m[1]!);
    expect(titles).toHaveLength(EXAMPLE_IDS.length);
    for (const t of titles) expect(t).toMatch(/^【示例】/);

    const campaigns = (await (await fetch(`${base}/campaigns.json`)).json()) as {
      href: string;
      hrefIsExample: boolean;
    }[];
    for (const c of campaigns) expect(c.hrefIsExample, c.href).toBe(c.href.startsWith('/notices/'));
    expect(campaigns.some((c) => c.hrefIsExample)).toBe(true);
    const ics = await (await fetch(`${base}/calendar.ics`)).text();
    const events = ics.replace(/\r\n /g, '').split('BEGIN:VEVENT').slice(1);
    for (const e of events) if (/^URL:.*\/notices\//m.test(e)) expect(e).toMatch(/^DESCRIPTION:.*链接的通知为示例/m);
    const calendar = await (await fetch(`${base}/calendar/`)).text();
    expect(calendar).toContain('示例通知');

    const page = await phonePage(browser);
    const found = await search(page, base, '安康杯竞赛');
    const notice = found.find((r) => r.href === '/notices/2026-ankangbei-jingsai/');
    expect(notice?.title, JSON.stringify(found)).toMatch(/^【示例】/);
    await page.context().close();
  });

  it('a production build (ANQUAN_BUILD=production) contains no example notice anywhere', async () => {
    const out = mkdtempSync(join(tmpdir(), 'anquan-production-'));
    // The Cloudflare plugin points .wrangler/deploy/config.json at the last build; put it back to dist/ after.
    const redirect = join(ROOT, '.wrangler', 'deploy', 'config.json');
    const saved = existsSync(redirect) ? readFileSync(redirect) : null;
    let server: Server | undefined;
    try {
      const { code, out: log } = await astroBuild(['--outDir', out], { ANQUAN_BUILD: 'production' });
      if (saved) writeFileSync(redirect, saved);
      expect(code, log.slice(-2000)).toBe(0);
      const client = join(out, 'client');

      for (const id of EXAMPLE_IDS) {
        expect(existsSync(join(client, 'notices', id)), id).toBe(false);
        expect(existsSync(join(client, 'zh-hant', 'notices', id)), id).toBe(false);
      }
      // No output file names an example notice or carries the 示例 mark; the lists say there is nothing.
      const leaks: string[] = [];
      for (const f of files(client)) {
        if (!/\.(html|xml|ics|json|txt)$/.test(f)) continue;
        const text = readFileSync(f, 'utf8');
        for (const id of EXAMPLE_IDS) if (text.includes(`/notices/${id}/`)) leaks.push(`${f}: ${id}`);
        if (text.includes('badge example') || text.includes('【示例】')) leaks.push(`${f}: 示例`);
      }
      expect(leaks).toEqual([]);
      expect(readFileSync(join(client, 'notices', 'index.html'), 'utf8')).toContain('暂无通知公告');
      expect(readFileSync(join(client, 'notices', 'rss.xml'), 'utf8')).not.toContain('<item>');
      const sitemap = readFileSync(join(client, 'sitemap.xml'), 'utf8');
      expect(sitemap).toContain('/notices/</loc>');
      expect(sitemap).not.toMatch(/\/notices\/[a-z0-9-]+\/<\/loc>/);
      // Campaigns (real national days) stay, linked to the plan section that asks for them.
      const campaigns = JSON.parse(readFileSync(join(client, 'campaigns.json'), 'utf8')) as { href: string }[];
      expect(campaigns.length).toBeGreaterThan(0);
      for (const c of campaigns) expect(c.href).not.toMatch(/^\/notices\//);
      expect(readFileSync(join(client, 'calendar.ics'), 'utf8')).not.toContain('/notices/');

      // The search index, searched in Chromium: the notices' words find no notice.
      server = await serveStatic(client);
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const page = await phonePage(browser);
      for (const q of ['安康杯竞赛', '安全生产月', '防溺水']) {
        const found = await search(page, origin, q);
        expect(
          found.filter((r) => /\/notices\/./.test(r.href) || r.title.includes('示例')),
          q,
        ).toEqual([]);
      }
      // The same words do find the pages that stay (the index is there, not empty).
      expect((await search(page, origin, '防溺水')).length).toBeGreaterThan(0);
      await page.context().close();
    } finally {
      if (saved) writeFileSync(redirect, saved);
      server?.close();
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);

  it('an unknown ANQUAN_BUILD stops the build before anything is written', async () => {
    const { code, out } = await astroBuild(['--outDir', join(tmpdir(), 'anquan-never-written')], {
      ANQUAN_BUILD: 'prod',
    });
    expect(code).not.toBe(0);
    expect(out).toContain('ANQUAN_BUILD=prod');
    expect(existsSync(join(tmpdir(), 'anquan-never-written'))).toBe(false);
  });
});
