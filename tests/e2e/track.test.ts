import { describe, expect, inject, it } from 'vitest';
import { axe, useBrowser, phonePage } from '../support/browser';
import { TINY_JPEG } from '../support/media-fixtures';
import { staffHttp } from '../support/staff-http';
import { fireExitTip, postTip } from '../support/tip-body';

const base = inject('baseUrl');

describe('进度查询', () => {
  const browser = useBrowser();

  it('QR link → code → staff question → answer with a photo → shown in the conversation and the timeline', async () => {
    const res = await postTip(base, fireExitTip());
    const receipt = (await res.json()) as { trackingNo: string; queryCode: string; trackUrl: string };
    const dispatcher = await staffHttp(base, 'shouli');
    const { rows } = await dispatcher.call<{ rows: { id: string }[] }>(
      `/api/staff/tips?view=all&q=${encodeURIComponent(receipt.trackingNo)}`,
    );
    await dispatcher.call(`/api/staff/tips/${rows[0]!.id}/messages`, {
      body: '请问堵塞的是几号安全出口？<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>',
    });

    const page = await phonePage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // The receipt's QR code opens this URL: the number is filled in, the code is not in it.
    expect(receipt.trackUrl).not.toContain(receipt.queryCode);
    await page.goto(`${base}/track/?no=${encodeURIComponent(receipt.trackingNo)}`);
    await expect(page.inputValue('#t-no')).resolves.toBe(receipt.trackingNo);
    expect(await axe(page)).toEqual([]);
    await page.fill('#t-code', receipt.queryCode.toLowerCase());
    await page.click('#ask-form button[type=submit]');
    await page.waitForSelector('#view:not([hidden])');
    await expect(page.textContent('#v-status')).resolves.toBe('待受理');
    await expect(page.textContent('#v-new')).resolves.toContain('1 条新留言');
    const question = page.locator('.msg.staff.new');
    await expect(question.textContent()).resolves.toContain(
      '请问堵塞的是几号安全出口？<img src=x onerror="window.__xss=1">',
    );
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await axe(page)).toEqual([]);

    await page.fill('#r-body', '是 2 号安全出口，照片见附件。');
    await page.setInputFiles('#r-files', { name: 'exit.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(TINY_JPEG) });
    await page.waitForFunction(() =>
      document.querySelector('#r-file-list .file-state')?.textContent?.startsWith('已上传'),
    );
    await page.click('#reply-form button[type=submit]');
    await page.waitForSelector('.msg.reporter');
    await expect(page.locator('.msg.reporter').textContent()).resolves.toContain('是 2 号安全出口');
    // …and the dated timeline tells the same story: the question, then the answer with its photo.
    const timeline = await page.locator('#v-timeline li').allTextContents();
    expect(timeline.some((t) => t.includes('工作人员给您留言'))).toBe(true);
    expect(timeline.at(-1)).toContain('您回复了工作人员并补充了 1 个附件');
    // Staff see the answer and its photo.
    const detail = await dispatcher.call<{
      messages: { author: string; body: string }[];
      attachments: { origin: string }[];
    }>(`/api/staff/tips/${rows[0]!.id}`);
    expect(detail.messages.map((m) => m.author)).toEqual(['staff', 'reporter']);
    expect(detail.attachments.map((a) => a.origin)).toEqual(['evidence']);
    // Coming back later: the question is no longer new.
    await page.reload();
    await page.waitForSelector('#view:not([hidden])');
    expect(await page.locator('.msg.new').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a wrong code is explained in Chinese and the number stays filled in', async () => {
    const page = await phonePage(browser);
    await page.goto(`${base}/track/?no=AQ-00000-00000`);
    await page.fill('#t-code', 'ZZZZ-ZZZZ-ZZZZ');
    await page.click('#ask-form button[type=submit]');
    await page.waitForFunction(() =>
      document.getElementById('ask-error')?.textContent?.includes('举报编号或查询码不正确'),
    );
    await expect(page.inputValue('#t-no')).resolves.toBe('AQ-00000-00000');
  });

  it('a number or code in the wrong format is refused in the browser with a hint, and no request is sent', async () => {
    const page = await phonePage(browser);
    const sent: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/track') sent.push(r.method());
    });
    await page.goto(`${base}/track/?no=AQ-00000-00000`);
    // Too short (a digit dropped while copying from the receipt).
    await page.fill('#t-code', 'ZZZZ-ZZZZ-ZZZ');
    await page.click('#ask-form button[type=submit]');
    await expect(page.textContent('#e-t-code')).resolves.toContain('查询码格式不正确');
    await expect(page.getAttribute('#t-code', 'aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('t-code');
    // A wrong number format is named at its own field.
    await page.fill('#t-no', 'AQ-12345');
    await page.fill('#t-code', 'zzzz zzzz zzzz');
    await page.click('#ask-form button[type=submit]');
    await expect(page.textContent('#e-t-no')).resolves.toContain('举报编号格式不正确');
    await expect(page.isHidden('#e-t-code')).resolves.toBe(true);
    // A 公开编号 copied from open data or Open311 is named as such (it never opens a lookup).
    await page.fill('#t-no', 'GK-7K3M9-QXP2D');
    await page.click('#ask-form button[type=submit]');
    await expect(page.textContent('#e-t-no')).resolves.toContain('这是公开数据中的公开编号');
    expect(await axe(page)).toEqual([]);
    expect(sent).toEqual([]);
    // A well-formed pair (any spelling: lower case, spaces) is sent and answered by the server.
    await page.fill('#t-no', 'aq 00000 00000');
    await page.click('#ask-form button[type=submit]');
    await page.waitForFunction(() =>
      document.getElementById('ask-error')?.textContent?.includes('举报编号或查询码不正确'),
    );
    expect(sent).toEqual(['POST']);
    await expect(page.isHidden('#e-t-no')).resolves.toBe(true);
  });
});
