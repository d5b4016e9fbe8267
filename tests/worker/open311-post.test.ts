/**
 * Open311 writes: partner API keys (issued once, stored as an HMAC, audited, revocable), POST requests
 * (form-encoded, mapped onto the same submission rules as the web form), the query code returned once,
 * tokens, idempotent retries, the per-partner rate limit, and every refusal as `[{ code, description }]`
 * with nothing written.
 */
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashQueryCode, parseQueryCode, parseTrackingNo } from '../../worker/services/codes';
import { createPartner, listPartners, partnerForKey, setPartnerActive } from '../../worker/services/partners';
import { counts } from '../support/tips';
import { child, form, leaks, o311, o311Post, parseXml, schemas, SECRET_TEXT } from '../support/open311';

async function errorsOf(res: Response, status: number): Promise<string[]> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { code: number; description: string }[];
  for (const e of body) expect(e.code).toBe(status);
  return body.map((e) => e.description);
}

describe('Open311 partners', () => {
  it('createPartner returns the key once and stores only its HMAC; the audit names who did it, never the key', async () => {
    const p = await createPartner(env, { name: '  区 12345 热线  ', actorId: 'staff-admin-1' });
    expect(p.name).toBe('区 12345 热线');
    expect(p.apiKey).toMatch(/^aq311_[0-9A-HJKMNP-TV-Z]{40}$/);
    const row = await env.DB.prepare('SELECT * FROM partners WHERE id = ?').bind(p.id).first<Record<string, unknown>>();
    expect(row!.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(p.apiKey.slice(6));
    const audit = await env.DB.prepare("SELECT actor, detail FROM audit_log WHERE action = 'partner.created'").all<{
      actor: string;
      detail: string;
    }>();
    expect(audit.results.at(-1)!.actor).toBe('staff-admin-1');
    expect(JSON.stringify(audit.results)).not.toContain(p.apiKey.slice(6));
    expect(await partnerForKey(env, p.apiKey)).toEqual({ id: p.id, name: '区 12345 热线' });
    expect(JSON.stringify(await listPartners(env))).not.toMatch(/aq311_|[0-9a-f]{64}/);
  });

  it('createPartner refuses a name that is too short', async () => {
    await expect(createPartner(env, { name: ' x ', actorId: 'a' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: [{ path: 'name' }],
    });
  });

  it('a disabled partner is refused at once; enabling it again restores access; unknown ids → NOT_FOUND', async () => {
    const p = await createPartner(env, { name: '市政务服务平台', actorId: 'staff-admin-1' });
    await setPartnerActive(env, { id: p.id, active: false, actorId: 'staff-admin-1' });
    expect(await partnerForKey(env, p.apiKey)).toBeNull();
    await errorsOf(await o311Post('requests.json', form(p.apiKey)), 403);
    await setPartnerActive(env, { id: p.id, active: true, actorId: 'staff-admin-1' });
    expect(await partnerForKey(env, p.apiKey)).not.toBeNull();
    await expect(setPartnerActive(env, { id: 'nope', active: false, actorId: 'a' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const actions = await env.DB.prepare(
      "SELECT action FROM audit_log WHERE action LIKE 'partner.%' ORDER BY seq",
    ).all<{ action: string }>();
    expect(actions.results.map((r) => r.action).slice(-3)).toEqual([
      'partner.created',
      'partner.disabled',
      'partner.enabled',
    ]);
  });
});

describe('POST /open311/v2/requests', () => {
  let key: string;
  let partnerId: string;
  beforeAll(async () => {
    const p = await createPartner(env, { name: '区 12345 热线', actorId: 'staff-admin-1' });
    key = p.apiKey;
    partnerId = p.id;
  });

  it('POST /open311/v2/requests.json creates a tip: public id, token and (once) the tracking number and query code', async () => {
    const res = await o311Post('requests.json', form(key));
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [r] = (await res.json()) as Record<string, string | null>[];
    expect(Object.keys(r!).sort()).toEqual([
      'account_id',
      'query_code',
      'service_notice',
      'service_request_id',
      'token',
      'tracking_no',
    ]);
    // The request id is the public id, not the tracking number the citizen's lookup takes.
    expect(r!.service_request_id).toMatch(/^GK-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(r!.tracking_no).toMatch(/^AQ-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(r!.token).not.toContain(r!.tracking_no!.replaceAll('-', ''));
    expect(r!.query_code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(r!.service_request_id).not.toBe(r!.query_code);
    expect(r!.service_notice).toContain(r!.tracking_no!);
    expect(r!.service_notice).not.toContain(r!.query_code!);
    const tip = await env.DB.prepare(
      'SELECT source, type, domain, town_id, anonymous, is_employee FROM tips WHERE tracking_no = ? AND public_id = ?',
    )
      .bind(r!.tracking_no!.replaceAll('-', ''), r!.service_request_id!.replaceAll('-', ''))
      .first();
    expect(tip).toEqual({
      source: `open311:${partnerId}`,
      type: 'general_hazard',
      domain: 'fire',
      town_id: 'jibei',
      anonymous: 1,
      is_employee: 0,
    });

    // The query code is real: it matches the stored hash the 进度查询 checks (and is stored nowhere itself).
    const no = parseTrackingNo(r!.tracking_no!)!;
    const stored = await env.DB.prepare('SELECT query_code_hash FROM tips WHERE tracking_no = ?')
      .bind(no)
      .first<{ query_code_hash: string }>();
    expect(stored!.query_code_hash).toBe(await hashQueryCode(env, no, parseQueryCode(r!.query_code!)!));

    // The token resolves to the request; the GETs (the partner's full view included) never carry the query code
    // or the tracking number.
    const tok = await o311(`tokens/${r!.token}.json`);
    expect(tok.status).toBe(200);
    expect(await tok.json()).toEqual([{ token: r!.token, service_request_id: r!.service_request_id }]);
    const tokXml = parseXml(await (await o311(`tokens/${r!.token}.xml`)).text());
    expect(child(child(tokXml, 'request'), 'service_request_id').text).toBe(r!.service_request_id);
    const k = `api_key=${encodeURIComponent(key)}`;
    for (const path of [
      `requests/${r!.service_request_id}.json?${k}`,
      `requests/${r!.service_request_id}.xml?${k}`,
      `requests.json?${k}`,
      `requests.xml?${k}`,
      `tokens/${r!.token}.json`,
    ]) {
      const text = await (await o311(path)).text();
      expect(text, path).toContain(r!.service_request_id!);
      expect(text.replaceAll('-', ''), path).not.toContain(r!.query_code!.replaceAll('-', ''));
      expect(text.replaceAll('-', ''), path).not.toContain(r!.tracking_no!.replaceAll('-', ''));
    }
    const one = (await (await o311(`requests/${r!.service_request_id}.json?${k}`)).json()) as unknown[];
    expect(schemas.requests(one)).toEqual([]);
  });

  it('POST /open311/v2/requests.xml answers <service_requests><request> with the same fields', async () => {
    const res = await o311Post('requests.xml', form(key));
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const x = parseXml(await res.text());
    expect(x.name).toBe('service_requests');
    const r = child(x, 'request');
    expect(r.children.map((c) => c.name)).toEqual([
      'service_request_id',
      'token',
      'service_notice',
      'account_id',
      'tracking_no',
      'query_code',
    ]);
    expect(child(r, 'service_request_id').text).toMatch(/^GK-/);
    expect(child(r, 'tracking_no').text).toMatch(/^AQ-/);
  });

  it('a citizen named by the partner is a real-name tip whose identity is sealed and never shown in any answer', async () => {
    const res = await o311Post(
      'requests.json',
      form(key, {
        first_name: '秘密',
        last_name: '王',
        phone: SECRET_TEXT.mobile,
        email: SECRET_TEXT.email,
        description: SECRET_TEXT.description,
        address_string: SECRET_TEXT.address,
        'attribute[unit_name]': SECRET_TEXT.unitName,
        'attribute[is_employee]': 'yes',
        'attribute[seen_at]': '2026-11-20T09:30:00+08:00',
        lat: String(SECRET_TEXT.lat),
        long: String(SECRET_TEXT.lng),
      }),
    );
    expect(res.status).toBe(201);
    const [r] = (await res.json()) as { service_request_id: string; tracking_no: string; query_code: string }[];
    const tip = await env.DB.prepare('SELECT id, anonymous, is_employee, lat, seen_at FROM tips WHERE tracking_no = ?')
      .bind(r!.tracking_no.replaceAll('-', ''))
      .first<Record<string, number | string>>();
    expect(tip).toMatchObject({
      anonymous: 0,
      is_employee: 1,
      lat: SECRET_TEXT.lat,
      seen_at: Date.parse('2026-11-20T09:30:00+08:00'),
    });
    const identity = await env.DB.prepare('SELECT ciphertext FROM tip_identities WHERE tip_id = ?')
      .bind(tip!.id)
      .first<{ ciphertext: string }>();
    expect(identity!.ciphertext).not.toContain(SECRET_TEXT.mobile);
    for (const path of [
      `requests/${r!.service_request_id}.json?api_key=${key}`,
      `requests/${r!.service_request_id}.xml?api_key=${key}`,
      `requests.json?api_key=${key}`,
      `requests.xml?api_key=${key}`,
    ]) {
      expect(leaks(await (await o311(path)).text(), [r!.query_code, r!.tracking_no]), path).toEqual([]);
    }
  });

  it('an Idempotency-Key retry answers the same receipt and stores one tip; another form under that key → 422, no receipt', async () => {
    const before = (await counts(env.DB)).tips;
    const headers = { 'idempotency-key': crypto.randomUUID() };
    const a = (await (await o311Post('requests.json', form(key), headers)).json()) as {
      service_request_id: string;
      query_code: string;
    }[];
    const b = (await (await o311Post('requests.json', form(key), headers)).json()) as { service_request_id: string }[];
    expect(b[0]!.service_request_id).toBe(a[0]!.service_request_id);
    expect((await counts(env.DB)).tips).toBe(before + 1);
    const replay = await o311Post(
      'requests.json',
      form(key, { description: '另一份表单，想拿到前一份的查询码而已。' }),
      headers,
    );
    const text = await replay.clone().text();
    expect((await errorsOf(replay, 422))[0]).toContain('Idempotency-Key');
    expect(text).not.toContain(a[0]!.query_code);
    expect((await counts(env.DB)).tips).toBe(before + 1);
    for (const bad of ['short', 'hotline-call-20261122-0001', '6ba7b810-9dad-11d1-80b4-00c04fd430c8']) {
      expect(
        (await errorsOf(await o311Post('requests.json', form(key), { 'idempotency-key': bad }), 400))[0],
      ).toContain('UUID');
    }
  });

  it.each<[string, Record<string, string | undefined>, number, string]>([
    ['no api_key', { api_key: undefined }, 403, 'api_key'],
    ['a wrong api_key', { api_key: `aq311_${'0'.repeat(40)}` }, 403, 'api_key'],
    ['a malformed api_key', { api_key: "' OR 1=1 --" }, 403, 'api_key'],
    ['no service_code', { service_code: undefined }, 400, 'service_code'],
    ['an unknown service_code', { service_code: 'pothole' }, 400, 'pothole'],
    ['no address_string', { address_string: undefined }, 400, 'address_string'],
    ['no unit name', { 'attribute[unit_name]': undefined }, 400, 'attribute[unit_name]'],
    ['an unknown town', { 'attribute[town]': 'atlantis' }, 400, 'attribute[town]'],
    ['a short description', { description: '太短' }, 400, 'description：问题描述至少 10 个字'],
    ['is_employee missing', { 'attribute[is_employee]': undefined }, 400, 'attribute[is_employee]'],
    ['lat without long', { lat: '36.9' }, 400, 'lat'],
    ['a point outside China', { lat: '51.5', long: '-0.12' }, 400, 'long'],
    ['a future seen_at', { 'attribute[seen_at]': '2999-01-01T00:00:00+08:00' }, 400, 'attribute[seen_at]'],
    ['a name without phone', { first_name: '三', last_name: '张' }, 400, 'phone'],
    ['a bad phone', { first_name: '三', last_name: '张', phone: '12345' }, 400, 'phone'],
  ])(
    'POST /open311/v2/requests.json with %s → %s naming the field; nothing written',
    async (_what, over, status, mention) => {
      const before = await counts(env.DB);
      const errors = await errorsOf(await o311Post('requests.json', form(key, over)), status);
      expect(errors.join(' ')).toContain(mention);
      const after = await counts(env.DB);
      expect({ ...after, audit_log: 0 }).toEqual({ ...before, audit_log: 0 });
    },
  );

  it('several problems are listed together, each as its own error', async () => {
    const errors = await errorsOf(
      await o311Post('requests.json', form(key, { address_string: '', description: '短', 'attribute[unit_name]': '' })),
      400,
    );
    expect(errors.length).toBeGreaterThanOrEqual(3);
  });

  it('errors answer in XML for requests.xml', async () => {
    const res = await o311Post('requests.xml', form('nope'));
    expect(res.status).toBe(403);
    const x = parseXml(await res.text());
    expect(x.name).toBe('errors');
    expect(child(child(x, 'error'), 'code').text).toBe('403');
  });

  it('a JSON body, an oversized form and POST to another resource are refused in the spec shape', async () => {
    const asJson = await SELF.fetch('http://localhost/open311/v2/requests.json', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(form(key)),
    });
    expect((await errorsOf(asJson, 400))[0]).toContain('x-www-form-urlencoded');
    const huge = await o311Post('requests.json', form(key, { description: '很'.repeat(30_000) }));
    await errorsOf(huge, 413);
    await errorsOf(await o311Post('services.json', form(key)), 404);
  });

  it('each partner is rate-limited: past the hourly limit → 429 with Retry-After, nothing written', async () => {
    const p = await createPartner(env, { name: '限流测试平台', actorId: 'staff-admin-1' });
    await env.DB.prepare('INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 300)')
      .bind(`open311-post:${p.id}`, Date.now())
      .run();
    const before = (await counts(env.DB)).tips;
    const res = await o311Post('requests.json', form(p.apiKey));
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    await errorsOf(res, 429);
    expect((await counts(env.DB)).tips).toBe(before);
    // Another partner is not affected.
    expect((await o311Post('requests.json', form(key))).status).toBe(201);
  });

  it('a client sending wrong keys is locked out after 20 tries (403 … then 429)', async () => {
    const statuses = [];
    for (let i = 0; i < 21; i++) {
      const res = await o311Post('requests.json', form(`aq311_${'X'.repeat(40)}`), {
        'cf-connecting-ip': '2001:db8::bad',
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 20).every((s) => s === 403)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('GET /open311/v2/tokens/{token}: forged, malformed and web-submitted tips → 404', async () => {
    const [r] = (await (await o311Post('requests.json', form(key))).json()) as { token: string }[];
    const forged = r!.token.slice(0, -1) + (r!.token.endsWith('0') ? '1' : '0');
    expect((await o311(`tokens/${forged}.json`)).status).toBe(404);
    expect((await o311('tokens/nonsense.json')).status).toBe(404);
    const xml = await o311('tokens/nonsense.xml');
    expect(xml.status).toBe(404);
    expect(parseXml(await xml.text()).name).toBe('errors');
  });
});
