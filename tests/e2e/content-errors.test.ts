/**
 * The editor's path (README "Publishing a notice"): a notice with a schema mistake stops the content build
 * with the file and the field named, in Chinese; the valid files are left alone. Runs `astro sync` (the same
 * content validation `astro build` does first) so the built site under test is not touched.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helpers shared with the scripts
import { OFFLINE_ENV, ROOT } from '../../scripts/lib/local.mjs';

const file = join(ROOT, 'content', 'notices', `zz-e2e-${process.pid}.md`);
afterEach(() => rmSync(file, { force: true }));

function syncWith(frontmatter: string) {
  writeFileSync(file, `---\n${frontmatter}\n---\n正文。\n`);
  const r = spawnSync('astro', ['sync'], { cwd: ROOT, env: { ...OFFLINE_ENV, NO_COLOR: '1' }, encoding: 'utf8' });
  // Colours and emphasis as plain text, whatever the terminal (CI forces colour on).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ESC of ANSI colour codes is the point
  const out = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').replace(/\*\*/g, '');
  return { status: r.status, out };
}

describe('a notice with a mistake', () => {
  it('fails naming the file and the field: an end date before the start', () => {
    const r = syncWith(
      'title: 测试通知标题\nsummary: 一条有效期写反了的测试通知。\nissuer: 测试单位\npublishedOn: 2026-06-01\nvalidUntil: 2026-05-01',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`notices → zz-e2e-${process.pid}`);
    expect(r.out).toMatch(/validUntil: 有效期截止日期不能早于开始日期/);
    expect(r.out).toContain(file);
  });

  it('fails naming the field: a missing issuer', () => {
    const r = syncWith('title: 测试通知标题\nsummary: 一条缺少发布单位的测试通知。\npublishedOn: 2026-06-01');
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/issuer.*Required/);
  });

  it('fails naming the field: a date not written YYYY-MM-DD', () => {
    const r = syncWith(
      'title: 测试通知标题\nsummary: 一条日期写法不对的测试通知。\nissuer: 测试单位\npublishedOn: 2026年6月1日',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('publishedOn: 日期应写成 YYYY-MM-DD，例如 2026-06-01');
  });

  it('fails naming the field: an impossible date written without quotes (which YAML would roll over)', () => {
    const r = syncWith(
      'title: 测试通知标题\nsummary: 一条日期不存在的测试通知。\nissuer: 测试单位\npublishedOn: 2026-06-31',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`content/notices/zz-e2e-${process.pid}.md › publishedOn: 2026-06-31 不是真实存在的日期`);
  });

  it('a correct notice passes', () => {
    const r = syncWith(
      'title: 测试通知标题\nsummary: 一条格式正确的测试通知。\nissuer: 测试单位\npublishedOn: 2026-06-01',
    );
    expect(r.out).not.toMatch(/InvalidContentEntryDataError/);
    expect(r.status).toBe(0);
  });
});
