/**
 * The staff console in Chromium: a dispatcher signs in, 受理s and 交办s a tip from the console; an admin signs
 * in with a TOTP code and checks the audit chain; a tip whose text is an XSS payload renders as text in every
 * console view (and no script runs); axe finds nothing on the console pages.
 */
import type { Browser, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { axe, useBrowser, phonePage, desktopPage } from '../support/browser';
import { signInPage, staffHttp } from '../support/staff-http';
import { postTip, validTip } from '../support/tip-body';

const base = inject('baseUrl');
const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"'><svg onload=window.__xss=3>`;

async function submit(body: Record<string, unknown>): Promise<{ trackingNo: string }> {
  const res = await postTip(base, validTip({ unitName: '测试单位', address: '济阳街道测试路 1 号', ...body }));
  expect(res.status).toBe(201);
  return (await res.json()) as { trackingNo: string };
}

async function desktop(browser: Browser): Promise<Page> {
  const page = await desktopPage(browser);
  page.on('dialog', (d) => void d.dismiss());
  return page;
}

const signIn = (page: Page, username: string, totp = false) => signInPage(page, base, username, totp);

/** The dispatcher opens a tip from the queue: its page, once its 受理 button is there. */
async function openAsDispatcher(browser: Browser, trackingNo: string): Promise<Page> {
  const page = await desktop(browser);
  await signIn(page, 'shouli');
  const row = page.locator('#rows tr', { hasText: trackingNo });
  await row.waitFor();
  await row.locator('a').click();
  await page.waitForSelector('button[data-action=accept]');
  return page;
}

describe('staff console', () => {
  const browser = useBrowser();

  it('a dispatcher signs in, accepts and 交办s a tip; an XSS payload stays text everywhere', async () => {
    const receipt = await submit({
      unitName: `${XSS}餐馆`,
      description: `液化气钢瓶靠近灶具。${XSS}`,
      address: `${XSS}路`,
    });
    const page = await desktop(browser);
    const violations: string[] = [];
    page.on(
      'console',
      (m) => m.type() === 'error' && /Content Security Policy/.test(m.text()) && violations.push(m.text()),
    );
    await signIn(page, 'shouli');
    // The name arrives with /api/staff/me after the page loads: wait for it rather than read it at once.
    await page.locator('#whoami', { hasText: '李受理' }).waitFor();
    const row = page.locator('#rows tr', { hasText: receipt.trackingNo });
    await row.waitFor();
    // The payload is shown as its characters in the queue.
    await expect(row.textContent()).resolves.toContain('<img src=x onerror=');
    expect(await axe(page)).toEqual([]);
    await row.locator('a').click();
    await page.waitForSelector('#description');
    await expect(page.locator('#description').textContent()).resolves.toContain('<script>window.__xss=2</script>');
    expect(await axe(page)).toEqual([]);

    await page.click('button[data-action=accept]');
    await page.click('form[aria-label="受理"] button[type=submit]');
    await page.waitForSelector('button[data-action=assign]');
    await page.click('button[data-action=assign]');
    await page.selectOption('#a-departmentId', 'yjj');
    await page.fill('#a-instructions', '请五个工作日内核查');
    await page.click('form[aria-label="交办"] button[type=submit]');
    await page.waitForFunction(() => document.querySelector('.badge')?.textContent?.includes('已交办'));
    await expect(page.locator('#tip').textContent()).resolves.toContain('区应急管理局');
    await expect(page.locator('.timeline').first().textContent()).resolves.toContain('请五个工作日内核查');

    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(violations).toEqual([]);
  });

  it('交办 of a 工业园区 tip offers both 牵头单位 plan 001 (二)11 names, the first preselected', async () => {
    const receipt = await submit({
      domain: 'industrial_park',
      description: '园区仓库消防通道堆满货物，消防设施被遮挡。',
    });
    const page = await openAsDispatcher(browser, receipt.trackingNo);
    await page.click('button[data-action=accept]');
    await page.click('form[aria-label="受理"] button[type=submit]');
    await page.waitForSelector('button[data-action=assign]');
    await page.click('button[data-action=assign]');
    await expect(page.inputValue('#a-departmentId')).resolves.toBe('gxj');
    const hint = page.locator('form[aria-label="交办"] [data-co-leads]');
    await expect(hint.getAttribute('data-co-leads')).resolves.toBe('gxj jbk');
    await expect(hint.textContent()).resolves.toContain('区工业和信息化局、济北开发区管委会');
    await page.selectOption('#a-departmentId', 'jbk');
    await page.click('form[aria-label="交办"] button[type=submit]');
    await page.waitForFunction(() => document.querySelector('.badge')?.textContent?.includes('已交办'));
    await expect(page.locator('#tip').textContent()).resolves.toContain('济北开发区管委会');
    expect(await axe(page)).toEqual([]);
  });

  it('a refused action or message says why beside its field and in the flash, keeping what was typed', async () => {
    const receipt = await submit({ unitName: '字段提示测试单位' });
    const page = await openAsDispatcher(browser, receipt.trackingNo);
    // An action's field error is shown at the field the API names (primaryTrackingNo).
    await page.click('button[data-action=merge]');
    await page.fill('#a-primaryTrackingNo', 'AQ1');
    await page.click('form[aria-label="合并"] button[type=submit]');
    const slot = page.locator('form[aria-label="合并"] [data-error-for="primaryTrackingNo"]');
    await page.waitForFunction(() => (document.getElementById('a-primaryTrackingNo-err')?.textContent ?? '') !== '');
    const said = (await slot.textContent())!;
    expect(said).not.toBe('');
    await expect(page.locator('#flash').textContent()).resolves.toContain(said);
    await expect(page.inputValue('#a-primaryTrackingNo')).resolves.toBe('AQ1');
    // The message to the reporter has a field of its own: 留言 of one character is refused there.
    await page.fill('#msg-body', '好');
    await page.click('form[aria-label="给举报人留言"] button[type=submit]');
    await page.waitForFunction(() => (document.getElementById('msg-body-err')?.textContent ?? '') !== '');
    await expect(page.locator('#msg-body-err').textContent()).resolves.toBe('留言至少 2 个字');
    await expect(page.locator('#flash').textContent()).resolves.toContain('留言至少 2 个字');
    await expect(page.inputValue('#msg-body')).resolves.toBe('好');
    expect(await axe(page)).toEqual([]);
  });

  it('the CSV export keeps the payload as text and cannot start a formula', async () => {
    // A real-name tip: its reporter's name and number must not be in the export either.
    await submit({
      unitName: '=HYPERLINK("http://evil.example","点我")',
      description: '+SUM(1,2) 公式注入测试，钢瓶靠近灶具。',
      reporter: { anonymous: false, name: '导出测试人', mobile: '13800138000' },
    });
    const page = await desktop(browser);
    await signIn(page, 'shouli');
    const csv = await page.evaluate(async () => (await fetch('/api/staff/tips/export.csv?view=all')).text());
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(csv).toContain('实名');
    expect(csv).not.toContain('13800138000');
    expect(csv).not.toContain('导出测试人');
  });

  it('an admin signs in with a TOTP code and verifies the audit chain', async () => {
    const page = await desktop(browser);
    await signIn(page, 'admin', true);
    await page.goto(`${base}/staff/admin/`);
    await page.click('#audit-verify');
    await page.waitForFunction(() => document.getElementById('audit-result')?.textContent?.includes('哈希链校验通过'));
    // The working-day calendar (from chinese-days) and an Open311 partner whose key is shown once.
    // Rows of the calendar itself (not its caption): this year's holidays from chinese-days.
    await expect(page.locator('#calendar tbody tr').count()).resolves.toBeGreaterThan(5);
    await expect(page.locator('#calendar tbody td:nth-child(2)').allTextContents()).resolves.toContain('放假');
    await page.fill('form[aria-label="登记合作平台"] input[name=name]', '浏览器测试热线');
    await page.click('form[aria-label="登记合作平台"] button[type=submit]');
    const key = page.locator('#partner-key code');
    await key.waitFor();
    expect(await key.textContent()).toMatch(/^aq311_[0-9A-Z]{40}$/);
    await expect(page.locator('table', { hasText: '浏览器测试热线' }).textContent()).resolves.not.toContain(
      (await key.textContent())!,
    );
    expect(await axe(page)).toEqual([]);
  });

  it('on a 360-px phone the queue is a list of cards a 交办 officer can tick, with nothing wider than the screen', async () => {
    // An accepted tip, which a dispatcher can tick for bulk 交办.
    const { trackingNo } = await submit({ unitName: '手机视图测试单位' });
    const dispatcher = await staffHttp(base, 'shouli');
    const { rows } = await dispatcher.call<{ rows: { id: string; version: number }[] }>(
      `/api/staff/tips?view=all&q=${trackingNo}`,
    );
    await dispatcher.call(`/api/staff/tips/${rows[0]!.id}/actions/accept`, { version: rows[0]!.version, input: {} });

    const page = await phonePage(browser);
    await signIn(page, 'shouli');
    const card = page.locator('#rows tr', { hasText: trackingNo });
    await card.locator('td.pick input[type=checkbox]').check();
    await page.locator('#bulk:not([hidden])').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // Each cell says what it is once the header row is out of sight.
    const label = await card
      .locator('td[data-label="状态"]')
      .evaluate((td) => getComputedStyle(td, '::before').content);
    expect(label).toContain('状态');
    expect(await axe(page)).toEqual([]);
    // The ticked tip is 交办ed in bulk, and the page says so.
    await page.selectOption('#bulk-dept', 'yjj');
    await page.click('#bulk button[type=submit]');
    await page.waitForFunction(() => document.getElementById('flash')?.textContent === '已交办 1 条。');
    await page.locator('#bulk[hidden]').waitFor({ state: 'attached' });
  });

  it('重大事故隐患 stand out in the queue (a word badge and a bar, not colour alone); the search placeholder fits on a phone and a desktop', async () => {
    const tag = `重大标记${Date.now()}`;
    await submit({ unitName: `${tag} 重大`, type: 'major_hazard' });
    await submit({ unitName: `${tag} 一般`, type: 'general_hazard' });
    for (const open of [phonePage, desktop]) {
      const page = await open(browser);
      await signIn(page, 'shouli');
      await page.goto(`${base}/staff/?view=all&q=${encodeURIComponent(tag)}`);
      const major = page.locator('#rows tr', { hasText: `${tag} 重大` });
      const general = page.locator('#rows tr', { hasText: `${tag} 一般` });
      await major.waitFor();
      await expect(major.locator('.badge.major').textContent()).resolves.toContain('重大隐患');
      await expect(general.locator('.badge.major').count()).resolves.toBe(0);
      // The bar: a visible edge that the ordinary row does not have.
      const edge = (row: typeof major) =>
        row.evaluate((tr) => {
          const td = tr.querySelector('td')!;
          return `${getComputedStyle(tr).borderLeftWidth} ${getComputedStyle(td).boxShadow}`;
        });
      expect(await edge(major)).not.toBe(await edge(general));
      const fits = await page.evaluate(() => {
        const input = document.querySelector<HTMLInputElement>('#filters input[name=q]')!;
        const cs = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
        const text = ctx.measureText(input.placeholder).width;
        const box = input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        return { text: Math.ceil(text), box: Math.floor(box) };
      });
      expect(fits.text, JSON.stringify(fits)).toBeLessThanOrEqual(fits.box);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        page.viewportSize()!.width,
      );
      expect(await axe(page)).toEqual([]);
    }
  });

  it('the sign-in page has no axe violations and a wrong password is explained in Chinese', async () => {
    const page = await desktop(browser);
    await page.goto(`${base}/staff/login/`);
    expect(await axe(page)).toEqual([]);
    await page.fill('#username', 'shouli');
    await page.fill('#password', 'wrong-password');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('flash')?.textContent?.includes('用户名或密码不正确'));
  });
});
