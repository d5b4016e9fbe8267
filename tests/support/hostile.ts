/**
 * Hostile-input helpers: fast-check arbitraries built from the Big List of Naughty Strings and from each
 * endpoint's own OpenAPI schema (wrong types, missing and unknown fields), plus the assertions every
 * rejected request must satisfy.
 */
import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { expect } from 'vitest';

/** The Big List of Naughty Strings (passed in as a binding by vitest.config.ts). */
export const NAUGHTY: string[] = env.TEST_NAUGHTY;

/** SQL-injection and XSS payloads that must be stored and shown as plain text. */
export const INJECTIONS = [
  "'; DROP TABLE tips; --",
  "' OR '1'='1",
  '1; DELETE FROM audit_log WHERE 1=1',
  "Robert'); DROP TABLE staff;--",
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '"><svg onload=window.__xss=1>',
  'javascript:window.__xss=1',
  '{{constructor.constructor("window.__xss=1")()}}',
  '=HYPERLINK("http://evil.example","点我")',
  "+SUM(1+1)*cmd|' /C calc'!A0",
  '@SUM(1)',
  '-2+3',
];

export const naughtyString = fc.oneof(
  fc.constantFrom(...NAUGHTY, ...INJECTIONS),
  fc.string({ unit: 'binary' }),
  fc.string(),
);

/** Any JSON value, with naughty strings mixed in. */
export const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    naughtyString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(naughtyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
};

/** Mutate a valid body: drop a field, set a field to a wrong-typed or naughty value, or add an unknown field. */
export function mutations(valid: Record<string, unknown>, schema: Schema | undefined) {
  const keys = Object.keys(schema?.properties ?? valid);
  return fc.oneof(
    fc.constantFrom(...keys).map((k) => {
      const b = structuredClone(valid);
      delete b[k];
      return b;
    }),
    fc.tuple(fc.constantFrom(...keys), anyJson).map(([k, v]) => ({ ...structuredClone(valid), [k]: v })),
    fc
      .tuple(
        naughtyString.filter((k) => !keys.includes(k)),
        anyJson,
      )
      .map(([k, v]) => ({ ...structuredClone(valid), [k]: v })),
    anyJson,
  );
}

/** The envelope every refusal must have: 4xx, a stable upper-case code and a Chinese message. */
export async function expectCleanRefusal(res: Response, context: string) {
  expect(res.status, `${context} → ${res.status}`).toBeLessThan(500);
  if (res.status >= 400) {
    const body = (await res.json().catch(() => null)) as any;
    expect(body?.error?.code, `${context}: ${JSON.stringify(body)}`).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(body.error.message, context).toMatch(/[\u4e00-\u9fff]/);
  } else {
    await res.body?.cancel();
  }
}
