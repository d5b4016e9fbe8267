/**
 * Rewards in Chromium: the 奖励经办 proposes (with the computation shown), a second account (奖励审批)
 * approves, the 奖励经办 notifies — and the notice is what the reporter's lookup shows.
 */
import { describe, expect, inject, it } from 'vitest';
import { axe, desktopPage, phonePage, useBrowser } from '../support/browser';
import { concludeTrue, signInPage } from '../support/staff-http';
import { postTip, validTip } from '../support/tip-body';
import { PROVINCE_RULES } from '../support/reward-rules';

const base = inject('baseUrl');

describe('reward desk', () => {
  const browser = useBrowser();

  it('officer proposes, a second account approves, officer notifies; the reporter is told amount, place and deadline', async () => {
    const res = await postTip(
      base,
      validTip({
        type: 'major_hazard',
        domain: 'hazchem',
        unitName: '某化工仓库',
        address: '回河街道化工路 9 号',
        townId: 'huihe',
        seenAt: new Date(Date.now() - 86_400_000).toISOString(),
        description: '仓库内危险化学品超量储存，无防爆设施，存在重大事故隐患。',
      }),
    );
    const receipt = (await res.json()) as { trackingNo: string; queryCode: string };
    await concludeTrue(base, receipt.trackingNo, 1_000_000_00);

    const officer = await desktopPage(browser);
    await signInPage(officer, base, 'jiangli', true);
    // Reward staff land on 举报奖励 after sign-in (from their capabilities).
    expect(new URL(officer.url()).pathname).toBe('/staff/rewards/');
    // The concluded tip is listed as a candidate with its computed amount.
    await officer.waitForFunction(
      (no) => document.querySelector('section[aria-labelledby="h-cand"]')?.textContent?.includes(no),
      receipt.trackingNo,
    );
    await officer.fill('#p-no', receipt.trackingNo);
    await officer.click('form[aria-label="奖励测算"] button[type=submit]');
    const proposal = officer.locator('form[aria-label="提出奖励"]');
    await proposal.waitFor();
    const text = (await proposal.textContent()) ?? '';
    expect(text).toContain('¥150,000');
    // The rule set, its version and the clause applied; the category is what 核查 verified.
    expect(await proposal.locator('[data-rule]').textContent()).toBe(
      '安全生产领域举报奖励办法（安监总财〔2018〕19号） 第 1 版',
    );
    expect(await proposal.locator('[data-clause]').textContent()).toBe('第十一条（一）');
    expect(await axe(officer)).toEqual([]);
    // "可以确认举报人" is a claim condition, outside the 第七条 exclusions box.
    expect(await proposal.locator('fieldset:has([data-check]) input[name=identifiable]').count()).toBe(0);
    expect(await proposal.locator('input[name=identifiable]').count()).toBe(1);
    // Nothing answered: the proposal is refused, each item says why beside it.
    await proposal.locator('button[type=submit]').click();
    await officer.waitForFunction(() => (document.getElementById('flash')?.textContent ?? '').includes('请逐项确认'));
    expect(await proposal.locator('[data-error-for="eligibility.checklist.discovery"]').textContent()).toContain(
      '（第七条）',
    );
    // Found by the regulator but not handled according to the rules: eligible.
    await proposal.locator('[data-check=discovery] input[value=found_not_handled]').check();
    for (const item of ['governmentDuty', 'enterpriseDuty', 'closeRelative', 'instructed'])
      await proposal.locator(`[data-check=${item}] input[value=no]`).check();
    await proposal.locator('input[name=identifiable]').check();
    await proposal.locator('button[type=submit]').click();
    const row = officer.locator(`tr[data-reward="${receipt.trackingNo}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('待审批');
    // The proposer cannot approve: no approve button for the officer.
    expect(await row.locator('[data-step=approve]').count()).toBe(0);

    const approver = await desktopPage(browser);
    await signInPage(approver, base, 'shenpi', true);
    expect(new URL(approver.url()).pathname).toBe('/staff/rewards/');
    const arow = approver.locator(`tr[data-reward="${receipt.trackingNo}"]`);
    await arow.locator('[data-step=approve]').click();
    await approver.waitForFunction(
      (no) => document.querySelector(`tr[data-reward="${no}"]`)?.textContent?.includes('已审批'),
      receipt.trackingNo,
    );

    await officer.reload();
    await officer.locator(`tr[data-reward="${receipt.trackingNo}"] [data-step=notify]`).click();
    await officer.waitForFunction(
      (no) => document.querySelector(`tr[data-reward="${no}"]`)?.textContent?.includes('已通知'),
      receipt.trackingNo,
    );

    // The reporter's lookup page shows the notice: amount, what to bring, where, and the claim deadline.
    const reporter = await phonePage(browser);
    await reporter.goto(`${base}/track/?no=${encodeURIComponent(receipt.trackingNo)}`);
    await reporter.fill('#t-code', receipt.queryCode);
    await reporter.click('#ask-form button[type=submit]');
    await reporter.waitForSelector('#v-reward:not([hidden])');
    const notice = (await reporter.textContent('#v-reward')) ?? '';
    expect(notice).toContain('¥150,000');
    expect(notice).toContain('领取地点');
    expect(notice).toContain('举报编号和查询码');
    expect(notice).toMatch(/领取期限\d{4}年\d{1,2}月\d{1,2}日前/);
    expect(await axe(reporter)).toEqual([]);
  });

  it('an admin adds a province rule set from the console; a broken one is refused with a message', async () => {
    const admin = await desktopPage(browser);
    await signInPage(admin, base, 'admin', true);
    await admin.goto(`${base}/staff/rewards/`);
    const form = admin.locator('form[aria-label="新增奖励标准"]');
    await form.waitFor();
    await form.locator('input[name=name]').fill('某省安全生产举报奖励办法');
    await form.locator('input[name=effectiveFrom]').fill('2026-12-01');
    await form.locator('textarea[name=rules]').fill('{"penaltyShare": {"basisPoints": 0}}');
    await form.locator('button[type=submit]').click();
    await admin.waitForFunction(() => (document.getElementById('flash')?.textContent ?? '').length > 0);
    expect(await admin.textContent('#flash')).not.toContain('已新增');
    await form.locator('textarea[name=rules]').fill(JSON.stringify(PROVINCE_RULES));
    await form.locator('button[type=submit]').click();
    await admin.waitForFunction(() =>
      document.querySelector('section[aria-labelledby="h-rules"]')?.textContent?.includes('某省安全生产举报奖励办法'),
    );
    expect(await axe(admin)).toEqual([]);
  });
});
