import { describe, expect, inject, it } from 'vitest';
import { axe, useBrowser, phonePage } from '../support/browser';
import { concludeTrue, signInPage } from '../support/staff-http';
import { fireExitTip, postTip } from '../support/tip-body';

const base = inject('baseUrl');

describe('评价与回访', () => {
  const browser = useBrowser();

  it('reporter rates 不满意 with a reason → supervisor answers and reopens → reporter sees the answer and 复查', async () => {
    const res = await postTip(base, fireExitTip({ unitName: '评价测试商场', address: '济北街道商业街 9 号' }));
    const receipt = (await res.json()) as { trackingNo: string; queryCode: string };
    const tipId = await concludeTrue(base, receipt.trackingNo, 100_000);

    const page = await phonePage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/track/?no=${encodeURIComponent(receipt.trackingNo)}`);
    await page.fill('#t-code', receipt.queryCode);
    await page.click('#ask-form button[type=submit]');
    await page.waitForSelector('#rating-box:not([hidden])');
    await expect(page.textContent('#rate-explain')).resolves.toMatch(/评价.*回访.*异议.*复查/);
    await page.check('#rate-form input[value="dissatisfied"]');
    await page.fill('#rate-reason', '安全出口仍然上锁，处罚没有效果。');
    await page.click('#rate-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#rate-current')?.textContent?.includes('回访'));
    await expect(page.textContent('#rate-current')).resolves.toContain(
      '您的评价：不满意（安全出口仍然上锁，处罚没有效果。）',
    );
    expect(await axe(page)).toEqual([]);

    // The supervisor: low-rating filter in the queue, the rating on the tip page, answer and reopen.
    const staff = await browser.newPage();
    await signInPage(staff, base, 'duban', true);
    await staff.goto(`${base}/staff/?rating=low&followup=open`);
    await staff.waitForSelector(`a[href="/staff/tip/?id=${tipId}"]`);
    await expect(staff.locator('#rows').textContent()).resolves.toContain('评价：不满意');
    await staff.click(`a[href="/staff/tip/?id=${tipId}"]`);
    await staff.waitForSelector('#ratings');
    await expect(staff.textContent('#ratings')).resolves.toContain('安全出口仍然上锁，处罚没有效果。');
    await staff.click('button[data-action="followup_reopen"]');
    await staff.fill('#a-answer', '您反映安全出口仍上锁，已转承办单位重新复查，复查结论将在进度查询中公布。');
    await staff.click('form[aria-label="回访：重新复查"] button[type=submit]');
    await staff.waitForFunction(() => document.querySelector('#ratings')?.textContent?.includes('已答复：重新复查'));
    await expect(staff.textContent('#tip h1 + p')).resolves.toContain('复查中');

    await page.click('#refresh');
    await page.waitForFunction(() => document.querySelector('#rate-current')?.textContent?.includes('重新进入复查'));
    await expect(page.textContent('#v-status')).resolves.toBe('核查中');
    await expect(page.locator('.msg.staff').last().textContent()).resolves.toContain('已转承办单位重新复查');
    const timeline = await page.locator('#v-timeline li').allTextContents();
    expect(timeline.some((t) => t.includes('回访答复：重新复查'))).toBe(true);
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
