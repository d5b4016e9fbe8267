/**
 * Request specs that need a little setup on the server under test: a real tip to look up (number + code) and a
 * signed-in 受理员 for the staff queue, and the public reads (statistics, Open311) that partners and the 数据公开 page make. Used by the API load bench and the 1,000,000-tip scale bench.
 */
import { DEMO_PASSWORD } from '../demo-staff.mjs';
import { tipBody } from './api.mjs';

let n = 0;
const clientIp = () => `2001:db8:beef:${(++n % 65535).toString(16)}::1`;

export async function prepareScenes(url) {
  const res = await fetch(`${url}/api/tips`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': '2001:db8:beef::1' },
    body: tipBody(),
  });
  if (res.status !== 201) throw new Error(`bench tip: ${res.status} ${await res.text()}`);
  const { trackingNo, queryCode } = await res.json();
  const login = await fetch(`${url}/api/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'shouli', password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`bench login: ${login.status} ${await login.text()}`);
  const cookie = /__Host-aq_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')[0];
  const handlerLogin = await fetch(`${url}/api/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'yjj', password: DEMO_PASSWORD }),
  });
  const handlerCookie = /__Host-aq_session=[^;]+/.exec(handlerLogin.headers.get('set-cookie') ?? '')[0];
  // Open311 lists tips under public ids (never tracking numbers), and the public only those of ended months in
  // groups of five: time one the list shows (none on a database without such a month: the scene is left out).
  const listed = await fetch(`${url}/open311/v2/requests.json`).then((r) => (r.ok ? r.json() : []));
  const publicId = listed[0]?.service_request_id;
  const scenes = {
    'lookup (POST /api/track)': {
      method: 'POST',
      path: '/api/track',
      // Each lookup from its own address: the per-client limit is for guessers, not for this load.
      headers: () => ({ 'content-type': 'application/json', 'cf-connecting-ip': clientIp() }),
      body: JSON.stringify({ trackingNo, queryCode }),
    },
    'staff queue, first page (GET /api/staff/tips)': { method: 'GET', path: '/api/staff/tips', headers: { cookie } },
    'staff queue, one domain (GET /api/staff/tips?domain=gas)': {
      method: 'GET',
      path: '/api/staff/tips?domain=gas',
      headers: { cookie },
    },
    'staff queue, 承办员 (GET /api/staff/tips as yjj)': {
      method: 'GET',
      path: '/api/staff/tips',
      headers: { cookie: handlerCookie },
    },
    // Public reads, each from its own address. Both are cached at the edge for a minute, as in production.
    'public stats (GET /api/public/stats)': {
      method: 'GET',
      path: '/api/public/stats',
      headers: () => ({ 'cf-connecting-ip': clientIp() }),
    },
    'Open311 list (GET /open311/v2/requests.json)': {
      method: 'GET',
      path: '/open311/v2/requests.json?status=open',
      headers: () => ({ 'cf-connecting-ip': clientIp() }),
    },
  };
  if (publicId) {
    scenes['Open311 one (GET /open311/v2/requests/{id}.json)'] = {
      method: 'GET',
      path: `/open311/v2/requests/${publicId}.json`,
      headers: () => ({ 'cf-connecting-ip': clientIp() }),
    };
  }
  return scenes;
}
