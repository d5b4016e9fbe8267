/**
 * `npm run create-admin` on a new deployment's (here: a fresh local) D1: refuses a weak password, creates the
 * admin with a PBKDF2 hash the Worker accepts, and leaves an existing username alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helpers shared with the scripts
import { migrateAndSeed, OFFLINE_ENV, ROOT } from '../../scripts/lib/local.mjs';
// @ts-expect-error plain ESM helper
import { d1File } from '../../scripts/bench/scale.mjs';
import { verifyPassword } from '../../worker/lib/password';

const state = mkdtempSync(join(tmpdir(), 'anquan-admin-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

const createAdmin = (password: string, username = 'firstadmin') =>
  spawnSync(
    'node',
    ['scripts/create-admin.mjs', '--username', username, '--name', '首任管理员', '--persist-to', state],
    {
      cwd: ROOT,
      env: { ...OFFLINE_ENV, ANQUAN_ADMIN_PASSWORD: password },
      encoding: 'utf8',
    },
  );

describe('npm run create-admin', () => {
  it('refuses a weak password, creates the admin, and never overwrites an existing account', async () => {
    migrateAndSeed(state, { quiet: true });
    const weak = createAdmin('short');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('密码至少 12 位');

    const ok = createAdmin('Strong-Admin-Pass-2026');
    expect(ok.status, ok.stderr).toBe(0);
    const again = createAdmin('Another-Strong-Pass-2026');
    expect(again.status).toBe(0);

    const db = new DatabaseSync(d1File(state), { readOnly: true });
    const rows = db
      .prepare(
        "SELECT username, display_name, roles, password_hash, totp_secret FROM staff WHERE username = 'firstadmin'",
      )
      .all() as {
      username: string;
      display_name: string;
      roles: string;
      password_hash: string;
      totp_secret: string | null;
    }[];
    // Audited once (the second run changed nothing and added nothing), never with the password.
    const audits = db.prepare("SELECT actor, action, detail FROM audit_log WHERE action = 'staff.created'").all() as {
      actor: string;
      action: string;
      detail: string;
    }[];
    db.close();
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actor).toBe('system');
    expect(JSON.parse(audits[0]!.detail)).toMatchObject({
      via: 'npm run create-admin',
      username: 'firstadmin',
      roles: ['admin'],
    });
    expect(audits[0]!.detail).not.toContain('Strong-Admin');
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.roles)).toEqual(['admin']);
    expect(rows[0]!.totp_secret).toBeNull(); // enrolled at first sign-in
    expect(await verifyPassword('Strong-Admin-Pass-2026', rows[0]!.password_hash)).toBe(true);
    expect(await verifyPassword('Another-Strong-Pass-2026', rows[0]!.password_hash)).toBe(false);
  }, 120_000);
});
