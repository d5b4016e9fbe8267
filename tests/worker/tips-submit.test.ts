import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { SUBMIT_LIMIT } from '../../worker/routes/public/tips';
import { counts, realName, submitTip, tipIdOf, upload, validTip } from '../support/tips';
import { jpegWithMetadata } from '../support/media-fixtures';
import { signedIn } from '../support/staff';
import { LIMITS } from '../../worker/domain/limits';

describe('POST /api/tips', () => {
  it('POST /api/tips stores a valid anonymous tip and answers with a receipt', async () => {
    const res = await submitTip(validTip());
    expect(res.status).toBe(201);
    const r = (await res.json()) as any;
    expect(r.trackingNo).toMatch(/^AQ-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(r.queryCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(r.trackUrl).toBe(`http://localhost/track/?no=${r.trackingNo}`);
    const row = await env.DB.prepare('SELECT * FROM tips WHERE tracking_no = ?')
      .bind(r.trackingNo.replaceAll('-', ''))
      .first<any>();
    expect(row).toMatchObject({
      state: 'submitted',
      public_status: 'pending',
      domain: 'gas',
      town_id: 'jiyang',
      anonymous: 1,
    });
    expect(row.due_kind).toBe('accept');
    expect(row.due_at).toBeGreaterThan(Date.now());
    const events = await env.DB.prepare('SELECT kind, public FROM tip_events WHERE tip_id = ?').bind(row.id).all();
    expect(events.results).toEqual([{ kind: 'submitted', public: 1 }]);
    const auditRow = await env.DB.prepare('SELECT actor, action FROM audit_log WHERE tip_id = ?').bind(row.id).first();
    expect(auditRow).toEqual({ actor: 'reporter', action: 'tip.submitted' });
    expect(
      await env.DB.prepare('SELECT COUNT(*) AS n FROM tip_identities WHERE tip_id = ?').bind(row.id).first(),
    ).toEqual({ n: 0 });
  });

  it('POST /api/tips keeps a real-name identity apart from the tip, encrypted, and no secret in plain text anywhere', async () => {
    const who = realName();
    const res = await submitTip(validTip({ reporter: who }));
    expect(res.status).toBe(201);
    const r = (await res.json()) as any;
    const ident = await env.DB.prepare('SELECT * FROM tip_identities WHERE tip_id = ?')
      .bind(await tipIdOf(r))
      .first<any>();
    expect(ident.key_id).toBe('t1');
    expect(ident.email_opt_in).toBe(1);
    // Dump every row of every table: neither the phone number, the ID number, the name nor the query code appear.
    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
    ).all<{ name: string }>();
    let dump = '';
    for (const { name } of tables.results)
      dump += JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
    for (const secret of [
      who.mobile,
      who.idNumber,
      who.name,
      who.email,
      r.queryCode,
      r.queryCode.replaceAll('-', ''),
    ]) {
      expect(dump).not.toContain(secret);
    }
  });

  it('POST /api/tips: a joint report (联名举报) keeps the co-signers with the identity, encrypted; the tip only counts them', async () => {
    const who = realName({ coSigners: ['联名人甲', '联名人乙'] });
    const res = await submitTip(validTip({ reporter: who }));
    expect(res.status).toBe(201);
    const r = (await res.json()) as { trackingNo: string };
    const tip = (await env.DB.prepare('SELECT id, signatories FROM tips WHERE tracking_no = ?')
      .bind(r.trackingNo.replaceAll('-', ''))
      .first<{ id: string; signatories: number }>())!;
    expect(tip.signatories).toBe(3);
    const { client } = await signedIn(['supervisor']);
    const detail = (await (await client.get(`/api/staff/tips/${tip.id}`)).json()) as { signatories: number };
    expect(detail.signatories).toBe(3);
    expect(JSON.stringify(detail)).not.toContain('联名人甲');
    const revealed = (await (
      await client.post(`/api/staff/tips/${tip.id}/reveal`, { reason: '核实联名举报人' })
    ).json()) as { name: string; coSigners: string[] };
    expect(revealed).toMatchObject({ name: who.name, coSigners: ['联名人甲', '联名人乙'] });
    const raw = JSON.stringify(
      (await env.DB.prepare('SELECT * FROM tip_identities WHERE tip_id = ?').bind(tip.id).all()).results,
    );
    expect(raw).not.toContain('联名人甲');

    const tooMany = await submitTip(
      validTip({ reporter: realName({ coSigners: Array.from({ length: 21 }, (_, i) => `联名人${i}`) }) }),
    );
    expect(tooMany.status).toBe(422);
    expect(await tooMany.json()).toMatchObject({
      error: { fields: [{ path: 'reporter.coSigners', message: '联名人最多 20 人' }] },
    });
    const blank = await submitTip(validTip({ reporter: realName({ coSigners: ['  '] }) }));
    expect(blank.status).toBe(422);
    expect(await blank.json()).toMatchObject({
      error: { fields: [{ path: 'reporter.coSigners.0', message: '请填写联名人姓名' }] },
    });
  });

  it('POST /api/tips with the same Idempotency-Key twice gives the same receipt and one tip', async () => {
    const before = await counts(env.DB);
    const body = validTip();
    const key = crypto.randomUUID();
    const first = await submitTip(body, { key });
    const second = await submitTip(body, { key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    const receipt = await first.json();
    expect(await second.json()).toEqual(receipt);
    // A retry carries a fresh Turnstile token (the first one is spent): still the same receipt.
    const retry = await submitTip({ ...body, turnstileToken: 'XXXX.ANOTHER.TOKEN.XXXX' }, { key: key.toUpperCase() });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(receipt);
    expect((await counts(env.DB)).tips).toBe(before.tips + 1);
  });

  it('POST /api/tips double tap: the same key sent concurrently still makes one tip', async () => {
    const before = await counts(env.DB);
    const body = validTip();
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([submitTip(body, { key }), submitTip(body, { key })]);
    const ra = await a.json();
    const rb = await b.json();
    expect(ra).toEqual(rb);
    expect((await counts(env.DB)).tips).toBe(before.tips + 1);
  });

  it('POST /api/tips replaying an Idempotency-Key with another body → 422 IDEMPOTENCY_KEY_REUSED, no receipt, nothing written', async () => {
    const key = crypto.randomUUID();
    const first = await submitTip(validTip(), { key });
    expect(first.status).toBe(201);
    const receipt = (await first.json()) as { trackingNo: string; queryCode: string };
    const before = await counts(env.DB);
    // Whoever holds only the key (a shared device, a log, a proxy) sends any body of their own.
    for (const other of [
      validTip({ description: '别人写的另一段描述，只为拿到回执而已。' }),
      validTip({ reporter: realName() }),
      { ...validTip({ reporter: realName() }), isEmployee: true },
    ]) {
      const replay = await submitTip(other, { key });
      expect(replay.status).toBe(422);
      const text = await replay.text();
      expect(JSON.parse(text)).toEqual({
        error: {
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: '该请求标识已用于另一份不同的提交，不能返回其回执。请刷新页面后重新提交，已填写的内容不会丢失。',
        },
      });
      expect(text).not.toContain(receipt.trackingNo);
      expect(text).not.toContain(receipt.queryCode);
    }
    expect(await counts(env.DB)).toEqual(before);
  });

  it('POST /api/tips refuses an Idempotency-Key that is not a version-4 UUID: 400 IDEMPOTENCY_KEY_INVALID, nothing written', async () => {
    const before = await counts(env.DB);
    for (const key of [
      'retry-key-000001',
      '1700000000000-k3j4h5',
      '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      '00000000-0000-0000-0000-000000000000',
      `${crypto.randomUUID()}x`,
    ]) {
      const res = await submitTip(validTip(), { key });
      expect(res.status, key).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 'IDEMPOTENCY_KEY_INVALID',
          message:
            '请求标识（Idempotency-Key）应为随机生成的 UUID（第 4 版）。请刷新页面后重新提交，已填写的内容不会丢失。',
        },
      });
    }
    expect(await counts(env.DB)).toEqual(before);
  });

  it('POST /api/tips: a stored receipt answers its key for a day only; after that the key makes a new tip', async () => {
    const key = crypto.randomUUID();
    const body = validTip();
    const first = (await (await submitTip(body, { key })).json()) as { trackingNo: string };
    await env.DB.prepare('UPDATE idempotency_keys SET created_at = created_at - ?').bind(86_400_001).run();
    const later = await submitTip(body, { key });
    expect(later.status).toBe(201);
    expect(((await later.json()) as { trackingNo: string }).trackingNo).not.toBe(first.trackingNo);
  });

  it('POST /api/tips attaches uploaded photos with their claim, and refuses a wrong claim', async () => {
    const up = (await (await upload(jpegWithMetadata())).json()) as any;
    const bad = await submitTip(validTip({ attachments: [{ id: up.id, claim: 'X'.repeat(26) }] }));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as any).error.fields[0]).toEqual({
      path: 'attachments.0',
      code: 'ATTACHMENT_INVALID',
      message: '附件已失效，请重新上传',
    });
    const ok = await submitTip(validTip({ attachments: [{ id: up.id, claim: up.claim }] }));
    expect(ok.status).toBe(201);
    const row = await env.DB.prepare('SELECT status, tip_id FROM attachments WHERE id = ?').bind(up.id).first<any>();
    expect(row.status).toBe('attached');
    expect(row.tip_id).toBeTruthy();
    // A file belongs to one tip only.
    const again = await submitTip(validTip({ attachments: [{ id: up.id, claim: up.claim }] }));
    expect(again.status).toBe(422);
  });

  it('POST /api/tips refuses attachments over the total size limit', async () => {
    const ups = [];
    for (let i = 0; i < 3; i++) ups.push((await (await upload(jpegWithMetadata())).json()) as any);
    // Pretend the three files are large (the per-file cap is checked at upload; the total at submission).
    await env.DB.prepare(`UPDATE attachments SET bytes = ? WHERE id IN (?, ?, ?)`)
      .bind(Math.ceil(LIMITS.attachments.maxTotalBytes / 3) + 1, ups[0].id, ups[1].id, ups[2].id)
      .run();
    const res = await submitTip(validTip({ attachments: ups.map((u) => ({ id: u.id, claim: u.claim })) }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).error.fields).toEqual([
      { path: 'attachments', code: 'ATTACHMENTS_TOO_LARGE', message: '附件合计不能超过 100 MB，请删除部分附件' },
    ]);
  });

  it('POST /api/tips: 100 concurrent submissions make 100 tips with distinct tracking numbers', async () => {
    const before = await counts(env.DB);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, _i) =>
        submitTip(validTip(), { key: crypto.randomUUID() }).then((r) => r.json() as any),
      ),
    );
    const numbers = new Set(results.map((r) => r.trackingNo));
    expect(numbers.size).toBe(100);
    const after = await counts(env.DB);
    expect(after.tips - before.tips).toBe(100);
    expect(after.audit_log - before.audit_log).toBe(100);
  }, 60_000);

  it('POST /api/tips: a failure in the middle of the write leaves nothing half-stored', async () => {
    await env.DB.prepare(
      "CREATE TRIGGER fail_identity BEFORE INSERT ON tip_identities BEGIN SELECT RAISE(ABORT, 'simulated D1 failure'); END",
    ).run();
    try {
      const up = (await (await upload(jpegWithMetadata())).json()) as any;
      const before = await counts(env.DB);
      const res = await submitTip(validTip({ reporter: realName(), attachments: [{ id: up.id, claim: up.claim }] }), {
        key: crypto.randomUUID(),
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error).toEqual({
        code: 'UNAVAILABLE',
        message: '服务暂时不可用，请稍后重试，已填写的内容不会丢失。',
      });
      expect(await counts(env.DB)).toEqual(before);
      const att = await env.DB.prepare('SELECT status, tip_id FROM attachments WHERE id = ?').bind(up.id).first();
      expect(att).toEqual({ status: 'pending', tip_id: null });
    } finally {
      await env.DB.prepare('DROP TRIGGER fail_identity').run();
    }
  });

  it('POST /api/tips is rate-limited per client with a Chinese message', async () => {
    const app = createApp();
    const send = () =>
      app.request(
        'http://localhost/api/tips',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'cf-connecting-ip': '203.0.113.77' },
          body: JSON.stringify(validTip()),
        },
        env,
      );
    for (let i = 0; i < SUBMIT_LIMIT.limit; i++) expect((await send()).status).toBe(201);
    const res = await send();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await res.json()) as any).error).toMatchObject({
      code: 'RATE_LIMITED',
      message: '操作过于频繁，请稍后再试。',
    });
  });
});

describe('GET /api/openapi.json and the submission schema agree', () => {
  it('lists every field of the form', async () => {
    const doc = (await (await SELF.fetch('http://localhost/api/openapi.json')).json()) as any;
    expect(Object.keys(doc.components.schemas.TipSubmission.properties).sort()).toEqual(
      [
        'address',
        'attachments',
        'consent',
        'description',
        'domain',
        'isEmployee',
        'location',
        'reporter',
        'seenAt',
        'townId',
        'turnstileToken',
        'type',
        'unitName',
      ].sort(),
    );
  });
});
