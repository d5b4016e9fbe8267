/**
 * The console's 身份查看提醒 panel in Chromium: a 督办 reveals a real-name reporter (through the API, as the tip
 * page does); the auditor sees the alert — who, which tip, the reason, never the identity — with no way to
 * acknowledge it and no 立即封存 button (capabilities from /api/staff/me, not role lists); an admin acknowledges it
 * from the panel. axe finds nothing on the page.
 */
import type { Browser, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { axe, useBrowser, desktopPage } from '../support/browser';
import { signInPage, staffHttp } from '../support/staff-http';
import { postTip, realName, validTip } from '../support/tip-body';

const base = inject('baseUrl');

async function desktop(browser: Browser): Promise<Page> {
  const page = await desktopPage(browser);
  page.on('dialog', (d) => void d.dismiss());
  return page;
}

describe('identity-reveal alerts in the console', () => {
  const browser = useBrowser();

  it('an auditor sees each reveal with its reason (not the identity); an admin acknowledges it', async () => {
    const res = await postTip(
      base,
      validTip({ reporter: realName({ name: '提醒测试人', mobile: '13900139001' }), unitName: '提醒测试单位' }),
    );
    expect(res.status).toBe(201);
    const { trackingNo } = (await res.json()) as { trackingNo: string };
    const supervisor = await staffHttp(base, 'duban');
    const { rows } = await supervisor.call<{ rows: { id: string }[] }>(
      `/api/staff/tips?view=all&q=${encodeURIComponent(trackingNo)}`,
    );
    const reason = `核实举报人身份以便回访（提醒面板测试 ${Date.now()}）`;
    await supervisor.call(`/api/staff/tips/${rows[0]!.id}/reveal`, { reason });

    const auditor = await desktop(browser);
    await signInPage(auditor, base, 'shenji');
    await auditor.goto(`${base}/staff/admin/`);
    const row = auditor.locator('#alerts-table tr', { hasText: reason });
    await row.waitFor();
    await expect(auditor.locator('#alerts-summary').textContent()).resolves.toMatch(/有 \d+ 条身份查看提醒待确认/);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('孙督办');
    expect(text).toContain(trackingNo);
    expect(text).toContain('待管理员确认');
    expect(text).not.toContain('提醒测试人');
    expect(text).not.toContain('13900139001');
    await expect(row.locator('button').count()).resolves.toBe(0);
    // The audit section is there (audit.read), its seal button is not (audit.seal is the admin's).
    await auditor.locator('#audit-verify').waitFor();
    await expect(auditor.locator('#audit-seal').count()).resolves.toBe(0);
    expect(await axe(auditor)).toEqual([]);

    const admin = await desktop(browser);
    await signInPage(admin, base, 'admin', true);
    await admin.goto(`${base}/staff/admin/`);
    const adminRow = admin.locator('#alerts-table tr', { hasText: reason });
    await adminRow.locator('button', { hasText: '确认' }).click();
    await admin.waitForFunction(
      (r) =>
        [...document.querySelectorAll('#alerts-table tr')].some(
          (tr) => tr.textContent?.includes(r) && tr.textContent.includes('已确认'),
        ),
      reason,
    );
    await expect(admin.locator('#alerts-table tr', { hasText: reason }).textContent()).resolves.toContain('王管理');
    expect(await axe(admin)).toEqual([]);

    // A role without reveals.watch (the dispatcher) gets no panel.
    const dispatcher = await desktop(browser);
    await signInPage(dispatcher, base, 'shouli');
    await dispatcher.goto(`${base}/staff/admin/`);
    await dispatcher.waitForFunction(() => !document.getElementById('admin')?.textContent?.includes('加载中'));
    await expect(dispatcher.locator('#alerts').count()).resolves.toBe(0);
  });
});
