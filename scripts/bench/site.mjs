/**
 * Site: Lighthouse (mobile) on one page of each type, in Debian's Chromium, plus bytes transferred.
 * Page types are the first path segment of the built pages (/, /report/, /notices/…, /learn/…).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_FLAGS, chromiumPath } from '../../tests/support/chromium.ts';
import { ROOT } from '../lib/local.mjs';

function pages(dir, base = '') {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f.startsWith('_') ? [] : pages(p, `${base}/${f}`);
    return f === 'index.html' ? [`${base}/`] : [];
  });
}

/** One representative page per type: the shortest path in each first-segment group. */
export function pageTypes() {
  const groups = new Map();
  for (const p of pages(join(ROOT, 'dist', 'client'))) {
    const key = p.split('/')[1] || '(home)';
    const prev = groups.get(key);
    // Prefer a detail page (depth 2) over a listing when both exist, so articles and notices are measured too.
    if (!prev || (p.split('/').length > prev.split('/').length && p.split('/').length <= 4)) groups.set(key, p);
  }
  // The console's other pages need a session (signed out they redirect to it): its sign-in page stands for them.
  if (groups.has('staff')) groups.set('staff', '/staff/login/');
  return [...groups.entries()].sort().map(([type, path]) => ({ type, path }));
}

export async function benchSite(base) {
  const chrome = await chromeLauncher.launch({
    chromePath: chromiumPath(),
    chromeFlags: CHROMIUM_FLAGS,
  });
  const rows = [];
  try {
    for (const { type, path } of pageTypes()) {
      const r = await lighthouse(`${base}${path}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        formFactor: 'mobile',
        onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
      });
      const lhr = r.lhr;
      const score = (k) => Math.round((lhr.categories[k]?.score ?? 0) * 100);
      const items = lhr.audits['network-requests']?.details?.items ?? [];
      const bytes = (pred) => items.filter(pred).reduce((s, i) => s + (i.transferSize ?? 0), 0);
      const row = {
        type,
        path,
        performance: score('performance'),
        accessibility: score('accessibility'),
        bestPractices: score('best-practices'),
        seo: score('seo'),
        transferKiB: +(bytes(() => true) / 1024).toFixed(1),
        jsKiB: +(bytes((i) => i.resourceType === 'Script') / 1024).toFixed(1),
        lcpMs: Math.round(lhr.audits['largest-contentful-paint']?.numericValue ?? 0),
        failing: Object.values(lhr.audits)
          .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary')
          .map((a) => a.id)
          .slice(0, 6),
      };
      rows.push(row);
      console.log(
        `  ${path.padEnd(36)} perf ${row.performance}  a11y ${row.accessibility}  bp ${row.bestPractices}  seo ${row.seo}  ${row.transferKiB} KiB (${row.jsKiB} KiB JS)  LCP ${row.lcpMs} ms${row.failing.length ? `  failing: ${row.failing.join(', ')}` : ''}`,
      );
    }
  } finally {
    await chrome.kill();
  }
  return rows;
}

export function siteMarkdown(rows) {
  return [
    '## Site: Lighthouse (mobile) and bytes',
    '',
    "Lighthouse 13 in Debian's Chromium against the locally served build, mobile form factor (simulated slow",
    '4G and a mid-range phone CPU). Targets: performance ≥ 95; accessibility, best practices and SEO 100.',
    '',
    '| page type | path | perf | a11y | best practices | SEO | transferred KiB | JS KiB | LCP ms | failing audits |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.type} | ${r.path} | ${r.performance} | ${r.accessibility} | ${r.bestPractices} | ${r.seo} | ${r.transferKiB} | ${r.jsKiB} | ${r.lcpMs} | ${r.failing.join(', ')} |`,
    ),
  ];
}
