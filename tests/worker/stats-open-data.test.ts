import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPEN_DATA_FIELDS } from '../../worker/services/open-data';
import { chinaMonth } from '../../worker/services/stats';
import { DAY, handledTip, leaks, trackingNumbersIn, type BuiltTip } from '../support/open311';

const get = (path: string) => SELF.fetch(`http://localhost${path}`);

/** The body as text with a leading byte-order mark kept (Response.text() drops it). */
const rawText = async (res: Response) =>
  new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(await res.arrayBuffer());

/** A minimal RFC 4180 reader (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

describe('open data of closed tips', () => {
  const at = Date.now() - 40 * DAY;
  const month = chinaMonth(at);
  const tips: Record<string, BuiltTip> = {};
  beforeAll(async () => {
    tips.onTime = await handledTip({ at, outcome: 'concluded', days: 10, secret: true });
    tips.late = await handledTip({
      at: at + 1000,
      outcome: 'concluded',
      days: 75,
      tip: { domain: 'fire', townId: 'qudi' },
    });
    tips.rejected = await handledTip({ at: at + 2000, outcome: 'rejected', secret: true });
    tips.merged = await handledTip({ at: at + 3000, outcome: 'merged' });
    tips.open = await handledTip({ at: at + 4000, outcome: 'verifying', secret: true });
    tips.otherMonth = await handledTip({ at: at - 60 * DAY, outcome: 'concluded' });
  });

  it('GET /api/public/open-data lists the months with closed tips and the documented fields', async () => {
    const res = await get('/api/public/open-data');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      fields: { name: string }[];
      months: { month: string; csv: string; json: string }[];
    };
    expect(body.fields.map((f) => f.name)).toEqual(OPEN_DATA_FIELDS.map((f) => f.name));
    expect(body.months.map((m) => m.month)).toEqual(expect.arrayContaining([month, chinaMonth(at - 60 * DAY)]));
    expect(body.months.find((m) => m.month === month)).toEqual({
      month,
      csv: `/api/public/open-data/tips.csv?month=${month}`,
      json: `/api/public/open-data/tips.json?month=${month}`,
    });
  });

  it('GET /api/public/open-data/tips.json has exactly the closed tips of the month, every documented field and nothing else', async () => {
    const res = await get(`/api/public/open-data/tips.json?month=${month}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300, s-maxage=3600');
    const text = await res.text();
    const body = JSON.parse(text) as {
      month: string;
      schema: string;
      fields: unknown[];
      records: Record<string, unknown>[];
    };
    expect(body.month).toBe(month);
    expect(body.schema).toBe('http://localhost/data/#schema');
    const byNo = new Map(body.records.map((r) => [r.public_id, r]));
    expect([...byNo.keys()].sort()).toEqual(
      [tips.onTime, tips.late, tips.rejected, tips.merged].map((t) => t!.publicId).sort(),
    );
    // Listed under public ids only: no tracking number (the key to a reporter's lookup) in any spelling.
    expect(trackingNumbersIn(text, Object.values(tips))).toEqual([]);
    for (const r of body.records) expect(Object.keys(r)).toEqual(OPEN_DATA_FIELDS.map((f) => f.name));
    expect(byNo.get(tips.onTime!.publicId)).toMatchObject({
      status: 'concluded',
      status_label: '已办结',
      conclusion: '属实',
      department: '区应急管理局',
      days_to_close: 10,
      on_time: true,
      channel: 'web',
      town_id: 'jiyang',
      town_name: '济阳街道',
      received_date: new Date(at + 8 * 3_600_000).toISOString().slice(0, 10),
    });
    expect(byNo.get(tips.late!.publicId)).toMatchObject({
      on_time: false,
      days_to_close: 75,
      domain: 'fire',
      domain_label: '消防',
      town_name: '曲堤街道',
    });
    expect(byNo.get(tips.rejected!.publicId)).toMatchObject({
      status: 'rejected',
      reject_reason: '不属于安全生产举报范围',
      conclusion: null,
      on_time: null,
      department: null,
    });
    expect(byNo.get(tips.merged!.publicId)).toMatchObject({ status: 'merged', status_label: '已合并' });
    // No identity, no free text (description, decision, unit, address), no coordinates, no query code, no time of day.
    expect(leaks(text, [tips.onTime!.queryCode, tips.rejected!.queryCode])).toEqual([]);
    expect(JSON.stringify(body.records)).not.toMatch(/\d{2}:\d{2}/);
  });

  it('GET /api/public/open-data/tips.csv has the same records, field names as header, byte-order mark for Excel, no identity', async () => {
    const res = await get(`/api/public/open-data/tips.csv?month=${month}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="anquan-closed-tips-${month}.csv"`);
    const text = await rawText(res);
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual(OPEN_DATA_FIELDS.map((f) => f.name));
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([tips.onTime, tips.late, tips.rejected, tips.merged].map((t) => t!.publicId).sort());
    const late = rows.find((r) => r[0] === tips.late!.publicId)!;
    expect(late[OPEN_DATA_FIELDS.findIndex((f) => f.name === 'on_time')]).toBe('false');
    expect(leaks(text, [tips.onTime!.queryCode])).toEqual([]);
    expect(trackingNumbersIn(text, Object.values(tips))).toEqual([]);
  });

  it('a month without closed tips is an empty file, not an error', async () => {
    const res = await get('/api/public/open-data/tips.json?month=2020-01');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { records: unknown[] }).records).toEqual([]);
    const csv = await rawText(await get('/api/public/open-data/tips.csv?month=2020-01'));
    expect(csv).toBe(`\uFEFF${OPEN_DATA_FIELDS.map((f) => f.name).join(',')}\r\n`);
  });

  it.each([
    ['', 'month', '请选择月份'],
    ['?month=2026-13', 'month', '月份格式应为 YYYY-MM'],
    ['?month=202611', 'month', '月份格式应为 YYYY-MM'],
    ['?month=2999-01', 'month', '月份不能晚于本月'],
  ])('GET /api/public/open-data/tips.{csv,json}%s → 422 naming the month', async (query, path, message) => {
    for (const ext of ['csv', 'json']) {
      const res = await get(`/api/public/open-data/tips.${ext}${query}`);
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; fields: { path: string; message: string }[] } };
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.fields[0]).toMatchObject({ path, message });
    }
  });
});
