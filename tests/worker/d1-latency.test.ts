/**
 * The bench's remote-D1 mode (worker/lib/d1-latency.ts): off unless the variable is set and the host is
 * loopback; when on, every kind of D1 call still works (statements from the wrapper join a real batch) and each
 * round trip goes through the added wait. Its effect on throughput is measured by `npm run bench`, never here.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { benchEnv, d1LatencyFor, delayedD1 } from '../../worker/lib/d1-latency';

describe('remote-D1 mode of the bench', () => {
  it('is off in production: without the variable, on a public host, or with a nonsense value', () => {
    expect(d1LatencyFor(env, 'http://localhost/api/ping')).toBe(0);
    const on = { ...env, BENCH_D1_LATENCY_MS: '20' };
    expect(d1LatencyFor(on, 'http://localhost/api/ping')).toBe(20);
    expect(d1LatencyFor(on, 'http://127.0.0.1:8787/api/ping')).toBe(20);
    expect(d1LatencyFor(on, 'https://anquan.example.gov.cn/api/ping')).toBe(0);
    expect(benchEnv(on, new Request('https://anquan.example.gov.cn/api/tips')).DB).toBe(env.DB);
    expect(d1LatencyFor({ ...env, BENCH_D1_LATENCY_MS: 'x' }, 'http://localhost/')).toBe(0);
    expect(d1LatencyFor({ ...env, BENCH_D1_LATENCY_MS: '-5' }, 'http://localhost/')).toBe(0);
  });

  it('waits once per round trip (first, all, run, raw, batch, exec), never for prepare or bind', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const waits = () => spy.mock.calls.filter((c) => c[1] === 7).length;
    const db = delayedD1(env.DB, 7);
    const s = db.prepare('SELECT ? AS v').bind(41);
    expect(waits()).toBe(0);
    expect(await s.first('v')).toBe(41);
    expect((await s.all()).results).toEqual([{ v: 41 }]);
    expect(await s.raw()).toEqual([[41]]);
    await db.prepare('SELECT 1').run();
    expect(waits()).toBe(4);
    // Wrapped statements are the real ones: a batch takes them, and costs one round trip.
    const rows = await db.batch([db.prepare('SELECT ? AS a').bind(1), db.prepare('SELECT ? AS b').bind(2)]);
    expect(rows.map((r) => r.results)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    expect(waits()).toBe(5);
    await db.exec('SELECT 1');
    expect(waits()).toBe(6);
    spy.mockRestore();
  });
});
