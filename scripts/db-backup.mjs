#!/usr/bin/env node
/**
 * Back up the D1 database to a SQL file (schema + data, as `wrangler d1 export` writes it).
 *
 *   npm run db:backup -- [--remote] [--out backups/anquan-YYYY-MM-DD.sql] [-c path/to/wrangler.toml]
 *
 * Local backups read the default local state (.wrangler/state next to the config). The file holds the
 * encrypted identity records as they are: keep it as confidential as the database itself.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { run } from './lib/local.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const remote = args.includes('--remote');
const out = resolve(
  opt('--out', `backups/anquan-${remote ? 'remote' : 'local'}-${new Date().toISOString().slice(0, 10)}.sql`),
);
mkdirSync(dirname(out), { recursive: true });
// Schema first, then data: a single `wrangler d1 export` writes each table's rows right after its CREATE TABLE,
// so a row referencing a table created later cannot be restored ("no such table"). Two passes avoid that.
const tmp = mkdtempSync(join(tmpdir(), 'anquan-backup-'));
const part = (flag, name) => {
  const f = join(tmp, name);
  run(
    'wrangler',
    [
      'd1',
      'export',
      'DB',
      remote ? '--remote' : '--local',
      '-c',
      opt('-c', 'wrangler.toml'),
      flag,
      '--output',
      f,
      '--skip-confirmation',
    ],
    { quiet: true },
  );
  return readFileSync(f, 'utf8');
};
const schema = part('--no-data', 'schema.sql');
const data = part('--no-schema', 'data.sql');
writeFileSync(out, `-- Anquan D1 backup ${new Date().toISOString()} (schema, then data)\n${schema}\n${data}`);
rmSync(tmp, { recursive: true, force: true });
console.log(`✓ backup written to ${out}`);
