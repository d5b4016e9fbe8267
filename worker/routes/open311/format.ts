/**
 * GeoReport v2 output: every resource in JSON or XML (chosen by the `.json` / `.xml` suffix), and errors as
 * the spec writes them — JSON `[{ "code": 404, "description": "…" }]`, XML
 * `<errors><error><code>404</code><description>…</description></error></errors>`.
 */
import type { Open311Error } from '../../services/open311';

export type Format = 'json' | 'xml';

/** "services.json" → { name: "services", format: "json" }; null when the suffix is missing or unknown. */
export function splitFormat(file: string): { name: string; format: Format } | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? { name: m[1]!, format: m[2] as Format } : null;
}

/** The format a request asked for, read from its path (errors answer in it too; JSON when unclear). */
export const formatOfPath = (path: string): Format => (/\.xml$/i.test(path) ? 'xml' : 'json');

/** Element names of array items in XML, by the array's own element name. */
const ITEM: Record<string, string> = {
  service_requests: 'request',
  services: 'service',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  errors: 'error',
};

// Characters XML 1.0 cannot carry at all (they are dropped rather than escaped).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding characters XML cannot carry is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlEscape(s: string): string {
  return s
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = ITEM[name] ?? 'item';
    return `<${name}>${value.map((v) => element(item, v)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/**
 * A document with the XML declaration and `root` as its element.
 * @example toXml('services', [{ service_code: 'a' }]) // <?xml …?><services><service><service_code>a</service_code></service></services>
 */
export const toXml = (root: string, value: unknown) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value)}`;

const TYPES: Record<Format, string> = { json: 'application/json; charset=utf-8', xml: 'text/xml; charset=utf-8' };

/** A resource answer: `value` as JSON, or as XML under `xmlRoot`. */
export function respond(
  format: Format,
  xmlRoot: string,
  value: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  const body = format === 'xml' ? toXml(xmlRoot, value) : JSON.stringify(value);
  return new Response(body, { status, headers: { 'content-type': TYPES[format], ...headers } });
}

/** A GeoReport error answer. */
export function errorAnswer(format: Format, err: Open311Error): Response {
  const errors = err.descriptions.map((description) => ({ code: err.status, description }));
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  return respond(format, 'errors', errors, err.status, headers);
}
