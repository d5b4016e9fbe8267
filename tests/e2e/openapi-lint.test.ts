/**
 * The API describes itself completely: the live /api/openapi.json passes Redocly's recommended rules with no
 * error and no warning (redocly.yaml; the operations that cannot answer a 4xx are listed by name below), and a
 * client generated from it with openapi-typescript compiles (tests/openapi/client.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const out = `${root}tests/openapi/generated`;
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
/** Read-only operations with no input that answer 200 (or 503) only. */
const NO_4XX = [
  'getPing',
  'getHealth',
  'getConfig',
  'getPublicStats',
  'getPublicOpenData',
  'getPublicOntime',
  'getPublicReports',
];

let doc: any;
beforeAll(async () => {
  doc = await (await fetch(`${inject('baseUrl')}/api/openapi.json`)).json();
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}/openapi.json`, JSON.stringify(doc, null, 2));
});

function operations() {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    Object.entries<any>(item).map(([method, op]) => ({ path, method, op })),
  );
}

describe('/api/openapi.json', () => {
  it('passes Redocly lint (recommended rules) with zero problems', () => {
    let report: any;
    try {
      report = JSON.parse(
        execFileSync(
          bin('redocly'),
          ['lint', `${out}/openapi.json`, '--format=json', '--config', `${root}redocly.yaml`],
          { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        ),
      );
    } catch (e: any) {
      report = JSON.parse(e.stdout);
    }
    const problems = report.problems
      .filter(
        (p: any) =>
          !(
            p.ruleId === 'operation-4xx-response' &&
            NO_4XX.some((id) => JSON.stringify(p.location).includes(opPointer(id)))
          ),
      )
      .map((p: any) => `${p.severity} ${p.ruleId}: ${p.message} @ ${p.location?.[0]?.pointer}`);
    expect(problems).toEqual([]);
  });

  it('every operation has a unique operationId, a declared tag and a security requirement', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(doc.tags.map((t: any) => t.name));
    for (const { path, method, op } of operations()) {
      expect(op.tags?.length, `${method} ${path}`).toBe(1);
      expect(tags.has(op.tags[0])).toBe(true);
      expect(Array.isArray(op.security), `${method} ${path}`).toBe(true);
      if (path.startsWith('/api/staff/') && path !== '/api/staff/login')
        expect(op.security[0]).toHaveProperty('staffSession');
      else expect(op.security).toEqual([]);
    }
  });

  it('every JSON answer declares its fields (no open object without properties)', () => {
    const resolve = (schema: any): any =>
      schema?.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').at(-1)]) : schema;
    const untyped = operations().flatMap(({ path, method, op }) =>
      Object.values<any>(op.responses ?? {})
        .map((r) => resolve(r.content?.['application/json']?.schema))
        .filter((s) => s?.type === 'object' && !Object.keys(s.properties ?? {}).length)
        .map(() => `${method} ${path}`),
    );
    expect(untyped).toEqual([]);
  });

  it('a client generated from it with openapi-typescript compiles', () => {
    execFileSync(bin('openapi-typescript'), [`${out}/openapi.json`, '-o', `${out}/api.d.ts`], {
      cwd: root,
      stdio: 'pipe',
    });
    execFileSync(bin('tsc'), ['-p', `${root}tests/openapi/tsconfig.json`], { cwd: root, stdio: 'pipe' });
  });
});

/** The JSON pointer of the responses of an operation, found by its operationId. */
function opPointer(operationId: string): string {
  const found = operations().find(({ op }) => op.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  return `/paths/${found.path.replaceAll('~', '~0').replaceAll('/', '~1')}/${found.method}`;
}
