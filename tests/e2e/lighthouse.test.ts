/**
 * Lighthouse (mobile) on one page of every type, in Debian's Chromium: accessibility, best practices and SEO
 * must be 100 (the staff console is noindex by design, so SEO is not asked of it). Performance is a timing
 * and is measured by `npm run bench` (docs/BENCHMARKS.md), never asserted here.
 */
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM_FLAGS, chromiumPath } from '../support/chromium';
// @ts-expect-error plain ESM helper shared with the bench
import { pageTypes } from '../../scripts/bench/site.mjs';

const base = inject('baseUrl');
const types = pageTypes() as { type: string; path: string }[];

describe('Lighthouse on every page type', () => {
  let chrome: chromeLauncher.LaunchedChrome;
  beforeAll(async () => {
    chrome = await chromeLauncher.launch({
      chromePath: chromiumPath(),
      chromeFlags: CHROMIUM_FLAGS,
    });
  });
  afterAll(async () => {
    await chrome?.kill();
  });

  it('covers the public page types', () => {
    expect(types.map((t) => t.type)).toEqual(
      expect.arrayContaining(['(home)', 'report', 'track', 'notices', 'policies', 'learn', 'data', 'zh-hant']),
    );
  });

  for (const { type, path } of types) {
    it(`${type} (${path}): accessibility, best practices${type === 'staff' ? '' : ' and SEO'} 100`, async () => {
      const categories =
        type === 'staff' ? ['accessibility', 'best-practices'] : ['accessibility', 'best-practices', 'seo'];
      const r = await lighthouse(`${base}${path}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        formFactor: 'mobile',
        onlyCategories: categories,
      });
      const lhr = r!.lhr;
      const failing = Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary')
        .map((a) => a.id);
      for (const c of categories)
        expect(Math.round((lhr.categories[c]?.score ?? 0) * 100), `${c} (failing: ${failing.join(', ')})`).toBe(100);
    }, 90_000);
  }
});
