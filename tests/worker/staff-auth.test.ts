/**
 * Staff sign-in: passwords, lock-out, TOTP enrolment and replay, session rotation, timeouts, CSRF and the
 * audit entries each of these leaves.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LOGIN_LIMIT } from '../../worker/routes/staff/auth';
import { apiLogin, clientFor, makeStaff, PASSWORD, sessionOf, totpCode } from '../support/staff';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

async function auditActions(actor: string) {
  const { results } = await env.DB.prepare('SELECT action FROM audit_log WHERE actor = ? ORDER BY seq')
    .bind(actor)
    .all<{ action: string }>();
  return results.map((r) => r.action);
}

describe('POST /api/staff/login', () => {
  it('signs a dispatcher in with a Secure, HttpOnly, SameSite=Strict host-only cookie and audits it', async () => {
    const s = await makeStaff(['dispatcher']);
    const { res, cookie, token, body } = await apiLogin(s.username, PASSWORD);
    expect(res.status).toBe(200);
    expect(body.needsTotp).toBe(false);
    expect(cookie).toMatch(/^__Host-aq_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    const me = await clientFor(token, String(body.csrfToken)).get('/api/staff/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: s.username, roles: ['dispatcher'] });
    // Only a hash of the token is stored.
    const stored = await env.DB.prepare('SELECT COUNT(*) AS n FROM sessions WHERE token_hash = ?')
      .bind(token)
      .first<{ n: number }>();
    expect(stored!.n).toBe(0);
    expect(await auditActions(s.id)).toContain('staff.login');
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const s = await makeStaff(['dispatcher']);
    const wrong = await apiLogin(s.username, 'not-the-password');
    const unknown = await apiLogin('nobody-here', 'not-the-password');
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect((wrong.body as { error: { code: string } }).error.code).toBe('LOGIN_FAILED');
  });

  it('locks an account after 5 failures, even for the right password, audits the lock, and answers like an unknown account', async () => {
    const s = await makeStaff(['dispatcher']);
    for (let i = 0; i < 5; i++) expect((await apiLogin(s.username, 'wrong-password')).res.status).toBe(401);
    const locked = await apiLogin(s.username, PASSWORD);
    const unknown = await apiLogin(`nobody-${s.username}`, PASSWORD);
    // Same status, same body, no Retry-After: the answer does not tell a stranger the account exists and is locked.
    expect(locked.res.status).toBe(401);
    expect(locked.body).toEqual(unknown.body);
    expect((locked.body as { error: { code: string } }).error.code).toBe('LOGIN_FAILED');
    expect(locked.res.headers.get('retry-after')).toBe(unknown.res.headers.get('retry-after'));
    expect(await auditActions(s.id)).toEqual([
      'staff.login_failed',
      'staff.login_failed',
      'staff.login_failed',
      'staff.login_failed',
      'staff.locked',
      'staff.login_failed',
    ]);
    // Once the lock has passed, the right password works again.
    await env.DB.prepare('UPDATE staff SET locked_until = ? WHERE id = ?')
      .bind(Date.now() - 1, s.id)
      .run();
    expect((await apiLogin(s.username, PASSWORD)).res.status).toBe(200);
  });

  it('a locked and an unknown account do the same work: one password hash check each, timed alike', async () => {
    const s = await makeStaff(['dispatcher']);
    await env.DB.prepare('UPDATE staff SET locked_until = ? WHERE id = ?')
      .bind(Date.now() + 600_000, s.id)
      .run();
    const time = async (username: string) => {
      const t0 = performance.now();
      await apiLogin(username, 'some-password', { 'cf-connecting-ip': '2001:db8:77::1' });
      return performance.now() - t0;
    };
    // Warm up, then compare medians: the locked path used to answer without hashing (tens of ms faster).
    await time('nobody-warm');
    const lockedT: number[] = [];
    const unknownT: number[] = [];
    for (let i = 0; i < 5; i++) {
      lockedT.push(await time(s.username));
      unknownT.push(await time(`nobody-${i}`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const fast = Math.min(median(lockedT), median(unknownT));
    const slow = Math.max(median(lockedT), median(unknownT));
    expect(slow / fast, `locked ${median(lockedT)} ms, unknown ${median(unknownT)} ms`).toBeLessThan(1.5);
  });

  it('limits sign-in attempts per client across accounts (password spraying), with a Chinese message', async () => {
    const ip = { 'cf-connecting-ip': '2001:db8:5a::1' };
    for (let i = 0; i < LOGIN_LIMIT.limit; i++)
      expect((await apiLogin(`spray-${i}`, 'Spring2026!', ip)).res.status).toBe(401);
    const refused = await apiLogin('spray-last', 'Spring2026!', ip);
    expect(refused.res.status).toBe(429);
    expect((refused.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect((refused.body as { error: { message: string } }).error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is not affected.
    const s = await makeStaff(['dispatcher']);
    expect((await apiLogin(s.username, PASSWORD, { 'cf-connecting-ip': '2001:db8:5a::2' })).res.status).toBe(200);
  });

  it('refuses a login posted from another origin', async () => {
    const s = await makeStaff(['dispatcher']);
    const { res, body } = await apiLogin(s.username, PASSWORD, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((body as { error: { code: string } }).error.code).toBe('CSRF_FAILED');
  });
});

describe('TOTP second factor', () => {
  it('an admin must enrol: the key is shown until a first code proves it, then never again', async () => {
    const s = await makeStaff(['admin'], { enrolled: false });
    const first = await apiLogin(s.username, PASSWORD);
    expect(first.body.needsTotp).toBe(true);
    const enrollment = first.body.enrollment as { secret: string; uri: string };
    expect(enrollment.uri).toMatch(/^otpauth:\/\/totp\/Anquan:/);
    const half = clientFor(first.token, String(first.body.csrfToken));
    // Before the second factor, nothing but the TOTP step works.
    const blocked = await half.get('/api/staff/tips');
    expect(blocked.status).toBe(401);
    expect((await errorOf(blocked)).code).toBe('TOTP_REQUIRED');
    const key = decodeBase32IgnorePadding(enrollment.secret);
    const ok = await half.post('/api/staff/login/totp', { code: totpCode(key) });
    expect(ok.status).toBe(200);
    const token = /__Host-aq_session=([^;]+)/.exec(ok.headers.get('set-cookie') ?? '')![1]!;
    expect(token).not.toBe(first.token);
    // The pre-TOTP token is dead (no session fixation); the new one works.
    expect((await half.get('/api/staff/me')).status).toBe(401);
    const full = clientFor(token, String(((await ok.json()) as { csrfToken: string }).csrfToken));
    expect((await full.get('/api/staff/tips')).status).toBe(200);
    const again = await apiLogin(s.username, PASSWORD);
    expect(again.body.enrollment).toBeUndefined();
  });

  it('a used code cannot be replayed, and a wrong code is refused', async () => {
    const s = await makeStaff(['reward_officer']);
    const a = await apiLogin(s.username, PASSWORD);
    const code = totpCode(s.totpKey!);
    const wrong = await clientFor(a.token, String(a.body.csrfToken)).post('/api/staff/login/totp', {
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe('TOTP_INVALID');
    expect((await clientFor(a.token, String(a.body.csrfToken)).post('/api/staff/login/totp', { code })).status).toBe(
      200,
    );
    const b = await apiLogin(s.username, PASSWORD);
    const replay = await clientFor(b.token, String(b.body.csrfToken)).post('/api/staff/login/totp', { code });
    expect(replay.status).toBe(401);
    // The next step's code is accepted (clock drift of one step either way).
    const next = generateHOTP(s.totpKey!, BigInt(Math.floor(Date.now() / 30_000) + 1), 6);
    expect(
      (await clientFor(b.token, String(b.body.csrfToken)).post('/api/staff/login/totp', { code: next })).status,
    ).toBe(200);
  });
  it('wrong codes are counted apart from passwords: guesses across repeated password logins lock the account', async () => {
    const s = await makeStaff(['admin']);
    const ip = { 'cf-connecting-ip': '2001:db8:70::1' };
    const good = totpCode(s.totpKey!);
    const wrongCode = good === '000000' ? '111111' : '000000';
    // One wrong code per login: the correct password in between must not wipe the count.
    for (let i = 0; i < 4; i++) {
      const a = await apiLogin(s.username, PASSWORD, ip);
      expect(a.res.status, `login ${i + 1}`).toBe(200);
      const r = await clientFor(a.token, String(a.body.csrfToken)).post('/api/staff/login/totp', { code: wrongCode });
      expect(r.status).toBe(401);
      expect((await errorOf(r)).code).toBe('TOTP_INVALID');
    }
    const fifth = await apiLogin(s.username, PASSWORD, ip);
    const locked = await clientFor(fifth.token, String(fifth.body.csrfToken)).post('/api/staff/login/totp', {
      code: wrongCode,
    });
    expect(locked.status).toBe(429);
    expect((await errorOf(locked)).code).toBe('LOCKED');
    // Locked: the right password no longer gives a session, and the half session is gone.
    const after = await apiLogin(s.username, PASSWORD, ip);
    expect(after.res.status).toBe(401);
    expect(
      (await clientFor(fifth.token, String(fifth.body.csrfToken)).post('/api/staff/login/totp', { code: good })).status,
    ).toBe(401);
    const row = await env.DB.prepare('SELECT totp_failures, locked_until FROM staff WHERE id = ?')
      .bind(s.id)
      .first<{ totp_failures: number; locked_until: number }>();
    expect(row!.totp_failures).toBe(5);
    expect(row!.locked_until).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(await auditActions(s.id)).toContain('staff.locked');
    // After the lock, one more wrong code locks again at once, for twice as long.
    await env.DB.prepare('UPDATE staff SET locked_until = ? WHERE id = ?')
      .bind(Date.now() - 1, s.id)
      .run();
    const again = await apiLogin(s.username, PASSWORD, ip);
    expect(again.res.status).toBe(200);
    expect(
      (await clientFor(again.token, String(again.body.csrfToken)).post('/api/staff/login/totp', { code: wrongCode }))
        .status,
    ).toBe(429);
    const relocked = await env.DB.prepare('SELECT locked_until FROM staff WHERE id = ?')
      .bind(s.id)
      .first<{ locked_until: number }>();
    expect(relocked!.locked_until).toBeGreaterThan(Date.now() + 29 * 60_000);
    // A correct code (once unlocked) clears the TOTP count.
    await env.DB.prepare('UPDATE staff SET locked_until = ? WHERE id = ?')
      .bind(Date.now() - 1, s.id)
      .run();
    const ok = await apiLogin(s.username, PASSWORD, ip);
    expect(
      (await clientFor(ok.token, String(ok.body.csrfToken)).post('/api/staff/login/totp', { code: good })).status,
    ).toBe(200);
    expect(
      (await env.DB.prepare('SELECT totp_failures FROM staff WHERE id = ?')
        .bind(s.id)
        .first<{ totp_failures: number }>())!.totp_failures,
    ).toBe(0);
  });

  it('a half-signed-in session ends after 3 wrong codes', async () => {
    const s = await makeStaff(['reward_approver']);
    const a = await apiLogin(s.username, PASSWORD, { 'cf-connecting-ip': '2001:db8:71::1' });
    const half = clientFor(a.token, String(a.body.csrfToken));
    const good = totpCode(s.totpKey!);
    const wrongCode = good === '000000' ? '111111' : '000000';
    for (let i = 0; i < 2; i++)
      expect((await half.post('/api/staff/login/totp', { code: wrongCode })).status).toBe(401);
    const third = await half.post('/api/staff/login/totp', { code: wrongCode });
    expect(third.status).toBe(401);
    expect((await errorOf(third)).message).toMatch(/重新输入用户名和密码/);
    // Even the right code no longer helps this session.
    const late = await half.post('/api/staff/login/totp', { code: good });
    expect(late.status).toBe(401);
    expect((await errorOf(late)).code).toBe('UNAUTHENTICATED');
  });

  it('concurrent wrong codes are all counted (atomic increment)', async () => {
    const s = await makeStaff(['admin']);
    const good = totpCode(s.totpKey!);
    const wrongCode = good === '000000' ? '111111' : '000000';
    const halves = [];
    for (let i = 0; i < 4; i++) {
      const a = await apiLogin(s.username, PASSWORD, { 'cf-connecting-ip': `2001:db8:72::${i + 1}` });
      halves.push(clientFor(a.token, String(a.body.csrfToken)));
    }
    const answers = await Promise.all(halves.map((h) => h.post('/api/staff/login/totp', { code: wrongCode })));
    for (const r of answers) await r.body?.cancel();
    const row = await env.DB.prepare('SELECT totp_failures FROM staff WHERE id = ?')
      .bind(s.id)
      .first<{ totp_failures: number }>();
    expect(row!.totp_failures).toBe(4);
  });

  it('enrolment is audited: the key issued, then confirmed by the first code', async () => {
    const s = await makeStaff(['admin'], { enrolled: false });
    const first = await apiLogin(s.username, PASSWORD, { 'cf-connecting-ip': '2001:db8:73::1' });
    const key = decodeBase32IgnorePadding((first.body.enrollment as { secret: string }).secret);
    expect(
      (
        await clientFor(first.token, String(first.body.csrfToken)).post('/api/staff/login/totp', {
          code: totpCode(key),
        })
      ).status,
    ).toBe(200);
    const actions = await auditActions(s.id);
    expect(actions).toContain('staff.totp_key_issued');
    expect(actions.indexOf('staff.totp_enrolled')).toBeGreaterThan(actions.indexOf('staff.totp_key_issued'));
  });
});

describe('sessions', () => {
  it('expire after 30 idle minutes and after 12 hours in all', async () => {
    const s = await makeStaff(['dispatcher']);
    const idle = await sessionOf(s);
    await env.DB.prepare('UPDATE sessions SET last_seen_at = ? WHERE staff_id = ?')
      .bind(Date.now() - 31 * 60_000, s.id)
      .run();
    expect((await idle.get('/api/staff/me')).status).toBe(401);
    const old = await sessionOf(s);
    await env.DB.prepare('UPDATE sessions SET created_at = ? WHERE staff_id = ?')
      .bind(Date.now() - 13 * 3_600_000, s.id)
      .run();
    expect((await old.get('/api/staff/me')).status).toBe(401);
    expect(
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM sessions WHERE staff_id = ?').bind(s.id).first<{ n: number }>())!
        .n,
    ).toBe(0);
  });

  it('a state-changing request needs the session CSRF token and the same origin', async () => {
    const s = await makeStaff(['dispatcher']);
    const c = await sessionOf(s);
    const noToken = await SELF.fetch('http://localhost/api/staff/logout', {
      method: 'POST',
      headers: { cookie: `__Host-aq_session=${c.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(403);
    expect((await errorOf(noToken)).code).toBe('CSRF_FAILED');
    const wrongToken = await clientFor(c.token, 'not-the-token').post('/api/staff/logout');
    expect(wrongToken.status).toBe(403);
    const foreign = await c.fetch('/api/staff/logout', {
      method: 'POST',
      json: {},
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect((await c.post('/api/staff/logout')).status).toBe(204);
    expect((await c.get('/api/staff/me')).status).toBe(401);
  });

  it('a disabled account is signed out at once', async () => {
    const s = await makeStaff(['dispatcher']);
    const c = await sessionOf(s);
    await env.DB.prepare('UPDATE staff SET active = 0 WHERE id = ?').bind(s.id).run();
    expect((await c.get('/api/staff/me')).status).toBe(401);
  });
});
