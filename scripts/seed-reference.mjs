#!/usr/bin/env node
/**
 * Load the reference data into a D1 (departments, 镇街, domains with their 牵头单位, the 节假日/调休 calendar from
 * chinese-days, the national reward rules). `npm run deploy` runs it after the migrations; run it by hand after
 * updating the project to pick up a new year's holidays. Safe to repeat: existing rows (and admins' edits) stay.
 *
 *   npm run db:reference -- --remote                       # the deployed D1
 *   npm run db:reference -- [--persist-to .wrangler/state] # a local D1
 */
import { applyReference } from './lib/local.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const where = args.includes('--remote')
  ? ['--remote']
  : ['--local', '--persist-to', opt('--persist-to', '.wrangler/state')];
try {
  applyReference(where, { config: opt('-c', 'wrangler.toml') });
  console.log(`✓ 基础数据已载入 (reference data loaded: ${where.join(' ')})`);
} catch (e) {
  console.error(`✗ 基础数据载入失败 (reference data failed): ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
