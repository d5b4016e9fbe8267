/**
 * Example content (示例). Notices written for this project are issued in the names of real bodies, with dates
 * and directives; unless an editor marks one `real: true` (content/schemas.ts, noticeSchema), it is an example:
 * marked 示例 on its page, in lists, the RSS feed, the search index and wherever a campaign links to it, and left
 * out of a production build (`ANQUAN_BUILD=production`, README "Publishing a notice") entirely.
 *
 * Every page reads notices through `publishedNotices()`; tests/e2e/examples.test.ts fails when another file
 * calls getCollection('notices') itself.
 */
import { getCollection } from 'astro:content';
import type { Campaign } from '../../content/schemas';

/** `ANQUAN_BUILD=production`: set at build time by astro.config.mjs (Vite `define`). */
export const PRODUCTION_BUILD: boolean = __ANQUAN_PRODUCTION__;

/** The badge text. */
export const EXAMPLE_LABEL = '示例';
/** The one-line explanation shown with the badge. */
export const EXAMPLE_NOTE =
  '示例内容：本通知由本平台编写，用于演示平台功能，并非所署单位实际发布的文件，不具有任何效力。';
/** The note above a list that holds examples. */
export const EXAMPLE_LIST_NOTE =
  '标有「示例」的通知由本平台编写，用于演示，并非所署单位实际发布的文件，不具有任何效力。';
/** The note where a campaign (a real national day) links to an example notice. */
export const EXAMPLE_CAMPAIGN_NOTE =
  '标有「示例通知」的活动，链接的是本平台编写的示例通知，并非所署单位实际发布的文件，不具有任何效力；活动日期本身以国家规定为准。';
/** The same, in one short line beside one campaign's link. */
export const EXAMPLE_CAMPAIGN_LINK_NOTE = '上面链接的通知由本平台编写，仅作演示，并非正式文件。';

/** A title as feeds and search show it: examples carry the prefix 【示例】. */
export const exampleTitle = (title: string, real: boolean) => (real ? title : `【${EXAMPLE_LABEL}】${title}`);

/** The notices this build publishes: all of them locally, only those marked `real` in a production build. */
export async function publishedNotices() {
  return getCollection('notices', (n) => n.data.real || !PRODUCTION_BUILD);
}

type Notices = Awaited<ReturnType<typeof publishedNotices>>;

/**
 * Where a campaign links to. Its `href` may name a notice: when this build publishes it, the link stays (marked
 * as an example when it is one); when it does not (an example in a production build), the link goes to the plan
 * section that asks for the campaign (`basis`), or to the calendar.
 */
export function campaignLink(c: Campaign, notices: Notices): { href: string; example: boolean } {
  const m = /^\/notices\/([a-z0-9-]+)\/$/.exec(c.href);
  if (!m) return { href: c.href, example: false };
  const n = notices.find((x) => x.id === m[1]);
  if (n) return { href: c.href, example: !n.data.real };
  return { href: c.basis ? `/policies/${c.basis.plan}/#${c.basis.anchor}` : '/calendar/', example: false };
}
