import { describe, expect, inject, it } from 'vitest';
import { axe, useBrowser, phonePage } from '../support/browser';

describe('the portal in Chromium', () => {
  const browser = useBrowser();
  const base = inject('baseUrl');

  it('GET / renders the home page with no script errors and zero axe violations', async () => {
    const page = await phonePage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect(page.locator('h1').first().textContent()).resolves.toBeTruthy();
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
