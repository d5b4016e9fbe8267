/**
 * /report/ in real Chromium on a 360-px phone: fill the form, attach a photo, submit, get the receipt;
 * the same with the keyboard alone; zero axe violations.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { axe, useBrowser, phonePage } from '../support/browser';
import { TINY_JPEG } from '../support/media-fixtures';
import { agreeToNotices, fillHazard, openReportForm } from '../support/report-form';

// A tiny real 1×1 JPEG: the fixture the Worker tests use, as a Node Buffer.
const JPEG = Buffer.from(TINY_JPEG);

describe('/report/ in Chromium', () => {
  const browser = useBrowser();
  const base = inject('baseUrl');

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const page = await phonePage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // CSP violations (e.g. an eval probe) and failed loads surface as console errors.
    page.on('console', (m) => (m.type() === 'error' || m.text().startsWith('CSP violation')) && errors.push(m.text()));
    // A caught eval probe is still a CSP violation (Lighthouse flags it): report every one.
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.log(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`),
      ),
    );
    await openReportForm(page, base);
    return { page, errors };
  }

  it('GET /report/ has zero axe violations and fits a 360-px screen', async () => {
    const { page, errors } = await open();
    expect(await axe(page)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
  });

  it('shows errors next to the fields and in a summary, in Chinese, without losing input', async () => {
    const { page } = await open();
    await page.getByLabel('问题描述').fill('太短了');
    await page.getByRole('button', { name: '提交举报' }).click();
    const summary = page.getByRole('alert');
    await expect(summary.textContent()).resolves.toContain('请修改以下内容后再提交');
    await expect(summary.textContent()).resolves.toContain('问题描述至少 10 个字');
    await expect(page.locator('#e-type').textContent()).resolves.toBe('请选择举报类型');
    expect(await page.getByLabel('问题描述').inputValue()).toBe('太短了');
    // The draft survives a reload.
    await page.reload();
    await page.getByText('人机验证已通过').waitFor();
    expect(await page.getByLabel('问题描述').inputValue()).toBe('太短了');
    await expect(page.locator('#draft-status').textContent()).resolves.toContain('已恢复');
  });

  it('an empty form: each required field says 请填写…/请选择…, and the summary lists them in the order of the form', async () => {
    const { page } = await open();
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.locator('#error-summary:not([hidden])').waitFor();
    const summary = await page.locator('#error-list a').allTextContents();
    // Every field with a message, in the page's order.
    const inPage = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#report-form .error:not([hidden])')].map((e) => e.textContent),
    );
    expect(summary).toEqual(inPage);
    // (发现时间 starts as now.)
    expect(summary.slice(0, 7)).toEqual([
      '请选择举报类型',
      '请选择行业领域',
      '请填写被举报单位或场所名称',
      '请选择镇（街道）',
      '请填写详细地址',
      '请填写问题描述',
      '请选择您是否为该单位员工',
    ]);
    for (const m of summary) expect(m).toMatch(/^请(填写|选择|阅读并同意)/);
    // Too short is still explained as too short.
    await page.getByLabel('问题描述').fill('太短了');
    await page.getByRole('button', { name: '提交举报' }).click();
    await expect(page.locator('#e-description').textContent()).resolves.toBe('问题描述至少 10 个字');
    expect(await axe(page)).toEqual([]);
  });

  it('a chosen photo shows as a thumbnail in the list before the report is sent', async () => {
    const { page } = await open();
    await page.locator('#f-files').setInputFiles({ name: '现场照片.jpg', mimeType: 'image/jpeg', buffer: JPEG });
    const thumb = page.locator('#file-list .file-item .file-thumb');
    await thumb.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('#file-list .file-thumb');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const box = await thumb.boundingBox();
    expect(box!.width).toBeGreaterThan(40);
    expect(box!.height).toBeGreaterThan(40);
    await page.getByText(/已上传（照片/).waitFor();
    expect(await axe(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  it('a reporter fills the form with touch, attaches a photo, submits and keeps the receipt', async () => {
    const { page, errors } = await open();
    await fillHazard(page, {
      type: '一般事故隐患',
      domain: '燃气',
      unit: '幸福小区沿街餐馆',
      address: '济北街道开元大街 16 号',
      description: '后厨液化气钢瓶与灶具距离过近，没有安装燃气泄漏报警器。',
    });
    await page.locator('#f-files').setInputFiles({ name: '现场照片.jpg', mimeType: 'image/jpeg', buffer: JPEG });
    await page.getByText(/已上传（照片/).waitFor();
    await agreeToNotices(page);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/tips') && r.request().method() === 'POST'),
      page.getByRole('button', { name: '提交举报' }).tap(),
    ]);
    expect(response.status()).toBe(201);
    const sent = response.request().postDataJSON();
    expect(sent.attachments).toHaveLength(1);
    expect(sent.reporter).toEqual({ anonymous: true });
    expect(response.request().headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: '举报已提交' }).waitFor();
    const trackingNo = await page.locator('#r-trackingNo').textContent();
    const queryCode = await page.locator('#r-queryCode').textContent();
    expect(trackingNo).toMatch(/^AQ-\w{5}-\w{5}$/);
    expect(queryCode).toMatch(/^\w{4}-\w{4}-\w{4}$/);
    // The receipt survives a reload until the reporter confirms it is saved…
    await page.reload();
    await page.getByRole('heading', { name: '举报已提交' }).waitFor();
    expect(await page.locator('#r-queryCode').textContent()).toBe(queryCode);
    expect(await axe(page)).toEqual([]);
    // …and "save as image" produces a PNG download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '保存为图片' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`举报回执-${trackingNo}.png`);
    // Leaving needs the explicit step.
    await expect(page.getByRole('button', { name: '我已保存，完成' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('我已保存举报编号和查询码').check();
    await page.getByRole('button', { name: '我已保存，完成' }).click();
    await page.getByRole('heading', { name: '感谢您的举报' }).waitFor();
    // The draft is gone once the tip is safely stored.
    expect(await page.evaluate(() => localStorage.getItem('anquan.report.draft.v1'))).toBeNull();
    expect(errors).toEqual([]);
  });

  it('a failed upload can be retried; the receipt copies, prints and carries a QR code', async () => {
    const { page } = await open();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await fillHazard(page, {
      type: '一般事故隐患',
      domain: '消防',
      unit: '某仓库',
      address: '济北街道仓储路 3 号',
      description: '仓库消防通道堆满货物，灭火器压力不足。',
    });
    // The storage is down for the first try: the file shows a retry button, and the retry goes through.
    let failed = 0;
    await page.route('**/api/uploads', (route) =>
      failed++ === 0
        ? route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'STORAGE_UNAVAILABLE', message: '附件暂时无法保存，请重试' } }),
          })
        : route.continue(),
    );
    await page.locator('#f-files').setInputFiles({ name: '通道.jpg', mimeType: 'image/jpeg', buffer: JPEG });
    const retry = page.getByRole('button', { name: '重试上传“通道.jpg”' });
    await retry.waitFor();
    await retry.click();
    await page.getByText(/已上传（照片/).waitFor();
    expect(failed).toBe(2);
    await agreeToNotices(page);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/tips') && r.request().method() === 'POST'),
      page.getByRole('button', { name: '提交举报' }).click(),
    ]);
    expect(response.request().postDataJSON().attachments).toHaveLength(1);
    await page.getByRole('heading', { name: '举报已提交' }).waitFor();
    const trackingNo = (await page.locator('#r-trackingNo').textContent())!;
    const queryCode = (await page.locator('#r-queryCode').textContent())!;
    // The QR code is drawn (dark and light modules), copy puts both codes on the clipboard, print opens printing.
    const dark = await page.locator('#r-qr').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 128) n++;
      return n / (d.length / 4);
    });
    expect(dark).toBeGreaterThan(0.2);
    expect(dark).toBeLessThan(0.8);
    await page.getByRole('button', { name: '复制编号和查询码' }).click();
    await page.getByText('已复制举报编号和查询码').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain(trackingNo);
    expect(copied).toContain(queryCode);
    await page.evaluate(() => {
      window.print = () => {
        (window as unknown as { printed: boolean }).printed = true;
      };
    });
    await page.getByRole('button', { name: /打印/ }).click();
    expect(await page.evaluate(() => (window as unknown as { printed?: boolean }).printed)).toBe(true);
  });

  it('a real-name joint report (联名举报) sends the co-signers, one per line, and they survive a reload', async () => {
    const { page } = await open();
    await fillHazard(page, {
      type: '安全生产非法违法行为',
      domain: '建筑施工（含自建房）',
      unit: '某自建房工地',
      address: '济北街道开元大街 20 号',
      description: '自建房加层施工无资质，脚手架无防护网，工人未系安全带。',
    });
    await page.getByLabel(/实名举报/).check();
    await page.locator('#f-name').fill('王五');
    await page.getByLabel(/手机号码/).fill('13912345678');
    await page.getByLabel(/其他联名人姓名/).fill('联名人甲\n联名人乙、联名人丙\n\n');
    await page.reload();
    await page.getByText('人机验证已通过').waitFor();
    expect(await page.getByLabel(/其他联名人姓名/).inputValue()).toBe('联名人甲\n联名人乙、联名人丙\n\n');
    await agreeToNotices(page);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/tips') && r.request().method() === 'POST'),
      page.getByRole('button', { name: '提交举报' }).click(),
    ]);
    expect(response.status()).toBe(201);
    expect(response.request().postDataJSON().reporter).toMatchObject({
      anonymous: false,
      name: '王五',
      coSigners: ['联名人甲', '联名人乙', '联名人丙'],
    });
  });

  it('the same submission works with the keyboard alone', async () => {
    const { page } = await open();
    const kb = page.keyboard;
    await page.locator('#f-type').focus();
    await kb.press('ArrowDown'); // 重大事故隐患
    await kb.press('Tab');
    await kb.press('ArrowDown'); // 危险化学品
    await kb.press('Tab');
    await kb.type('某化工厂');
    await kb.press('Tab');
    await kb.press('ArrowDown'); // 济阳街道
    await kb.press('Tab');
    await kb.type('济阳街道工业园 1 号');
    // Skip the optional location buttons and the date (prefilled with now).
    while (!(await page.evaluate(() => document.activeElement?.id === 'f-description'))) await kb.press('Tab');
    await kb.type('储罐区可燃气体报警器损坏多日未修，夜间有异味，员工反映无人处理。');
    await kb.press('Tab');
    await kb.press('ArrowDown'); // 否: not an employee (an employee reporting the employer must give a real name)
    while (!(await page.evaluate(() => document.activeElement?.id === 'f-notice'))) await kb.press('Tab');
    await kb.press('Space');
    await kb.press('Tab');
    await kb.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-privacy');
    await kb.press('Space');
    while (!(await page.evaluate(() => document.activeElement?.id === 'submit'))) await kb.press('Tab');
    await kb.press('Enter');
    await page.getByRole('heading', { name: '举报已提交' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('receipt-title');
    expect(await page.locator('#r-trackingNo').textContent()).toMatch(/^AQ-/);
    // Leaving by keyboard too: tick "我已保存" and finish.
    while (!(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type === 'checkbox')))
      await kb.press('Tab');
    await kb.press('Space');
    await kb.press('Tab');
    await kb.press('Enter');
    await page.getByRole('heading', { name: '感谢您的举报' }).waitFor();
  });
});
