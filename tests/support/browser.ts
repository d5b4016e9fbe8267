/**
 * Real Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (no browser
 * download), with axe-core for accessibility checks.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_FLAGS, chromiumPath } from './chromium';

const require = createRequire(import.meta.url);

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_FLAGS,
  });
}

/**
 * One Chromium for the test file (or describe block) that calls this: launched before its tests, closed after.
 * The returned handle stands for the browser once `beforeAll` has run.
 */
export function useBrowser(): Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return new Proxy({} as Browser, {
    get(_target, key) {
      if (!browser) throw new Error('the browser is used before beforeAll launched it');
      const v = Reflect.get(browser, key, browser);
      return typeof v === 'function' ? v.bind(browser) : v;
    },
  });
}

/** A cheap Android phone: 360 × 740, touch, Chinese. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
} as const;

/** A phone-sized page (360 × 740, touch), as on a cheap Android phone. */
export async function phonePage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext(PHONE);
  return ctx.newPage();
}

/** A desktop screen (1280 × 900, Chinese), as staff and the data pages' wide layout are checked on. */
export const DESKTOP = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' } as const;

/** A desktop-sized page in a context of its own. */
export async function desktopPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext(DESKTOP);
  return ctx.newPage();
}

/** On a phone the reader tools (关怀版, 字号, 繁體, 扫码) sit behind 设置: open it when it is shown. */
export async function openReaderTools(page: Page) {
  const toggle = page.locator('[data-tools-toggle]');
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Run axe (WCAG 2.1 A/AA rules) on the page; returns the violations. */
export async function axe(page: Page) {
  // Evaluated through DevTools, so the page's CSP (no inline scripts) stays in force for the page itself.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // @ts-expect-error injected global
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: any) => n.target.join(' ')),
    }));
  });
}
