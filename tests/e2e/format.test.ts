/**
 * Money and dates read one way: amounts with thousands separators (¥1,234,567.89) on the console and the
 * lookup, and every date on a page in the same style (2026年12月2日 / 2026年12月2日 10:15), from
 * site/scripts/shared/format.ts. CSV exports keep raw numbers (staff.test.ts, rewards tests).
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DESKTOP, phonePage, useBrowser } from '../support/browser';
import { concludeTrue, signInPage } from '../support/staff-http';
import { postTip, validTip } from '../support/tip-body';

const base = inject('baseUrl');
/** Other date styles that must not appear beside 2026年12月2日: 2026/12/02, 2026-12-02, 2026.12.02. */
const OTHER_DATE = /\d{4}[/.-]\d{1,2}[/.-]\d{1,2}/;
const OUR_DATE = /\d{4}年\d{1,2}月\d{1,2}日/;

describe('money and dates', () => {
  const browser = useBrowser();
  let receipt: { trackingNo: string; queryCode: string };
  let id: string;
  beforeAll(async () => {
    const res = await postTip(base, validTip({ unitName: '格式测试单位' }));
    receipt = (await res.json()) as typeof receipt;
    id = await concludeTrue(base, receipt.trackingNo, 1_234_567_89);
  });

  it('the console shows the fine as ¥1,234,567.89 and every date on the tip page in one style', async () => {
    const page = await browser.newPage(DESKTOP);
    await signInPage(page, base, 'shouli');
    await page.goto(`${base}/staff/tip/?id=${encodeURIComponent(id)}`);
    await page.getByText('¥1,234,567.89').first().waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain('¥1234567');
    expect(text).toMatch(OUR_DATE);
    expect(text.match(OTHER_DATE), text.slice(0, 600)).toBeNull();
  });

  it('the lookup writes every date, deadline and time in one style', async () => {
    const page = await phonePage(browser);
    await page.goto(`${base}/track/?no=${encodeURIComponent(receipt.trackingNo)}`);
    await page.fill('#t-code', receipt.queryCode);
    await page.click('#ask-form button[type=submit]');
    await page.waitForSelector('#view:not([hidden])');
    const text = (await page.locator('#view').textContent()) ?? '';
    expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
    expect(text.match(OTHER_DATE), text.slice(0, 600)).toBeNull();
  });
});
