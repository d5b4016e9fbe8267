import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { referenceStatements } from './scripts/reference-data.mjs';

/** Secrets the Worker tests run with (test values only; see .dev.vars.example). */
export const TEST_SECRETS = {
  TURNSTILE_SITEKEY: '1x00000000000000000000AA',
  TURNSTILE_SECRET: '1x0000000000000000000000000000000AA',
  TURNSTILE_LOCAL_STANDIN: '1',
  IDENTITY_KEYS: JSON.stringify({ t1: 'dGVzdC1vbmx5LWlkZW50aXR5LWtleS0zMi1ieXRlcyE=' }),
  IDENTITY_KEY_ID: 't1',
  APP_SECRET: 'test-only-app-secret-0123456789abcdef',
  PUBLIC_ORIGIN: 'http://localhost',
  AUDIT_HMAC_KEY: 'test-only-audit-hmac-key-0123456789abcdef',
};

export default defineConfig({
  test: {
    projects: [
      {
        // Worker tests: inside workerd, against real local D1 and R2 (isolated storage per test file).
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                ...TEST_SECRETS,
                TEST_MIGRATIONS: await readD1Migrations('./migrations'),
                TEST_REFERENCE_SQL: referenceStatements(),
                // The Big List of Naughty Strings, read in Node: some of its strings do not survive a JS transform.
                TEST_NAUGHTY: createRequire(import.meta.url)('big-list-of-naughty-strings'),
              },
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['tests/worker/**/*.test.ts'],
          setupFiles: ['./tests/worker/setup.ts'],
        },
      },
      {
        // Browser tests: real Chromium (Debian's) driving the built portal served by `wrangler dev`.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
