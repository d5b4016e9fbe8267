/**
 * Backup and restore, as README documents them: export a local D1 that has real tips and audit rows (made
 * through the running Worker and sealed by its every-minute Cron handler), restore into a fresh D1, and find
 * identical counts and identical seals; `npm run audit:verify` passes the copy against the original's R2
 * anchors, and names the edited row once one is changed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helpers shared with the scripts
import { LOCAL_VARS, migrateAndSeed, ROOT, run, serve } from '../../scripts/lib/local.mjs';
// @ts-expect-error plain ESM helper
import { d1File } from '../../scripts/bench/scale.mjs';
// @ts-expect-error plain ESM helper
import { verifyChainFile } from '../../scripts/lib/audit-chain.mjs';
import { postTip, validTip } from '../support/tip-body';

/** A throwaway project folder whose wrangler.toml keeps its local D1 under its own .wrangler/state. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anquan-backup-'));
  cpSync(join(ROOT, 'wrangler.toml'), join(dir, 'wrangler.toml'));
  symlinkSync(join(ROOT, 'migrations'), join(dir, 'migrations'));
  return dir;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('backup and restore of D1', () => {
  it('export → restore into a fresh D1: identical counts and an identical, valid hash chain', async () => {
    const src = project();
    const dst = project();
    dirs.push(src, dst);
    const state = join(src, '.wrangler', 'state');
    migrateAndSeed(state, { quiet: true });
    const server = await serve({ port: 17000 + Math.floor(Math.random() * 900), persistTo: state, quiet: true });
    try {
      for (let i = 0; i < 5; i++) {
        const reporter = i % 2 ? { anonymous: false, name: '王五', mobile: '13700000000' } : { anonymous: true };
        const body = validTip({
          domain: 'fire',
          unitName: `备份测试单位${i}`,
          address: '济阳街道',
          description: '消防通道被堵塞，需要尽快处理。',
          reporter,
        });
        const res = await postTip(server.url, body, { 'cf-connecting-ip': `2001:db8::b${i}` });
        expect(res.status).toBe(201);
      }
      // The every-minute Cron Trigger seals the rows (wrangler dev --test-scheduled runs it at /cdn-cgi/handler/scheduled).
      expect(
        (await fetch(`${server.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`)).status,
      ).toBe(200);
    } finally {
      await server.stop();
    }
    const backup = join(src, 'backup.sql');
    run('node', ['scripts/db-backup.mjs', '-c', join(src, 'wrangler.toml'), '--out', backup], { quiet: true });
    run('node', ['scripts/db-restore.mjs', backup, '-c', join(dst, 'wrangler.toml')], { quiet: true });

    const a = new DatabaseSync(d1File(state), { readOnly: true });
    const b = new DatabaseSync(d1File(join(dst, '.wrangler', 'state')), { readOnly: true });
    const tables = a
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
      )
      .all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['tips', 'tip_identities', 'audit_log', 'd1_migrations']),
    );
    for (const { name } of tables) {
      const count = (db: DatabaseSync) => (db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n;
      expect(count(b), name).toBe(count(a));
    }
    expect((a.prepare('SELECT COUNT(*) AS n FROM tips').get() as { n: number }).n).toBe(5);
    const chain = (db: DatabaseSync) =>
      db
        .prepare(
          'SELECT l.seq, l.actor, s.mac FROM audit_log l LEFT JOIN audit_seals s ON s.seq = l.seq ORDER BY l.seq',
        )
        .all();
    expect(chain(a)).toHaveLength(5);
    expect(chain(a).every((r) => typeof r.mac === 'string')).toBe(true);
    expect(chain(b)).toEqual(chain(a));
    a.close();
    b.close();
    expect(
      await verifyChainFile(d1File(join(dst, '.wrangler', 'state')), { key: LOCAL_VARS.AUDIT_HMAC_KEY }),
    ).toMatchObject({ ok: true, rows: 5, sealedSeq: 5 });
    // The restored database keeps the append-only guard.
    const w = new DatabaseSync(d1File(join(dst, '.wrangler', 'state')));
    expect(() => w.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);

    // `npm run audit:verify` on the restored copy, against the anchors the original wrote to R2: intact
    // (exit 0). Then someone with direct access to the database removes the guard and edits row 3: the
    // command exits 1 and names that row.
    const verify = () =>
      spawnSync(
        'node',
        [
          'scripts/audit-verify.mjs',
          '-c',
          join(dst, 'wrangler.toml'),
          '--persist-to',
          join(dst, '.wrangler', 'state'),
          '--r2-persist-to',
          state,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
    const intact = verify();
    expect(intact.status, intact.stderr).toBe(0);
    expect(intact.stdout).toContain('audit chain intact: 5 rows, sealed to seq 5');
    expect(intact.stdout).toContain('1 anchors checked (latest seq 5)');
    w.exec('DROP TRIGGER audit_log_no_update');
    w.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3").run();
    w.close();
    const broken = verify();
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('audit chain broken');
    expect(broken.stderr).toContain('[row_edited] seq 3: 第 3 条记录的内容与封存时不同');
    expect(broken.stderr).toContain('[trigger_missing]');
  }, 120_000);
});
