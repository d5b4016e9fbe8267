import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PublicStatsSchema } from '../../worker/routes/public/stats';
import {
  addMonths,
  chinaMonth,
  histogramMedian,
  publicCount,
  publicStats,
  rebuildConclusionStats,
} from '../../worker/services/stats';
import { objectToConclusion } from '../../worker/services/transitions';
import { DAY, handledTip, leaks } from '../support/open311';

/** Every count-like value in a stats answer, with its path. */
function counts(x: unknown, path = ''): [string, unknown][] {
  if (Array.isArray(x)) return x.flatMap((v, i) => counts(v, `${path}[${i}]`));
  if (x && typeof x === 'object') {
    return Object.entries(x).flatMap(([k, v]) =>
      ['count', 'concluded', 'total'].includes(k)
        ? [[`${path}.${k}`, v] as [string, unknown]]
        : counts(v, `${path}.${k}`),
    );
  }
  return [];
}

describe('public statistics', () => {
  it('publicCount publishes every count below 5 (zero included) as "<5"', () => {
    expect([0, 1, 4, 5, 123].map(publicCount)).toEqual(['<5', '<5', '<5', 5, 123]);
  });

  it('histogramMedian reads the median from (value, count) bins and hides it below 5 items', () => {
    expect(
      histogramMedian([
        { value: 10, count: 5 },
        { value: 75, count: 1 },
      ]),
    ).toBe(10);
    expect(
      histogramMedian([
        { value: 1, count: 3 },
        { value: 4, count: 3 },
      ]),
    ).toBe(2.5);
    expect(
      histogramMedian([
        { value: 9, count: 2 },
        { value: 3, count: 1 },
        { value: 30, count: 2 },
      ]),
    ).toBe(9);
    expect(histogramMedian([{ value: 9, count: 4 }])).toBeNull();
  });

  it('addMonths crosses years both ways', () => {
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-11', -23)).toBe('2024-12');
  });

  it('counts by month, type, domain, 镇街 and status from the aggregate; timeliness from the rebuilt histogram', async () => {
    const now = Date.now();
    const t0 = now - 100 * DAY;
    const fire = { domain: 'fire', townId: 'jibei', type: 'general_hazard' };
    for (let i = 0; i < 5; i++) await handledTip({ at: t0, outcome: 'concluded', days: 10, tip: fire });
    await handledTip({ at: t0, outcome: 'concluded', days: 75, tip: fire }); // past the 60-day limit
    await handledTip({ at: t0, outcome: 'rejected', tip: { domain: 'road', townId: 'jibei' } });
    await handledTip({ at: now, secret: true, tip: { domain: 'gas', townId: 'jiyang' } });
    await handledTip({ at: now, tip: { domain: 'gas', townId: 'jiyang' } });
    await rebuildConclusionStats(env, now);

    const s = await publicStats(env, now);
    expect(s.total).toBe(9);
    expect(s.months.find((m) => m.month === chinaMonth(t0))?.count).toBe(7);
    expect(s.months.at(-1)).toEqual({ month: chinaMonth(now), count: '<5' });
    expect(s.months[0]!.month).toBe(chinaMonth(t0)); // the trend starts at the first month with data
    expect(s.byDomain.find((d) => d.code === 'fire')).toEqual({ code: 'fire', label: '消防', count: 6 });
    expect(s.byDomain.find((d) => d.code === 'gas')?.count).toBe('<5');
    expect(s.byDomain.find((d) => d.code === 'drowning')?.count).toBe('<5'); // zero is not told apart from "a few"
    expect(s.byTown.find((t) => t.code === 'jibei')).toEqual({ code: 'jibei', label: '济北街道', count: 7 });
    expect(s.byTown.map((t) => t.code)).toContain('duoshi');
    expect(s.byType.find((t) => t.code === 'general_hazard')?.count).toBe(9);
    expect(s.byStatus.find((x) => x.code === 'concluded')?.count).toBe(6);
    expect(s.byStatus.find((x) => x.code === 'rejected')?.count).toBe('<5');
    expect(s.timeliness.concluded).toBe(6);
    expect(s.timeliness.onTimeRate).toBe(0.833);
    expect(s.timeliness.medianDays).toBe(10);
    expect(s.timeliness.months).toHaveLength(12);
    expect(s.timeliness.months.find((m) => m.month === chinaMonth(t0 + 10 * DAY))).toEqual({
      month: chinaMonth(t0 + 10 * DAY),
      concluded: 5,
      onTimeRate: 1,
    });
    expect(s.rewards).toEqual([]);
    for (const [path, v] of counts(s)) expect(v === '<5' || (typeof v === 'number' && v >= 5), path).toBe(true);
    expect(leaks(JSON.stringify(s))).toEqual([]);
  });

  it('the scheduled rebuild is idempotent and follows a reopened conclusion (异议 → 复查)', async () => {
    const now = Date.now();
    const tips = [];
    for (let i = 0; i < 5; i++) tips.push(await handledTip({ at: now - 20 * DAY, outcome: 'concluded', days: 15 }));
    await rebuildConclusionStats(env, now);
    const before = await env.DB.prepare('SELECT * FROM stats_conclusions ORDER BY month, days').all();
    await rebuildConclusionStats(env, now);
    expect((await env.DB.prepare('SELECT * FROM stats_conclusions ORDER BY month, days').all()).results).toEqual(
      before.results,
    );

    await objectToConclusion(env, tips[0]!.id, '整改并未落实，现场依旧堆放钢瓶。', now - 2 * DAY);
    await rebuildConclusionStats(env, now);
    const row = await env.DB.prepare('SELECT SUM(count) AS n FROM stats_conclusions WHERE month = ?')
      .bind(chinaMonth(now - 5 * DAY))
      .first<{ n: number }>();
    const all = await env.DB.prepare('SELECT SUM(count) AS n FROM stats_conclusions').first<{ n: number }>();
    expect(all!.n - (before.results as { count: number }[]).reduce((s, r) => s + r.count, 0)).toBe(-1);
    expect(row!.n).toBeGreaterThanOrEqual(0);
  });

  it('a recent-months run leaves older months alone; an empty table is rebuilt in full', async () => {
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO stats_conclusions (month, days, count, with_due, on_time) VALUES ('2001-01', 3, 9, 9, 9)",
    ).run();
    // 12:00 China time: not the nightly full run.
    const noon = Date.parse(`${new Date(now + 8 * 3_600_000).toISOString().slice(0, 10)}T04:00:00Z`);
    await rebuildConclusionStats(env, noon);
    expect(await env.DB.prepare("SELECT count FROM stats_conclusions WHERE month = '2001-01'").first()).toEqual({
      count: 9,
    });
    const nightly = noon - 9 * 3_600_000 + 5 * 60_000; // 03:05 China time
    await rebuildConclusionStats(env, nightly);
    expect(await env.DB.prepare("SELECT count FROM stats_conclusions WHERE month = '2001-01'").first()).toBeNull();
  });

  it('rewards: five or more paid in a year show count and total; fewer show "<5" and no total', async () => {
    const rule = (await env.DB.prepare('SELECT id FROM reward_rules LIMIT 1').first<{ id: string }>())!.id;
    const tip = await handledTip({ outcome: 'concluded' });
    const paid = (year: number, n: number) =>
      Array.from({ length: n }, () =>
        env.DB.prepare(
          `INSERT INTO rewards (id, tip_id, rule_id, status, amount_fen, computation, version, created_at, updated_at, paid_at)
           VALUES (?, ?, ?, 'paid', 300000, '{}', 1, ?, ?, ?)`,
        ).bind(
          crypto.randomUUID(),
          tip.id,
          rule,
          Date.parse(`${year}-06-01T00:00:00+08:00`),
          Date.now(),
          Date.parse(`${year}-06-01T00:00:00+08:00`),
        ),
      );
    await env.DB.batch([...paid(2024, 5), ...paid(2025, 2)]);
    const s = await publicStats(env);
    expect(s.rewards).toEqual([
      { year: '2024', count: 5, totalYuan: 15000 },
      { year: '2025', count: '<5', totalYuan: null },
    ]);
  });

  it('GET /api/public/stats answers the documented shape, cacheable at the edge, then from the edge cache', async () => {
    await handledTip({ secret: true });
    const url = 'http://localhost/api/public/stats';
    const res = await SELF.fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60, s-maxage=300');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const text = await res.text();
    expect(PublicStatsSchema.safeParse(JSON.parse(text)).success).toBe(true);
    expect(leaks(text)).toEqual([]);
    for (const [path, v] of counts(JSON.parse(text)))
      expect(v === '<5' || (typeof v === 'number' && v >= 5), path).toBe(true);

    // The copy is stored after responding; the next request is answered from the cache.
    let again: Response | undefined;
    for (let i = 0; i < 20; i++) {
      again = await SELF.fetch(url);
      if (again.headers.get('x-edge-cache') === 'hit') break;
      await again.arrayBuffer();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(again!.headers.get('x-edge-cache')).toBe('hit');
    expect(await again!.text()).toBe(text);
    expect(again!.headers.get('x-frame-options')).toBe('DENY');
    // A random query string does not get past the cache (the resource takes no parameters).
    const busted = await SELF.fetch(`${url}?x=${crypto.randomUUID()}`);
    expect(busted.headers.get('x-edge-cache')).toBe('hit');
    expect(await busted.text()).toBe(text);
  });
});
