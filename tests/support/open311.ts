/**
 * Builders for the statistics, open-data and Open311 tests: tips created by the real submission service at a
 * chosen moment and driven through the real workflow (`transition`) to the state a test needs, plus the
 * Open311 helpers (a partner with its key, form posts, the official JSON Schemas, an XML reader).
 */
import { env, SELF } from 'cloudflare:test';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { TipSubmission } from '../../worker/schemas/tip';
import { createTip } from '../../worker/services/tips';
import { formatPublicId } from '../../worker/services/codes';
import { transition, type StaffActor } from '../../worker/services/transitions';
import { realName, validTip, tipIdOf } from './tips';
import requestSchema from '../conformance/open311/request.json';
import requestsSchema from '../conformance/open311/requests.json';
import serviceSchema from '../conformance/open311/service.json';
import servicesSchema from '../conformance/open311/services.json';
import serviceDefinitionSchema from '../conformance/open311/service-definition.json';

export const DAY = 86_400_000;
export const ADMIN: StaffActor = { id: 'test-admin', roles: ['admin'], departmentId: null };

/** What a test reporter wrote and who they are: none of it may appear in any public answer. */
export const SECRET_TEXT = {
  name: '王秘密',
  mobile: '13800138123',
  idNumber: '11010519491231002X',
  email: 'wang.secret@example.com',
  unitName: '隐秘化工有限公司',
  address: '济阳街道秘密路 17 号 3 单元',
  description: '仓库里堆放大量液氯钢瓶，夜间偷偷灌装，工人没有防护（独特描述-QX7）。',
  lat: 36.987654,
  lng: 117.123456,
};

/** A complete, valid GeoReport form for an anonymous citizen, posted with a partner's `apiKey`. */
export const form = (apiKey: string, over: Record<string, string | undefined> = {}) => ({
  api_key: apiKey,
  service_code: 'general_hazard-fire',
  address_string: '济北街道商业街 5 号',
  description: '商场消防通道被货物堵塞，安全出口上锁。',
  'attribute[unit_name]': '某商场',
  'attribute[town]': 'jibei',
  'attribute[is_employee]': 'no',
  ...over,
});

export type Outcome = 'pending' | 'accepted' | 'verifying' | 'concluded' | 'rejected' | 'merged';

export interface BuiltTip {
  id: string;
  trackingNo: string;
  queryCode: string;
  /** The public id (公开编号) as listed: GK-XXXXX-XXXXX. */
  publicId: string;
}

/** The public id of a tip as public interfaces list it. */
export async function publicIdOf(id: string): Promise<string> {
  const row = await env.DB.prepare('SELECT public_id FROM tips WHERE id = ?').bind(id).first<{ public_id: string }>();
  return formatPublicId(row!.public_id);
}

/**
 * A tip submitted at `at` (default now) and driven through the workflow: accepted an hour later, assigned an
 * hour after that, concluded `days` days after submission (default 10; the statutory limit is 60 days from
 * acceptance, so `days: 75` concludes late), rejected, or merged into a fresh primary tip.
 */
export async function handledTip(
  opts: {
    at?: number;
    outcome?: Outcome;
    days?: number;
    secret?: boolean;
    source?: string;
    tip?: Record<string, unknown>;
  } = {},
): Promise<BuiltTip> {
  const at = opts.at ?? Date.now();
  const body = validTip({
    seenAt: new Date(at - 3_600_000).toISOString(),
    ...(opts.secret
      ? {
          unitName: SECRET_TEXT.unitName,
          address: SECRET_TEXT.address,
          description: SECRET_TEXT.description,
          location: { lat: SECRET_TEXT.lat, lng: SECRET_TEXT.lng },
          reporter: realName({
            name: SECRET_TEXT.name,
            mobile: SECRET_TEXT.mobile,
            idNumber: SECRET_TEXT.idNumber,
            email: SECRET_TEXT.email,
          }),
        }
      : {}),
    ...opts.tip,
  });
  delete (body as { turnstileToken?: string }).turnstileToken;
  const { receipt } = await createTip(env, TipSubmission.parse(body), {
    now: at,
    origin: 'http://localhost',
    source: opts.source,
  });
  const id = await tipIdOf(receipt);
  const outcome = opts.outcome ?? 'pending';
  const h = 3_600_000;
  if (outcome === 'rejected') {
    await transition(env, ADMIN, id, 'reject', { reason: 'out_of_scope' }, 1, at + h);
  } else if (outcome === 'merged') {
    const primary = await handledTip({ at });
    await transition(env, ADMIN, id, 'merge', { primaryTrackingNo: primary.trackingNo }, 1, at + h);
  } else if (outcome !== 'pending') {
    await transition(env, ADMIN, id, 'accept', {}, 1, at + h);
    if (outcome !== 'accepted') {
      await transition(env, ADMIN, id, 'assign', { departmentId: 'yjj' }, 2, at + 2 * h);
      if (outcome === 'concluded') {
        const decision = opts.secret ? `${SECRET_TEXT.description}，已责令停产` : '已责令改正';
        await transition(
          env,
          ADMIN,
          id,
          'conclude',
          { conclusion: 'true', verifiedType: 'major_hazard', decision, rectificationRequired: false },
          3,
          at + (opts.days ?? 10) * DAY,
        );
      }
    }
  }
  return { id, trackingNo: receipt.trackingNo, queryCode: receipt.queryCode, publicId: await publicIdOf(id) };
}

/** Every string in `body` a reporter gave or was given in secret (identity, free text, exact place, query code). */
export function leaks(body: string, extra: string[] = []): string[] {
  const needles = [
    SECRET_TEXT.name,
    SECRET_TEXT.mobile,
    SECRET_TEXT.idNumber,
    SECRET_TEXT.email,
    SECRET_TEXT.unitName,
    SECRET_TEXT.address,
    SECRET_TEXT.description,
    '独特描述',
    '秘密路',
    String(SECRET_TEXT.lat),
    String(SECRET_TEXT.lng),
    '36.98',
    '117.1',
    ...extra,
  ];
  return needles.filter((n) => n && body.includes(n));
}

/** The official Open311 GeoReport v2 JSON Schemas (tests/conformance/open311/, unchanged), compiled once. */
function validators() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(requestSchema, 'request.json');
  ajv.addSchema(serviceSchema, 'service.json');
  ajv.addSchema(requestsSchema, 'requests.json');
  ajv.addSchema(servicesSchema, 'services.json');
  ajv.addSchema(serviceDefinitionSchema, 'service-definition.json');
  const get = (id: string) => {
    const v = ajv.getSchema(id);
    if (!v) throw new Error(`schema ${id} missing`);
    return (data: unknown) => (v(data) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  };
  return {
    requests: get('requests.json'),
    services: get('services.json'),
    serviceDefinition: get('service-definition.json'),
  };
}
export const schemas = validators();

/**
 * Every tracking number of `tips` found in `body`, in any spelling (with or without dashes): none may appear
 * in a public answer.
 */
export function trackingNumbersIn(body: string, tips: { trackingNo: string }[]): string[] {
  const flat = body.replaceAll('-', '');
  return tips.map((t) => t.trackingNo).filter((no) => flat.includes(no.replaceAll('-', '')));
}

/** GET an Open311 resource. */
export const o311 = (path: string, init: RequestInit = {}) => SELF.fetch(`http://localhost/open311/v2/${path}`, init);

/** POST a form-encoded Open311 request (`attribute[x]` keys as the spec writes them). */
export function o311Post(
  path: string,
  fields: Record<string, string | undefined>,
  headers: Record<string, string> = {},
) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
  return SELF.fetch(`http://localhost/open311/v2/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': '2001:db8::311', ...headers },
    body: form.toString(),
  });
}

/**
 * A minimal, strict reader for the XML this API writes (elements and text only, no attributes beyond the
 * declaration): throws on anything not well-formed, returns a tree to assert against.
 */
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}
export function parseXml(xml: string): XmlNode {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(xml);
  if (!decl) throw new Error('missing XML declaration with encoding="UTF-8"');
  let i = decl[0].length;
  const unescapeXml = (s: string) => {
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(s)) throw new Error(`bad entity in ${s}`);
    if (/[<>]/.test(s)) throw new Error(`bare markup in text ${s}`);
    return s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  };
  function element(): XmlNode {
    const open = /^<([A-Za-z_][\w.-]*)\s*(\/?)>/.exec(xml.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${xml.slice(i, i + 40)}`);
    i += open[0].length;
    const node: XmlNode = { name: open[1]!, children: [], text: '' };
    if (open[2]) return node;
    for (;;) {
      const close = new RegExp(`^</${open[1]}>`).exec(xml.slice(i));
      if (close) {
        i += close[0].length;
        return node;
      }
      if (xml.startsWith('<', i)) {
        node.children.push(element());
      } else {
        const end = xml.indexOf('<', i);
        if (end < 0) throw new Error('unterminated element');
        const raw = xml.slice(i, end);
        if (node.children.length && raw.trim()) throw new Error('mixed content');
        node.text += unescapeXml(raw);
        i = end;
      }
    }
  }
  const root = element();
  if (xml.slice(i).trim()) throw new Error('content after the root element');
  return root;
}

/** The first child named `name` (or throws), and the text of a child. */
export const child = (n: XmlNode, name: string) => {
  const c = n.children.find((x) => x.name === name);
  if (!c) throw new Error(`<${n.name}> has no <${name}>`);
  return c;
};
