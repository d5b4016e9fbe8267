/**
 * Browser tests run against the built portal served by `wrangler dev` on a private port, with its own fresh
 * local D1/R2 (a temporary folder), exactly as `npm start` serves it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error — plain ESM helper shared with `npm start`
import { ensureDevVars, migrateAndSeed, seedDemoStaff, serve } from '../../scripts/lib/local.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** The e2e server's local state folder (its D1 can be read with `wrangler d1 execute --persist-to`). */
    persistTo: string;
  }
}

export default async function setup(project: TestProject) {
  ensureDevVars();
  const persistTo = mkdtempSync(join(tmpdir(), 'anquan-e2e-'));
  migrateAndSeed(persistTo, { quiet: true });
  await seedDemoStaff(persistTo);
  const port = 18000 + Math.floor(Math.random() * 2000);
  const server = await serve({ port, persistTo, quiet: true });
  project.provide('baseUrl', server.url);
  project.provide('persistTo', persistTo);
  return async () => {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
