/** ICS calendar of the campaign dates (RFC 5545, all-day events), for phone calendars. */
import { getCollection } from 'astro:content';
import type { APIRoute } from 'astro';
import { calendarYears, campaignPeriods } from '../lib/content';
import { campaignLink, EXAMPLE_NOTE, publishedNotices } from '../lib/examples';
export const prerender = true;

const text = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');
const compact = (d: string) => d.replaceAll('-', '');
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
/** Lines longer than 75 octets are folded (RFC 5545 §3.1). */
function fold(line: string): string {
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= 75) return line;
  const out: string[] = [];
  let cur = '';
  for (const ch of line) {
    if (new TextEncoder().encode(cur + ch).length > (out.length ? 74 : 75)) {
      out.push(cur);
      cur = '';
    }
    cur += ch;
  }
  out.push(cur);
  return out.join('\r\n ');
}

export const GET: APIRoute = async ({ site }) => {
  const base = site!.href.replace(/\/$/, '');
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Anquan//Campaigns//ZH',
    'CALSCALE:GREGORIAN',
    'X-WR-CALNAME:安全生产宣传活动',
    'X-WR-TIMEZONE:Asia/Shanghai',
  ];
  const notices = await publishedNotices();
  for (const c of await getCollection('campaigns')) {
    const link = campaignLink(c.data, notices);
    // The campaign is real; a linked notice that is an example says so in the description.
    const description = link.example ? `${c.data.summary}\n链接的通知为示例——${EXAMPLE_NOTE}` : c.data.summary;
    for (const p of campaignPeriods(c.data, calendarYears())) {
      lines.push(
        'BEGIN:VEVENT',
        `UID:${c.data.id}-${p.start}@anquan`,
        `DTSTAMP:${stamp}`,
        `DTSTART;VALUE=DATE:${compact(p.start)}`,
        `DTEND;VALUE=DATE:${compact(nextDay(p.end))}`,
        `SUMMARY:${text(c.data.name)}`,
        `DESCRIPTION:${text(description)}`,
        `URL:${base}${link.href}`,
        'END:VEVENT',
      );
    }
  }
  lines.push('END:VCALENDAR');
  return new Response(`${lines.map(fold).join('\r\n')}\r\n`, {
    headers: { 'content-type': 'text/calendar; charset=utf-8' },
  });
};
