// @ts-check
import { defineConfig } from 'astro/config';
import cloudflare from '@astrojs/cloudflare';

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
  build: { format: 'directory', inlineStylesheets: 'never' },
  devToolbar: { enabled: false },
  prefetch: false,
});
