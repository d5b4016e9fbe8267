import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('health and API description', () => {
  it('GET /api/health answers with the database reachable', async () => {
    const res = await SELF.fetch('http://localhost/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, db: true });
  });

  it('GET /api/openapi.json documents the submission from the same schema', async () => {
    const res = await SELF.fetch('http://localhost/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/tips', '/api/uploads', '/api/health']));
    expect(doc.components.schemas.TipSubmission.required).toEqual(
      expect.arrayContaining(['type', 'domain', 'description', 'reporter', 'consent']),
    );
  });

  it('GET /api/nope answers the error envelope in Chinese', async () => {
    const res = await SELF.fetch('http://localhost/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: '找不到请求的内容。' } });
  });

  it('GET /api/config lists the configured 镇街 and the local Turnstile stand-in', async () => {
    const res = await SELF.fetch('http://localhost/api/config');
    const body = (await res.json()) as any;
    expect(body.towns.map((t: any) => t.name)).toContain('济阳街道');
    expect(body.turnstile.scriptUrl).toBe('/turnstile-standin.js');
  });
});
