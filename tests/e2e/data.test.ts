/**
 * 数据公开 in Chromium: the page draws its charts from /api/public/stats with a data table for each, shows
 * small counts as "<5", lists the open-data months, runs under the strict CSP without errors and has zero axe
 * violations on a phone and on a desktop.
 */
import type { Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, DESKTOP, phonePage, useBrowser } from '../support/browser';
import { staffHttp } from '../support/staff-http';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { migrateAndSeed, seedDemoStaff, serve } from '../../scripts/lib/local.mjs';
import { postTip, validTip } from '../support/tip-body';

/**
 * Its own server and database: the statistics are cached at the edge for minutes (under their path alone), so
 * on the shared test server another browser test that opened /data/ earlier would fix the figures before these
 * tips exist.
 */
let base = '';
let server: { url: string; stop: () => Promise<void> } | undefined;
const persistTo = mkdtempSync(join(tmpdir(), 'anquan-data-'));

async function submit(domain: string, townId: string) {
  const res = await postTip(
    base,
    validTip({
      domain,
      townId,
      unitName: '数据测试单位',
      address: '济阳街道数据路 1 号',
      description: '仓库消防通道堆放杂物，灭火器过期未更换。',
    }),
  );
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return (await res.json()) as { trackingNo: string };
}

async function ready(page: Page) {
  await page.waitForSelector('#data-app[data-ready="1"]', { timeout: 20_000 });
}

describe('数据公开', () => {
  const browser = useBrowser();
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
  beforeAll(async () => {
    migrateAndSeed(persistTo, { quiet: true });
    await seedDemoStaff(persistTo);
    const started = await serve({ port: 16000 + Math.floor(Math.random() * 900), persistTo, quiet: true });
    server = started;
    base = started.url;
    // Six fire tips in one town (shown as a number), one 烟花爆竹 tip (shown as "<5"), one of them rejected (closed).
    const receipts = [];
    for (let i = 0; i < 6; i++) receipts.push(await submit('fire', 'qudi'));
    await submit('fireworks', 'jibei');
    const dispatcher = await staffHttp(base, 'shouli');
    const { rows } = await dispatcher.call<{ rows: { id: string }[] }>(
      `/api/staff/tips?view=all&q=${encodeURIComponent(receipts[0]!.trackingNo)}`,
    );
    await dispatcher.call(`/api/staff/tips/${rows[0]!.id}/actions/reject`, {
      version: 1,
      input: { reason: 'out_of_scope' },
    });
    // The Cron as it runs just after this month ends: it publishes this month's 月度通报 (no rebuild of the site).
    const [y, m] = month.split('-').map(Number) as [number, number];
    const nextMonth = Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1) - 8 * 3_600_000;
    const cron = await fetch(
      `${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/15 * * * *')}&time=${nextMonth + 3_600_000}`,
    );
    if (!cron.ok) throw new Error(`scheduled: ${cron.status}`);
    for (let i = 0; i < 50 && (await fetch(`${base}/api/public/reports/${month}`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  });

  it('GET /data/ on a phone: figures, charts with data tables, "<5" for small counts, downloads; no CSP errors; zero axe violations', async () => {
    const page = await phonePage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const res = await page.goto(`${base}/data/`);
    expect(res?.status()).toBe(200);
    await ready(page);
    expect(Number((await page.textContent('#kpi-total'))!.replace(/,/g, ''))).toBeGreaterThanOrEqual(7);

    for (const id of [
      'chart-trend',
      'chart-domain',
      'chart-town',
      'chart-ontime',
      'chart-type',
      'chart-status',
      'chart-record',
      'chart-record-dept',
      'chart-record-domain',
    ]) {
      const fig = page.locator(`#${id}`);
      await expect(fig.locator('svg[role="img"]').getAttribute('aria-label')).resolves.toMatch(/数据表|不足 5 件/);
      await expect(fig.locator('details table tbody tr').count()).resolves.toBeGreaterThan(0);
    }
    // The domain table: fire is a number, fireworks and domains without tips are "<5".
    const domainRows = await page.locator('#chart-domain table tbody tr').allTextContents();
    expect(domainRows.find((r) => r.startsWith('消防'))).toMatch(/消防\d+/);
    expect(domainRows.find((r) => r.startsWith('烟花爆竹'))).toBe('烟花爆竹<5');
    expect(domainRows.find((r) => r.startsWith('防溺水'))).toBe('防溺水<5');
    // The town tiles carry the same numbers as their table.
    await expect(page.locator('#chart-town svg text', { hasText: '曲堤街道' }).count()).resolves.toBe(1);

    // Open a data table: it is a real table with a caption and header cells.
    await page.click('#chart-domain details summary');
    await expect(page.locator('#chart-domain table caption').textContent()).resolves.toContain('行业领域');

    const link = page.locator(`#downloads a[href="/api/public/open-data/tips.csv?month=${month}"]`);
    await expect(link.count()).resolves.toBe(1);
    await expect(page.locator('#schema').textContent()).resolves.toBe('字段说明');

    // The on-time record: this month's final figures by domain (fire: 6 received, a number; the rest "<5").
    const recordRows = await page.locator('#chart-record-domain table tbody tr').allTextContents();
    expect(recordRows.find((r) => r.startsWith('消防'))).toMatch(/^消防6/);
    await expect(page.locator(`#reports a[href="/data/monthly/?month=${month}"]`).count()).resolves.toBe(1);
    await expect(
      page.locator(`#ontime-downloads a[href="/api/public/ontime.csv?month=${month}"]`).count(),
    ).resolves.toBe(1);

    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('月度通报 /data/monthly/?month=… on a phone and on a desktop: final figures, charts with data tables, zero axe violations', async () => {
    const page = await phonePage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/data/monthly/?month=${month}`);
    await page.waitForSelector('#report-app[data-ready="1"]', { timeout: 20_000 });
    await expect(page.textContent('#report-title')).resolves.toContain('通报');
    for (const id of ['report-dept', 'report-domain']) {
      await expect(page.locator(`#${id} svg[role="img"]`).count()).resolves.toBe(1);
      await expect(page.locator(`#${id} details table tbody tr`).count()).resolves.toBeGreaterThan(0);
    }
    expect(await axe(page)).toEqual([]);
    const ctx = await browser.newContext(DESKTOP);
    const desk = await ctx.newPage();
    await desk.goto(`${base}/data/monthly/?month=${month}`);
    await desk.waitForSelector('#report-app[data-ready="1"]', { timeout: 20_000 });
    for (const s of await desk.locator('details.chart-table summary').all()) await s.click();
    expect(await axe(desk)).toEqual([]);
    // A month without a report: the list, with the reason.
    await desk.goto(`${base}/data/monthly/?month=2001-01`);
    await desk.waitForSelector('#report-list-box:not([hidden])');
    await expect(desk.textContent('#report-status')).resolves.toContain('尚未发布');
    await ctx.close();
    expect(errors).toEqual([]);
  });

  it('GET /data/ on a desktop with every data table open: zero axe violations', async () => {
    const ctx = await browser.newContext(DESKTOP);
    const page = await ctx.newPage();
    await page.goto(`${base}/data/`);
    await ready(page);
    for (const s of await page.locator('details.chart-table summary').all()) await s.click();
    expect(await axe(page)).toEqual([]);
    await ctx.close();
  });

  it('the open-data CSV linked from the page downloads with the documented header and no free text', async () => {
    const res = await fetch(`${base}/api/public/open-data/tips.csv?month=${month}`);
    expect(res.status).toBe(200);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.startsWith('\uFEFFpublic_id,received_date,closed_date,')).toBe(true);
    expect(text).toContain('不予受理');
    for (const secret of ['数据测试单位', '数据路', '灭火器过期']) expect(text).not.toContain(secret);
  });
});
