// @ts-check
import { defineConfig } from 'astro/config';
import cloudflare from '@astrojs/cloudflare';
import postbuild from './scripts/postbuild.mjs';

/**
 * `ANQUAN_BUILD=production` (npm run deploy sets it) builds the public site without example content: notices not
 * marked `real` are left out of every page, list, feed, the sitemap, the search index and the calendar
 * (site/lib/examples.ts). Unset or `local`, examples are built and marked 示例. Any other value stops the build,
 * so a typo cannot ship the examples.
 */
const BUILD = process.env.ANQUAN_BUILD ?? 'local';
if (BUILD !== 'production' && BUILD !== 'local')
  throw new Error(`ANQUAN_BUILD=${BUILD}: use "production" (no example content) or "local" (the default)`);

/**
 * The public site and the console pages are prerendered to static HTML. The Cloudflare adapter builds the one
 * Worker that serves them: it bundles `worker/index.ts` (the Hono API, named as `main` in wrangler.toml) with
 * the Cloudflare Vite plugin, prerenders the pages inside workerd, and writes the deploy configuration that
 * `wrangler dev` / `wrangler deploy` then use.
 */
export default defineConfig({
  site: process.env.PUBLIC_ORIGIN ?? 'http://localhost:8787',
  srcDir: './site',
  publicDir: './public',
  output: 'server',
  trailingSlash: 'always',
  adapter: cloudflare({ imageService: 'passthrough' }),
  // 繁體 mirror (OpenCC), sitemap and the Pagefind search index, after every build: scripts/postbuild.mjs.
  integrations: [postbuild()],
  build: { format: 'directory', inlineStylesheets: 'never' },
  devToolbar: { enabled: false },
  prefetch: false,
  // Never inline a script (or anything else): the CSP allows no inline script, so every script stays a file.
  vite: { build: { assetsInlineLimit: 0 }, define: { __ANQUAN_PRODUCTION__: JSON.stringify(BUILD === 'production') } },
});
