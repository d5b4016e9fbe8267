/**
 * How the browser tests, Lighthouse and the benchmark start Debian's Chromium (no browser download): where it is and
 * its flags. Pure TypeScript with no imports (no vitest), so Node runs it directly (type stripping) from the bench's
 * .mjs scripts.
 */

/** The Chromium binary: `CHROMIUM_PATH`, or Debian's. */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
