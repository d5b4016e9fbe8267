import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import type { Env } from '../../worker/env';
import { SITEVERIFY_URL, standinAllowed, TEST_KEYS, verifyTurnstile } from '../../worker/lib/turnstile';
import { counts, validTip } from '../support/tips';

const app = createApp();
const post = (e: Env, body: unknown, url = 'http://localhost/api/tips') =>
  app.request(
    url,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cf-connecting-ip': `2001:db8::${crypto.randomUUID().slice(0, 4)}`,
      },
      body: JSON.stringify(body),
    },
    e,
  );

describe('Turnstile on POST /api/tips (offline stand-in, Cloudflare test keys)', () => {
  it('POST /api/tips passes with the always-pass test secret and the dummy token', async () => {
    expect((await post({ ...env, TURNSTILE_SECRET: TEST_KEYS.secretPass }, validTip())).status).toBe(201);
  });

  it.each([
    ['fails', TEST_KEYS.secretFail, validTip(), 403, 'TURNSTILE_FAILED', '人机验证未通过，请刷新页面后重试。'],
    [
      'is already spent',
      TEST_KEYS.secretSpent,
      validTip(),
      403,
      'TURNSTILE_FAILED',
      '人机验证已失效，请重新验证后提交。',
    ],
    [
      'is missing',
      TEST_KEYS.secretPass,
      validTip({ turnstileToken: undefined }),
      400,
      'TURNSTILE_MISSING',
      '请先完成人机验证。',
    ],
    [
      'is not the dummy token',
      TEST_KEYS.secretPass,
      validTip({ turnstileToken: 'forged.token' }),
      403,
      'TURNSTILE_FAILED',
      '人机验证未通过，请刷新页面后重试。',
    ],
  ])(
    'POST /api/tips refuses when the token %s, and writes nothing',
    async (_n, secret, body, status, code, message) => {
      const before = await counts(env.DB);
      const res = await post({ ...env, TURNSTILE_SECRET: secret }, body);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error: { code, message } });
      expect(await counts(env.DB)).toEqual(before);
    },
  );
});

describe('the stand-in can never be active in a production deployment', () => {
  const production = (over: Partial<Env> = {}): Env => ({
    ...env,
    TURNSTILE_LOCAL_STANDIN: undefined,
    TURNSTILE_SECRET: '0x4AAAAAAA-real-production-secret',
    TURNSTILE_SITEKEY: '0x4AAAAAAA-real-sitekey',
    ...over,
  });

  it('is allowed only with the flag, a documented test secret and a loopback host, all three', () => {
    expect(standinAllowed({ ...env, TURNSTILE_SECRET: TEST_KEYS.secretPass }, 'http://localhost/api/tips')).toBe(true);
    expect(standinAllowed({ ...env, TURNSTILE_SECRET: TEST_KEYS.secretPass }, 'http://127.0.0.1:8787/x')).toBe(true);
    expect(standinAllowed({ ...env, TURNSTILE_LOCAL_STANDIN: undefined }, 'http://localhost/api/tips')).toBe(false);
    expect(standinAllowed({ ...env, TURNSTILE_SECRET: '0x4AAAA-real' }, 'http://localhost/api/tips')).toBe(false);
    expect(
      standinAllowed({ ...env, TURNSTILE_SECRET: TEST_KEYS.secretPass }, 'https://anquan.example.gov.cn/api/tips'),
    ).toBe(false);
    expect(
      standinAllowed({ ...env, TURNSTILE_SECRET: TEST_KEYS.secretPass }, 'https://localhost.evil.example/api/tips'),
    ).toBe(false);
  });

  it('production calls the real siteverify with the secret and the token', async () => {
    const calls: { url: string; body: FormData }[] = [];
    const fetcher = (async (url: string, init: RequestInit) => {
      calls.push({ url, body: init.body as FormData });
      return Response.json({ success: true, hostname: 'anquan.example.gov.cn', action: 'report' });
    }) as unknown as typeof fetch;
    await verifyTurnstile(production(), {
      token: 'tok',
      requestUrl: 'https://anquan.example.gov.cn/api/tips',
      action: 'report',
      fetcher,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(SITEVERIFY_URL);
    expect(calls[0]!.body.get('secret')).toBe('0x4AAAAAAA-real-production-secret');
    expect(calls[0]!.body.get('response')).toBe('tok');
  });

  it('even with the flag set by mistake, a real host never uses the stand-in', async () => {
    let called = false;
    const fetcher = (async () => {
      called = true;
      return Response.json({ success: false, 'error-codes': ['invalid-input-response'] });
    }) as unknown as typeof fetch;
    const e = production({ TURNSTILE_LOCAL_STANDIN: '1' });
    await expect(
      verifyTurnstile(e, {
        token: TEST_KEYS.dummyToken,
        requestUrl: 'https://anquan.example.gov.cn/api/tips',
        fetcher,
      }),
    ).rejects.toMatchObject({ code: 'TURNSTILE_FAILED' });
    expect(called).toBe(true);
  });

  it.each([
    ['the always-pass test secret', { TURNSTILE_SECRET: TEST_KEYS.secretPass }],
    ['the always-fail test secret', { TURNSTILE_SECRET: TEST_KEYS.secretFail }],
    ['the already-spent test secret', { TURNSTILE_SECRET: TEST_KEYS.secretSpent }],
    ['the always-pass test sitekey', { TURNSTILE_SITEKEY: TEST_KEYS.sitekeyPass }],
    ['the always-block test sitekey', { TURNSTILE_SITEKEY: TEST_KEYS.sitekeyBlock }],
    ['the invisible test sitekey', { TURNSTILE_SITEKEY: '1x00000000000000000000BB' }],
    ['the forced-challenge test sitekey', { TURNSTILE_SITEKEY: '3x00000000000000000000FF' }],
    ['no sitekey', { TURNSTILE_SITEKEY: undefined }],
  ])('production refuses %s outright, on any host, without asking siteverify', async (_n, over) => {
    let called = false;
    const fetcher = (async () => {
      called = true;
      return Response.json({ success: true, hostname: 'anquan.example.gov.cn', action: 'report' });
    }) as unknown as typeof fetch;
    // The stand-in flag is off (as in every deployment): a test key is refused even for a loopback host.
    for (const url of ['https://anquan.example.gov.cn/api/tips', 'http://localhost/api/tips']) {
      await expect(
        verifyTurnstile(production(over as Partial<Env>), {
          token: TEST_KEYS.dummyToken,
          requestUrl: url,
          action: 'report',
          fetcher,
        }),
      ).rejects.toMatchObject({ code: 'TURNSTILE_FAILED' });
    }
    expect(called).toBe(false);
  });

  it('GET /api/config offers no widget in production with a test sitekey, and the real one with real keys', async () => {
    const config = async (e: Env) =>
      (
        (await (await app.request('https://anquan.example.gov.cn/api/config', {}, e)).json()) as {
          turnstile: { sitekey: string; scriptUrl: string };
        }
      ).turnstile;
    expect(await config(production({ TURNSTILE_SITEKEY: TEST_KEYS.sitekeyPass }))).toEqual({
      sitekey: '',
      scriptUrl: '',
    });
    expect(await config(production({ TURNSTILE_SECRET: TEST_KEYS.secretPass }))).toEqual({
      sitekey: '',
      scriptUrl: '',
    });
    expect(await config(production())).toEqual({
      sitekey: '0x4AAAAAAA-real-sitekey',
      scriptUrl: 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit',
    });
    // Offline (the stand-in's three conditions) the test sitekey is served with the stand-in script.
    const local = (await (await app.request('http://localhost/api/config', {}, env)).json()) as { turnstile: unknown };
    expect(local.turnstile).toEqual({ sitekey: TEST_KEYS.sitekeyPass, scriptUrl: '/turnstile-standin.js' });
  });

  it.each([
    ['no secret', { TURNSTILE_SECRET: undefined }, async () => Response.json({ success: true, hostname: 'a.example' })],
    [
      'a timeout',
      {},
      async () => {
        throw new DOMException('timed out', 'TimeoutError');
      },
    ],
    ['a non-JSON answer', {}, async () => new Response('<html>bad gateway</html>', { status: 502 })],
    ['a wrong hostname', {}, async () => Response.json({ success: true, hostname: 'phishing.example' })],
    ['a wrong action', {}, async () => Response.json({ success: true, hostname: 'a.example', action: 'login' })],
  ])('production fails closed on %s', async (_n, over, impl) => {
    const fetcher = impl as unknown as typeof fetch;
    await expect(
      verifyTurnstile(production(over as Partial<Env>), {
        token: 'tok',
        requestUrl: 'https://a.example/api/tips',
        action: 'report',
        fetcher,
      }),
    ).rejects.toMatchObject({ code: 'TURNSTILE_FAILED' });
  });
});
