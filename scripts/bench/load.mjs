/**
 * A small closed-loop load generator: `connections` workers each send requests back to back for `seconds`,
 * timing every request with a monotonic clock. Exact percentiles, no dependency.
 */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * @param {string} base origin, e.g. http://localhost:8787
 * @param {{ method: string, path: string | (() => string), headers?: object | (() => object), body?: string | (() => string) }} spec
 */
export async function load(base, spec, { connections = 8, seconds = 5, warmup = 0.5 } = {}) {
  const latencies = [];
  /** `Server-Timing: app;dur=…` when the Worker runs with SERVER_TIMING=1: time inside the Worker. */
  const inWorker = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const statuses = {};
  const warmEnd = performance.now() + warmup * 1000;
  const end = warmEnd + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const path = typeof spec.path === 'function' ? spec.path() : spec.path;
      const headers = typeof spec.headers === 'function' ? spec.headers() : (spec.headers ?? {});
      const body = typeof spec.body === 'function' ? spec.body() : spec.body;
      const t0 = performance.now();
      try {
        const res = await fetch(base + path, { method: spec.method, headers, body });
        await res.arrayBuffer();
        const t = performance.now() - t0;
        if (t0 < warmEnd) continue;
        latencies.push(t);
        const dur = /app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1];
        if (dur) inWorker.push(Number(dur));
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 200 && res.status < 300) ok++;
        else non2xx++;
      } catch {
        if (t0 >= warmEnd) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  latencies.sort((a, b) => a - b);
  inWorker.sort((a, b) => a - b);
  const r = (x) => Math.round(x * 100) / 100;
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / seconds),
    p50: r(percentile(latencies, 50)),
    p95: r(percentile(latencies, 95)),
    p99: r(percentile(latencies, 99)),
    ...(inWorker.length ? { workerP50: r(percentile(inWorker, 50)), workerP95: r(percentile(inWorker, 95)) } : {}),
    ok,
    non2xx,
    errors,
    statuses,
  };
}
