/**
 * Turnstile blocks (Cloudflare's test sitekey 2x00000000000000000000AB, honoured by the offline stand-in): the
 * reporter sees why the tip cannot be sent, in Chinese, next to the check and in the summary; nothing they
 * typed is lost and no tip is stored. On its own server so the shared one keeps the passing sitekey.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phonePage, useBrowser } from '../support/browser';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { migrateAndSeed, serve } from '../../scripts/lib/local.mjs';

const persistTo = mkdtempSync(join(tmpdir(), 'anquan-ts-block-'));
let server: { url: string; stop: () => Promise<void> } | undefined;
const browser = useBrowser();

beforeAll(async () => {
  migrateAndSeed(persistTo, { quiet: true });
  server = await serve({
    port: 15000 + Math.floor(Math.random() * 900),
    persistTo,
    quiet: true,
    vars: { TURNSTILE_SITEKEY: '2x00000000000000000000AB' },
  });
});
afterAll(async () => {
  await server?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

describe('Turnstile blocks', () => {
  it('a blocked check explains itself, keeps the input, and nothing is sent', async () => {
    const page = await phonePage(browser);
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/tips') && posts.push(r.url()));
    await page.goto(`${server!.url}/report/`);
    await page.getByText('人机验证未通过').waitFor();
    await page.getByLabel('举报类型').selectOption({ label: '一般事故隐患' });
    await page.getByLabel('问题描述').fill('楼道里堆放了大量电动车电池，正在充电。');
    await page.getByRole('button', { name: '提交举报' }).click();
    const message = '人机验证未通过：请刷新页面再试（已填写的内容不会丢失）；仍无法通过时，可拨打举报电话 12350。';
    await expect(page.locator('#e-turnstileToken').textContent()).resolves.toBe(message);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(message);
    // …and a reload (as the message says) still has what was typed.
    await page.reload();
    await page.getByText('人机验证未通过').first().waitFor();
    expect(await page.getByLabel('问题描述').inputValue()).toBe('楼道里堆放了大量电动车电池，正在充电。');
    expect(await page.getByLabel('问题描述').inputValue()).toBe('楼道里堆放了大量电动车电池，正在充电。');
    expect(posts).toEqual([]);
  });
});
