/**
 * The hazard ledger (隐患台账) and the district picture (一张图), through the staff API on the seeded 2026 calendar:
 * every tip whose 核查 conclusion found a 重大 or 一般事故隐患 — the category as 核查 found it, not as reported — with
 * its 五到位 plan, 整改时限, 挂牌督办 status, 复查 result and 销号 date; the filters and paging; a 承办员 never sees
 * another department's hazard in the ledger, the CSV, a 交办单 or the dashboard; the CSV holds nothing about the
 * reporter and its export is audited; the dashboard's figures; the query plans use the hazard indexes.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { chinaDate } from '../../worker/domain/deadlines';
import { Dashboard, HazardDetail, HazardPage } from '../../worker/schemas/hazards';
import { HAZARD_INDEX_WHERE } from '../../worker/db/schema';
import { dashboardQuery, HAZARD_CSV_HEADER, hazardWhere, ledgerQueries } from '../../worker/services/hazards';
import { sendReminders } from '../../worker/services/reminders';
import { transition } from '../../worker/services/transitions';
import { makeStaff, sessionOf, type StaffClient, type TestStaff } from '../support/staff';
import { realName } from '../support/tips';
import { newTip, type SubmittedTip } from '../support/track';
import type { Action } from '../../worker/domain/workflow';

const setNow = (iso: string) => vi.setSystemTime(new Date(iso));
const admin1 = { id: 'ledger-admin-1', roles: ['admin'], departmentId: null };
const admin2 = { id: 'ledger-admin-2', roles: ['admin'], departmentId: null };

async function actAs(who: typeof admin1, id: string, action: Action, input: Record<string, unknown> = {}) {
  const { version } = (await env.DB.prepare('SELECT version FROM tips WHERE id = ?')
    .bind(id)
    .first<{ version: number }>())!;
  return transition(env, who, id, action, input, version);
}

const plan = (deadline: string, what = '停用泄漏的液氨储罐并更换阀门') => ({
  measures: what,
  responsibility: '企业法定代表人、安全总监',
  funds: '企业自筹 5 万元',
  deadline,
  plan: '液氨泄漏现场处置方案',
});

/** Submit, accept, assign to `dept` and conclude at the current fake time. */
async function concluded(
  tip: Record<string, unknown>,
  dept: string,
  conclusion: Record<string, unknown>,
): Promise<SubmittedTip> {
  const t = await newTip(tip);
  await actAs(admin1, t.id, 'accept');
  await actAs(admin1, t.id, 'assign', { departmentId: dept });
  await actAs(admin1, t.id, 'conclude', { decision: '已责令限期整改并依法处罚', ...conclusion });
  return t;
}

let A: SubmittedTip; // 重大 as reported and found, yjj, under 整改: 挂牌督办
let B: SubmittedTip; // 一般, zjj, 部分属实, 整改时限 passed: 整改超期
let C: SubmittedTip; // reported 一般, found 重大, yjj: 复查 failed once, then passed and closed (销号)
let F: SubmittedTip; // 一般 as reported, 属实 without 整改 ordered, yjj
let H: SubmittedTip; // 重大, zjj, found in May, 整改完成 and waiting for 复查
let D: SubmittedTip; // reported 重大, found a 违法生产经营建设行为: no hazard
let E: SubmittedTip; // 重大 reported, 不属实: no hazard
let G: SubmittedTip; // not concluded yet: no hazard
let supervisor: StaffClient;
let auditor: StaffClient;
let handlerYjj: StaffClient;
let handlerZjj: StaffClient;
let handlerYjjStaff: TestStaff;
const NOW = '2026-06-20T10:00:00+08:00';

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  setNow('2026-05-20T10:00:00+08:00');
  H = await concluded({ type: 'major_hazard', domain: 'hazchem', townId: 'sungeng' }, 'zjj', {
    conclusion: 'true',
    verifiedType: 'major_hazard',
    riskColour: 'orange',
    rectificationRequired: true,
    rectification: plan('2026-06-10', '拆除违规搭建的危化品仓库'),
  });
  setNow('2026-06-01T10:00:00+08:00');
  A = await concluded(
    {
      type: 'major_hazard',
      domain: 'hazchem',
      townId: 'qudi',
      unitName: '济阳冷链物流有限公司',
      reporter: realName(),
    },
    'yjj',
    {
      conclusion: 'true',
      verifiedType: 'major_hazard',
      hazardLevel: 'major',
      riskColour: 'red',
      rectificationRequired: true,
      rectification: plan('2026-07-01'),
    },
  );
  setNow('2026-06-02T10:00:00+08:00');
  C = await concluded({ type: 'general_hazard', domain: 'gas', townId: 'jiyang' }, 'yjj', {
    conclusion: 'true',
    verifiedType: 'major_hazard',
    rectificationRequired: true,
    rectification: plan('2026-06-30', '更换燃气管道并加装泄漏报警'),
  });
  setNow('2026-06-03T10:00:00+08:00');
  F = await concluded({ type: 'general_hazard', domain: 'fire', townId: 'qudi' }, 'yjj', {
    conclusion: 'true',
    verifiedType: 'general_hazard',
    rectificationRequired: false,
  });
  D = await concluded({ type: 'major_hazard', domain: 'fire', townId: 'qudi' }, 'yjj', {
    conclusion: 'true',
    verifiedType: 'illegal_operation',
    rectificationRequired: false,
  });
  E = await concluded({ type: 'major_hazard', domain: 'fire', townId: 'qudi' }, 'yjj', {
    conclusion: 'false',
    rectificationRequired: false,
  });
  G = await newTip({ type: 'major_hazard' });
  setNow('2026-06-05T10:00:00+08:00');
  B = await concluded({ type: 'general_hazard', domain: 'construction', townId: 'jibei' }, 'zjj', {
    conclusion: 'partly_true',
    verifiedType: 'general_hazard',
    rectificationRequired: true,
    rectification: plan('2026-06-15', '补设临边防护栏杆'),
  });
  setNow('2026-06-09T10:00:00+08:00');
  await actAs(admin1, H.id, 'rectify', { report: '仓库已拆除，危化品已转移至合规库房' });
  setNow('2026-06-10T10:00:00+08:00');
  await actAs(admin1, C.id, 'rectify', { report: '已更换管道' });
  setNow('2026-06-12T10:00:00+08:00');
  await actAs(admin2, C.id, 'recheck', { passed: false, note: '报警器未接入值班室', newDeadline: '2026-06-25' });
  setNow('2026-06-18T10:00:00+08:00');
  await actAs(admin1, C.id, 'rectify', { report: '报警器已接入值班室' });
  setNow('2026-06-19T10:00:00+08:00');
  await actAs(admin2, C.id, 'recheck', { passed: true, note: '现场复查合格，同意销号' });
  setNow(NOW);
  supervisor = await sessionOf(await makeStaff(['supervisor']));
  auditor = await sessionOf(await makeStaff(['auditor']));
  handlerYjjStaff = await makeStaff(['handler'], { departmentId: 'yjj' });
  handlerYjj = await sessionOf(handlerYjjStaff);
  handlerZjj = await sessionOf(await makeStaff(['handler'], { departmentId: 'zjj' }));
});
afterEach(() => setNow(NOW));

async function ledger(client: StaffClient, q = '') {
  const res = await client.get(`/api/staff/hazards${q ? `?${q}` : ''}`);
  expect(res.status, await res.clone().text()).toBe(200);
  // Strict schema: an extra field (anything about the reporter) fails here.
  return HazardPage.parse(await res.json());
}
const ids = async (client: StaffClient, q = '') => (await ledger(client, q)).rows.map((r) => r.id);

describe('the hazard ledger', () => {
  it('lists every verified hazard, by the category 核查 found, with plan, 整改时限, 挂牌督办, 复查 and 销号', async () => {
    const page = await ledger(supervisor);
    // Newest finding first; D (found a 违法行为, not a hazard), the 不属实 tip and the open tip are not in it.
    expect(page.rows.map((r) => r.id)).toEqual([B.id, F.id, C.id, A.id, H.id]);
    expect(page.total).toBe(5);
    const a = page.rows.find((r) => r.id === A.id)!;
    expect(a).toMatchObject({
      trackingNo: A.trackingNo,
      category: 'major',
      categoryLabel: '重大事故隐患',
      unitName: '济阳冷链物流有限公司',
      domain: 'hazchem',
      domainName: '危险化学品',
      townName: '曲堤街道',
      departmentId: 'yjj',
      departmentName: '区应急管理局',
      conclusion: 'true',
      riskColour: 'red',
      plan: plan('2026-07-01'),
      listed: 'listed',
      listedLabel: '挂牌督办中',
      recheck: null,
      closedAt: null,
      status: 'rectifying',
      statusLabel: '整改中',
      overdue: false,
    });
    expect(chinaDate(a.rectifyDueAt!)).toBe('2026-07-01');
    expect(chinaDate(a.foundAt)).toBe('2026-06-01');
    // Reported as 一般, found 重大: the ledger follows 核查; failed once, then passed and closed.
    const c = page.rows.find((r) => r.id === C.id)!;
    expect(c).toMatchObject({
      category: 'major',
      listed: 'lifted',
      listedLabel: '已销号摘牌',
      recheck: 'passed',
      recheckLabel: '复查合格',
      recheckFailures: 1,
      status: 'closed',
      statusLabel: '已销号',
    });
    expect(chinaDate(c.closedAt!)).toBe('2026-06-19');
    expect(chinaDate(c.recheckAt!)).toBe('2026-06-19');
    expect(chinaDate(c.rectifyDueAt!)).toBe('2026-06-25');
    expect(page.rows.find((r) => r.id === F.id)).toMatchObject({
      category: 'general',
      plan: null,
      listed: null,
      status: 'concluded',
    });
    expect(page.rows.find((r) => r.id === B.id)).toMatchObject({
      category: 'general',
      conclusion: 'partly_true',
      overdue: true,
    });
    expect(page.rows.find((r) => r.id === H.id)).toMatchObject({
      status: 'rectified',
      recheckLabel: '待复查',
      overdue: false,
    });
    for (const id of [D.id, E.id, G.id]) expect(page.rows.map((r) => r.id)).not.toContain(id);
  });

  it('filters by category, domain, 镇街, department, status, overdue and the date found; pages with a cursor', async () => {
    expect(await ids(supervisor, 'category=major')).toEqual([C.id, A.id, H.id]);
    expect(await ids(supervisor, 'domain=hazchem')).toEqual([A.id, H.id]);
    expect(await ids(supervisor, 'townId=qudi')).toEqual([F.id, A.id]);
    expect(await ids(supervisor, 'departmentId=zjj')).toEqual([B.id, H.id]);
    expect(await ids(supervisor, 'status=closed')).toEqual([C.id]);
    expect(await ids(supervisor, 'status=open')).toEqual([B.id, F.id, A.id, H.id]);
    expect(await ids(supervisor, 'status=rectified')).toEqual([H.id]);
    expect(await ids(supervisor, 'overdue=1')).toEqual([B.id]);
    expect(await ids(supervisor, 'from=2026-06-02&to=2026-06-03')).toEqual([F.id, C.id]);
    expect(await ids(supervisor, 'to=2026-05-31')).toEqual([H.id]);
    expect(await ids(supervisor, 'category=major&departmentId=yjj&status=open')).toEqual([A.id]);
    // By 整改时限, earliest first (no 整改 ordered: last).
    expect(await ids(supervisor, 'sort=deadline')).toEqual([H.id, B.id, C.id, A.id, F.id]);
    // Paging: two at a time, no overlap, the same order and total.
    for (const sort of ['found', 'deadline']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const p = await ledger(
          supervisor,
          `sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(p.total).toBe(5);
        seen.push(...p.rows.map((r) => r.id));
        cursor = p.next;
      } while (cursor);
      expect(seen).toEqual(await ids(supervisor, `sort=${sort}`));
    }
  });

  it('answers bad filters with a Chinese message and a stable code, never a 500', async () => {
    for (const [q, path, code] of [
      ['from=2026-06-10&to=2026-06-01', 'to', 'DATE_RANGE_INVALID'],
      ['cursor=bm9wZQ', 'cursor', 'CURSOR_INVALID'],
      ['from=2026-02-30', 'from', null],
      ['status=lost', 'status', null],
      ['limit=1000', 'limit', null],
      ['colour=red', '', null],
    ] as const) {
      const res = await supervisor.get(`/api/staff/hazards?${q}`);
      expect(res.status, q).toBe(422);
      const { error } = (await res.json()) as {
        error: { code: string; fields?: { path: string; code: string; message: string }[] };
      };
      expect(error.code).toBe('VALIDATION_FAILED');
      if (path) expect(error.fields?.[0]?.path, q).toBe(path);
      if (code) expect(error.fields?.[0]?.code, q).toBe(code);
      expect(error.fields?.[0]?.message ?? '', q).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect((await supervisor.get('/api/staff/hazards/dashboard?from=2026-06&to=2026-01')).status).toBe(422);
    expect((await supervisor.get('/api/staff/hazards/dashboard?from=2020-01&to=2026-06')).status).toBe(422);
    expect((await supervisor.get('/api/staff/hazards/not-a-uuid')).status).toBe(422);
  });

  it('a 交办单 per hazard: the plan, each step of 整改 and 复查 with what was written; NOT_FOUND for a tip that is no hazard', async () => {
    const res = await supervisor.get(`/api/staff/hazards/${C.id}`);
    expect(res.status).toBe(200);
    const d = HazardDetail.parse(await res.json());
    expect(d.hazard.id).toBe(C.id);
    expect(d.decision).toBe('已责令限期整改并依法处罚');
    expect(d.steps.map((s) => [s.kind, s.label, s.text])).toEqual([
      ['verified', '核查认定，责令整改', null],
      ['rectified', '整改完成', '已更换管道'],
      ['recheck_failed', '复查未通过', '报警器未接入值班室'],
      ['rectified', '整改完成', '报警器已接入值班室'],
      ['closed', '复查合格，销号', '现场复查合格，同意销号'],
    ]);
    for (const id of [D.id, E.id, G.id]) {
      const r = await supervisor.get(`/api/staff/hazards/${id}`);
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });
});

describe('department scope and roles', () => {
  it('a 承办员 sees only its own department’s hazards: ledger, filters, 交办单, CSV and dashboard', async () => {
    expect(await ids(handlerYjj)).toEqual([F.id, C.id, A.id]);
    expect(await ids(handlerZjj)).toEqual([B.id, H.id]);
    // Asking for another department, or its overdue list, gives nothing.
    expect(await ids(handlerYjj, 'departmentId=zjj')).toEqual([]);
    expect(await ids(handlerYjj, 'overdue=1')).toEqual([]);
    expect((await ledger(handlerYjj, 'departmentId=zjj')).total).toBe(0);
    expect((await handlerYjj.get(`/api/staff/hazards/${B.id}`)).status).toBe(404);
    expect((await handlerYjj.get(`/api/staff/hazards/${A.id}`)).status).toBe(200);
    const csv = await (await handlerYjj.get('/api/staff/hazards/export.csv')).text();
    for (const t of [A, C, F]) expect(csv).toContain(t.trackingNo);
    for (const t of [B, H]) expect(csv).not.toContain(t.trackingNo);
    expect(csv).not.toContain('补设临边防护栏杆');
    const dash = Dashboard.parse(
      await (await handlerYjj.get('/api/staff/hazards/dashboard?from=2026-05&to=2026-06')).json(),
    );
    expect(dash.scope).toBe('department');
    expect(dash.totals).toEqual({ found: 3, rectified: 1, rectifiedOnTime: 1, overdue: 0, closed: 1 });
    expect(dash.departments.map((d) => d.key)).toEqual(['yjj']);
    expect(dash.towns.find((t) => t.key === 'jibei')).toMatchObject({ found: 0 });
  });

  it('dispatchers and reward roles are refused; an auditor reads and exports the district', async () => {
    for (const roles of [['dispatcher'], ['reward_officer'], ['reward_approver']]) {
      const c = await sessionOf(await makeStaff(roles));
      for (const path of ['/api/staff/hazards', '/api/staff/hazards/export.csv', '/api/staff/hazards/dashboard'])
        expect((await c.get(path)).status, `${roles} ${path}`).toBe(403);
    }
    expect(await ids(auditor)).toHaveLength(5);
    expect((await auditor.get('/api/staff/hazards/export.csv')).status).toBe(200);
  });
});

describe('the CSV export', () => {
  it('has the ledger columns and nothing about the reporter; each export writes one audit row with the filter and count', async () => {
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'hazards.exported'").first<{
      n: number;
    }>();
    const res = await supervisor.get('/api/staff/hazards/export.csv?category=major');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="hazards-2026-06-20\.csv"/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(HAZARD_CSV_HEADER.join(','));
    expect(lines).toHaveLength(4);
    const a = lines.find((l) => l.startsWith(A.trackingNo))!;
    expect(a).toContain('重大事故隐患,济阳冷链物流有限公司');
    expect(a).toContain(
      '停用泄漏的液氨储罐并更换阀门,企业法定代表人、安全总监,企业自筹 5 万元,2026-07-01,液氨泄漏现场处置方案,挂牌督办中',
    );
    expect(lines.find((l) => l.startsWith(C.trackingNo))).toContain('复查合格,2026-06-19,2026-06-19,已销号,否');
    // A's reporter gave a real name: none of it, and not even whether it was anonymous, is in the export.
    for (const s of ['李四', '13912345678', '11010519491231002X', 'lisi@example.com', '匿名', '实名'])
      expect(text).not.toContain(s);
    const rows = await env.DB.prepare(
      "SELECT actor, detail FROM audit_log WHERE action = 'hazards.exported' ORDER BY seq DESC LIMIT 1",
    ).first<{ actor: string; detail: string }>();
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'hazards.exported'").first<{
      n: number;
    }>();
    expect(after!.n).toBe(before!.n + 1);
    expect(JSON.parse(rows!.detail)).toEqual({ filter: { category: 'major', sort: 'found' }, rows: 3 });
  });
});

describe('the district picture (dashboard)', () => {
  it('counts hazards found per month, department, domain and 镇街, with rectified on time, overdue now and closed', async () => {
    const res = await supervisor.get('/api/staff/hazards/dashboard?from=2026-05&to=2026-06');
    expect(res.status).toBe(200);
    const d = Dashboard.parse(await res.json());
    expect(d).toMatchObject({ from: '2026-05', to: '2026-06', scope: 'all' });
    expect(d.totals).toEqual({ found: 5, rectified: 2, rectifiedOnTime: 2, overdue: 1, closed: 1 });
    expect(d.months).toEqual([
      { month: '2026-05', found: 1, rectified: 1, rectifiedOnTime: 1, overdue: 0, closed: 0 },
      { month: '2026-06', found: 4, rectified: 1, rectifiedOnTime: 1, overdue: 1, closed: 1 },
    ]);
    expect(d.departments).toEqual([
      { key: 'yjj', label: '区应急管理局', found: 3, rectified: 1, rectifiedOnTime: 1, overdue: 0, closed: 1 },
      { key: 'zjj', label: '区住房和城乡建设局', found: 2, rectified: 1, rectifiedOnTime: 1, overdue: 1, closed: 0 },
    ]);
    expect(d.domains.find((x) => x.key === 'hazchem')).toMatchObject({ found: 2, rectified: 1 });
    expect(d.domains.find((x) => x.key === 'construction')).toMatchObject({ found: 1, overdue: 1 });
    // Every 镇街 is on the picture, zero included.
    expect(d.towns).toHaveLength(10);
    expect(d.towns.find((x) => x.key === 'qudi')).toMatchObject({ label: '曲堤街道', found: 2 });
    expect(d.towns.find((x) => x.key === 'duoshi')).toMatchObject({ found: 0 });
    // Category and the default period (the last 12 months).
    const major = Dashboard.parse(await (await supervisor.get('/api/staff/hazards/dashboard?category=major')).json());
    expect(major.from).toBe('2025-07');
    expect(major.to).toBe('2026-06');
    expect(major.months).toHaveLength(12);
    expect(major.totals.found).toBe(3);
  });

  it('the 挂牌督办 reminder follows the verified category (one function decides it)', async () => {
    await sendReminders(env, Date.now());
    const listed = await env.DB.prepare("SELECT tip_id FROM reminders WHERE level = 'listed'").all<{
      tip_id: string;
    }>();
    // A (重大, under 整改) and H (重大, waiting for 复查) are listed; B (一般) is not, C is closed.
    expect(listed.results.map((r) => r.tip_id).sort()).toEqual([A.id, H.id].sort());
  });
});

describe('query plans', () => {
  async function plan(sql: string, params: unknown[]) {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail);
  }
  const filter = { sort: 'found', limit: 50 } as const;
  it('the ledger, its count and the dashboard read the hazard indexes (partial: hazards only), never the whole tips table', async () => {
    const district = { id: 'x', roles: ['supervisor'], departmentId: null };
    const dept = { id: 'y', roles: ['handler'], departmentId: 'yjj' };
    const cases = [
      ['ledger', ledgerQueries(district, filter, Date.now()).page, 'tips_hazards'],
      ['ledger count', ledgerQueries(district, filter, Date.now()).count, 'tips_hazards(_dept)?'],
      ['ledger (department)', ledgerQueries(dept, filter, Date.now()).page, 'tips_hazards_dept'],
      [
        'ledger, date range',
        ledgerQueries(district, { ...filter, from: '2026-06-01' }, Date.now()).page,
        'tips_hazards',
      ],
      ['dashboard', dashboardQuery(district, '2026-01', '2026-06', undefined, Date.now()), 'tips_hazards'],
      [
        'dashboard (department)',
        dashboardQuery(dept, '2026-01', '2026-06', undefined, Date.now()),
        'tips_hazards_dept',
      ],
    ] as const;
    // The ledger's condition is spelt exactly like the partial indexes' WHERE, or SQLite would not use them.
    expect(hazardWhere('')).toBe(HAZARD_INDEX_WHERE);
    for (const [name, q, index] of cases) {
      const p = await plan(q.sql, q.params);
      const onTips = p.filter((d) => /^(SCAN|SEARCH) t\b/.test(d));
      expect(onTips.join(' | '), name).toMatch(new RegExp(`INDEX ${index}\\b`));
      expect(
        p.some((d) => /^SCAN t\b(?!.*INDEX)/.test(d)),
        `${name}: ${p.join(' | ')}`,
      ).toBe(false);
    }
  });
});
