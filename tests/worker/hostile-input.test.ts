/**
 * Every endpoint in /api/openapi.json, fed random, naughty, mistyped, incomplete and oversized input:
 * only clean 4xx refusals (stable code, Chinese message), never a 500, and nothing written by a refusal.
 */
import { env, SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { anyJson, expectCleanRefusal, mutations, naughtyString } from '../support/hostile';
import { counts, validTip } from '../support/tips';
import { signedIn } from '../support/staff';
import { ROLE_CODES } from '../../worker/domain/workflow';

type Op = { method: string; path: string; schema?: any; json: boolean };
let ops: Op[] = [];
let doc: any;

/** A valid body for the operations we know how to build one for; others start from `{}`. */
const VALID: Record<string, () => Record<string, unknown>> = { 'POST /api/tips': () => validTip() };

const resolve = (s: any): any => (s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()] : s);
const ip = () => `2001:db8:${Math.floor(Math.random() * 65535).toString(16)}::1`;

/** Staff endpoints are called with a signed-in session holding every role, so the input reaches validation. */
let staffHeaders: Record<string, string> = {};
const withSession = (op: Op) => (op.path.startsWith('/api/staff/') && !op.path.endsWith('/logout') ? staffHeaders : {});

function call(op: Op, body: BodyInit | null, headers: Record<string, string> = {}) {
  headers = { ...withSession(op), ...headers };
  const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(fc.sample(naughtyString, 1)[0]!.slice(0, 40).toWellFormed() || 'x'));
  return SELF.fetch(`http://localhost${path}`, {
    method: op.method,
    headers: { 'cf-connecting-ip': ip(), ...headers },
    body: op.method === 'GET' || op.method === 'HEAD' ? null : body,
  });
}

beforeAll(async () => {
  const { client } = await signedIn([...ROLE_CODES], { departmentId: 'yjj' });
  staffHeaders = { cookie: `__Host-aq_session=${client.token}`, 'x-csrf-token': client.csrf };
  doc = await (await SELF.fetch('http://localhost/api/openapi.json')).json();
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const content = op.requestBody?.content ?? {};
      ops.push({ method: method.toUpperCase(), path, schema: resolve(content['application/json']?.schema), json: !!content['application/json'] });
    }
  }
});

describe('hostile input on every documented endpoint', () => {
  it('the OpenAPI document lists the endpoints under test', () => {
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining(['POST /api/tips', 'POST /api/uploads', 'GET /api/health', 'POST /api/staff/tips/{id}/actions/{action}', 'POST /api/staff/admin/staff']),
    );
  });

  it('random and naughty JSON bodies → clean 4xx, nothing written', async () => {
    for (const op of ops.filter((o) => o.json)) {
      const key = `${op.method} ${op.path}`;
      const valid = VALID[key]?.() ?? {};
      await fc.assert(
        fc.asyncProperty(mutations(valid, op.schema), async (body) => {
          const before = await counts(env.DB);
          const res = await call(op, JSON.stringify(body), { 'content-type': 'application/json' });
          const status = res.status;
          await expectCleanRefusal(res, `${key} ${JSON.stringify(body).slice(0, 200)}`);
          if (status >= 400) expect(await counts(env.DB)).toEqual(before);
        }),
        { numRuns: 40 },
      );
    }
  }, 120_000);

  it('wrong content types, bad UTF-8, truncated JSON and huge bodies → clean 4xx', async () => {
    const bad: [string, BodyInit, Record<string, string>][] = [
      ['form-encoded', 'type=major_hazard&description=x', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['text/plain JSON', JSON.stringify(validTip()), { 'content-type': 'text/plain' }],
      ['no content type', JSON.stringify(validTip()), {}],
      ['bad UTF-8', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), { 'content-type': 'application/json' }],
      ['truncated JSON', '{"type":"major_hazard","description":"', { 'content-type': 'application/json' }],
      ['JSON array', '[1,2,3]', { 'content-type': 'application/json' }],
      ['JSON null', 'null', { 'content-type': 'application/json' }],
      ['deeply nested', '['.repeat(5000) + ']'.repeat(5000), { 'content-type': 'application/json' }],
      ['2 MB string', JSON.stringify({ ...validTip(), description: '险'.repeat(700_000) }), { 'content-type': 'application/json' }],
    ];
    for (const op of ops.filter((o) => o.method !== 'GET')) {
      for (const [name, body, headers] of bad) {
        const before = await counts(env.DB);
        const res = await call(op, body, headers);
        if (name === '2 MB string' && !op.path.endsWith('/uploads')) expect(res.status).toBe(413);
        await expectCleanRefusal(res, `${op.method} ${op.path} with ${name}`);
        if (res.status >= 400) expect(await counts(env.DB)).toEqual(before);
      }
    }
  }, 120_000);

  it('naughty path parameters and query strings → clean answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ops), naughtyString, async (op, q) => {
        const res = await SELF.fetch(`http://localhost${op.path.replace(/\{[^}]+\}/g, encodeURIComponent(q.toWellFormed()) || 'x')}?q=${encodeURIComponent(q.toWellFormed())}`, {
          method: op.method,
          headers: { 'cf-connecting-ip': ip(), 'content-type': 'application/json', ...withSession(op) },
          body: op.method === 'GET' ? null : JSON.stringify({ q }),
        });
        await expectCleanRefusal(res, `${op.method} ${op.path} q=${q.slice(0, 50)}`);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('any JSON value at all on POST /api/tips → clean answer', async () => {
    const op = ops.find((o) => o.path === '/api/tips')!;
    await fc.assert(
      fc.asyncProperty(anyJson, async (body) => {
        const res = await call(op, JSON.stringify(body), { 'content-type': 'application/json' });
        await expectCleanRefusal(res, JSON.stringify(body).slice(0, 200));
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
