/** RSS 2.0 feed of the notices (newest 30); an example's title starts with 【示例】 (site/lib/examples.ts). */
import type { APIRoute } from 'astro';
import { EXAMPLE_NOTE, exampleTitle, publishedNotices } from '../../lib/examples';
export const prerender = true;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const GET: APIRoute = async ({ site }) => {
  const notices = (await publishedNotices())
    .sort((a, b) => b.data.publishedOn.getTime() - a.data.publishedOn.getTime())
    .slice(0, 30);
  const base = site!.href.replace(/\/$/, '');
  const items = notices
    .map((n) => {
      const url = `${base}/notices/${n.id}/`;
      return `<item><title>${esc(exampleTitle(n.data.title, n.data.real))}</title><link>${esc(url)}</link><guid isPermaLink="true">${esc(url)}</guid><pubDate>${n.data.publishedOn.toUTCString()}</pubDate><author>${esc(n.data.issuer)}</author><description>${esc(n.data.real ? n.data.summary : `${EXAMPLE_NOTE}${n.data.summary}`)}</description></item>`;
    })
    .join('');
  const xml = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>通知公告 · 安全生产举报与宣传平台</title><link>${base}/notices/</link><atom:link href="${base}/notices/rss.xml" rel="self" type="application/rss+xml"/><description>安全生产宣传活动通知与安全提示</description><language>zh-cn</language>${items}</channel></rss>`;
  return new Response(xml, { headers: { 'content-type': 'application/rss+xml; charset=utf-8' } });
};
