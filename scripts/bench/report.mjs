/** Render benchmark results as docs/BENCHMARKS.md. */
import { capacityMarkdown } from './capacity.mjs';
const TARGETS = {
  lookupRatio: 0.5,
  /** Submission throughput against the bare endpoint at 8 and 32 connections. */
  submitRatio: 0.4,
  /** Submission p99 at 32 connections against the bare endpoint's p99 in the same run. */
  submitP99Times: 10,
  queueP95: 25,
  statsP95: 10,
  bundleGzipKiB: 500,
};

export function report(r) {
  const lines = [
    '# Benchmarks',
    '',
    `Measured ${r.date} on this machine: ${r.machine}, Node ${r.node}.`,
    ...(r.partial
      ? [
          `Parts re-measured since the full \`npm run bench\` of ${r.partial.fullRunDate}, each by \`npm run bench -- --only <part>\`:`,
          `${Object.entries(r.partial.parts ?? { [r.partial.part]: r.date })
            .map(([part, at]) => `${part} at ${at}`)
            .join(', ')}; every other part comes from that full run. API figures are also given as a ratio to the bare`,
          'endpoint `GET /api/ping` of the same Worker measured in the same run.',
        ]
      : [
          'Command: `npm run bench` (see scripts/bench.mjs). Every figure comes from that one run; API figures are',
          'also given as a ratio to the bare endpoint `GET /api/ping` of the same Worker measured in the same run.',
        ]),
    'The Worker runs under `wrangler dev` (workerd + local D1 in SQLite) on the same 2-core machine as the',
    'load generator, so absolute numbers are far below production; ratios are what carry over.',
    '',
  ];
  lines.push(...targets(r), '');
  if (r.bundle) {
    const ok = r.bundle.gzipKiB <= TARGETS.bundleGzipKiB;
    lines.push(
      '## Worker bundle',
      '',
      `| raw | gzipped | target | |`,
      `|---|---|---|---|`,
      `| ${r.bundle.rawKiB} KiB | ${r.bundle.gzipKiB} KiB | ≤ ${TARGETS.bundleGzipKiB} KiB | ${ok ? 'met' : 'MISSED'} |`,
      '',
    );
  }
  if (r.api) {
    lines.push(
      '## API under load',
      '',
      '| scenario | connections | req/s | ×bare | p50 ms | p95 ms | p99 ms | non-2xx | errors |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...r.api.map(
        (x) =>
          `| ${x.scenario} | ${x.connections} | ${x.rps} | ${x.ratio} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.non2xx} | ${x.errors} |`,
      ),
      '',
      'Submissions are sent as the report form sends them, with an `Idempotency-Key`. Each includes Turnstile',
      'verification (the offline stand-in), encryption and the atomic batch with its audit row (order from the',
      'database, sealed later by the every-minute sealer: no head read, no retry), guarded so that it is the only',
      'D1 round trip once the isolate has read the reference data; each request comes from its own client address',
      'so the per-client rate limit does not cut the run short.',
      '',
    );
  }
  if (r.burst) lines.push(...burstMarkdown('## Burst after an accident', r.burst), '');
  if (r.remote) {
    lines.push(
      `## Remote D1: +${r.remote.latencyMs} ms per D1 round trip`,
      '',
      `The same Worker with every D1 call (\`first\`/\`all\`/\`run\`/\`raw\`, one \`batch\`, one \`exec\`) made ${r.remote.latencyMs} ms later,`,
      'as a Worker far from its D1 primary waits for the network (worker/lib/d1-latency.ts; on only with the',
      "bench's `BENCH_D1_LATENCY_MS` and a loopback host, never in production). The wait comes before the call, so",
      'the database does its work and holds its write lock no longer than without it: distance adds travel, not',
      'work. A design that read a chain head and retried on collision would collide more here; this one does not',
      'read before it writes.',
      '',
      '| scenario | connections | req/s | ×bare | p50 ms | p95 ms | p99 ms | non-2xx | errors |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...r.remote.api.map(
        (x) =>
          `| ${x.scenario} | ${x.connections} | ${x.rps} | ${x.ratio} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.non2xx} | ${x.errors} |`,
      ),
      '',
      ...burstMarkdown(`### Burst with +${r.remote.latencyMs} ms per D1 round trip`, r.remote.burst),
      '',
    );
  }
  if (r.guess) {
    const g = r.guess;
    lines.push(
      '## Guessing: wrong code vs unknown number',
      '',
      `Failed checks one at a time on fresh numbers from fresh client addresses (${g.wrongCode.n} each, interleaved), so each`,
      'is a first failure with the same deliberate delay. The two must not be told apart by time.',
      '',
      '| check | mean ms | p50 ms | p95 ms |',
      '|---|---:|---:|---:|',
      `| wrong query code for a real number | ${g.wrongCode.mean} | ${g.wrongCode.p50} | ${g.wrongCode.p95} |`,
      `| unknown tracking number | ${g.unknownNumber.mean} | ${g.unknownNumber.p50} | ${g.unknownNumber.p95} |`,
      '',
      `Difference of the means: ${g.diffMeanMs} ms.`,
      '',
    );
  }
  if (r.scale) lines.push(...r.scale.markdown, '');
  if (r.capacity) lines.push(...capacityMarkdown(r.capacity), '');
  if (r.site) lines.push(...r.site.markdown, '');
  return lines.join('\n');
}

function burstMarkdown(title, b) {
  return [
    title,
    '',
    `${b.total} submissions with ${b.inFlight} in flight, each from a client of its own (own \`cf-connecting-ip\`),`,
    `while a 受理员 accepts and 交办s ${b.staff.transitions / 2} tips (two transitions each) during the burst.`,
    '',
    '| submitted | accepted (201) | distinct receipts | errors | UNAVAILABLE | p50 ms | p95 ms | p99 ms | wall s |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${b.total} | ${b.accepted} | ${b.distinctReceipts} | ${b.errors} | ${b.unavailable} | ${b.p50} | ${b.p95} | ${b.p99} | ${b.wallSeconds} |`,
    '',
    '| staff transitions during the burst | succeeded | UNAVAILABLE | statuses | p50 ms | p95 ms |',
    '|---:|---:|---:|---|---:|---:|',
    `| ${b.staff.transitions} | ${b.staff.ok} | ${b.staff.unavailable} | ${Object.entries(b.staff.statuses)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ')} | ${b.staff.p50} | ${b.staff.p95} |`,
  ];
}

/** Submission, lookup and burst targets of one API run (local or remote-D1), as target rows. */
function writeTargets(api, b, where) {
  const rows = [];
  const at = (prefix, c) => api.find((x) => x.scenario.startsWith(prefix) && x.connections === c);
  /** The throughput target of one scenario at 8 and 32 connections: its ratio to the bare endpoint. */
  const throughput = (prefix, what, target) => {
    for (const c of [8, 32]) {
      const r = at(prefix, c);
      if (r) rows.push([`${what} throughput ≥ ${target}× bare (c=${c})${where}`, `${r.ratio}×`, r.ratio >= target]);
    }
  };
  throughput('submit', 'submission', TARGETS.submitRatio);
  const s32 = at('submit', 32);
  const b32 = at('bare', 32);
  if (s32 && b32)
    rows.push([
      `submission p99 ≤ ${TARGETS.submitP99Times}× bare p99 (c=32)${where}`,
      `${s32.p99} ms vs ${b32.p99} ms (${(s32.p99 / b32.p99).toFixed(1)}×)`,
      s32.p99 <= TARGETS.submitP99Times * b32.p99,
    ]);
  throughput('lookup', 'lookup', TARGETS.lookupRatio);
  if (b) {
    rows.push([
      `burst: all ${b.total} accepted, 0 errors${where}`,
      `${b.accepted} accepted, ${b.distinctReceipts} distinct receipts, ${b.errors} errors`,
      b.accepted === b.total && b.errors === 0 && b.distinctReceipts === b.total,
    ]);
    rows.push([
      `staff transitions during the burst: 0 UNAVAILABLE${where}`,
      `${b.staff.ok}/${b.staff.transitions} succeeded, ${b.staff.unavailable} UNAVAILABLE`,
      b.staff.unavailable === 0 && b.staff.ok === b.staff.transitions,
    ]);
  }
  return rows;
}

export function scaleMarkdown(count, plans, timings) {
  return [
    `## Scale: ${count.toLocaleString('en')} tips`,
    '',
    'Tips generated straight into the local D1 (two years, weighted over domains, 镇街 and states; see',
    'scripts/bench/scale.mjs), then each endpoint timed one request at a time through the running Worker.',
    '"End to end" is what the load generator sees; "in Worker" is the Worker\'s own `Server-Timing` (the handler',
    'with its D1 queries, without the local HTTP transport; the bench runs the Worker with `SERVER_TIMING=1`).',
    '',
    '| endpoint | end-to-end p50 ms | end-to-end p95 ms | in-Worker p50 ms | in-Worker p95 ms | requests | statuses |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...timings.map(
      (t) =>
        `| ${t.name} | ${t.p50} | ${t.p95} | ${t.workerP50 ?? '–'} | ${t.workerP95 ?? '–'} | ${t.requests} | ${Object.entries(
          t.statuses,
        )
          .map(([k, v]) => `${k}×${v}`)
          .join(' ')} |`,
    ),
    '',
    '### Query plans of the hot queries',
    '',
    '| query | plan | full scan of tips? |',
    '|---|---|---|',
    ...plans.map(
      (p) => `| ${p.name} | ${p.plan.join(' → ').replaceAll('|', '\\|')} | ${p.fullScan ? '**yes**' : 'no'} |`,
    ),
  ];
}

/** The targets of issue #8, each with the measured figure, met or missed, and (when missed) why. */
export function targets(r) {
  const rows = [];
  // Judged on the end-to-end figure; the in-Worker figure says how much of it is the portal's own work.
  // The bare endpoint's own p95 in the same scale run: what the local transport costs before the portal does anything.
  const bareScale = (r.scale?.timings ?? []).find((x) => x.name.startsWith('bare'));
  const both = (t) =>
    `${t.p95} ms end to end${t.workerP95 !== undefined ? ` (${t.workerP95} ms in Worker` : ''}${bareScale ? `${t.workerP95 !== undefined ? '; ' : ' ('}bare endpoint ${bareScale.p95} ms)` : t.workerP95 !== undefined ? ')' : ''}`;
  if (r.api) rows.push(...writeTargets(r.api, r.burst, ''));
  if (r.remote)
    rows.push(...writeTargets(r.remote.api, r.remote.burst, `, +${r.remote.latencyMs} ms per D1 round trip`));
  const timings = r.scale?.timings ?? [];
  const count = r.scale?.count?.toLocaleString('en') ?? '?';
  for (const t of timings.filter((x) => x.name.startsWith('staff queue'))) {
    rows.push([`${t.name} p95 ≤ ${TARGETS.queueP95} ms at ${count} tips`, both(t), t.p95 <= TARGETS.queueP95]);
  }
  for (const t of timings.filter((x) => /public\/stats/.test(x.name))) {
    rows.push([`${t.name} p95 ≤ ${TARGETS.statsP95} ms at ${count} tips`, both(t), t.p95 <= TARGETS.statsP95]);
  }
  if (r.bundle)
    rows.push([
      `Worker bundle ≤ ${TARGETS.bundleGzipKiB} KiB gzipped`,
      `${r.bundle.gzipKiB} KiB`,
      r.bundle.gzipKiB <= TARGETS.bundleGzipKiB,
    ]);
  const bare = timings.find((x) => x.name.startsWith('bare'));
  const out = [
    '## Targets',
    '',
    '| target | measured | |',
    '|---|---:|---|',
    ...rows.map(([a, b, ok]) => `| ${a} | ${b} | ${ok ? 'met' : '**missed**'} |`),
    '',
  ];
  const sub = (api, c) => api?.find((x) => x.scenario.startsWith('submit') && x.connections === c);
  if (r.api && rows.some((x) => !x[2] && x[0].startsWith('submission throughput'))) {
    const [s1, s8, s32] = [1, 8, 32].map((c) => sub(r.api, c)?.ratio);
    const remote1 = r.remote ? sub(r.remote.api, 1) : null;
    out.push(
      `Submission throughput: ${s1}× the bare endpoint at 1 connection, ${s8}× at 8 and ${s32}× at 32. The ratio no`,
      'longer falls with concurrency (with the old head-reading audit append it was 0.43×, 0.21× and 0.08×, p99 4.1 s),',
      `so writers do not wait on each other any more${r.burst && r.burst.accepted === r.burst.total && r.burst.errors === 0 && r.burst.staff.unavailable === 0 ? '; the burst and the staff transitions beside it all succeed' : ' (see the burst below)'}.`,
      "What is left is one submission's own work against a bare endpoint that does none: the Turnstile check, AES-GCM",
      'sealing of the receipt, HMACs of the query code, the idempotency key and the rate-limit key, and one D1 round',
      `trip (the guarded write batch)${remote1 ? ` — with +${r.remote.latencyMs} ms per round trip one submission alone takes p50 ${remote1.p50} ms` : ''}. On`,
      'two cores shared with the load generator (and, in this run, with other work on the machine: see the bare',
      "endpoint's own latency) that work, not contention, sets the ratio.",
      '',
    );
  }
  if (rows.some((x) => !x[2])) {
    out.push(
      'Where a target is missed: the load generator and `wrangler dev` (workerd, with D1 as a local SQLite file',
      'behind miniflare) share this 2-core machine, so every request pays local IPC and the generator competes',
      `for the same cores${bare ? ` — the bare endpoint alone takes p95 ${bare.p95} ms here` : ''}. The query plans below show`,
      'that the hot queries use indexes and never scan `tips`; compare each endpoint with the bare one of the same run.',
      '',
      'Lookup throughput: a lookup is one D1 round trip where the bare endpoint has none — it reads the',
      "client's failures and the number's tip, and, for the tip the number and code open, the view (status,",
      'timeline, messages, settings, reward, rating) — plus the HMACs of the rate-limit key and the code and a',
      'signed token. Only a failed check writes (it counts the failure on the number and the client). With many',
      'connections the local D1, one SQLite file behind one miniflare object shared with the load generator on',
      'two cores, serialises those reads; compare the staff queue, which also reads a page in one round trip.',
      '',
    );
  }
  return out;
}
