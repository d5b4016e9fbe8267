/** Render benchmark results as docs/BENCHMARKS.md. */
const TARGETS = {
  lookupRatio: 0.5,
  queueP95: 25,
  statsP95: 10,
  bundleGzipKiB: 500,
};

export function report(r) {
  const lines = [
    '# Benchmarks',
    '',
    `Measured ${r.date} on this machine: ${r.machine}, Node ${r.node}.`,
    'Command: `npm run bench` (see scripts/bench.mjs). Every figure comes from that one run; API figures are',
    'also given as a ratio to the bare endpoint `GET /api/ping` of the same Worker measured in the same run.',
    'The Worker runs under `wrangler dev` (workerd + local D1 in SQLite) on the same 2-core machine as the',
    'load generator, so absolute numbers are far below production; ratios are what carry over.',
    '',
  ];
  if (r.bundle) {
    const ok = r.bundle.gzipKiB <= TARGETS.bundleGzipKiB;
    lines.push('## Worker bundle', '', `| raw | gzipped | target | |`, `|---|---|---|---|`, `| ${r.bundle.rawKiB} KiB | ${r.bundle.gzipKiB} KiB | ≤ ${TARGETS.bundleGzipKiB} KiB | ${ok ? 'met' : 'MISSED'} |`, '');
  }
  if (r.api) {
    lines.push(
      '## API under load',
      '',
      '| scenario | connections | req/s | ×bare | p50 ms | p95 ms | p99 ms | non-2xx | errors |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...r.api.map((x) => `| ${x.scenario} | ${x.connections} | ${x.rps} | ${x.ratio} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.non2xx} | ${x.errors} |`),
      '',
      'Submissions include Turnstile verification (the offline stand-in), encryption, the audit-chain append',
      'and the atomic batch; each request comes from its own client address so the per-client rate limit',
      'does not cut the run short.',
      '',
    );
  }
  if (r.scale) lines.push(...r.scale.markdown, '');
  if (r.site) lines.push(...r.site.markdown, '');
  return lines.join('\n');
}

export function scaleMarkdown(count, plans, timings) {
  return [
    `## Scale: ${count.toLocaleString('en')} tips`,
    '',
    'Tips generated straight into the local D1 (two years, weighted over domains, 镇街 and states; see',
    'scripts/bench/scale.mjs), then each endpoint timed one request at a time through the running Worker.',
    '',
    '| endpoint | p50 ms | p95 ms | requests | statuses |',
    '|---|---:|---:|---:|---|',
    ...timings.map((t) => `| ${t.name} | ${t.p50} | ${t.p95} | ${t.requests} | ${Object.entries(t.statuses).map(([k, v]) => `${k}×${v}`).join(' ')} |`),
    '',
    '### Query plans of the hot queries',
    '',
    '| query | plan | full scan of tips? |',
    '|---|---|---|',
    ...plans.map((p) => `| ${p.name} | ${p.plan.join(' → ').replaceAll('|', '\\|')} | ${p.fullScan ? '**yes**' : 'no'} |`),
  ];
}
