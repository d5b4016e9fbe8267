/**
 * After `astro build` (an Astro integration, so every build runs it — `npm test`, `npm start`, deploy):
 *
 *   1. 繁體: every public page is converted with OpenCC (简体 → 臺灣正體 characters, no vocabulary changes, so the
 *      official wording stays the official wording) and written under /zh-hant/, with its links, scripts and
 *      the 简/繁 switch rewritten. The site's scripts are converted too (/zh-hant/_astro/), so the text they draw
 *      is 繁體 as well. Staff pages are not mirrored.
 *   2. sitemap.xml: every public page in both scripts, with hreflang alternates.
 *   3. Search: a Pagefind index over both, split by `lang` (so a 繁體 page searches 繁體 pages). Pagefind's
 *      extended build segments Chinese words; only `data-pagefind-body` regions are indexed.
 *
 * Runs on the client output directory (`dist/client`). Pure Node, no network.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OpenCC from 'opencc-js';
import * as pagefind from 'pagefind';

/** Paths never mirrored, never in the sitemap. */
const PRIVATE = [/^\/staff\//, /^\/zh-hant\//];
/** Mirrored but not listed: the "not found" page. */
const UNLISTED = [/^\/404\.html$/];

const toHant = OpenCC.Converter({ from: 'cn', to: 'tw' });

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** `/x/index.html` → `/x/` (pages are directory indexes; /404.html stays as it is). */
const routeOf = (root, file) =>
  '/' +
  relative(root, file)
    .split(sep)
    .join('/')
    .replace(/index\.html$/, '');

/**
 * OpenCC over the text only: tags (and so every URL and attribute name) stay as they are, except the
 * human-readable attributes; regions marked `data-opencc-skip` (a 繁體 original published as is) stay untouched.
 */
const SKIP_START = /<div data-opencc-skip[^>]*>/;
const SKIP_END = '<span data-opencc-end hidden></span>';
const READABLE_ATTR = /\b(title|alt|aria-label|content|placeholder)="([^"]*)"/g;
function convertHtml(html) {
  const start = html.search(SKIP_START);
  if (start >= 0) {
    const end = html.indexOf(SKIP_END, start);
    if (end < 0) throw new Error('data-opencc-skip without its end marker');
    return convertHtml(html.slice(0, start)) + html.slice(start, end) + convertHtml(html.slice(end));
  }
  return html
    .split(/(<[^>]*>)/)
    .map((part, i) => (i % 2 === 0 ? toHant(part) : part.replace(READABLE_ATTR, (_, a, v) => `${a}="${toHant(v)}"`)))
    .join('');
}

/** Rewrites a 简体 page's own links so the 繁體 reader stays in 繁體 (scripts too: their text is converted). */
function rewriteLinks(html) {
  return html.replace(/\b(href|src|action)="(\/[^"]*)"/g, (all, attr, url) => {
    if (url.startsWith('/_astro/')) return url.endsWith('.js') ? `${attr}="/zh-hant${url}"` : all; // CSS, images: shared
    if (attr === 'src') return all;
    if (/^\/(api|staff|open311|attachments|styles|site|pagefind|zh-hant)\//.test(url)) return all;
    const path = url.split(/[?#]/)[0];
    if (path !== '/' && !path.endsWith('/')) return all; // files: feeds, calendars, images
    return `${attr}="/zh-hant${url}"`;
  });
}

/** The 简/繁 switch on a 繁體 page points back to the 简体 page. */
const switchBack = (html, route) =>
  html.replace(
    /<a href="\/zh-hant[^"]*"([^>]*data-script-switch[^>]*) lang="zh-Hant">[^<]*<\/a>/,
    `<a href="${route}"$1 lang="zh-CN">简体</a>`,
  );

/** A 繁體 page is its own canonical URL (the 简体 one is its alternate). */
const selfCanonical = (html) =>
  html.replace(
    /(<link rel="canonical" href="|<meta property="og:url" content=")(https?:\/\/[^/"]+)(\/[^"]*)"/g,
    '$1$2/zh-hant$3"',
  );

export function mirrorHant(root) {
  const pages = [];
  for (const file of walk(root)) {
    if (!file.endsWith('.html')) continue;
    const route = routeOf(root, file);
    if (PRIVATE.some((r) => r.test(route))) continue;
    pages.push(route);
    let html = convertHtml(readFileSync(file, 'utf8'));
    html = html.replace('<html lang="zh-CN"', '<html lang="zh-Hant"').replace('content="zh_CN"', 'content="zh_TW"');
    html = switchBack(selfCanonical(rewriteLinks(html)), route);
    const out = join(root, 'zh-hant', relative(root, file));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, html);
  }
  // The site's scripts, converted: strings they draw (labels, messages) read 繁體 on 繁體 pages. Only CJK
  // characters change, so code and relative imports between chunks stay valid.
  for (const file of walk(join(root, '_astro'))) {
    if (!file.endsWith('.js')) continue;
    const out = join(root, 'zh-hant', relative(root, file));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, toHant(readFileSync(file, 'utf8')));
  }
  return pages;
}

export function writeSitemap(root, origin, pages) {
  const urls = pages
    .filter((p) => !UNLISTED.some((r) => r.test(p)))
    .sort()
    .flatMap((p) => {
      const hans = new URL(p, origin).href;
      const hant = new URL(`/zh-hant${p}`, origin).href;
      const alt = `<xhtml:link rel="alternate" hreflang="zh-Hans" href="${hans}"/><xhtml:link rel="alternate" hreflang="zh-Hant" href="${hant}"/>`;
      return [`<url><loc>${hans}</loc>${alt}</url>`, `<url><loc>${hant}</loc>${alt}</url>`];
    });
  writeFileSync(
    join(root, 'sitemap.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${urls.join('\n')}\n</urlset>\n`,
  );
  writeFileSync(
    join(root, 'robots.txt'),
    `User-agent: *\nDisallow: /staff/\nDisallow: /api/\nSitemap: ${new URL('/sitemap.xml', origin).href}\n`,
  );
  return urls.length;
}

export async function buildSearchIndex(root) {
  const { index, errors } = await pagefind.createIndex({});
  if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
  const added = await index.addDirectory({ path: root, glob: '{*.html,**/*.html}' });
  if (added.errors.length) throw new Error(`pagefind: ${added.errors.join('; ')}`);
  const written = await index.writeFiles({ outputPath: join(root, 'pagefind') });
  if (written.errors.length) throw new Error(`pagefind: ${written.errors.join('; ')}`);
  await pagefind.close();
  return added.page_count;
}

/** The Astro integration (astro.config.mjs). */
export default function postbuild() {
  let origin = 'http://localhost:8787';
  return {
    name: 'anquan-postbuild',
    hooks: {
      'astro:config:done': ({ config }) => {
        if (config.site) origin = config.site;
      },
      'astro:build:done': async ({ dir, logger }) => {
        // With the Cloudflare adapter `dir` is the client output (static assets).
        const root = fileURLToPath(dir);
        const pages = mirrorHant(root);
        const listed = writeSitemap(root, origin, pages);
        const indexed = await buildSearchIndex(root);
        logger.info(`繁體 pages: ${pages.length}; sitemap: ${listed} URLs; search index: ${indexed} pages`);
      },
    },
  };
}
