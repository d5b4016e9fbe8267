/**
 * 隐患台账与一张图 in Chromium: a tip that 核查 found to be a 重大事故隐患, with its 五到位 plan, is listed in the
 * supervisor's ledger (挂牌督办中) and prints as a 交办单 (print media: the console around the sheet disappears,
 * the sheet and its plan stay; a PDF is produced); the dashboard draws its charts with data tables, its overdue
 * figure opens the ledger filtered to 整改超期, and it has zero axe violations on a 360-px phone and on a desktop.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { axe, DESKTOP, useBrowser } from '../support/browser';
import { acceptAndAssign, signInPage } from '../support/staff-http';
import { postTip, validTip } from '../support/tip-body';

const base = inject('baseUrl');
const UNIT = `台账测试液氨冷库${Date.now().toString(36)}`;
const MEASURES = '停用泄漏的液氨储罐，更换阀门并加装泄漏报警';

/** A fresh tip concluded by the 承办员 as a 重大事故隐患 with a 五到位 plan; returns its tracking number and id. */
async function majorHazard(): Promise<{ trackingNo: string; id: string }> {
  const res = await postTip(
    base,
    validTip({
      type: 'general_hazard',
      domain: 'hazchem',
      townId: 'qudi',
      unitName: UNIT,
      address: '曲堤街道冷库路 6 号',
    }),
  );
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  const { trackingNo } = (await res.json()) as { trackingNo: string };
  const { id, version: v, handler } = await acceptAndAssign(base, trackingNo);
  const deadline = new Date(Date.now() + 8 * 3_600_000 + 30 * 86_400_000).toISOString().slice(0, 10);
  await handler.call(`/api/staff/tips/${id}/actions/conclude`, {
    version: v,
    input: {
      conclusion: 'true',
      verifiedType: 'major_hazard',
      decision: '责令停用液氨储罐，限期整改，挂牌督办',
      riskColour: 'red',
      rectificationRequired: true,
      rectification: {
        measures: MEASURES,
        responsibility: '企业法定代表人、设备部经理',
        funds: '企业自筹 8 万元',
        deadline,
        plan: '液氨泄漏现场处置方案',
      },
    },
  });
  return { trackingNo, id };
}

describe('隐患台账与一张图', () => {
  const browser = useBrowser();
  let desk: BrowserContext;
  let page: Page;
  let hazard: { trackingNo: string; id: string };
  const errors: string[] = [];
  beforeAll(async () => {
    hazard = await majorHazard();
    desk = await browser.newContext(DESKTOP);
    page = await desk.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await signInPage(page, base, 'duban', true);
  });

  it('the ledger lists the verified 重大 hazard with its 五到位 plan; its 交办单 prints', async () => {
    await page.goto(`${base}/staff/hazards/?category=major`);
    await page.waitForSelector('body[data-ready="1"]');
    const row = page.locator('#rows tr', { hasText: hazard.trackingNo });
    await expect(row.count()).resolves.toBe(1);
    const text = (await row.textContent())!;
    for (const s of [
      '重大事故隐患',
      UNIT,
      MEASURES,
      '企业法定代表人、设备部经理',
      '企业自筹 8 万元',
      '挂牌督办中',
      '整改中',
    ])
      expect(text).toContain(s);
    expect(await axe(page)).toEqual([]);
    // The CSV link carries the filter.
    await expect(page.getAttribute('#export', 'href')).resolves.toContain('category=major');

    await row.locator('a', { hasText: hazard.trackingNo }).click();
    await page.waitForURL(`${base}/staff/hazard/?id=${hazard.id}`);
    await page.waitForSelector('body[data-ready="1"]');
    await expect(page.textContent('#sheet-title')).resolves.toBe('隐患整改交办单（重大事故隐患）');
    const sheet = (await page.textContent('#hazard'))!;
    for (const s of [UNIT, MEASURES, '液氨泄漏现场处置方案', '责令停用液氨储罐，限期整改，挂牌督办', '挂牌督办中'])
      expect(sheet).toContain(s);
    expect(await axe(page)).toEqual([]);

    // Print: the console's header, navigation and buttons go; the sheet with its plan and signature lines stays.
    await page.emulateMedia({ media: 'print' });
    const shown = (sel: string) => page.locator(sel).first().isVisible();
    await expect(shown('.staff-header')).resolves.toBe(false);
    await expect(shown('#hazard button')).resolves.toBe(false);
    await expect(shown('a[href="/staff/hazards/"]')).resolves.toBe(false);
    await expect(shown('#sheet-title')).resolves.toBe(true);
    await expect(shown('.sheet-table')).resolves.toBe(true);
    await expect(shown('.sheet-sign')).resolves.toBe(true);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.emulateMedia({ media: 'screen' });
  });

  it('the dashboard: charts with data tables, the overdue list one click away, zero axe violations on a desktop', async () => {
    await page.goto(`${base}/staff/dashboard/`);
    await page.waitForSelector('#dash-app[data-ready="1"]');
    for (const id of ['chart-months', 'chart-depts', 'chart-domains', 'chart-towns']) {
      const fig = page.locator(`#${id}`);
      await expect(fig.locator('svg[role="img"]').getAttribute('aria-label')).resolves.toMatch(/数据表|暂无数据/);
      await expect(fig.locator('details table tbody tr').count()).resolves.toBeGreaterThan(0);
    }
    const depts = await page.locator('#chart-depts table tbody tr').allTextContents();
    expect(depts.find((r) => r.startsWith('区应急管理局'))).toBeTruthy();
    await expect(page.locator('#chart-towns svg text', { hasText: '曲堤街道' }).count()).resolves.toBe(1);
    for (const s of await page.locator('details.chart-table summary').all()) await s.click();
    expect(await axe(page)).toEqual([]);
    // One click from the overdue figure to the overdue list.
    await page.click('#kpi-overdue');
    await page.waitForURL(/\/staff\/hazards\/\?.*overdue=1/);
    await page.waitForSelector('body[data-ready="1"]');
    await expect(page.isChecked('input[name="overdue"]')).resolves.toBe(true);
    await expect(page.textContent('#count')).resolves.toMatch(/共 \d+ 条隐患（整改超期）/);
  });

  it('a dispatcher (no hazards.read) is told so, without a ledger or an export link', async () => {
    const ctx = await browser.newContext(DESKTOP);
    const p = await ctx.newPage();
    await signInPage(p, base, 'shouli');
    await p.goto(`${base}/staff/hazards/`);
    await p.waitForFunction(() => document.getElementById('rows')?.textContent?.includes('权限'));
    await expect(p.textContent('#rows')).resolves.toContain('您没有查看隐患台账的权限');
    await expect(p.locator('#export').isVisible()).resolves.toBe(false);
    await ctx.close();
  });

  it('the dashboard and the ledger on a 360-px phone: zero axe violations', async () => {
    const phone = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      storageState: await desk.storageState(),
    });
    const p = await phone.newPage();
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(`${base}/staff/dashboard/`);
    await p.waitForSelector('#dash-app[data-ready="1"]');
    await expect(p.locator('#chart-months details table tbody tr').count()).resolves.toBeGreaterThan(0);
    for (const s of await p.locator('details.chart-table summary').all()) await s.click();
    expect(await axe(p)).toEqual([]);
    // Nothing wider than the phone but the scrollable tables.
    const wide = await p.evaluate(() => document.documentElement.scrollWidth);
    expect(wide).toBeLessThanOrEqual(360);
    await p.goto(`${base}/staff/hazards/`);
    await p.waitForSelector('body[data-ready="1"]');
    expect(await axe(p)).toEqual([]);
    await phone.close();
    expect(errors).toEqual([]);
  });
});
