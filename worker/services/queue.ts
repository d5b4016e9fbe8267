/**
 * The staff queue: filtered, sorted by due date (or newest), keyset-paginated — a page costs the same at
 * row 10 and at row 1,000,000. A 承办员 only ever gets their own department's tips. No identity is selected.
 */
import type { Env } from '../env';
import { DUE_KINDS, dueKindsOf, overdueOf, type DueKind } from '../domain/deadlines';
import { label, labelIn } from '../domain/catalog';
import {
  CONCLUSIONS,
  HAZARD_LEVELS,
  LOW_RATINGS,
  RISK_COLOURS,
  SEVERITY_SQL,
  STATES,
  labelOfRating,
  stateLabel,
} from '../domain/workflow';
import { OPEN_STATES_SQL, type tips } from '../db/schema';
import type { Row } from '../db/rows';
import { audit } from '../lib/audit';
import { csvText } from '../lib/csv';
import { ApiError } from '../lib/errors';
import type { QueuePage } from '../schemas/staff';
import { z } from '../schemas/zod';
import { chinaDate } from './calendar';
import { formatTrackingNo, parseTrackingNo } from './codes';
import { scopeOf, tipScope, type Capability } from '../domain/access';
import type { StaffActor } from './transitions';

export const QueueFilter = z
  .object({
    /** `open` (default): every state still being handled; `all`; or one internal state. */
    view: z.enum(['open', 'all', ...STATES]).default('open'),
    type: z.string().max(40).optional(),
    domain: z.string().max(40).optional(),
    departmentId: z.string().max(40).optional(),
    townId: z.string().max(40).optional(),
    riskColour: z.enum(['red', 'orange', 'yellow', 'blue']).optional(),
    /** Overdue tips: `1` any, `accept` 受理超期, `verify` 核查超期, `rectify` 整改超期 (整改时限 or its 复查). */
    overdue: z.enum(['1', 'accept', 'verify', 'rectify']).optional(),
    newMessage: z.enum(['1']).optional(),
    /** `low`: the last conclusion was rated 不满意 or 非常不满意. */
    rating: z.enum(['low']).optional(),
    /** 回访: `open` waiting for an answer, `overdue` past its deadline. */
    followup: z.enum(['open', 'overdue']).optional(),
    /** A tracking number, or words in the unit name / address / description. */
    q: z.string().trim().max(100).optional(),
    sort: z.enum(['due', 'newest']).default('due'),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type QueueFilter = z.infer<typeof QueueFilter>;

/** Build WHERE clauses and parameters for a filter (shared by the queue and the CSV export). */
/**
 * `t` is the table alias to qualify columns with (e.g. 't.' when the query joins other tables); `cap` the
 * capability whose department scope limits the rows (the queue reads, the export exports).
 */
export function queueWhere(
  actor: StaffActor,
  filter: QueueFilter,
  now: number,
  t = '',
  cap: Capability = 'tips.read',
): { where: string[]; params: unknown[] } {
  const f = withRatingView(filter);
  const scope = tipScope(actor, cap, `${t}department_id`);
  const where: string[] = scope.sql === '1 = 1' ? [] : [scope.sql];
  const params: unknown[] = [...scope.params];
  // A literal list, not parameters: SQLite matches it to the partial indexes tips_open_due / tips_open_dept_due.
  if (f.view === 'open') where.push(`${t}state IN ${OPEN_STATES_SQL}`);
  else if (f.view !== 'all') {
    where.push(`${t}state = ?`);
    params.push(f.view);
  }
  for (const [col, v] of [
    ['type', f.type],
    ['domain', f.domain],
    ['department_id', f.departmentId],
    ['town_id', f.townId],
    ['risk_colour', f.riskColour],
  ] as const) {
    if (v) {
      where.push(`${t}${col} = ?`);
      params.push(v);
    }
  }
  if (f.overdue) {
    where.push(`${t}due_at < ?`);
    params.push(now);
    if (f.overdue !== '1') {
      const kinds = dueKindsOf(f.overdue);
      where.push(`${t}due_kind IN (${kinds.map(() => '?').join(', ')})`);
      params.push(...kinds);
    }
  }
  if (f.newMessage) where.push(`${t}reporter_message_pending = 1`);
  if (f.rating === 'low') {
    where.push(
      `(SELECT r.level FROM tip_ratings r WHERE r.tip_id = ${t || 'tips.'}id ORDER BY r.conclusion_at DESC LIMIT 1) IN (${LOW_RATINGS.map(() => '?').join(', ')})`,
    );
    params.push(...LOW_RATINGS);
  }
  if (f.followup) {
    where.push(
      `EXISTS (SELECT 1 FROM tip_followups fu WHERE fu.tip_id = ${t || 'tips.'}id AND fu.state = 'open'${f.followup === 'overdue' ? ' AND fu.due_at < ?' : ''})`,
    );
    if (f.followup === 'overdue') params.push(now);
  }
  if (f.q) {
    const no = parseTrackingNo(f.q);
    if (no) {
      where.push(`${t}tracking_no = ?`);
      params.push(no);
    } else {
      // instr, not LIKE: D1 refuses LIKE patterns over 50 bytes (a dozen Chinese characters), and a substring
      // has no wildcards to escape. SQLite's lower() folds only A–Z, so the query is folded the same way (a
      // full-width ＬＰＧ typed by an input method still matches a stored ＬＰＧ).
      const needle = f.q.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
      where.push(
        `(instr(lower(${t}unit_name), ?) > 0 OR instr(lower(${t}address), ?) > 0 OR instr(lower(${t}description), ?) > 0)`,
      );
      params.push(needle, needle, needle);
    }
  }
  return { where, params };
}

/** Ratings and follow-ups concern concluded tips: with those filters the default 'open' view widens to all. */
const withRatingView = (f: QueueFilter): QueueFilter =>
  (f.rating || f.followup) && f.view === 'open' ? { ...f, view: 'all' } : f;

/** The last row of a page: its sort key, its severity (deadline order only; 0 otherwise) and its id. */
type Cursor = [number, number, string];
const encodeCursor = (c: Cursor) => btoa(JSON.stringify(c));
function decodeCursor(s: string): Cursor {
  try {
    const v = JSON.parse(atob(s)) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      typeof v[0] === 'number' &&
      Number.isInteger(v[1]) &&
      typeof v[2] === 'string'
    )
      return [v[0], v[1], v[2]];
  } catch {}
  throw new ApiError('VALIDATION_FAILED', {
    fields: [{ path: 'cursor', code: 'CURSOR_INVALID', message: '分页参数无效，请从第一页重新开始' }],
  });
}

const FAR_FUTURE = 8_640_000_000_000_000;

/** A tip as a list names it (TipRef): its id and its tracking number as printed. */
export const tipRef = (t: Pick<Row<typeof tips>, 'id' | 'tracking_no'>) => ({
  id: t.id,
  trackingNo: formatTrackingNo(t.tracking_no),
});

/** What a tip reports and where, as the queue and the tip page show it: type, domain, unit, address and 镇街. */
export const tipSubject = (t: Pick<Row<typeof tips>, 'type' | 'domain' | 'unit_name' | 'address' | 'town_id'>) => ({
  type: t.type,
  domain: t.domain,
  unitName: t.unit_name,
  address: t.address,
  townId: t.town_id,
});

/**
 * What the queue's SELECT answers for a tip, typed from the schema: the tip columns it lists (only those are
 * read) and the computed rating, follow-up deadline and severity.
 */
type QueueSqlRow = Row<typeof tips> & { rating: string | null; followup_due_at: number | null; severity: number };

export async function listQueue(
  env: Env,
  actor: StaffActor,
  filter: QueueFilter,
  now = Date.now(),
): Promise<QueuePage> {
  const f = withRatingView(filter);
  const { where, params } = queueWhere(actor, f, now);
  // Sort by due date (tips with no running deadline last) or by newest. In deadline order, tips due at the same
  // time come most serious first (SEVERITY_SQL: 重大事故隐患, then red to blue); `id` breaks the remaining ties so
  // pages never overlap. Open tips always have a running deadline, so the plain column (and its index) serves the
  // default view; the severity only orders rows within one deadline.
  const key = f.sort === 'due' ? (f.view === 'open' ? 'due_at' : `COALESCE(due_at, ${FAR_FUTURE})`) : 'created_at';
  const severity = f.sort === 'due' ? SEVERITY_SQL() : '0';
  const dir = f.sort === 'due' ? '>' : '<';
  const order = f.sort === 'due' ? 'ASC' : 'DESC';
  if (f.cursor) {
    const [v, sev, id] = decodeCursor(f.cursor);
    where.push(`(${key} ${dir} ? OR (${key} = ? AND (${severity} ${dir} ? OR (${severity} = ? AND id ${dir} ?))))`);
    params.push(v, v, sev, sev, id);
  }
  // The default view walks a partial index of open tips in deadline order (see worker/db/schema.ts); SQLite's
  // planner would otherwise sort all open tips of the matching states for every page.
  const byDept = scopeOf(actor, 'tips.read') !== 'all' || !!f.departmentId;
  const index =
    f.view === 'open' && f.sort === 'due' ? `INDEXED BY ${byDept ? 'tips_open_dept_due' : 'tips_open_due'}` : '';
  const sql = `SELECT id, tracking_no, state, public_status, type, domain, unit_name, address, town_id, department_id,
      created_at, due_at, due_kind, hazard_level, verified_type, risk_colour, reporter_message_pending, anonymous, version,
      (SELECT r.level FROM tip_ratings r WHERE r.tip_id = tips.id ORDER BY r.conclusion_at DESC LIMIT 1) AS rating,
      (SELECT fu.due_at FROM tip_followups fu WHERE fu.tip_id = tips.id AND fu.state = 'open' LIMIT 1) AS followup_due_at,
      ${severity} AS severity
    FROM tips ${index} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${key} ${order}, severity ${order}, id ${order} LIMIT ?`;
  const { results } = await env.DB.prepare(sql)
    .bind(...params, f.limit + 1)
    .all<QueueSqlRow>();
  const more = results.length > f.limit;
  const page = results.slice(0, f.limit);
  const rows = page.map((r) => {
    const overdueKind = overdueOf(r.due_at, r.due_kind, now);
    return {
      ...tipRef(r),
      state: r.state,
      publicStatus: r.public_status,
      ...tipSubject(r),
      departmentId: r.department_id,
      createdAt: r.created_at,
      dueAt: r.due_at,
      dueKind: r.due_kind,
      overdue: r.due_at != null && r.due_at < now,
      overdueKind,
      overdueLabel: overdueKind ? (DUE_KINDS[r.due_kind as DueKind]?.overdueLabel ?? '超期') : null,
      hazardLevel: r.hazard_level,
      verifiedType: r.verified_type,
      riskColour: r.risk_colour,
      reporterMessagePending: r.reporter_message_pending === 1,
      anonymous: r.anonymous === 1,
      version: r.version,
      rating: r.rating ? labelOfRating(r.rating) : null,
      lowRating: LOW_RATINGS.includes(r.rating as never),
      followupDueAt: r.followup_due_at,
    };
  });
  const last = page.at(-1);
  const next =
    more && last
      ? encodeCursor([f.sort === 'due' ? (last.due_at ?? FAR_FUTURE) : last.created_at, last.severity, last.id])
      : null;
  return { rows, next };
}

/**
 * Export the tips of a queue filter as CSV (never with identity: only 实名/匿名), newest first, at most 50,000
 * rows, within the actor's `tips.export` scope; the audit row records the filter as given and the row count.
 */
export async function exportQueue(
  env: Env,
  actor: StaffActor,
  filter: Omit<QueueFilter, 'cursor' | 'limit'>,
  now = Date.now(),
): Promise<{ csv: string; rows: number }> {
  const f = { ...filter, limit: 200 } as QueueFilter;
  const { where, params } = queueWhere(actor, f, now, 't.', 'tips.export');
  const { results } = await env.DB.prepare(
    `SELECT t.tracking_no, t.created_at, t.type, t.domain, t.unit_name, t.address, tw.name AS town, t.public_status, t.state,
            d.name AS department, t.due_at, t.conclusion, t.hazard_level, t.risk_colour, t.penalty_fen, t.anonymous
       FROM tips t LEFT JOIN departments d ON d.id = t.department_id LEFT JOIN towns tw ON tw.id = t.town_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY t.created_at DESC LIMIT 50000`,
  )
    .bind(...params)
    .all<Record<string, unknown>>();
  const rows = [
    [
      '举报编号',
      '提交时间',
      '举报类型',
      '行业领域',
      '被举报单位/场所',
      '地址',
      '镇街',
      '公开状态',
      '内部状态',
      '承办单位',
      '办理期限',
      '核查结论',
      '隐患等级',
      '风险颜色',
      '行政处罚金额(元)',
      '举报方式',
    ],
    ...results.map((r) => [
      formatTrackingNo(r.tracking_no as string),
      chinaDate(r.created_at as number),
      label.tipType(r.type as string),
      label.domain(r.domain as string),
      r.unit_name as string,
      r.address as string,
      (r.town as string) ?? '',
      label.publicStatus(r.public_status as string),
      stateLabel(r.state as string),
      (r.department as string) ?? '',
      r.due_at ? chinaDate(r.due_at as number) : '',
      r.conclusion ? labelIn(CONCLUSIONS, r.conclusion as string) : '',
      r.hazard_level ? labelIn(HAZARD_LEVELS, r.hazard_level as string) : '',
      r.risk_colour ? labelIn(RISK_COLOURS, r.risk_colour as string) : '',
      r.penalty_fen != null ? ((r.penalty_fen as number) / 100).toFixed(2) : '',
      r.anonymous ? '匿名' : '实名',
    ]),
  ];
  // Who exported what: the filter as given and how many rows left the system.
  await audit(env, { actor: actor.id, action: 'tips.exported', at: now, detail: { filter, rows: results.length } });
  return { csv: csvText(rows), rows: results.length };
}
