/**
 * The campaigns with their periods (last year to three years ahead), for programs and other pages. `hrefIsExample`
 * says the linked notice is an example (site/lib/examples.ts).
 */
import { getCollection } from 'astro:content';
import type { APIRoute } from 'astro';
import { calendarYears, campaignPeriods } from '../lib/content';
import { campaignLink, publishedNotices } from '../lib/examples';
export const prerender = true;

export const GET: APIRoute = async () => {
  const notices = await publishedNotices();
  const list = (await getCollection('campaigns')).map((c) => ({
    id: c.data.id,
    name: c.data.name,
    summary: c.data.summary,
    href: campaignLink(c.data, notices).href,
    hrefIsExample: campaignLink(c.data, notices).example,
    keyDay: c.data.keyDay ?? null,
    periods: campaignPeriods(c.data, calendarYears()),
  }));
  return new Response(JSON.stringify(list), { headers: { 'content-type': 'application/json; charset=utf-8' } });
};
