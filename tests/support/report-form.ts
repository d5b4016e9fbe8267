/**
 * The report form (/report/) as a reporter fills it in Chromium, for the browser tests: open it, describe the hazard,
 * agree to the two notices. Each step through the labels a reporter reads.
 */
import type { Page } from 'playwright-core';

/** What a reporter describes, by the labels of the form's choices. */
export interface Hazard {
  type: string;
  domain: string;
  unit: string;
  address: string;
  description: string;
}

/** Open the form and wait until its (stand-in) Turnstile check has passed. */
export async function openReportForm(page: Page, base: string) {
  await page.goto(`${base}/report/`);
  await page.getByText('人机验证已通过').waitFor();
}

/** Describe the hazard in 济北街道, as someone who is not an employee of the unit. */
export async function fillHazard(page: Page, h: Hazard) {
  await page.getByLabel('举报类型').selectOption({ label: h.type });
  await page.getByLabel('行业领域').selectOption({ label: h.domain });
  await page.getByLabel('被举报单位或场所名称').fill(h.unit);
  await page.getByLabel('所在镇（街道）').selectOption({ label: '济北街道' });
  await page.getByLabel('详细地址').fill(h.address);
  await page.getByLabel('问题描述').fill(h.description);
  await page.getByLabel('否').check();
}

/** Tick 我已阅读并同意《举报须知》 and 《个人信息保护说明》. */
export async function agreeToNotices(page: Page) {
  await page.getByLabel(/我已阅读并同意《举报须知》/).check();
  await page.getByLabel(/我已阅读并同意《个人信息保护说明》/).check();
}
