/**
 * API under load: each scenario against the locally running Worker (wrangler dev, local D1), at a few
 * concurrency levels, reported as throughput and p50/p95/p99 latency and as a ratio to the bare endpoint
 * (GET /api/ping) measured in the same run.
 */
import { validTip } from '../../tests/support/tip-body.ts';
import { load } from './load.mjs';

let n = 0;
const clientIp = () => `2001:db8:${(++n % 65535).toString(16)}::${(n >> 16) + 1}`;

export function tipBody() {
  return JSON.stringify(validTip({ unitName: '压测餐馆' }));
}

/** A submission's headers as the report form sends them: its own client, and an Idempotency-Key. */
export const submitHeaders = () => ({
  'cf-connecting-ip': clientIp(),
  'content-type': 'application/json',
  'idempotency-key': crypto.randomUUID(),
});

const withClient =
  (extra = {}) =>
  () => ({ 'cf-connecting-ip': clientIp(), ...extra });

/** Scenarios: name → request spec. Each request comes from its own client address (rate limits are per client). */
export function scenarios(ctx) {
  const list = {
    'bare (GET /api/ping)': { method: 'GET', path: '/api/ping', headers: withClient() },
    'health (GET /api/health)': { method: 'GET', path: '/api/health', headers: withClient() },
    'config (GET /api/config)': { method: 'GET', path: '/api/config', headers: withClient() },
    'submit (POST /api/tips)': {
      method: 'POST',
      path: '/api/tips',
      headers: submitHeaders,
      body: tipBody,
    },
  };
  for (const [k, v] of Object.entries(ctx.extra ?? {})) list[k] = v;
  return list;
}

/** @returns rows of { scenario, connections, rps, p50, p95, p99, errors, non2xx, ratio } */
export async function benchApi(url, { levels = [1, 8, 32], duration = 5, extra, only } = {}) {
  const rows = [];
  // `only`: scenario name prefixes to run (the bare endpoint always runs first: every ratio is against it).
  const specs = Object.fromEntries(
    Object.entries(scenarios({ extra })).filter(
      ([name]) => !only || name.startsWith('bare') || only.some((p) => name.startsWith(p)),
    ),
  );
  for (const connections of levels) {
    let bare = null;
    for (const [name, spec] of Object.entries(specs)) {
      const r = await load(url, spec, { connections, seconds: duration });
      const row = {
        scenario: name,
        connections,
        rps: r.rps,
        p50: r.p50,
        p95: r.p95,
        p99: r.p99,
        errors: r.errors,
        non2xx: r.non2xx,
        statuses: r.statuses,
        ...(r.workerP50 !== undefined ? { workerP50: r.workerP50, workerP95: r.workerP95 } : {}),
      };
      if (!bare) bare = row;
      row.ratio = bare.rps ? +(row.rps / bare.rps).toFixed(2) : null;
      rows.push(row);
      console.log(
        `  ${name.padEnd(34)} c=${String(connections).padStart(2)}  ${String(row.rps).padStart(6)} req/s  p50 ${row.p50} ms  p95 ${row.p95} ms  p99 ${row.p99} ms  ×bare ${row.ratio}  non-2xx ${row.non2xx}${row.workerP50 !== undefined ? `  in Worker p50 ${row.workerP50} ms` : ''}`,
      );
    }
  }
  return rows;
}
