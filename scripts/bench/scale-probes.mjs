/**
 * The endpoints timed on the large database besides the scenes of scenes.mjs (lookup, staff queue, public
 * statistics, Open311): the bare endpoint every figure is compared with.
 */
export async function probes() {
  return [{ name: 'bare GET /api/ping (baseline)', spec: { method: 'GET', path: '/api/ping' } }];
}
