/**
 * What `wrangler deploy` ships must never switch on the offline Turnstile stand-in: the flag may only come
 * from `.dev.vars`, which wrangler never uploads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

describe('deployment configuration', () => {
  it('wrangler.toml sets no stand-in flag and no secret', () => {
    const toml = readFileSync(`${root}wrangler.toml`, 'utf8');
    expect(toml).not.toMatch(/TURNSTILE_LOCAL_STANDIN\s*=/);
    expect(toml).not.toMatch(/TURNSTILE_SECRET\s*=|APP_SECRET\s*=|IDENTITY_KEYS\s*=/);
  });

  it('the built deploy configuration (dist/server/wrangler.json) carries no stand-in flag or secrets', () => {
    const path = `${root}dist/server/wrangler.json`;
    expect(existsSync(path), 'run `npm run build` first').toBe(true);
    const cfg = JSON.parse(readFileSync(path, 'utf8'));
    expect(cfg.main).toBeTruthy();
    expect(Object.keys(cfg.vars ?? {})).not.toContain('TURNSTILE_LOCAL_STANDIN');
    expect(Object.keys(cfg.vars ?? {})).not.toContain('TURNSTILE_SECRET');
    for (const env of Object.values<any>(cfg.env ?? {}))
      expect(Object.keys(env.vars ?? {})).not.toContain('TURNSTILE_LOCAL_STANDIN');
  });

  it('no Cloudflare Turnstile test sitekey or secret is a production default (wrangler.toml, the built config)', () => {
    const testKey = /[123]x0{20,31}[A-F]{2}/;
    const toml = readFileSync(`${root}wrangler.toml`, 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    expect(toml).not.toMatch(testKey);
    expect(toml).not.toMatch(/TURNSTILE_SITEKEY\s*=/);
    const cfg = JSON.parse(readFileSync(`${root}dist/server/wrangler.json`, 'utf8'));
    expect(JSON.stringify(cfg.vars ?? {})).not.toMatch(testKey);
  });

  it('.dev.vars (local secrets) is ignored by git', () => {
    expect(readFileSync(`${root}.gitignore`, 'utf8')).toMatch(/^\.dev\.vars$/m);
  });
});
