/**
 * Capacity from measured bytes: what a tip costs in D1, read with SQLite's `dbstat` (bytes of pages, indexes
 * included) from two databases of the same bench run —
 *   - the API bench's database, written by the real Worker (submissions, staff transitions, the sealer): bytes
 *     per row of the timeline, audit log, seals, identities;
 *   - the 1,000,000-tip scale database: bytes per tip row with all of its indexes at that size, and the
 *     statistics aggregate.
 * A handled tip is then priced as one tip row + LIFECYCLE events, audit rows and seals + an identity for the
 * real-name share, and the years that fit in one D1 database (10 GB) follow for a district, a city and a province.
 */
import { DatabaseSync } from 'node:sqlite';

/** D1's size limit per database (Workers Paid). */
export const D1_LIMIT_BYTES = 10 * 1000 ** 3;
/**
 * A handled tip's rows besides itself: submitted, 受理, 交办, 核查结论 (with the reply), 销号 after the objection
 * window, plus one reporter or staff message — each a timeline event, an audit row and that row's seal.
 */
export const LIFECYCLE = { events: 6, audit: 6, realNameShare: 0.3 };
/**
 * Tips a year. National: about 210,000 tips in 2022 (the figure the issue gives). Per unit, the national figure
 * spread over the divisions (31 provinces, 333 prefecture-level cities, 2,844 county-level districts), and a
 * busy unit taken as 4× the average — estimates, not statistics.
 */
export const VOLUMES = [
  ['district (区县), average', 210_000 / 2844],
  ['district, busy (4×)', (4 * 210_000) / 2844],
  ['city (地级市), average', 210_000 / 333],
  ['city, busy (4×)', (4 * 210_000) / 333],
  ['province (省), average', 210_000 / 31],
  ['province, busy (4×)', (4 * 210_000) / 31],
  ['national, one database', 210_000],
];

/** Bytes (table + its indexes) and rows of each table of a SQLite file. */
export function tableBytes(file) {
  const db = new DatabaseSync(file, { readOnly: true });
  const pages = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all();
  const owner = new Map(
    db
      .prepare("SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')")
      .all()
      .map((r) => [r.name, r.tbl_name]),
  );
  const out = {};
  for (const p of pages) {
    const t = owner.get(p.name) ?? p.name;
    out[t] ??= { bytes: 0, rows: 0 };
    out[t].bytes += Number(p.bytes);
  }
  for (const t of Object.keys(out)) {
    if (!/^[a-z_0-9]+$/.test(t) || t.startsWith('sqlite_')) continue;
    try {
      out[t].rows = Number(db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get().n);
    } catch {}
  }
  db.close();
  return out;
}

const per = (t) => (t?.rows ? t.bytes / t.rows : null);

/**
 * @param api tableBytes of the API bench's database (real rows)
 * @param scale tableBytes of the scale database ({ count } tips)
 */
export function capacity(api, scale, count) {
  const tipRow = per(scale.tips);
  const event = per(api.tip_events);
  const audit = per(api.audit_log);
  const seal = per(api.audit_seals);
  const identity = per(api.tip_identities);
  const parts = {
    tipRowWithIndexes: tipRow,
    events: LIFECYCLE.events * event,
    auditRows: LIFECYCLE.audit * audit,
    seals: LIFECYCLE.audit * (seal ?? 0),
    identity: LIFECYCLE.realNameShare * (identity ?? 0),
  };
  const perTip = Object.values(parts).reduce((a, b) => a + (b ?? 0), 0);
  const stats = scale.stats_monthly?.bytes ?? 0;
  return {
    measured: {
      tipRow: round(tipRow),
      event: round(event),
      audit: round(audit),
      seal: round(seal),
      identity: round(identity),
      statsAggregateBytesAtScale: stats,
      scaleCount: count,
      apiRows: {
        tips: api.tips?.rows,
        events: api.tip_events?.rows,
        audit: api.audit_log?.rows,
        seals: api.audit_seals?.rows,
      },
    },
    parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v)])),
    perTip: round(perTip),
    atMillion: Math.round((perTip * 1_000_000 + stats) / 1e6),
    years: VOLUMES.map(([name, perYear]) => ({
      name,
      perYear: Math.round(perYear),
      years: round(D1_LIMIT_BYTES / (perYear * perTip), 1),
    })),
  };
}

const round = (x, d = 0) => (x == null ? null : Math.round(x * 10 ** d) / 10 ** d);

export function capacityMarkdown(c) {
  const m = c.measured;
  return [
    '## Capacity from measured bytes',
    '',
    `Bytes per row read with SQLite's \`dbstat\` (pages of the table and all its indexes, divided by its rows): the tip row`,
    `from the ${m.scaleCount.toLocaleString('en')}-tip scale database; events, audit rows, seals and identities from the API bench's`,
    `database, written by the real Worker (${m.apiRows.tips} tips, ${m.apiRows.events} events, ${m.apiRows.audit} audit rows, ${m.apiRows.seals} seals).`,
    `A handled tip = its row + ${LIFECYCLE.events} events + ${LIFECYCLE.audit} audit rows and their seals + an identity for ${LIFECYCLE.realNameShare * 100}% real-name (see docs/scale.md).`,
    '',
    '| part | bytes |',
    '|---|---:|',
    `| tip row with its indexes (at ${m.scaleCount.toLocaleString('en')}) | ${m.tipRow} |`,
    `| timeline event | ${m.event} |`,
    `| audit row | ${m.audit} |`,
    `| seal | ${m.seal ?? '–'} |`,
    `| identity record | ${m.identity ?? '–'} |`,
    `| **handled tip, all rows** | **${c.perTip}** |`,
    `| statistics aggregate, whole table at ${m.scaleCount.toLocaleString('en')} tips | ${m.statsAggregateBytesAtScale} |`,
    '',
    `1,000,000 handled tips ≈ ${c.atMillion.toLocaleString('en')} MB. Years in one D1 database (10 GB):`,
    '',
    '| who | tips a year | years in 10 GB |',
    '|---|---:|---:|',
    ...c.years.map((y) => `| ${y.name} | ${y.perYear.toLocaleString('en')} | ${y.years} |`),
  ];
}
