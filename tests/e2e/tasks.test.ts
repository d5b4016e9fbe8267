/**
 * 任务分工 as built: a task whose source names no lead says so (原文未明确牵头单位) instead of naming an invented
 * collective; 001 (二)11 shows both its lead units; the deadline page uses no heading the source does not use.
 */
import { describe, expect, inject, it } from 'vitest';

const base = inject('baseUrl');
const row = (html: string, id: string) => {
  const start = html.indexOf(`<tr id="task-${id}"`);
  expect(start, id).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</tr>', start));
};

describe('任务分工 pages', () => {
  it('保障措施 2–6 and 8 say 原文未明确牵头单位; 4 shows 财政部门 as mentioned; (二)11 lists both leads', async () => {
    const html = await (await fetch(`${base}/tasks/`)).text();
    expect(html).not.toContain('各级各部门');
    for (const n of ['c2', 'c3', 'c4', 'c5', 'c6', 'c8'])
      expect(row(html, `jiyang-2021-${n}`), n).toContain('原文未明确牵头单位');
    expect(row(html, 'jiyang-2021-c4')).toMatch(/原文提及：<a href="\/tasks\/units\/caizheng-bumen\/">财政部门<\/a>/);
    expect(row(html, 'jiyang-2021-c7')).not.toContain('原文未明确牵头单位');
    const b11 = row(html, 'jiyang-2021-b11');
    expect(b11).toContain('区工业和信息化局</a>、<a href="/tasks/units/jibei-guanweihui/">济北开发区管委会</a>');

    // Each of the two leads' own page lists the task among those it leads.
    for (const unit of ['gongxinju', 'jibei-guanweihui']) {
      const page = await (await fetch(`${base}/tasks/units/${unit}/`)).text();
      const led = page.slice(0, page.indexOf('配合的任务') > 0 ? page.indexOf('配合的任务') : undefined);
      expect(led, unit).toContain('task-jiyang-2021-b11');
    }
    const finance = await (await fetch(`${base}/tasks/units/caizheng-bumen/`)).text();
    expect(finance).toContain('原文提及财政部门的任务');
    expect((await fetch(`${base}/tasks/units/geji-gebumen/`)).status).toBe(404);
  });

  it('the deadline page has no 长期坚持 heading: the source only leaves those deadlines out', async () => {
    const html = await (await fetch(`${base}/tasks/deadlines/`)).text();
    expect(html).not.toContain('长期坚持');
    expect(html).toContain('原文未规定完成时限');
  });
});
