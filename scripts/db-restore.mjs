#!/usr/bin/env node
/**
 * Restore a backup made by db-backup into an EMPTY D1 database (a fresh local state, or a new remote D1).
 *
 *   npm run db:restore -- backups/anquan-local-2026-11-22.sql [--remote] [-c path/to/wrangler.toml]
 *
 * The backup carries its own schema and migration history, so do not apply migrations first. Afterwards,
 * check the audit chain (the restore test does: identical row counts, identical and valid hash chain).
 */
import { resolve } from 'node:path';
import { run } from './lib/local.mjs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('-') && args[args.indexOf(a) - 1] !== '-c');
if (!file) {
  console.error('usage: npm run db:restore -- <backup.sql> [--remote] [-c wrangler.toml]');
  process.exit(2);
}
const cfg = args.includes('-c') ? args[args.indexOf('-c') + 1] : 'wrangler.toml';
run('wrangler', [
  'd1',
  'execute',
  'DB',
  args.includes('--remote') ? '--remote' : '--local',
  '-c',
  cfg,
  '--file',
  resolve(file),
  '--yes',
]);
console.log('✓ restored');
