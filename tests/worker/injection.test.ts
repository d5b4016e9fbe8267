/**
 * SQL-injection and markup payloads through every text field: stored exactly as typed, returned exactly as
 * typed by the staff API, the reporter view and the CSV export (formula cells neutralised), and the queue's
 * text search treats them as text (a substring match: % and _ are characters, not wildcards).
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { transition } from '../../worker/services/transitions';
import { messageReporter } from '../../worker/services/tip-detail';
import { submitTip, validTip, tipIdOf } from '../support/tips';
import { signedIn } from '../support/staff';

const PAYLOADS = [
  "'; DROP TABLE tips; --",
  '" OR 1=1 --',
  "Robert'); DELETE FROM audit_log; --",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  "=cmd|' /C calc'!A0",
  '%_\\%',
];

describe('injection payloads are stored and shown as text', () => {
  for (const p of PAYLOADS) {
    it(`${JSON.stringify(p)} survives every path unchanged`, async () => {
      const unitName = `单位${p}`;
      const address = `地址${p}`;
      const description = `钢瓶靠近灶具，存在隐患。${p}`;
      const res = await submitTip(validTip({ unitName, address, description }));
      expect(res.status).toBe(201);
      const r = (await res.json()) as { trackingNo: string; queryCode: string };
      const id = await tipIdOf(r.trackingNo);
      const { client } = await signedIn(['dispatcher']);
      const detail = (await (await client.get(`/api/staff/tips/${id}`)).json()) as {
        unitName: string;
        address: string;
        description: string;
      };
      expect([detail.unitName, detail.address, detail.description]).toEqual([unitName, address, description]);

      const search = (await (
        await client.get(`/api/staff/tips?view=all&limit=200&q=${encodeURIComponent(p)}`)
      ).json()) as { rows: { id: string }[] };
      expect(search.rows.map((x) => x.id)).toContain(id);
      // Wildcards are not wildcards: a search for the payload matches only tips that contain it literally.
      for (const row of search.rows) {
        const t = (await env.DB.prepare('SELECT unit_name, address, description FROM tips WHERE id = ?')
          .bind(row.id)
          .first<Record<string, string>>())!;
        expect(Object.values(t).some((v) => v.includes(p))).toBe(true);
      }

      await transition(env, { id: 'inj-admin', roles: ['admin'], departmentId: null }, id, 'accept', {}, 1);
      await messageReporter(env, { id: 'inj-admin', roles: ['admin'], departmentId: null }, id, `请补充：${p}`);
      const view = (await (
        await SELF.fetch('http://localhost/api/track', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'cf-connecting-ip': `2001:db8:6::${Math.floor(Math.random() * 65535).toString(16)}`,
          },
          body: JSON.stringify({ trackingNo: r.trackingNo, queryCode: r.queryCode }),
        })
      ).json()) as { view: { messages: { body: string }[] } };
      expect(view.view.messages[0]!.body).toBe(`请补充：${p}`);

      const csv = await (
        await client.get(`/api/staff/tips/export.csv?view=all&q=${encodeURIComponent(r.trackingNo)}`)
      ).text();
      const line = csv.split('\r\n')[1]!;
      expect(line).toContain(r.trackingNo);
      expect(line.split(',').every((cell) => !/^[=+\-@]/.test(cell.replace(/^"/, '')))).toBe(true);
      expect(
        (await env.DB.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('tips', 'audit_log')").first<{
          n: number;
        }>())!.n,
      ).toBe(2);
    });
  }
});

/** RFC 4180 fields of one CSV record (quoted fields may hold commas and doubled quotes). */
function fields(line: string): string[] {
  const out: string[] = [];
  const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (const m of line.matchAll(re)) out.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!);
  return out;
}

describe('the staff CSV export cannot start a formula', () => {
  // Each payload is the whole field, as typed: nothing in front of the formula character.
  const CASES: [string, string][] = [
    ['unitName', '=HYPERLINK("http://evil.example","点我")'],
    ['unitName', '+SUM(1,2)单位'],
    ['address', '-2+3 某路 1 号'],
    ['address', '@SUM(A1:A2) 某路'],
    ['unitName', '\t=1+1 单位'],
  ];
  for (const [field, payload] of CASES) {
    it(`${field} = ${JSON.stringify(payload)} is exported as text`, async () => {
      const res = await submitTip(validTip({ [field]: payload }));
      expect(res.status).toBe(201);
      const { trackingNo } = (await res.json()) as { trackingNo: string };
      const { client } = await signedIn(['dispatcher']);
      const csv = await (
        await client.get(`/api/staff/tips/export.csv?view=all&q=${encodeURIComponent(trackingNo)}`)
      ).text();
      const [header, row] = csv.split('\r\n').map(fields);
      const cell = row![header!.indexOf(field === 'unitName' ? '被举报单位/场所' : '地址')]!;
      // Stored as typed (surrounding whitespace trimmed by the schema), exported with a ' in front.
      expect(cell).toBe(`'${payload.trim()}`);
      for (const c of row!) expect(c).not.toMatch(/^[=+\-@\t\r]/);
    });
  }
});
