/** Set by astro.config.mjs from `ANQUAN_BUILD` (true for a production build, which leaves example content out). */
declare const __ANQUAN_PRODUCTION__: boolean;
