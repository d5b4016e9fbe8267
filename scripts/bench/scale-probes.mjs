/**
 * The endpoints timed on the large database. Each probe returns a request spec, or null when the endpoint
 * does not exist in this build (so the bench keeps working while features land).
 */
const exists = async (url) => (await fetch(url, { method: 'GET' }).then((r) => r.status !== 404).catch(() => false));

export async function probes(base) {
  const out = [];
  out.push({ name: 'bare GET /api/ping (baseline)', spec: { method: 'GET', path: '/api/ping' } });
  if (await exists(`${base}/api/public/stats`)) out.push({ name: 'GET /api/public/stats', spec: { method: 'GET', path: '/api/public/stats' } });
  return out;
}
