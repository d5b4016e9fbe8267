/**
 * The burst after an accident: `total` submissions with `inFlight` in flight at once, each from a client of its
 * own (its own cf-connecting-ip, as hundreds of phones would be), while staff act on tips at the same moment.
 * Reports accepted submissions, distinct receipts, errors and p50/p95/p99, and the staff transitions made
 * during the burst with how many answered UNAVAILABLE (the audit log must never make a writer give up).
 */
import { DEMO_PASSWORD } from '../demo-staff.mjs';
import { tipBody } from './api.mjs';
import { percentile } from './load.mjs';

let n = 0;
const clientIp = () => `2001:db8:b0:${(++n % 65535).toString(16)}::${(n >> 16) + 1}`;
const r2 = (x) => Math.round(x * 100) / 100;

async function submit(url) {
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}/api/tips`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cf-connecting-ip': clientIp(),
        'idempotency-key': crypto.randomUUID(),
      },
      body: tipBody(),
    });
    const body = await res.json().catch(() => null);
    return { status: res.status, ms: performance.now() - t0, trackingNo: body?.trackingNo, code: body?.error?.code };
  } catch (e) {
    return { status: 0, ms: performance.now() - t0, error: String(e) };
  }
}

async function signIn(url, username) {
  const res = await fetch(`${url}/api/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`bench login ${username}: ${res.status} ${await res.text()}`);
  const cookie = /__Host-aq_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')[0];
  const { csrfToken } = await res.json();
  return (path, json) =>
    fetch(`${url}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
}

/**
 * @param {string} url
 * @param {{ total?: number, inFlight?: number, staffTips?: number }} opts
 */
export async function burst(url, { total = 300, inFlight = 100, staffTips = 20 } = {}) {
  // Before the burst: tips for the staff to act on, found through the staff queue.
  const dispatcher = await signIn(url, 'shouli');
  const tips = [];
  for (let i = 0; i < staffTips; i++) {
    const s = await submit(url);
    if (s.status !== 201) throw new Error(`burst setup: submission ${s.status} ${s.code ?? s.error ?? ''}`);
    const q = await dispatcher(`/api/staff/tips?view=all&q=${encodeURIComponent(s.trackingNo)}`);
    const { rows } = await q.json();
    tips.push({ id: rows[0].id, version: rows[0].version });
  }

  // The burst, and staff accepting then assigning each tip (two transitions a tip) while it runs.
  const results = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      results.push(await submit(url));
    }
  };
  const staff = [];
  const act = async (tip) => {
    for (const [action, input] of [
      ['accept', {}],
      ['assign', { departmentId: 'yjj' }],
    ]) {
      const t = performance.now();
      const res = await dispatcher(`/api/staff/tips/${tip.id}/actions/${action}`, { version: tip.version, input });
      const body = await res.json().catch(() => null);
      staff.push({ status: res.status, code: body?.error?.code, ms: performance.now() - t });
      if (res.ok) tip.version = body.version;
      else break;
    }
  };
  const staffDuring = (async () => {
    // Spread over the burst: a transition pair every few milliseconds once the burst is under way.
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(tips.map((tip, i) => new Promise((r) => setTimeout(r, i * 20)).then(() => act(tip))));
  })();
  await Promise.all([...Array.from({ length: inFlight }, worker), staffDuring]);
  const wallSeconds = (performance.now() - t0) / 1000;

  const ms = results.map((x) => x.ms).sort((a, b) => a - b);
  const statuses = {};
  for (const x of results) statuses[x.status] = (statuses[x.status] ?? 0) + 1;
  const staffStatuses = {};
  for (const x of staff) staffStatuses[x.status] = (staffStatuses[x.status] ?? 0) + 1;
  const staffMs = staff.map((x) => x.ms).sort((a, b) => a - b);
  return {
    total,
    inFlight,
    accepted: results.filter((x) => x.status === 201).length,
    distinctReceipts: new Set(results.filter((x) => x.trackingNo).map((x) => x.trackingNo)).size,
    errors: results.filter((x) => x.status !== 201).length,
    unavailable: results.filter((x) => x.code === 'UNAVAILABLE').length,
    statuses,
    p50: r2(percentile(ms, 50)),
    p95: r2(percentile(ms, 95)),
    p99: r2(percentile(ms, 99)),
    wallSeconds: r2(wallSeconds),
    staff: {
      transitions: staff.length,
      ok: staff.filter((x) => x.status === 200).length,
      unavailable: staff.filter((x) => x.code === 'UNAVAILABLE').length,
      statuses: staffStatuses,
      p50: r2(percentile(staffMs, 50)),
      p95: r2(percentile(staffMs, 95)),
    },
  };
}

export function burstLine(b) {
  return `  burst ${b.total} (${b.inFlight} in flight): ${b.accepted} accepted, ${b.distinctReceipts} distinct receipts, ${b.errors} errors (${b.unavailable} UNAVAILABLE), p50 ${b.p50} / p95 ${b.p95} / p99 ${b.p99} ms, ${b.wallSeconds} s; staff ${b.staff.ok}/${b.staff.transitions} transitions ok, ${b.staff.unavailable} UNAVAILABLE`;
}
