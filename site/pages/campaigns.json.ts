/** The campaigns with their periods (last year to three years ahead), for programs and other pages. */
import { getCollection } from 'astro:content';
import type { APIRoute } from 'astro';
import { calendarYears, campaignPeriods } from '../lib/content';
export const prerender = true;

export const GET: APIRoute = async () => {
  const list = (await getCollection('campaigns')).map((c) => ({
    id: c.data.id,
    name: c.data.name,
    summary: c.data.summary,
    href: c.data.href,
    keyDay: c.data.keyDay ?? null,
    periods: campaignPeriods(c.data, calendarYears()),
  }));
  return new Response(JSON.stringify(list), { headers: { 'content-type': 'application/json; charset=utf-8' } });
};
