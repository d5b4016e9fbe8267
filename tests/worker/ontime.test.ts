/**
 * The public on-time record and the monthly report, on a table of tips written straight into D1 (November 2026,
 * China time): on-time rate = concluded on time ÷ (concluded + open and overdue at the month's end), so an
 * overdue open tip — and one concluded only after the month ended — counts against it; median days; 整改 on
 * time; satisfaction share; small counts suppressed; the report of an ended month published by the Cron, frozen,
 * and served with its open data.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { computeOntimeMonth, refreshOntimeRecord } from '../../worker/services/ontime';
import { runScheduled } from '../../worker/services/scheduled';

const at = (s: string) => Date.parse(`${s}+08:00`);
let n = 0;

/** A tip row with the given clock; everything else plain. */
async function tip(t: {
  created: string;
  due?: string;
  concluded?: string;
  state: string;
  domain?: string;
  dept?: string | null;
  rectifyDue?: string;
  rectified?: string;
}) {
  const id = crypto.randomUUID();
  n++;
  await env.DB.prepare(
    `INSERT INTO tips (id, tracking_no, query_code_hash, type, domain, unit_name, address, town_id, seen_at, description, is_employee, anonymous,
                       state, public_status, department_id, created_at, updated_at, accepted_at, conclude_due_at, concluded_at, conclusion,
                       rectify_due_at, rectified_at)
     VALUES (?, ?, 'x', 'general_hazard', ?, '某单位', '某地址', 'jiyang', ?, '描述描述描述描述描述', 0, 1, ?, 'concluded', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      `AQ${String(n).padStart(10, '0')}`,
      t.domain ?? 'gas',
      at(t.created),
      t.state,
      t.dept === undefined ? 'yjj' : t.dept,
      at(t.created),
      at(t.created),
      at(t.created),
      t.due ? at(t.due) : null,
      t.concluded ? at(t.concluded) : null,
      t.concluded ? 'true' : null,
      t.rectifyDue ? at(t.rectifyDue) : null,
      t.rectified ? at(t.rectified) : null,
    )
    .run();
  return id;
}

async function rating(tipId: string, level: string, when: string) {
  await env.DB.prepare(
    'INSERT INTO tip_ratings (id, tip_id, conclusion_at, level, reason, created_at, updated_at) VALUES (?,?,?,?,NULL,?,?)',
  )
    .bind(crypto.randomUUID(), tipId, at(when) - 1, level, at(when), at(when))
    .run();
}

const END = '23:59:59';
async function novemberTable() {
  const ids = {
    late: await tip({
      created: '2026-09-01T10:00:00',
      due: `2026-10-31T${END}`,
      concluded: '2026-11-05T10:00:00',
      state: 'closed',
      rectifyDue: `2026-11-20T${END}`,
      rectified: '2026-11-25T10:00:00',
    }),
    onTime1: await tip({
      created: '2026-10-01T10:00:00',
      due: `2026-11-30T${END}`,
      concluded: '2026-11-10T10:00:00',
      state: 'concluded',
      rectifyDue: `2026-11-20T${END}`,
      rectified: '2026-11-18T10:00:00',
    }),
    onTime2: await tip({
      created: '2026-10-06T10:00:00',
      due: `2026-12-05T${END}`,
      concluded: '2026-11-12T10:00:00',
      state: 'concluded',
      rectifyDue: `2026-11-20T${END}`,
      rectified: '2026-11-19T10:00:00',
    }),
    onTime3: await tip({
      created: '2026-10-06T10:00:00',
      due: `2026-12-05T${END}`,
      concluded: '2026-11-15T10:00:00',
      state: 'concluded',
      rectifyDue: `2026-11-29T${END}`,
      rectified: '2026-11-28T10:00:00',
    }),
    onTimeFire: await tip({
      created: '2026-10-06T10:00:00',
      due: `2026-12-05T${END}`,
      concluded: '2026-11-20T10:00:00',
      state: 'concluded',
      domain: 'fire',
      rectifyDue: `2026-11-29T${END}`,
      rectified: '2026-11-28T10:00:00',
    }),
    // Open and overdue at the month's end: still open, and concluded only in December.
    openOverdue: await tip({ created: '2026-09-10T10:00:00', due: `2026-11-09T${END}`, state: 'assigned' }),
    concludedAfter: await tip({
      created: '2026-09-15T10:00:00',
      due: `2026-11-14T${END}`,
      concluded: '2026-12-02T10:00:00',
      state: 'concluded',
    }),
    // Open, not yet due; and rejected (not counted as overdue).
    running: await tip({ created: '2026-10-20T10:00:00', due: `2026-12-19T${END}`, state: 'assigned' }),
    rejected: await tip({ created: '2026-09-01T10:00:00', due: `2026-10-31T${END}`, state: 'rejected', dept: null }),
    // Received in November.
    newA: await tip({ created: '2026-11-03T10:00:00', state: 'submitted', dept: null }),
    newB: await tip({ created: '2026-11-28T10:00:00', state: 'submitted', dept: null }),
  };
  await rating(ids.late, 'dissatisfied', '2026-11-06T10:00:00');
  await rating(ids.onTime1, 'very_satisfied', '2026-11-11T10:00:00');
  await rating(ids.onTime2, 'satisfied', '2026-11-13T10:00:00');
  await rating(ids.onTime3, 'satisfied', '2026-11-16T10:00:00');
  await rating(ids.onTimeFire, 'basic', '2026-11-21T10:00:00');
  return ids;
}

describe('the on-time record', () => {
  it('computes the formula on a table of tips (overdue open ones count against it) and publishes with suppression', async () => {
    await novemberTable();
    // Raw figures as of the end of November.
    const raw = await computeOntimeMonth(env, '2026-11', at('2026-12-03T10:00:00'));
    const d = raw.get('district:all')!;
    expect(d).toMatchObject({
      received: 2,
      concluded: 5,
      concludedOnTime: 4,
      openOverdue: 2,
      rectified: 5,
      rectifiedOnTime: 4,
      ratings: 5,
      satisfied: 3,
    });
    expect(raw.get('domain:gas')).toMatchObject({ concluded: 4, concludedOnTime: 3, openOverdue: 2 });
    expect(raw.get('department:yjj')).toMatchObject({ concluded: 5, concludedOnTime: 4, openOverdue: 2, received: 0 });

    // The Cron publishes November's report on the first run after the month ended.
    await runScheduled(env, at('2026-12-01T00:10:00'));
    const res = await SELF.fetch('http://localhost/api/public/reports/2026-11');
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      final: boolean;
      district: Record<string, unknown>;
      departments: { key: string }[];
      domains: Record<string, unknown>[];
    };
    expect(report.final).toBe(true);
    // 4 on time ÷ (5 concluded + 2 open and overdue) = 0.571; days: 65, 40, 37, 40, 45 → median 40.
    expect(report.district).toEqual({
      key: 'all',
      label: '全区',
      received: '<5',
      concluded: 5,
      concludedOnTime: '<5',
      openOverdue: '<5',
      onTimeRate: 0.571,
      medianDays: 40,
      rectified: 5,
      rectifiedOnTime: '<5',
      rectifiedOnTimeRate: 0.8,
      ratings: 5,
      satisfiedShare: 0.6,
    });
    // A domain with one conclusion: counts "<5", rates and median null (never a single tip's figures).
    expect(report.domains.find((x) => x.key === 'fire')).toMatchObject({
      concluded: '<5',
      onTimeRate: null,
      medianDays: null,
      ratings: '<5',
      satisfiedShare: null,
    });
    // gas: 3 ÷ (4 + 2) = 0.5 (6 behind it, so published).
    expect(report.domains.find((x) => x.key === 'gas')).toMatchObject({
      concluded: '<5',
      openOverdue: '<5',
      onTimeRate: 0.5,
      medianDays: null,
    });
    // Every active department is listed, with nothing: all "<5".
    expect(report.departments.find((x) => x.key === 'zjj')).toMatchObject({
      received: '<5',
      concluded: '<5',
      onTimeRate: null,
    });
    // The running month has no report yet.
    expect((await SELF.fetch('http://localhost/api/public/reports/2026-12')).status).toBe(404);
  });

  it('a published month is frozen; the open data has the documented columns; the record lists final and running months', async () => {
    await runScheduled(env, at('2026-12-03T10:00:00'));
    await tip({
      created: '2026-09-01T10:00:00',
      due: `2026-10-31T${END}`,
      concluded: '2026-11-07T10:00:00',
      state: 'closed',
    });
    expect(await refreshOntimeRecord(env, at('2026-12-04T10:00:00'))).toEqual(['2026-12']);
    const json = (await (await SELF.fetch('http://localhost/api/public/ontime.json?month=2026-11')).json()) as {
      final: boolean;
      fields: { name: string }[];
      records: Record<string, unknown>[];
    };
    expect(json.final).toBe(true);
    expect(json.records[0]).toMatchObject({
      month: '2026-11',
      scope: 'district',
      key: 'all',
      concluded: 5,
      on_time_rate: 0.571,
    });
    const csv = await (await SELF.fetch('http://localhost/api/public/ontime.csv?month=2026-11')).text();
    const [header, district] = csv.replace('\uFEFF', '').split('\r\n');
    expect(header).toBe(json.fields.map((f) => f.name).join(','));
    expect(district).toBe('2026-11,district,all,全区,<5,5,<5,<5,0.571,40,5,<5,0.8,5,0.6');
    expect((await SELF.fetch('http://localhost/api/public/ontime.csv?month=2026-13')).status).toBe(422);
    expect((await SELF.fetch('http://localhost/api/public/ontime.csv?month=2030-01')).status).toBe(404);
    const list = (await (await SELF.fetch('http://localhost/api/public/reports')).json()) as {
      reports: { month: string; url: string }[];
    };
    expect(list.reports.map((r) => r.month)).toEqual(['2026-11', '2026-10', '2026-09']);
    expect(list.reports[0]!.url).toBe('/data/monthly/?month=2026-11');
  });
});
