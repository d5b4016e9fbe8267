/**
 * Open311 GeoReport v2 reads: discovery, services, service definitions, requests (filters, the 90-day window,
 * ids) and single requests, in JSON (validated against the official schemas, unchanged) and XML (parsed
 * strictly), every error as `[{ code, description }]`, and no identity, free text, exact place or query code
 * in any answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { SERVICES } from '../../worker/services/open311';
import { createPartner } from '../../worker/services/partners';
import { addMonths, chinaMonth, monthStart } from '../../worker/services/stats';
import {
  child,
  DAY,
  handledTip,
  leaks,
  o311,
  parseXml,
  schemas,
  trackingNumbersIn,
  type BuiltTip,
} from '../support/open311';

/** A partner's key: `p311` reads as the partner (full detail), `o311` as the public. */
let partnerKey = '';
const withKey = (path: string) => `${path}${path.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(partnerKey)}`;
const p311 = (path: string, init: RequestInit = {}) => o311(withKey(path), init);

const json = async (res: Response) => JSON.parse(await res.text()) as any;

/** An error answer in the spec's shape, with the HTTP status as each code. */
async function expectError(res: Response, status: number, format: 'json' | 'xml' = 'json'): Promise<string[]> {
  expect(res.status).toBe(status);
  const text = await res.text();
  if (format === 'json') {
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = JSON.parse(text) as { code: number; description: string }[];
    expect(Array.isArray(body) && body.length > 0).toBe(true);
    for (const e of body) {
      expect(Object.keys(e).sort()).toEqual(['code', 'description']);
      expect(e.code).toBe(status);
      expect(e.description.length).toBeGreaterThan(2);
    }
    return body.map((e) => e.description);
  }
  expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
  const root = parseXml(text);
  expect(root.name).toBe('errors');
  expect(root.children.length).toBeGreaterThan(0);
  for (const e of root.children) {
    expect(e.name).toBe('error');
    expect(e.children.map((x) => x.name)).toEqual(['code', 'description']);
    expect(child(e, 'code').text).toBe(String(status));
  }
  return root.children.map((e) => child(e, 'description').text);
}

const DAY_STAMP = /^\d{4}-\d{2}-\d{2}T00:00:00\+08:00$/;

describe('Open311 GeoReport v2 (reads; the partner view where requests are listed)', () => {
  const now = Date.now();
  const t: Record<string, BuiltTip> = {};
  const codes: string[] = [];
  beforeAll(async () => {
    partnerKey = (await createPartner(env, { name: '区 12345 热线', actorId: 'staff-admin-1' })).apiKey;
    t.concluded = await handledTip({
      at: now - 20 * DAY,
      outcome: 'concluded',
      days: 5,
      secret: true,
      tip: { domain: 'hazchem', type: 'major_hazard' },
    });
    t.rejected = await handledTip({ at: now - 10 * DAY, outcome: 'rejected', secret: true });
    t.verifying = await handledTip({
      at: now - 5 * DAY,
      outcome: 'verifying',
      secret: true,
      tip: { domain: 'fire', townId: 'qudi' },
    });
    t.pending = await handledTip({ at: now - DAY, secret: true });
    t.old = await handledTip({ at: now - 120 * DAY, outcome: 'concluded', days: 3 });
    codes.push(...Object.values(t).map((x) => x.queryCode));
  });

  it('the official schemas are live: they reject documents the spec does not allow', () => {
    expect(
      schemas.requests([
        { service_request_id: 1, status: 'pending', service_code: 'x', requested_datetime: 'yesterday' },
      ]).length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      schemas.requests([
        { service_request_id: 'a', status: 'open', service_code: 'x', requested_datetime: '2026-11-22T10:00:00' },
      ]),
    ).not.toEqual([]);
    expect(
      schemas.services([{ service_code: 'x', service_name: 'y', metadata: 'no', type: 'sometimes' }]).length,
    ).toBeGreaterThanOrEqual(2);
    expect(
      schemas.serviceDefinition({
        service_code: 'x',
        attributes: [{ variable: true, code: 'a', datatype: 'colour', required: true }],
      }),
    ).not.toEqual([]);
  });

  it('GET /open311/v2/discovery.json and .xml name the v2 endpoint and both formats', async () => {
    const res = await o311('discovery.json');
    expect(res.status).toBe(200);
    const d = await json(res);
    expect(d.endpoints).toEqual([
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: 'http://localhost/open311/v2',
        changeset: d.changeset,
        type: 'production',
        formats: ['application/json', 'text/xml'],
      },
    ]);
    expect(d.changeset).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const x = parseXml(await (await o311('discovery.xml')).text());
    expect(x.name).toBe('discovery');
    const endpoint = child(child(x, 'endpoints'), 'endpoint');
    expect(child(endpoint, 'url').text).toBe('http://localhost/open311/v2');
    expect(child(endpoint, 'formats').children.map((f) => [f.name, f.text])).toEqual([
      ['format', 'application/json'],
      ['format', 'text/xml'],
    ]);
  });

  it('GET /open311/v2/services.json lists a service per tip type × domain, valid against services.json', async () => {
    const res = await o311('services.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60, s-maxage=60');
    const body = await json(res);
    expect(schemas.services(body)).toEqual([]);
    expect(body).toHaveLength(60);
    expect(new Set(body.map((s: any) => s.service_code)).size).toBe(60);
    expect(body.find((s: any) => s.service_code === 'general_hazard-gas')).toEqual({
      service_code: 'general_hazard-gas',
      service_name: '燃气：一般事故隐患',
      description: '举报燃气领域的一般事故隐患',
      metadata: true,
      type: 'realtime',
      keywords: '一般事故隐患,燃气,安全生产,隐患举报',
      group: '燃气',
    });
  });

  it('GET /open311/v2/services.xml carries the same services as <services><service>', async () => {
    const res = await o311('services.xml');
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const x = parseXml(await res.text());
    expect(x.name).toBe('services');
    expect(x.children.map((s) => s.name)).toEqual(SERVICES.map(() => 'service'));
    expect(x.children.map((s) => child(s, 'service_code').text)).toEqual(SERVICES.map((s) => s.service_code));
    expect(child(x.children[0]!, 'metadata').text).toBe('true');
  });

  it('GET /open311/v2/services/{code}.json is a service definition valid against service-definition.json', async () => {
    const body = await json(await o311('services/major_hazard-hazchem.json'));
    expect(schemas.serviceDefinition(body)).toEqual([]);
    expect(body.service_code).toBe('major_hazard-hazchem');
    expect(body.attributes.map((a: any) => [a.code, a.required])).toEqual([
      ['instructions', false],
      ['unit_name', true],
      ['town', true],
      ['is_employee', true],
      ['seen_at', false],
    ]);
    const town = body.attributes.find((a: any) => a.code === 'town');
    expect(town.values).toContainEqual({ key: 'jiyang', name: '济阳街道' });
    const x = parseXml(await (await o311('services/major_hazard-hazchem.xml')).text());
    expect(x.name).toBe('service_definition');
    const attrs = child(x, 'attributes').children;
    expect(attrs.map((a) => child(a, 'code').text)).toEqual([
      'instructions',
      'unit_name',
      'town',
      'is_employee',
      'seen_at',
    ]);
    expect(child(attrs[2]!, 'values').children[0]!.children.map((c) => c.name)).toEqual(['key', 'name']);
  });

  it('GET /open311/v2/services/{unknown}.json and .xml → 404 in the spec error shape', async () => {
    await expectError(await o311('services/nope-gas.json'), 404);
    await expectError(await o311('services/general_hazard-gas-extra.xml'), 404, 'xml');
  });

  it('GET /open311/v2/requests.json with a partner key: the last 90 days, newest first, valid, safe, never cached', async () => {
    const res = await p311('requests.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const text = await res.text();
    const body = JSON.parse(text);
    expect(schemas.requests(body)).toEqual([]);
    expect(body.map((r: any) => r.service_request_id)).toEqual(
      [t.pending, t.verifying, t.rejected, t.concluded].map((x) => x!.publicId),
    );
    const [pending, verifying, rejected, concluded] = body;
    expect(pending).toMatchObject({
      status: 'open',
      status_notes: '待受理',
      service_code: 'general_hazard-gas',
      address: '济阳街道',
      address_id: 'jiyang',
      agency_responsible: null,
      expected_datetime: null,
    });
    expect(verifying).toMatchObject({
      status: 'open',
      status_notes: '核查中',
      address: '曲堤街道',
      agency_responsible: '区应急管理局',
      service_name: '消防：一般事故隐患',
    });
    expect(verifying.expected_datetime).toMatch(DAY_STAMP);
    expect(verifying.service_notice).toMatch(/^法定办结期限：\d{4}-\d{2}-\d{2}$/);
    expect(rejected).toMatchObject({ status: 'closed', status_notes: '不予受理：不属于安全生产举报范围' });
    expect(concluded).toMatchObject({
      status: 'closed',
      status_notes: '已办结（核查结论：属实）',
      service_code: 'major_hazard-hazchem',
      expected_datetime: null,
    });
    for (const r of body) {
      expect(r).toMatchObject({ description: null, lat: null, long: null, zipcode: null, media_url: null });
      expect(r.requested_datetime).toMatch(DAY_STAMP);
      expect(r.updated_datetime).toMatch(DAY_STAMP);
      expect(typeof r.service_request_id).toBe('string');
    }
    expect(leaks(text, codes)).toEqual([]);
    expect(trackingNumbersIn(text, Object.values(t))).toEqual([]);
  });

  it('GET /open311/v2/requests.xml has the same requests as <service_requests><request>, every spec element present', async () => {
    const text = await (await p311('requests.xml')).text();
    const x = parseXml(text);
    expect(x.name).toBe('service_requests');
    expect(x.children.map((r) => child(r, 'service_request_id').text)).toEqual(
      [t.pending, t.verifying, t.rejected, t.concluded].map((v) => v!.publicId),
    );
    expect(x.children[0]!.children.map((c) => c.name)).toEqual([
      'service_request_id',
      'status',
      'status_notes',
      'service_name',
      'service_code',
      'description',
      'agency_responsible',
      'service_notice',
      'requested_datetime',
      'updated_datetime',
      'expected_datetime',
      'address',
      'address_id',
      'zipcode',
      'lat',
      'long',
      'media_url',
    ]);
    expect(child(x.children[3]!, 'status').text).toBe('closed');
    expect(child(x.children[0]!, 'description').text).toBe('');
    expect(leaks(text, codes)).toEqual([]);
  });

  it('GET /open311/v2/requests.json?status=… filters open and closed; both at once is everything', async () => {
    const ids = async (q: string) =>
      (await json(await p311(`requests.json?${q}`))).map((r: any) => r.service_request_id);
    expect(await ids('status=open')).toEqual([t.pending, t.verifying].map((x) => x!.publicId));
    expect(await ids('status=closed')).toEqual([t.rejected, t.concluded].map((x) => x!.publicId));
    expect(await ids('status=open,closed')).toHaveLength(4);
    const errors = await expectError(await p311('requests.json?status=done'), 400);
    expect(errors[0]).toContain('status');
  });

  it('GET /open311/v2/requests.json?service_code=… filters by service; an unknown code → 400', async () => {
    const body = await json(await p311('requests.json?service_code=major_hazard-hazchem,general_hazard-fire'));
    expect(schemas.requests(body)).toEqual([]);
    expect(body.map((r: any) => r.service_request_id)).toEqual([t.verifying, t.concluded].map((x) => x!.publicId));
    expect((await expectError(await p311('requests.json?service_code=pothole'), 400))[0]).toContain('pothole');
  });

  it('GET /open311/v2/requests.json with start_date/end_date: within 90 days; a start alone opens 90 days from it', async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const q = (s: string) => p311(`requests.json?${s}`);
    const oldOnly = await json(
      await q(
        `start_date=${encodeURIComponent(iso(now - 125 * DAY))}&end_date=${encodeURIComponent(iso(now - 100 * DAY))}`,
      ),
    );
    expect(schemas.requests(oldOnly)).toEqual([]);
    expect(oldOnly.map((r: any) => r.service_request_id)).toEqual([t.old!.publicId]);
    const fromStart = await json(await q(`start_date=${encodeURIComponent(iso(now - 121 * DAY))}`));
    // 121 days ago + 90 days = 31 days ago: the old tip (120 days) is in, the 20-day-old one is not.
    expect(fromStart.map((r: any) => r.service_request_id)).toEqual([t.old!.publicId]);
    const toEnd = await json(await q(`end_date=${encodeURIComponent(iso(now - 15 * DAY))}`));
    expect(toEnd.map((r: any) => r.service_request_id)).toEqual([t.concluded!.publicId]); // 105…15 days ago
    const exactly90 = await q(`start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-04-01T00:00:00%2B08:00`);
    expect(exactly90.status).toBe(200);
    expect(await exactly90.json()).toEqual([]);
  });

  it.each([
    ['a span over 90 days', 'start_date=2026-01-01T00:00:00Z&end_date=2026-04-01T00:00:01Z', '90'],
    ['end before start', 'start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z', 'end_date'],
    ['a date without zone', 'start_date=2026-03-01T00:00:00', 'start_date'],
    ['a date that is not one', 'end_date=yesterday', 'end_date'],
  ])('GET /open311/v2/requests.{json,xml} with %s → 400', async (_what, query, mention) => {
    expect((await expectError(await p311(`requests.json?${query}`), 400)).join(' ')).toContain(mention);
    expect((await expectError(await p311(`requests.xml?${query}`), 400, 'xml')).join(' ')).toContain(mention);
  });

  it('GET /open311/v2/requests.json?service_request_id=… lists those ids and ignores every other filter', async () => {
    const ids = [t.old!.publicId, t.pending!.publicId.toLowerCase(), 'GK-00000-00000', 'not-an-id'].join(',');
    const body = await json(
      await p311(`requests.json?service_request_id=${encodeURIComponent(ids)}&status=bogus&start_date=x`),
    );
    expect(schemas.requests(body)).toEqual([]);
    expect(body.map((r: any) => r.service_request_id)).toEqual([t.pending, t.old].map((x) => x!.publicId));
    const many = Array.from({ length: 101 }, () => t.old!.publicId).join(',');
    await expectError(await p311(`requests.json?service_request_id=${many}`), 400);
  });

  it('GET /open311/v2/requests/{id}.json and .xml: one request; unknown and malformed ids → 404', async () => {
    const res = await p311(`requests/${t.concluded!.publicId}.json`);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(schemas.requests(body)).toEqual([]);
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ service_request_id: t.concluded!.publicId, status: 'closed' });
    expect(leaks(text, codes)).toEqual([]);
    const x = parseXml(await (await p311(`requests/${t.concluded!.publicId}.xml`)).text());
    expect(x.children.map((r) => child(r, 'service_request_id').text)).toEqual([t.concluded!.publicId]);
    await expectError(await p311('requests/GK-00000-00000.json'), 404);
    await expectError(await p311('requests/nonsense.xml'), 404, 'xml');
  });

  it('unknown resources, a missing format and other methods → 404 in the spec error shape', async () => {
    await expectError(await o311('services'), 404);
    await expectError(await o311('potholes.json'), 404);
    await expectError(await o311('potholes.xml'), 404, 'xml');
    await expectError(await p311('requests.json', { method: 'DELETE' }), 404);
    await expectError(await o311('a/b/c/d.xml'), 404, 'xml');
    expect((await o311('services.json')).headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('XML escapes what it carries: a town named with markup stays text', async () => {
    await env.DB.prepare(`INSERT INTO towns (id, name, active, sort) VALUES ('x-town', '<b>&"镇"''</b>', 1, 99)`).run();
    const text = await (await o311('services/general_hazard-gas.xml')).text();
    expect(text).toContain('<name>&lt;b&gt;&amp;&quot;镇&quot;&apos;&lt;/b&gt;</name>');
    const town = child(child(parseXml(text), 'attributes'), 'attribute');
    expect(town.name).toBe('attribute');
    await env.DB.prepare(`DELETE FROM towns WHERE id = 'x-town'`).run();
  });
});

describe('Open311 GET for the public: no tracking numbers, the small-count rule, a cache keyed on what it takes', () => {
  const now = Date.now();
  // A month long ended (before every tip of the partner-view tests above), its tips a few hours apart.
  const month = chinaMonth(now - 200 * DAY);
  const at = (h: number) => monthStart(month) + 3 * DAY + h * 3_600_000;
  const range = `start_date=${encodeURIComponent(new Date(monthStart(month) - DAY).toISOString())}&end_date=${encodeURIComponent(new Date(monthStart(month) + 20 * DAY).toISOString())}`;
  const all: BuiltTip[] = [];
  const big: BuiltTip[] = []; // 6 × general_hazard-gas, 5 of them in 济阳街道
  const small: BuiltTip[] = []; // 2 × major_hazard-fireworks: fewer than 5 in the month
  let current: BuiltTip;
  beforeAll(async () => {
    partnerKey ||= (await createPartner(env, { name: '区 12345 热线（公开查询测试）', actorId: 'staff-admin-1' }))
      .apiKey;
    for (let i = 0; i < 6; i++) {
      big.push(
        await handledTip({
          at: at(i),
          outcome: i % 2 ? 'verifying' : 'concluded',
          secret: true,
          tip: { domain: 'gas', type: 'general_hazard', townId: i < 5 ? 'jiyang' : 'qudi' },
        }),
      );
    }
    for (let i = 0; i < 2; i++) {
      small.push(
        await handledTip({ at: at(10 + i), secret: true, tip: { domain: 'fireworks', type: 'major_hazard' } }),
      );
    }
    // This month's tip: not public before the month has ended, however the query is put.
    current = await handledTip({ at: now - 60_000, secret: true, tip: { domain: 'gas', type: 'general_hazard' } });
    all.push(...big, ...small, current);
  });

  it('lists ended months only, dates to the month, no deadline, in public-id order; 镇街 only in groups of 5', async () => {
    const res = await o311(`requests.json?${range}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60, s-maxage=60');
    const text = await res.text();
    const body = JSON.parse(text) as any[];
    expect(schemas.requests(body)).toEqual([]);
    // The 2 mine tips (a group under 5) are not listed at all; the 6 gas tips are, under their public ids.
    expect(body.map((r) => r.service_request_id)).toEqual(big.map((b) => b.publicId).sort());
    for (const r of body) {
      expect(r.requested_datetime).toBe(`${month}-01T00:00:00+08:00`);
      expect(r.updated_datetime).toMatch(/^\d{4}-\d{2}-01T00:00:00\+08:00$/);
      expect(r).toMatchObject({ expected_datetime: null, service_notice: null, lat: null, long: null });
    }
    const byId = new Map(body.map((r) => [r.service_request_id, r]));
    for (const b of big.slice(0, 5))
      expect(byId.get(b.publicId)).toMatchObject({ address: '济阳街道', address_id: 'jiyang' });
    // The one gas tip in 曲堤街道 would be alone there: somewhere in the district.
    expect(byId.get(big[5]!.publicId)).toMatchObject({ address: null, address_id: null });
    expect(trackingNumbersIn(text, all)).toEqual([]);
    expect(
      leaks(
        text,
        all.map((x) => x.queryCode),
      ),
    ).toEqual([]);
    const xml = await (await o311(`requests.xml?${range}`)).text();
    expect(trackingNumbersIn(xml, all)).toEqual([]);
  });

  it('a filter cannot make a small group look large, nor bisect a month by date', async () => {
    const mine = await (await o311(`requests.json?${range}&service_code=major_hazard-fireworks`)).json();
    expect(mine).toEqual([]);
    // A range that starts mid-month selects by the published (month) date: the month is out entirely.
    const mid = `start_date=${encodeURIComponent(new Date(at(3)).toISOString())}&end_date=${encodeURIComponent(new Date(at(3) + 30 * DAY).toISOString())}`;
    expect(await (await o311(`requests.json?${mid}`)).json()).toEqual([]);
    // service_request_id answers only what the list would show.
    const ids = [big[0]!.publicId, small[0]!.publicId, current.publicId].join(',');
    const byIds = (await (await o311(`requests.json?service_request_id=${encodeURIComponent(ids)}`)).json()) as any[];
    expect(byIds.map((r) => r.service_request_id)).toEqual([big[0]!.publicId]);
    expect((await o311(`requests/${small[0]!.publicId}.json`)).status).toBe(404);
    expect((await o311(`requests/${current.publicId}.json`)).status).toBe(404);
    // The current month is not listed by default either; the partner sees it at once, with its day.
    const recent = (await (await o311('requests.json')).json()) as any[];
    expect(recent.map((r) => r.service_request_id)).not.toContain(current.publicId);
    const partner = (await (await p311(`requests/${current.publicId}.json`)).json()) as any[];
    expect(partner[0].requested_datetime).toMatch(DAY_STAMP);
  });

  it('a tracking number is not an id here: listed or asked for, it finds nothing', async () => {
    const asked = (await (
      await o311(`requests.json?service_request_id=${encodeURIComponent(big[0]!.trackingNo)}`)
    ).json()) as any[];
    expect(asked).toEqual([]);
    expect((await o311(`requests/${big[0]!.trackingNo}.json`)).status).toBe(404);
    expect((await p311(`requests/${big[0]!.trackingNo}.json`)).status).toBe(404);
  });

  it('a refused api_key → 403; a partner answer is never stored at the edge', async () => {
    const res = await o311(`requests.json?${range}&api_key=aq311_nope`);
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    const first = await p311(`requests.json?${range}`);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    await first.arrayBuffer();
    await new Promise((r) => setTimeout(r, 50));
    const again = await p311(`requests.json?${range}`);
    expect(again.headers.get('x-edge-cache')).toBeNull();
    await again.arrayBuffer();
  });

  it('the edge cache is keyed on the checked query: unknown parameters, list order and same-month dates share one entry', async () => {
    const q = `requests.json?service_code=general_hazard-gas,major_hazard-fireworks&${range}`;
    const text = await (await o311(q)).text();
    let again: Response | undefined;
    for (let i = 0; i < 20; i++) {
      again = await o311(q);
      if (again.headers.get('x-edge-cache') === 'hit') break;
      await again.arrayBuffer();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(again!.headers.get('x-edge-cache')).toBe('hit');
    await again!.arrayBuffer();
    const variants = [
      `${q}&x=${crypto.randomUUID()}`,
      `requests.json?${range}&service_code=major_hazard-fireworks,general_hazard-gas,general_hazard-gas&jurisdiction_id=${crypto.randomUUID()}`,
      // Other dates that select the same (single) month.
      `requests.json?service_code=general_hazard-gas,major_hazard-fireworks&start_date=${encodeURIComponent(new Date(monthStart(month) - 2 * DAY).toISOString())}&end_date=${encodeURIComponent(new Date(monthStart(addMonths(month, 1)) - DAY).toISOString())}`,
    ];
    for (const v of variants) {
      const res = await o311(v);
      expect(res.headers.get('x-edge-cache'), v).toBe('hit');
      expect(await res.text(), v).toBe(text);
    }
  });
});
