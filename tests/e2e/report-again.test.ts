/**
 * /report/ after a submission, in Chromium on a 360-px phone: the sent report leaves no draft and no reusable
 * Idempotency-Key behind, so 再举报一条 and a new tab open an empty form and the next report gets its own receipt;
 * a retry of the same submission (answer lost on the way back) still returns the same receipt.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { PHONE, useBrowser } from '../support/browser';
import { agreeToNotices, fillHazard, type Hazard, openReportForm } from '../support/report-form';
import { staffHttp } from '../support/staff-http';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('/report/ a second report is never swallowed by the first', () => {
  const browser = useBrowser();
  const base = inject('baseUrl');

  /** A phone context of its own, from its own client address (the submission rate limit is per client). */
  async function phone(ip: string): Promise<BrowserContext> {
    const ctx = await browser.newContext(PHONE);
    await ctx.setExtraHTTPHeaders({ 'cf-connecting-ip': ip });
    return ctx;
  }

  const openForm = (page: Page) => openReportForm(page, base);

  async function fill(page: Page, h: Hazard) {
    await fillHazard(page, h);
    await agreeToNotices(page);
  }

  async function send(page: Page) {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/tips') && r.request().method() === 'POST'),
      page.getByRole('button', { name: '提交举报' }).tap(),
    ]);
    await page.getByRole('heading', { name: '举报已提交' }).waitFor();
    return {
      status: response.status(),
      key: response.request().headers()['idempotency-key']!,
      trackingNo: (await page.locator('#r-trackingNo').textContent())!,
      queryCode: (await page.locator('#r-queryCode').textContent())!,
    };
  }

  async function expectEmptyForm(page: Page) {
    for (const label of ['被举报单位或场所名称', '详细地址', '问题描述'])
      expect(await page.getByLabel(label).inputValue()).toBe('');
    expect(await page.getByLabel('举报类型').inputValue()).toBe('');
    expect(await page.getByLabel(/我已阅读并同意《举报须知》/).isChecked()).toBe(false);
    expect(await page.locator('#draft-status').textContent()).not.toContain('已恢复');
  }

  const gas: Hazard = {
    type: '一般事故隐患',
    domain: '燃气',
    unit: '再举报测试·沿街烧烤店',
    address: '济北街道开元大街 101 号',
    description: '再举报测试一：烧烤店液化气钢瓶放在门口阳光直射处，软管老化开裂。',
  };
  const fire: Hazard = {
    type: '重大事故隐患',
    domain: '消防',
    unit: '再举报测试·物流仓库',
    address: '济北街道仓储路 202 号',
    description: '再举报测试二：仓库安全出口被锁死，消防通道堆满纸箱，喷淋系统关闭。',
  };

  it('POST /api/tips twice: submit → 再举报一条 → different hazard → a new, different receipt; staff find both tips', async () => {
    const ctx = await phone('2001:db8::e131');
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await openForm(page);
    await fill(page, gas);
    const first = await send(page);
    expect(first.status).toBe(201);
    expect(first.key).toMatch(V4);
    // Give any late autosave time to run (the old form wrote the sent report back ~0.3 s after the submit).
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => localStorage.getItem('anquan.report.draft.v1'))).toBeNull();

    await page.getByLabel('我已保存举报编号和查询码').check();
    await page.getByRole('button', { name: '我已保存，完成' }).click();
    await page.getByRole('link', { name: '再举报一条' }).click();
    await page.getByText('人机验证已通过').waitFor();
    await expectEmptyForm(page);

    // A new tab of the same browser also starts empty.
    const tab = await ctx.newPage();
    await openForm(tab);
    await expectEmptyForm(tab);
    await tab.close();

    await fill(page, fire);
    const second = await send(page);
    expect(second.status).toBe(201);
    expect(second.key).toMatch(V4);
    expect(second.key).not.toBe(first.key);
    expect(second.trackingNo).not.toBe(first.trackingNo);
    expect(second.queryCode).not.toBe(first.queryCode);

    // Staff find both tips, each with what was typed for it.
    const staff = await staffHttp(base, 'shouli');
    const find = async (trackingNo: string) =>
      (
        await staff.call<{ rows: { trackingNo: string; unitName: string }[] }>(
          `/api/staff/tips?view=all&q=${encodeURIComponent(trackingNo)}`,
        )
      ).rows;
    expect(await find(first.trackingNo)).toMatchObject([{ trackingNo: first.trackingNo, unitName: gas.unit }]);
    expect(await find(second.trackingNo)).toMatchObject([{ trackingNo: second.trackingNo, unitName: fire.unit }]);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a new tab opened while the receipt is still on screen opens an empty form; an untouched form is never "restored"', async () => {
    const ctx = await phone('2001:db8::e132');
    const page = await ctx.newPage();
    // An untouched form, left and reopened, keeps no draft.
    await openForm(page);
    await page.reload();
    await page.getByText('人机验证已通过').waitFor();
    await expectEmptyForm(page);
    expect(await page.evaluate(() => localStorage.getItem('anquan.report.draft.v1'))).toBeNull();

    await fill(page, {
      ...gas,
      unit: '新标签测试·加油站',
      description: '新标签测试：加油站卸油时无人监护，静电接地线断开。',
    });
    await send(page);
    const tab = await ctx.newPage();
    await openForm(tab);
    await expectEmptyForm(tab);
    // Closing the receipt tab writes nothing back either.
    await page.close({ runBeforeUnload: false });
    const again = await ctx.newPage();
    await openForm(again);
    await expectEmptyForm(again);
    await ctx.close();
  });

  it('POST /api/tips retried after a lost answer (and a reload) keeps its key and returns the same receipt; one tip is stored', async () => {
    const ctx = await phone('2001:db8::e133');
    const page = await ctx.newPage();
    await openForm(page);
    const lost: Hazard = {
      ...fire,
      unit: '重试测试·木器厂',
      description: '重试测试：木器加工车间粉尘堆积，除尘器停用，电气线路裸露。',
    };
    await fill(page, lost);
    // The server stores the tip, but its answer never reaches the phone.
    let firstKey = '';
    await page.route('**/api/tips', async (route) => {
      firstKey = route.request().headers()['idempotency-key']!;
      const res = await route.fetch();
      expect(res.status()).toBe(201);
      await route.abort('failed');
    });
    await page.getByRole('button', { name: '提交举报' }).tap();
    await page.getByText(/网络连接中断，举报尚未确认提交/).waitFor();
    await page.unroute('**/api/tips');
    expect(firstKey).toMatch(V4);

    // The reporter reloads: the draft is back with the same key, and sending again answers with the stored receipt.
    await page.reload();
    await page.getByText('人机验证已通过').waitFor();
    await expect(page.locator('#draft-status').textContent()).resolves.toContain('已恢复');
    expect(await page.getByLabel('问题描述').inputValue()).toBe(lost.description);
    const retry = await send(page);
    expect(retry.key).toBe(firstKey);
    expect(retry.status).toBe(200);

    const staff = await staffHttp(base, 'shouli');
    const { rows } = await staff.call<{ rows: { trackingNo: string }[] }>(
      `/api/staff/tips?view=all&q=${encodeURIComponent('重试测试：木器加工车间')}`,
    );
    expect(rows.map((r) => r.trackingNo)).toEqual([retry.trackingNo]);
    await ctx.close();
  });
});
