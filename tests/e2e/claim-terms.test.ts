/**
 * Claim terms and the employee rule in Chromium, on a phone (docs/rules.md, "Claim terms", "Employee reporting their
 * own employer"): an anonymous reporter is told before submitting that an anonymous tip is hard to reward and how to
 * become eligible, and can add a real identity later from /track/; an employee reporting the employer cannot submit
 * anonymously and is told why (应急〔2020〕69号 第四条).
 */
import { describe, expect, inject, it } from 'vitest';
import { axe, phonePage, useBrowser } from '../support/browser';
import { postTip, validTip } from '../support/tip-body';

const base = inject('baseUrl');

describe('claim terms and the employee rule', () => {
  const browser = useBrowser();

  it('an employee reporting the employer cannot submit anonymously and is told why, before and at submit', async () => {
    const page = await phonePage(browser);
    const posted: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/tips') && posted.push(r.url()));
    await page.goto(`${base}/report/`);
    await page.getByText('人机验证已通过').waitFor();
    const note = page.locator('#employee-note');
    expect(await note.isHidden()).toBe(true);
    await page.locator('input[name=isEmployee][value=yes]').check();
    // Anonymous is the default: the reason shows inline as soon as 是 is chosen.
    await note.waitFor({ state: 'visible' });
    expect(await note.textContent()).toContain('应急〔2020〕69号）第四条');
    expect(await note.textContent()).toContain('真实姓名和真实有效的联系方式');
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.locator('#error-summary:not([hidden])').waitFor();
    expect(await page.locator('#e-reporter').textContent()).toContain('第四条');
    expect(posted).toEqual([]);
    // Choosing 实名 removes the note (the name and mobile fields take over).
    await page.locator('input[name=mode][value=real]').check();
    expect(await note.isHidden()).toBe(true);
    expect(await axe(page)).toEqual([]);
  });

  it('an anonymous reporter sees the claim terms before submitting and adds a real identity later from /track/', async () => {
    const page = await phonePage(browser);
    await page.goto(`${base}/report/`);
    await page.getByText('人机验证已通过').waitFor();
    const terms = page.locator('#anon-claim-note');
    expect(await terms.isVisible()).toBe(true);
    const text = (await terms.textContent()) ?? '';
    expect(text).toContain('匿名举报难以获得奖励');
    expect(text).toContain('凭有效身份证件领取');
    expect(text).toContain('补充真实身份');

    const res = await postTip(base, validTip({ reporter: { anonymous: true }, isEmployee: false }));
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as { trackingNo: string; queryCode: string };
    await page.goto(`${base}/track/?no=${encodeURIComponent(receipt.trackingNo)}`);
    await page.fill('#t-code', receipt.queryCode);
    await page.click('#ask-form button[type=submit]');
    const box = page.locator('#identity-box');
    await box.waitFor({ state: 'visible' });
    expect(await page.locator('#id-explain').textContent()).toContain('匿名举报难以获得奖励');
    expect(await axe(page)).toEqual([]);
    // A wrong ID number is refused with its reason; then the real one is kept (encrypted) and the box goes away.
    await page.fill('#id-name', '王五');
    await page.fill('#id-mobile', '13812345678');
    await page.fill('#id-number', '110105194912310021');
    await page.click('#id-form button[type=submit]');
    await page.waitForFunction(() => (document.getElementById('id-error')?.textContent ?? '').length > 0);
    expect(await page.locator('#id-error').textContent()).toBe('身份证号码不正确，请核对');
    await page.fill('#id-number', '11010519491231002X');
    await page.click('#id-form button[type=submit]');
    await box.waitFor({ state: 'hidden' });
    expect(await page.locator('#v-new').textContent()).toContain('已加密保存您的真实身份');
    expect(await page.locator('#v-timeline').textContent()).toContain('您已补充真实身份');
  });
});
