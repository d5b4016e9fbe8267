/**
 * Scale: a local D1 filled with generated tips (default 1,000,000), spread over two years, the domains,
 * the 镇街 and the workflow states the way a busy district would see them. Writes straight into the local
 * D1's SQLite file (node:sqlite), then reports the query plan of every hot query.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DEPARTMENTS, DOMAINS, TOWNS } from '../../worker/domain/catalog.ts';
import { PUBLIC_STATUS_OF } from '../../worker/domain/workflow.ts';

/** The local D1 database file wrangler keeps under `persistTo`. */
export function d1File(persistTo) {
  const dir = join(persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const f = readdirSync(dir).find((n) => n.endsWith('.sqlite') && n !== 'metadata.sqlite');
  if (!f) throw new Error(`no D1 database under ${dir}`);
  return join(dir, f);
}

// Deterministic pseudo-random numbers, so two runs generate the same data.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pickWeighted = (r, items) => {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items[items.length - 1][0];
};

const DOMAIN_WEIGHTS = DOMAINS.map((d) => [
  d.code,
  { fire: 18, gas: 14, construction: 16, road: 10, other: 8 }[d.code] ?? 3,
]);
const TYPE_WEIGHTS = [
  ['general_hazard', 62],
  ['major_hazard', 9],
  ['illegal_operation', 26],
  ['concealed_accident', 3],
];
const TOWN_WEIGHTS = TOWNS.map((t, i) => [t.id, 10 - i * 0.6]);
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Fill `file` with `count` tips. Returns seconds taken. */
export function generate(file, count = 1_000_000, { seed = 20261122, now = Date.now() } = {}) {
  const r = rng(seed);
  const db = new DatabaseSync(file);
  const t0 = performance.now();
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
  const ins =
    db.prepare(`INSERT INTO tips (id, tracking_no, public_id, query_code_hash, type, domain, unit_name, address, town_id,
      seen_at, description, is_employee, anonymous, state, public_status, department_id, source, created_at, updated_at,
      accepted_at, concluded_at, due_at, due_kind, version)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'web',?,?,?,?,?,?,1)`);
  const twoYears = 730 * 86_400_000;
  const depts = DEPARTMENTS.map((d) => d.id);
  db.exec('BEGIN');
  for (let i = 0; i < count; i++) {
    const created = now - Math.floor(r() ** 0.8 * twoYears);
    const age = now - created;
    // Old tips are mostly finished; recent ones are spread over the open states.
    const state =
      age > 120 * 86_400_000
        ? pickWeighted(r, [
            ['closed', 70],
            ['concluded', 12],
            ['rejected', 12],
            ['merged', 6],
          ])
        : pickWeighted(r, [
            ['submitted', 8],
            ['accepted', 6],
            ['assigned', 30],
            ['returned', 2],
            ['rectifying', 14],
            ['rectified', 5],
            ['reviewing', 2],
            ['concluded', 13],
            ['closed', 12],
            ['rejected', 6],
            ['merged', 2],
          ]);
    let tracking = 'AQ';
    for (let k = 0; k < 10; k++) tracking += CROCKFORD[Math.floor(r() * 32)];
    let publicId = 'GK';
    for (let k = 0; k < 10; k++) publicId += CROCKFORD[Math.floor(r() * 32)];
    const finished = ['closed', 'concluded', 'rejected', 'merged'].includes(state);
    const accepted = state === 'submitted' ? null : created + 86_400_000 * (1 + Math.floor(r() * 4));
    const concluded = ['closed', 'concluded'].includes(state) ? accepted + 86_400_000 * Math.floor(5 + r() * 60) : null;
    const due = finished ? null : state === 'submitted' ? created + 7 * 86_400_000 : accepted + 60 * 86_400_000;
    ins.run(
      `bench-${i}`,
      tracking,
      publicId,
      'x'.repeat(64),
      pickWeighted(r, TYPE_WEIGHTS),
      pickWeighted(r, DOMAIN_WEIGHTS),
      `单位${i % 5000}`,
      `地址${i % 9000}号`,
      pickWeighted(r, TOWN_WEIGHTS),
      created - 86_400_000,
      '压测数据：现场存在安全隐患，需要核查。',
      r() < 0.2 ? 1 : 0,
      r() < 0.7 ? 1 : 0,
      state,
      PUBLIC_STATUS_OF[state],
      state === 'submitted' || state === 'accepted' ? null : depts[Math.floor(r() * depts.length)],
      created,
      created,
      accepted,
      concluded,
      due,
      due ? (state === 'submitted' ? 'accept' : 'conclude') : null,
    );
    if (i % 100_000 === 99_999) {
      db.exec('COMMIT; BEGIN');
    }
  }
  db.exec('COMMIT');
  // The statistics aggregate, as the write path would have kept it.
  db.exec(`DELETE FROM stats_monthly;
    INSERT INTO stats_monthly (month, type, domain, town_id, public_status, count)
    SELECT strftime('%Y-%m', created_at / 1000 + 8 * 3600, 'unixepoch'), type, domain, town_id, public_status, COUNT(*)
    FROM tips GROUP BY 1, 2, 3, 4, 5;
    ANALYZE;`);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;');
  db.close();
  return (performance.now() - t0) / 1000;
}

/** The open-state list exactly as the queue spells it (worker/db/schema.ts OPEN_STATES_SQL). */
const OPEN = "('submitted', 'accepted', 'assigned', 'returned', 'rectifying', 'rectified', 'reviewing')";

/** The queue's tie-break in deadline order, most serious first (worker/domain/workflow.ts SEVERITY_SQL). */
const SEV =
  "(CASE WHEN hazard_level = 'major' OR verified_type = 'major_hazard' OR " +
  "(hazard_level IS NULL AND verified_type IS NULL AND type = 'major_hazard') THEN 0 ELSE 5 END + " +
  "CASE risk_colour WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2 WHEN 'blue' THEN 3 ELSE 4 END)";

/** The hot queries (as the API issues them) with representative parameters. */
export const HOT_QUERIES = [
  ['lookup by tracking number', "SELECT * FROM tips WHERE tracking_no = 'AQ0000000000'"],
  [
    'staff queue: all open, by due date',
    `SELECT id FROM tips INDEXED BY tips_open_due WHERE state IN ${OPEN} ORDER BY due_at ASC, ${SEV} ASC, id ASC LIMIT 51`,
  ],
  [
    'staff queue: one department, by due date',
    `SELECT id FROM tips INDEXED BY tips_open_dept_due WHERE department_id = 'yjj' AND state IN ${OPEN} ORDER BY due_at ASC, ${SEV} ASC, id ASC LIMIT 51`,
  ],
  [
    'staff queue: open, one domain',
    `SELECT id FROM tips INDEXED BY tips_open_due WHERE state IN ${OPEN} AND domain = 'gas' ORDER BY due_at ASC, ${SEV} ASC, id ASC LIMIT 51`,
  ],
  ['staff queue: overdue', `SELECT id FROM tips WHERE due_at < ${Date.now()} ORDER BY due_at, id LIMIT 50`],
  [
    'staff queue: next page (keyset)',
    `SELECT id FROM tips INDEXED BY tips_open_due WHERE state IN ${OPEN} AND (due_at > ${Date.now()} OR (due_at = ${Date.now()} AND (${SEV} > 1 OR (${SEV} = 1 AND id > 'x')))) ORDER BY due_at ASC, ${SEV} ASC, id ASC LIMIT 51`,
  ],
  ['timeline of a tip', "SELECT * FROM tip_events WHERE tip_id = 'bench-1' ORDER BY at"],
  ['public stats per month', 'SELECT month, SUM(count) FROM stats_monthly GROUP BY month'],
  ['public stats by domain', 'SELECT domain, SUM(count) FROM stats_monthly GROUP BY domain'],
  [
    'deadline job: tips due soon',
    `SELECT id FROM tips WHERE due_at BETWEEN ${Date.now()} AND ${Date.now() + 3 * 86_400_000} LIMIT 500`,
  ],
];

/** EXPLAIN QUERY PLAN for each hot query; `fullScan` is true when the plan scans `tips` without an index. */
export function queryPlans(file, queries = HOT_QUERIES) {
  const db = new DatabaseSync(file, { readOnly: true });
  const out = queries.map(([name, sql]) => {
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all()
      .map((r) => r.detail);
    const fullScan = plan.some((d) => /^SCAN tips\b/.test(d) && !/USING (COVERING )?INDEX/.test(d));
    return { name, sql, plan, fullScan };
  });
  db.close();
  return out;
}
