/**
 * The staff queue's filters, sorts and pages, table-driven: a set of tips with known attributes, every filter of
 * GET /api/staff/tips (alone and combined) compared with the same filter applied to that set in JavaScript, both
 * sort orders, and keyset pages that add up to the whole answer with nothing twice. A 承办员 sees only their
 * department's tips whatever they ask for.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedIn, type StaffClient } from '../support/staff';
import { submitTip, validTip, tipIdOf } from '../support/tips';

const TAG = `队列筛选${crypto.randomUUID().slice(0, 8)}`;
const NOW = Date.now();
const HOUR = 3_600_000;

interface Model {
  id: string;
  type: string;
  domain: string;
  townId: string;
  departmentId: string | null;
  state: string;
  riskColour: string | null;
  dueAt: number | null;
  pending: 0 | 1;
  createdAt: number;
}

// Eight tips spread over every filtered attribute; due dates both past (overdue) and future.
const SPECS: Omit<Model, 'id'>[] = [
  {
    type: 'general_hazard',
    domain: 'gas',
    townId: 'jiyang',
    departmentId: null,
    state: 'submitted',
    riskColour: null,
    dueAt: NOW + 5 * HOUR,
    pending: 0,
    createdAt: NOW - 8 * HOUR,
  },
  {
    type: 'major_hazard',
    domain: 'gas',
    townId: 'jibei',
    departmentId: null,
    state: 'accepted',
    riskColour: null,
    dueAt: NOW - 2 * HOUR,
    pending: 0,
    createdAt: NOW - 7 * HOUR,
  },
  {
    type: 'general_hazard',
    domain: 'fire',
    townId: 'jiyang',
    departmentId: 'yjj',
    state: 'assigned',
    riskColour: 'red',
    dueAt: NOW + 1 * HOUR,
    pending: 1,
    createdAt: NOW - 6 * HOUR,
  },
  {
    type: 'illegal_operation',
    domain: 'fire',
    townId: 'qudi',
    departmentId: 'yjj',
    state: 'rectifying',
    riskColour: 'blue',
    dueAt: NOW - 5 * HOUR,
    pending: 0,
    createdAt: NOW - 5 * HOUR,
  },
  {
    type: 'major_hazard',
    domain: 'hazchem',
    townId: 'jibei',
    departmentId: 'zjj',
    state: 'assigned',
    riskColour: 'red',
    dueAt: NOW + 9 * HOUR,
    pending: 1,
    createdAt: NOW - 4 * HOUR,
  },
  {
    type: 'general_hazard',
    domain: 'gas',
    townId: 'qudi',
    departmentId: 'zjj',
    state: 'closed',
    riskColour: 'blue',
    dueAt: null,
    pending: 0,
    createdAt: NOW - 3 * HOUR,
  },
  {
    type: 'general_hazard',
    domain: 'hazchem',
    townId: 'jiyang',
    departmentId: null,
    state: 'rejected',
    riskColour: null,
    dueAt: null,
    pending: 0,
    createdAt: NOW - 2 * HOUR,
  },
  {
    type: 'illegal_operation',
    domain: 'gas',
    townId: 'jibei',
    departmentId: 'yjj',
    state: 'reviewing',
    riskColour: 'orange',
    dueAt: NOW + 3 * HOUR,
    pending: 1,
    createdAt: NOW - 1 * HOUR,
  },
];
const OPEN = ['submitted', 'accepted', 'assigned', 'returned', 'rectifying', 'rectified', 'reviewing'];

const tips: Model[] = [];
let dispatcher: StaffClient;

beforeAll(async () => {
  for (const [i, s] of SPECS.entries()) {
    const res = await submitTip(
      validTip({ unitName: `${TAG} 单位${i}`, type: s.type, domain: s.domain, townId: s.townId }),
      {
        headers: { 'cf-connecting-ip': `2001:db8:9e::${i + 1}` },
      },
    );
    expect(res.status).toBe(201);
    const no = ((await res.json()) as { trackingNo: string }).trackingNo.replaceAll('-', '');
    const id = await tipIdOf(no);
    await env.DB.prepare(
      'UPDATE tips SET department_id = ?, state = ?, risk_colour = ?, due_at = ?, reporter_message_pending = ?, created_at = ? WHERE id = ?',
    )
      .bind(s.departmentId, s.state, s.riskColour, s.dueAt, s.pending, s.createdAt, id)
      .run();
    tips.push({ id, ...s });
  }
  dispatcher = (await signedIn(['dispatcher'])).client;
});

async function ids(client: StaffClient, query: Record<string, string>): Promise<string[]> {
  const qs = new URLSearchParams({ q: TAG, limit: '200', ...query });
  const res = await client.get(`/api/staff/tips?${qs}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { rows: { id: string }[] }).rows.map((r) => r.id);
}

const COLOURS = ['red', 'orange', 'yellow', 'blue'];
/** The queue's tie-break, written out: 重大事故隐患 (determined, or reported and not yet determined) first, then red → blue. */
const severity = (t: { type: string; hazardLevel?: string | null; riskColour: string | null }) =>
  ((t.hazardLevel ?? null) === 'major' || ((t.hazardLevel ?? null) === null && t.type === 'major_hazard') ? 0 : 5) +
  (t.riskColour ? COLOURS.indexOf(t.riskColour) : 4);
const model = (pred: (t: Model) => boolean) => tips.filter(pred).map((t) => t.id);
const open = (t: Model) => OPEN.includes(t.state);

describe('GET /api/staff/tips filters', () => {
  const CASES: [string, Record<string, string>, (t: Model) => boolean][] = [
    ['default: every open tip', {}, open],
    ['view=all', { view: 'all' }, () => true],
    ['view=closed', { view: 'closed' }, (t) => t.state === 'closed'],
    ['view=assigned', { view: 'assigned' }, (t) => t.state === 'assigned'],
    ['type', { view: 'all', type: 'major_hazard' }, (t) => t.type === 'major_hazard'],
    ['domain', { view: 'all', domain: 'gas' }, (t) => t.domain === 'gas'],
    ['department', { view: 'all', departmentId: 'yjj' }, (t) => t.departmentId === 'yjj'],
    ['镇街', { view: 'all', townId: 'jibei' }, (t) => t.townId === 'jibei'],
    ['risk colour', { view: 'all', riskColour: 'red' }, (t) => t.riskColour === 'red'],
    ['overdue', { overdue: '1' }, (t) => open(t) && t.dueAt !== null && t.dueAt < Date.now()],
    ['new reporter message', { newMessage: '1' }, (t) => open(t) && t.pending === 1],
    [
      'combined: open gas tips in 济北',
      { domain: 'gas', townId: 'jibei' },
      (t) => open(t) && t.domain === 'gas' && t.townId === 'jibei',
    ],
    [
      'combined: red and assigned to yjj',
      { view: 'all', riskColour: 'red', departmentId: 'yjj' },
      (t) => t.riskColour === 'red' && t.departmentId === 'yjj',
    ],
    ['no match', { view: 'all', domain: 'drowning' }, () => false],
  ];
  for (const [name, query, pred] of CASES) {
    it(name, async () => {
      expect((await ids(dispatcher, query)).sort()).toEqual(model(pred).sort());
    });
  }

  it('sort=due puts the nearest deadline first (no deadline last); sort=newest the latest submission first', async () => {
    // Ties (the two tips without a deadline) go most serious first (severity), then by id, as the keyset needs.
    const byDue = [...tips]
      .sort(
        (a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || severity(a) - severity(b) || (a.id < b.id ? -1 : 1),
      )
      .map((t) => t.id);
    expect(await ids(dispatcher, { view: 'all' })).toEqual(byDue);
    const newest = [...tips].sort((a, b) => b.createdAt - a.createdAt).map((t) => t.id);
    expect(await ids(dispatcher, { view: 'all', sort: 'newest' })).toEqual(newest);
  });

  it('keyset pages of 3 add up to the whole answer, in order, nothing twice', async () => {
    for (const sort of ['due', 'newest']) {
      const all = await ids(dispatcher, { view: 'all', sort });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const qs: URLSearchParams = new URLSearchParams({
          q: TAG,
          view: 'all',
          sort,
          limit: '3',
          ...(cursor ? { cursor } : {}),
        });
        const page = (await (await dispatcher.get(`/api/staff/tips?${qs}`)).json()) as {
          rows: { id: string }[];
          next: string | null;
        };
        seen.push(...page.rows.map((r) => r.id));
        cursor = page.next;
      } while (cursor);
      expect(seen).toEqual(all);
    }
  });

  it('a 承办员 sees only their department, whatever filter they send', async () => {
    const { client } = await signedIn(['handler'], { departmentId: 'yjj' });
    expect((await ids(client, { view: 'all' })).sort()).toEqual(model((t) => t.departmentId === 'yjj').sort());
    expect(await ids(client, { view: 'all', departmentId: 'zjj' })).toEqual([]);
  });

  it('text search finds a long Chinese phrase (100 characters; D1 refuses LIKE patterns over 50 bytes) and ignores case', async () => {
    const phrase = '液化气钢瓶与灶具距离过近'.repeat(9).slice(0, 100);
    const res = await submitTip(validTip({ unitName: `${TAG} 长描述`, description: `${phrase}，另有 LPG 泄漏。` }), {
      headers: { 'cf-connecting-ip': '2001:db8:9e::99' },
    });
    expect(res.status).toBe(201);
    const found = (await (await dispatcher.get(`/api/staff/tips?view=all&q=${encodeURIComponent(phrase)}`)).json()) as {
      rows: { unitName: string }[];
    };
    expect(found.rows.map((r) => r.unitName)).toContain(`${TAG} 长描述`);
    const latin = (await (await dispatcher.get(`/api/staff/tips?view=all&q=lpg%20泄漏`)).json()) as {
      rows: { unitName: string }[];
    };
    expect(latin.rows.map((r) => r.unitName)).toContain(`${TAG} 长描述`);
    const csv = await dispatcher.get(`/api/staff/tips/export.csv?view=all&q=${encodeURIComponent(phrase)}`);
    expect(csv.status).toBe(200);
    // The 内部状态 column reads as the console does (the state machine's label), not as a code.
    const [header, row] = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const column = header!.split(',').indexOf('内部状态');
    expect(row!.split(',')[column]).toBe('待受理');
  });

  it('the CSV export lists the filtered tips and writes one audit row with the filter as given and the count', async () => {
    const { staff, client } = await signedIn(['dispatcher']);
    const listed = (await (
      await client.get(`/api/staff/tips?view=all&q=${encodeURIComponent(TAG)}&limit=200`)
    ).json()) as {
      rows: unknown[];
    };
    expect(listed.rows.length).toBeGreaterThan(0);
    const res = await client.get(`/api/staff/tips/export.csv?view=all&q=${encodeURIComponent(TAG)}`);
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(listed.rows.length + 1);
    const { results } = await env.DB.prepare(
      "SELECT detail FROM audit_log WHERE action = 'tips.exported' AND actor = ?",
    )
      .bind(staff.id)
      .all<{ detail: string }>();
    expect(results.map((r) => JSON.parse(r.detail))).toEqual([
      { filter: { view: 'all', q: TAG, sort: 'due' }, rows: listed.rows.length },
    ]);
  });

  it('bad filter values get a Chinese message, not a 500', async () => {
    for (const q of ['view=nope', 'riskColour=purple', 'limit=0', 'cursor=%%%', 'sort=oldest', 'extra=1']) {
      const res = await dispatcher.get(`/api/staff/tips?${q}`);
      expect(res.status, q).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('GET /api/staff/tips: tips due at the same time', () => {
  const TIE = `同时到期${crypto.randomUUID().slice(0, 8)}`;
  const DUE = NOW + 7 * HOUR;
  // Submitted in an order unrelated to how serious they are; all open and due at the same instant.
  const SAME: {
    type: string;
    hazardLevel: string | null;
    verifiedType?: string;
    riskColour: string | null;
    label: string;
  }[] = [
    { type: 'general_hazard', hazardLevel: null, riskColour: null, label: '一般，未定颜色' },
    { type: 'general_hazard', hazardLevel: 'general', riskColour: 'blue', label: '一般，蓝' },
    { type: 'general_hazard', hazardLevel: 'major', riskColour: 'yellow', label: '认定重大，黄' },
    { type: 'general_hazard', hazardLevel: 'general', riskColour: 'red', label: '一般，红' },
    { type: 'major_hazard', hazardLevel: null, riskColour: null, label: '举报为重大，待认定' },
    { type: 'major_hazard', hazardLevel: 'general', riskColour: 'orange', label: '举报为重大，认定一般，橙' },
    { type: 'general_hazard', hazardLevel: 'major', riskColour: 'red', label: '认定重大，红' },
    {
      type: 'general_hazard',
      hazardLevel: null,
      verifiedType: 'major_hazard',
      riskColour: 'blue',
      label: '核查认定重大事故隐患，蓝',
    },
    {
      type: 'major_hazard',
      hazardLevel: null,
      verifiedType: 'general_hazard',
      riskColour: 'yellow',
      label: '举报为重大，核查认定一般，黄',
    },
  ];
  const EXPECTED = [
    '认定重大，红',
    '认定重大，黄',
    '核查认定重大事故隐患，蓝',
    '举报为重大，待认定',
    '一般，红',
    '举报为重大，认定一般，橙',
    '举报为重大，核查认定一般，黄',
    '一般，蓝',
    '一般，未定颜色',
  ];

  beforeAll(async () => {
    for (const [i, s] of SAME.entries()) {
      const res = await submitTip(validTip({ unitName: `${TIE} ${s.label}`, type: s.type }), {
        headers: { 'cf-connecting-ip': `2001:db8:9f::${i + 1}` },
      });
      expect(res.status).toBe(201);
      const id = await tipIdOf(((await res.json()) as { trackingNo: string }).trackingNo.replaceAll('-', ''));
      await env.DB.prepare(
        "UPDATE tips SET state = 'assigned', department_id = 'yjj', hazard_level = ?, verified_type = ?, risk_colour = ?, due_at = ? WHERE id = ?",
      )
        .bind(s.hazardLevel, s.verifiedType ?? null, s.riskColour, DUE, id)
        .run();
    }
  });

  const labels = (rows: { unitName: string }[]) => rows.map((r) => r.unitName.slice(TIE.length + 1));

  it('come most serious first: 重大事故隐患, then red to blue, then no colour (open view, all, one department)', async () => {
    for (const extra of [{}, { view: 'all' }, { departmentId: 'yjj' }] as Record<string, string>[]) {
      const qs = new URLSearchParams({ q: TIE, ...extra });
      const page = (await (await dispatcher.get(`/api/staff/tips?${qs}`)).json()) as { rows: { unitName: string }[] };
      expect(labels(page.rows), JSON.stringify(extra)).toEqual(EXPECTED);
    }
    // The same within the handler's own department (the department index).
    const { client } = await signedIn(['handler'], { departmentId: 'yjj' });
    const own = (await (await client.get(`/api/staff/tips?q=${encodeURIComponent(TIE)}`)).json()) as {
      rows: { unitName: string }[];
    };
    expect(labels(own.rows)).toEqual(EXPECTED);
  });

  it('keyset pages of 2 cut through the tie without losing or repeating a tip', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const qs: URLSearchParams = new URLSearchParams({ q: TIE, limit: '2', ...(cursor ? { cursor } : {}) });
      const page = (await (await dispatcher.get(`/api/staff/tips?${qs}`)).json()) as {
        rows: { unitName: string }[];
        next: string | null;
      };
      seen.push(...labels(page.rows));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(EXPECTED);
  });
});
