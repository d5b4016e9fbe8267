/**
 * The public site in Chromium, page by page from the sitemap: zero axe violations, every internal link and
 * anchor resolves, at most 20 KB of gzipped JavaScript on content pages, no CJK web fonts; keyboard (skip
 * link, visible focus); 关怀版 and 字号 remembered; the 简/繁 switch; Chinese search in both scripts; feeds.
 */
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { axe, openReaderTools, phonePage, useBrowser } from '../support/browser';

const base = inject('baseUrl');
/** Pages whose job is a form or a tool (they have their own budgets and tests), not reading. */
const NOT_CONTENT = /^\/(zh-hant\/)?(report|track|search|data)\//;

async function sitemapPaths(): Promise<string[]> {
  const xml = await (await fetch(`${base}/sitemap.xml`)).text();
  return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
}

describe('public site', () => {
  const browser = useBrowser();
  let paths: string[];
  beforeAll(async () => {
    paths = await sitemapPaths();
  });

  it('the sitemap lists every kind of page in both scripts, and no staff page', () => {
    for (const p of [
      '/',
      '/notices/',
      '/policies/',
      '/tasks/',
      '/tasks/deadlines/',
      '/learn/',
      '/learn/quiz/',
      '/guide/',
      '/search/',
      '/calendar/',
      '/data/',
    ])
      for (const prefix of ['', '/zh-hant']) expect(paths).toContain(`${prefix}${p}`);
    for (const kind of ['/notices/', '/policies/', '/learn/', '/tasks/units/'])
      expect(paths.filter((p) => p.startsWith(kind) && p !== kind && !p.endsWith('/quiz/')).length).toBeGreaterThan(0);
    expect(paths.filter((p) => /^\/learn\/[^/]+\/$/.test(p) && p !== '/learn/quiz/').length).toBeGreaterThanOrEqual(12);
    expect(paths.some((p) => p.includes('/staff/'))).toBe(false);
  });

  it('every sitemap page: 200, a title, description and Open Graph tags, zero axe violations, ≤ 20 KB gzipped JS on content pages, no web fonts', async () => {
    const page = await phonePage(browser);
    // The sweep checks the pages themselves; /data/'s figures (and their axe check in that state) are
    // data.test.ts's job. Not loading them here keeps this sweep from filling the edge cache of the statistics
    // before that test's tips exist.
    await page.route('**/api/public/**', (r) => r.abort());
    const failures: string[] = [];
    for (const path of paths) {
      const scripts = new Map<string, number>();
      const fonts: string[] = [];
      const onResponse = async (r: import('playwright-core').Response) => {
        const t = r.request().resourceType();
        if (t === 'font') fonts.push(r.url());
        if (t === 'script' && r.url().startsWith(base) && r.status() === 200)
          scripts.set(r.url(), gzipSync(await r.body()).length);
      };
      page.on('response', onResponse);
      const res = await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
      page.off('response', onResponse);
      if (res?.status() !== 200) failures.push(`${path}: HTTP ${res?.status()}`);
      if (!(await page.title())) failures.push(`${path}: no <title>`);
      if (!(await page.locator('meta[name="description"]').getAttribute('content')))
        failures.push(`${path}: no description`);
      // Open Graph, so a shared link shows a title, a summary and this page's own address.
      for (const prop of ['og:title', 'og:description', 'og:type', 'og:url', 'og:locale']) {
        if (!(await page.locator(`meta[property="${prop}"]`).getAttribute('content')))
          failures.push(`${path}: no ${prop}`);
      }
      const ogUrl = await page.locator('meta[property="og:url"]').getAttribute('content');
      if (ogUrl && new URL(ogUrl).pathname !== path) failures.push(`${path}: og:url is ${ogUrl}`);
      const locale = await page.locator('meta[property="og:locale"]').getAttribute('content');
      if (locale !== (path.startsWith('/zh-hant/') ? 'zh_TW' : 'zh_CN')) failures.push(`${path}: og:locale ${locale}`);
      const violations = await axe(page);
      if (violations.length) failures.push(`${path}: axe ${JSON.stringify(violations)}`);
      const js = [...scripts.values()].reduce((a, b) => a + b, 0);
      if (!NOT_CONTENT.test(path) && js > 20 * 1024) failures.push(`${path}: ${js} bytes of gzipped JS`);
      if (fonts.length) failures.push(`${path}: downloads fonts ${fonts.join(', ')}`);
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('every internal link on every sitemap page resolves, anchors included', async () => {
    const html = new Map<string, string>();
    const get = async (path: string) => {
      if (!html.has(path)) {
        // HEAD for the API's public files: a GET would fill the edge cache of the statistics before data.test.ts
        // has submitted its tips.
        const r = await fetch(`${base}${path}`, {
          redirect: 'manual',
          method: path.startsWith('/api/') ? 'HEAD' : 'GET',
        });
        html.set(path, r.status === 200 ? await r.text() : `HTTP ${r.status}`);
      }
      return html.get(path)!;
    };
    const broken: string[] = [];
    for (const path of paths) {
      const page = await get(path);
      for (const [, attr = ''] of page.matchAll(/\s(?:href|src)="([^"]+)"/g)) {
        if (!attr.startsWith('/') || attr.startsWith('//')) continue;
        const url = new URL(attr.replaceAll('&amp;', '&'), base);
        const target = await get(url.pathname);
        if (target.startsWith('HTTP ')) broken.push(`${path} → ${attr}: ${target}`);
        else if (url.hash && !target.includes(`id="${decodeURIComponent(url.hash.slice(1))}"`))
          broken.push(`${path} → ${attr}: no such anchor`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('keyboard: the first Tab reaches a visible skip link that moves focus to the main content', async () => {
    const page = await phonePage(browser);
    await page.goto(`${base}/guide/`);
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return { text: el.textContent, outline: s.outlineStyle, visible: r.width > 0 && r.height > 0 && r.top >= 0 };
    });
    expect(skip).toEqual({ text: '跳到正文', outline: expect.not.stringMatching(/^none$/), visible: true });
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
    // Tabbing on from the main content lands on its first link, with a visible focus ring.
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => ({
      inMain: !!document.activeElement?.closest('main'),
      outline: getComputedStyle(document.activeElement!).outlineStyle,
    }));
    expect(next.inMain).toBe(true);
    expect(next.outline).not.toBe('none');
  });

  it('关怀版 and 字号 are remembered across pages and visits; 关怀版 enlarges text (the site has no motion to stop)', async () => {
    const page = await phonePage(browser);
    await page.goto(`${base}/learn/`);
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const normal = await size();
    await openReaderTools(page);
    await page.click('button[data-care]');
    await expect(page.getAttribute('button[data-care]', 'aria-pressed')).resolves.toBe('true');
    expect(await size()).toBeGreaterThan(normal);
    await page.click('button[data-size="1"]');
    const bigger = await size();
    await page.goto(`${base}/notices/`);
    await expect(page.getAttribute('html', 'data-care')).resolves.toBe('1');
    expect(await size()).toBe(bigger);
    await expect(page.getAttribute('button[data-care]', 'aria-pressed')).resolves.toBe('true');
    expect(await axe(page)).toEqual([]);
    await openReaderTools(page);
    await page.click('button[data-care]');
    await page.click('button[data-size="-1"]');
    await page.reload();
    expect(await size()).toBe(normal);
  });

  it('简/繁: the switch keeps the page and its anchor; 繁體 pages are OpenCC-converted with links, scripts and the search form kept in 繁體; the 繁體 original is left as is', async () => {
    const page = await phonePage(browser);
    await page.goto(`${base}/learn/`);
    await openReaderTools(page);
    await page.click('[data-script-switch]');
    await page.waitForURL(`${base}/zh-hant/learn/`);
    await expect(page.getAttribute('html', 'lang')).resolves.toBe('zh-Hant');
    await expect(page.textContent('h1')).resolves.toBe('宣傳教育');
    await expect(page.locator('nav[aria-label] a', { hasText: '通知公告' }).getAttribute('href')).resolves.toBe(
      '/zh-hant/notices/',
    );
    await expect(page.locator('a', { hasText: '我要舉報' }).first().getAttribute('href')).resolves.toBe(
      '/zh-hant/report/',
    );
    // The scripts are converted too: the quiz result reads 繁體.
    await page.goto(`${base}/zh-hant/learn/quiz/`);
    await page.click('#quiz button[type=submit]');
    await page.click('[data-quiz-anyway]');
    await expect(page.textContent('#quiz-score')).resolves.toMatch(/^答對 0 \/ \d+ 題/);
    // Back to 简体 on the same page.
    await openReaderTools(page);
    await page.click('[data-script-switch]');
    await page.waitForURL(`${base}/learn/quiz/`);
    await expect(page.getAttribute('html', 'lang')).resolves.toBe('zh-CN');
    // The anchor the reader is at comes along; the search form searches in 繁體 from a 繁體 page.
    await page.goto(`${base}/policies/jiyang-2021/#zhuanxiang-1`);
    await openReaderTools(page);
    await page.click('[data-script-switch]');
    await page.waitForURL(`${base}/zh-hant/policies/jiyang-2021/#zhuanxiang-1`);
    await page.goto(`${base}/zh-hant/search/`);
    await expect(page.getAttribute('#search-form', 'action')).resolves.toBe('/zh-hant/search/');
    // The repaired 繁體 original is published as is, not run through OpenCC again.
    const original = await (await fetch(`${base}/policies/anyuan-2019/original/`)).text();
    const mirrored = await (await fetch(`${base}/zh-hant/policies/anyuan-2019/original/`)).text();
    const region = (html: string) => html.slice(html.indexOf('data-opencc-skip'), html.indexOf('data-opencc-end'));
    expect(region(mirrored)).toBe(region(original));
    expect(region(original).length).toBeGreaterThan(1000);
  });

  it('search finds Chinese words across pages, in 简体 and in 繁體, and shows excerpts as text', async () => {
    const page = await phonePage(browser);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/search/`);
    await page.fill('#q', '燃气报警器');
    await page.press('#q', 'Enter');
    await page.waitForSelector('#search-results li');
    const hrefs = await page
      .locator('#search-results li > a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.some((h) => h?.startsWith('/learn/'))).toBe(true);
    expect(hrefs.some((h) => h?.startsWith('/zh-hant/'))).toBe(false);
    await expect(page.locator('#search-results mark').count()).resolves.toBeGreaterThan(0);
    expect(page.url()).toContain('?q=');

    // A word only the plans use, found in the plan text.
    await page.goto(`${base}/search/?q=${encodeURIComponent('专项行动')}`);
    await page.waitForSelector('#search-results li');
    expect(
      await page.locator('#search-results li > a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^\/policies\//)]));

    await page.goto(`${base}/zh-hant/search/?q=${encodeURIComponent('燃氣')}`);
    await page.waitForSelector('#search-results li');
    const hant = await page
      .locator('#search-results li > a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hant.length).toBeGreaterThan(0);
    expect(hant.every((h) => h?.startsWith('/zh-hant/'))).toBe(true);

    await page.goto(`${base}/search/?q=${encodeURIComponent('xyzzyqwv')}`);
    await page.waitForSelector('#search-status:has-text("没有找到")');
    expect(errors).toEqual([]);
  });

  it('search: a department’s name brings its own unit page, not every unit sharing a task; snippets carry no breadcrumb or repeated title', async () => {
    const page = await phonePage(browser);
    const results = async (q: string) => {
      await page.goto(`${base}/search/?q=${encodeURIComponent(q)}`);
      await page.waitForSelector('#search-results li');
      return page.locator('#search-results li').evaluateAll((lis) =>
        lis.slice(0, 10).map((li) => ({
          href: li.querySelector('a')!.getAttribute('href')!,
          excerpt: li.querySelector('p')!.textContent ?? '',
        })),
      );
    };
    for (const q of ['应急管理局', '消防', '安全生产']) {
      const top = await results(q);
      const units = top.filter((r) => r.href.startsWith('/tasks/units/'));
      // Before: 9 of the first 10 for 应急管理局 were unit pages listing the same tasks.
      expect(units.length, `${q}: ${JSON.stringify(top.map((r) => r.href))}`).toBeLessThanOrEqual(3);
      for (const r of top) {
        expect(r.excerpt, r.href).not.toContain('›');
        // A title said twice in a row ("区应急管理局. 区应急管理局.") came from the breadcrumb.
        expect(r.excerpt, r.href).not.toMatch(/(\S{4,})\. \1\./);
      }
    }
    expect((await results('应急管理局')).map((r) => r.href)).toContain('/tasks/units/yingjiju/');
  });

  it('the home page shows the campaign active on the reader’s date, decided in the browser', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    // 2027-06-10 is inside 安全生产月 (June) whatever the build date.
    await page.clock.setFixedTime(new Date('2027-06-10T04:00:00Z'));
    await page.goto(`${base}/`);
    const visible = await page.locator('[data-campaign]:visible h3').allTextContents();
    expect(visible).toContain('安全生产月');
    await page.clock.setFixedTime(new Date('2027-11-09T04:00:00Z'));
    await page.reload();
    const november = await page.locator('[data-campaign]:visible h3').allTextContents();
    expect(november.join()).toMatch(/消防/);
    expect(november).not.toContain('安全生产月');
    await ctx.close();
  });

  it('on a 360 × 740 phone the header stays small and the report form starts on the first screen, also in 关怀版 with A+; the tools fold behind 设置', async () => {
    const measured: Record<string, unknown>[] = [];
    for (const [care, size] of [
      [false, 0],
      [true, 0],
      [true, 1],
    ] as const) {
      const page = await phonePage(browser);
      await page.addInitScript(
        ([c, s]) => {
          if (c) localStorage.setItem('anquan.care', '1');
          if (s) localStorage.setItem('anquan.size', String(s));
        },
        [care, size] as const,
      );
      await page.goto(`${base}/report/`);
      const m = await page.evaluate(() => ({
        header: Math.round(document.querySelector('.site-header')!.getBoundingClientRect().height),
        form: Math.round(document.querySelector('#report-form')!.getBoundingClientRect().top),
        firstLabel: Math.round(document.querySelector('label[for="f-type"]')!.getBoundingClientRect().bottom),
        width: document.documentElement.scrollWidth,
      }));
      measured.push({ care, size, ...m });
      // Before: 190 px, 328 px (关怀版) and 367 px (关怀版 + A+); the form began at 466, 698 and 826 px.
      expect(m.header, JSON.stringify(m)).toBeLessThanOrEqual(care ? 150 : 100);
      expect(m.firstLabel, JSON.stringify(m)).toBeLessThanOrEqual(740);
      expect(m.width).toBeLessThanOrEqual(360);
      // Every section is one tap away in the scrolling line, and the tools open behind 设置.
      await expect(page.locator('.site-header nav a').count()).resolves.toBe(8);
      await expect(page.locator('button[data-care]').isVisible()).resolves.toBe(false);
      await page.click('[data-tools-toggle]');
      await expect(page.getAttribute('[data-tools-toggle]', 'aria-expanded')).resolves.toBe('true');
      await expect(page.locator('button[data-care]').isVisible()).resolves.toBe(true);
      await expect(page.getAttribute('button[data-care]', 'aria-pressed')).resolves.toBe(String(care));
      expect(await axe(page)).toEqual([]);
      await page.context().close();
    }
    console.log('phone header at 360 × 740:', JSON.stringify(measured));
  });

  it('quiz: an answer stays hidden until its question is answered; 交卷 lists the unanswered questions and lets the reader go back', async () => {
    const page = await phonePage(browser);
    await page.goto(`${base}/learn/quiz/`);
    const sets = page.locator('#quiz fieldset[data-answer]');
    const total = await sets.count();
    expect(total).toBeGreaterThanOrEqual(3);
    // Nothing to peek at before answering.
    for (let i = 0; i < total; i++) await expect(sets.nth(i).locator('details').isVisible()).resolves.toBe(false);
    await expect(page.getByText('查看答案').first().isVisible()).resolves.toBe(false);
    // Answering the first question unlocks its answer only.
    await sets.nth(0).locator('input[type=radio]').first().check();
    await expect(sets.nth(0).locator('details').isVisible()).resolves.toBe(true);
    await expect(sets.nth(1).locator('details').isVisible()).resolves.toBe(false);
    // 交卷 with questions left: a warning naming them, no score yet.
    await page.click('#quiz button[type=submit]');
    const warning = page.locator('#quiz-warning');
    await expect(warning.isVisible()).resolves.toBe(true);
    await expect(warning.textContent()).resolves.toContain(`还有 ${total - 1} 道题未作答`);
    const listed = await page.locator('#quiz-unanswered a').allTextContents();
    expect(listed).toHaveLength(total - 1);
    expect(listed[0]).toMatch(/^2\. /);
    await expect(page.textContent('#quiz-score')).resolves.toBe('');
    expect(await axe(page)).toEqual([]);
    // 返回作答: back at the first unanswered question, the answers kept.
    await page.click('[data-quiz-back]');
    await expect(warning.isVisible()).resolves.toBe(false);
    await expect(
      page.evaluate(() => document.activeElement?.closest('fieldset')?.querySelector('legend')?.textContent),
    ).resolves.toMatch(/^2\. /);
    await expect(sets.nth(0).locator('input:checked').count()).resolves.toBe(1);
    // Everything answered: 交卷 marks at once.
    for (let i = 1; i < total; i++) await sets.nth(i).locator('input[type=radio]').first().check();
    await page.click('#quiz button[type=submit]');
    await expect(warning.isVisible()).resolves.toBe(false);
    await expect(page.textContent('#quiz-score')).resolves.toMatch(new RegExp(`^答对 \\d+ / ${total} 题`));
    await expect(sets.nth(1).locator('details').getAttribute('open')).resolves.toBe('');
  });

  it('the QR code of the page opens on request; print hides the tools', async () => {
    const page = await phonePage(browser);
    await page.goto(`${base}/guide/`);
    await openReaderTools(page);
    await page.click('[data-qr]');
    await expect(page.locator('#qr-code svg path').count()).resolves.toBe(1);
    await expect(page.getAttribute('[data-qr]', 'aria-expanded')).resolves.toBe('true');
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.site-header .tools').isVisible()).resolves.toBe(false);
  });

  it('an unknown address answers 404 with a page that leads back', async () => {
    const res = await fetch(`${base}/notices/no-such-notice/`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('页面不存在');
    expect(html).toContain('href="/report/"');
  });

  it('feeds: RSS lists the notices; the ICS calendar has the campaign days; the plan pages have anchors and a TOC', async () => {
    const rss = await fetch(`${base}/notices/rss.xml`);
    expect(rss.headers.get('content-type')).toMatch(/xml/);
    const xml = await rss.text();
    expect((xml.match(/<item>/g) ?? []).length).toBeGreaterThanOrEqual(6);
    const ics = await (await fetch(`${base}/calendar.ics`)).text();
    expect(ics.startsWith('BEGIN:VCALENDAR')).toBe(true);
    expect(ics).toMatch(/SUMMARY:[^\r\n]*安全生产月/);
    expect(ics).toMatch(/DTSTART;VALUE=DATE:\d{4}1101\r\nDTEND;VALUE=DATE:\d{4}1201\r\nSUMMARY:[^\r\n]*消防/);
    const policies = await (await fetch(`${base}/policies/`)).text();
    const first = policies.match(/href="(\/policies\/[^"/]+\/)"/)![1]!;
    const plan = await (await fetch(`${base}${first}`)).text();
    expect(plan).toContain('id="toc-title"');
    expect((plan.match(/<h[234] id="[a-z0-9-]+"/g) ?? []).length).toBeGreaterThan(3);
  });
});
