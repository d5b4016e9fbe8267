/**
 * Open data (开放数据): closed tips (已办结 / 不予受理 / 已合并), one file per month of receipt, as CSV or JSON.
 *
 * A record is listed under the tip's public id (公开编号), never its tracking number (the reporter's half of the
 * lookup key). It holds only what cannot point to a reporter: no identity, no free text (no description, unit name,
 * address, decision or messages), no exact place (镇街 only) and no time of day (dates, China time). The
 * field list below is the documented schema: the CSV header, the JSON `fields` and the /data/ page all come
 * from it.
 */
import type { tips } from '../db/schema';
import type { Row } from '../db/rows';
import type { Env } from '../env';
import { label, labelIn, TIP_TYPES } from '../domain/catalog';
import { CONCLUSIONS, HAZARD_LEVELS, REJECT_REASONS } from '../domain/workflow';
import { csvRow } from '../lib/csv';
import { formatPublicId } from './codes';
import { chinaDate } from './calendar';
import { addMonths, chinaMonth, monthStart } from './stats';

/** Public statuses that count as closed (the tip is no longer being handled). */
export const CLOSED_PUBLIC_STATUSES = ['concluded', 'rejected', 'merged'] as const;

/** A documented column of a published file: the CSV header, the JSON `fields` and the /data/ page list it. */
export interface DataField<Type extends string = string> {
  name: string;
  label: string;
  type: Type;
  description: string;
}

/** A column with the function that fills it from what a record is made of (`A`). */
export interface DataColumn<Type extends string, A extends unknown[], V> extends DataField<Type> {
  value: (...from: A) => V;
}

/** The documentation of `columns`, in column order (without their value functions). */
export function fieldsOf<Type extends string>(columns: readonly DataColumn<Type, never, unknown>[]): DataField<Type>[] {
  return columns.map(({ name, label, type, description }) => ({ name, label, type, description }));
}

/** One record: each column's name with its value from `from`, in column order. */
export function recordOf<A extends unknown[], V>(
  columns: readonly DataColumn<string, A, V>[],
  ...from: A
): Record<string, V> {
  const record: Record<string, V> = {};
  for (const c of columns) record[c.name] = c.value(...from);
  return record;
}

/**
 * A tip as the public may read it (open data, Open311): codes and dates only, with the names of its 镇街 and
 * 承办单位. Select `${PUBLIC_TIP_COLUMNS} FROM ${PUBLIC_TIP_FROM}`.
 */
export type PublicTipRow = Pick<
  Row<typeof tips>,
  'type' | 'domain' | 'town_id' | 'public_status' | 'conclusion' | 'reject_reason' | 'created_at' | 'conclude_due_at'
> & {
  /** Every tip has one from its submission (the column is nullable only for rows older than public ids). */
  public_id: string;
  town_name: string | null;
  department: string | null;
};
/** The joins that name a tip's (`t`) 镇街 (`tw`) and 承办单位 (`d`). */
export const PUBLIC_TIP_JOINS =
  'LEFT JOIN towns tw ON tw.id = t.town_id LEFT JOIN departments d ON d.id = t.department_id';
export const PUBLIC_TIP_FROM = `tips t ${PUBLIC_TIP_JOINS}`;
export const PUBLIC_TIP_COLUMNS = `t.public_id, t.type, t.domain, t.town_id, tw.name AS town_name, t.public_status, t.conclusion,
  t.reject_reason, d.name AS department, t.created_at, t.conclude_due_at`;

type OpenDataRow = PublicTipRow &
  Pick<Row<typeof tips>, 'id' | 'concluded_at' | 'closed_at' | 'hazard_level' | 'source'>;

type OpenDataValue = string | number | boolean | null;
export type OpenDataRecord = Record<string, OpenDataValue>;

/** When a closed tip was closed: its conclusion for 已办结, else when it was rejected or merged. */
const closedAtOf = (r: OpenDataRow) =>
  r.public_status === 'concluded' ? (r.concluded_at ?? r.closed_at) : (r.closed_at ?? r.concluded_at);

/** A description listing the labels of a catalog list (`一般、重大`). */
const labelsOf = (list: readonly { label: string }[]) => list.map((x) => x.label).join('、');

/** The columns of an open-data record, in order: what each holds and how it is read from a tip. */
const OPEN_DATA_COLUMNS: readonly DataColumn<
  'string' | 'date' | 'integer' | 'boolean',
  [r: OpenDataRow, closedAt: number | null],
  OpenDataValue
>[] = [
  {
    name: 'public_id',
    label: '公开编号',
    type: 'string',
    description:
      '该举报的公开编号，如 GK-7K3M9-QXP2D；与 Open311 接口的 service_request_id 相同。不是举报人的举报编号，不能用于进度查询',
    value: (r) => formatPublicId(r.public_id),
  },
  {
    name: 'received_date',
    label: '收到日期',
    type: 'date',
    description: '收到举报的日期（北京时间，YYYY-MM-DD，不含时刻）',
    value: (r) => chinaDate(r.created_at),
  },
  {
    name: 'closed_date',
    label: '办结日期',
    type: 'date',
    description: '办结、不予受理或合并的日期（北京时间，YYYY-MM-DD）',
    value: (_, closedAt) => (closedAt == null ? null : chinaDate(closedAt)),
  },
  {
    name: 'type',
    label: '举报类型代码',
    type: 'string',
    description: TIP_TYPES.map((t) => t.code).join(' / '),
    value: (r) => r.type,
  },
  {
    name: 'type_label',
    label: '举报类型',
    type: 'string',
    description: labelsOf(TIP_TYPES),
    value: (r) => label.tipType(r.type),
  },
  {
    name: 'domain',
    label: '行业领域代码',
    type: 'string',
    description: '行业领域代码，如 gas、fire',
    value: (r) => r.domain,
  },
  {
    name: 'domain_label',
    label: '行业领域',
    type: 'string',
    description: '行业领域名称',
    value: (r) => label.domain(r.domain),
  },
  {
    name: 'town_id',
    label: '镇街代码',
    type: 'string',
    description: '镇（街道）代码；不公开详细地址和坐标',
    value: (r) => r.town_id,
  },
  { name: 'town_name', label: '镇街', type: 'string', description: '镇（街道）名称', value: (r) => r.town_name },
  {
    name: 'status',
    label: '公开状态代码',
    type: 'string',
    description: 'concluded（已办结）/ rejected（不予受理）/ merged（已合并）',
    value: (r) => r.public_status,
  },
  {
    name: 'status_label',
    label: '公开状态',
    type: 'string',
    description: CLOSED_PUBLIC_STATUSES.map(label.publicStatus).join('、'),
    value: (r) => label.publicStatus(r.public_status),
  },
  {
    name: 'conclusion',
    label: '核查结论',
    type: 'string',
    description: `${labelsOf(CONCLUSIONS)}；未核查的为空`,
    value: (r) => (r.conclusion ? labelIn(CONCLUSIONS, r.conclusion) : null),
  },
  {
    name: 'hazard_level',
    label: '隐患等级',
    type: 'string',
    description: `${labelsOf(HAZARD_LEVELS)}；未认定的为空`,
    value: (r) => (r.hazard_level ? labelIn(HAZARD_LEVELS, r.hazard_level) : null),
  },
  {
    name: 'reject_reason',
    label: '不予受理理由',
    type: 'string',
    description: '从固定列表中选择的理由；其他状态为空',
    value: (r) => (r.public_status === 'rejected' && r.reject_reason ? labelIn(REJECT_REASONS, r.reject_reason) : null),
  },
  {
    name: 'department',
    label: '承办单位',
    type: 'string',
    description: '负责核查处理的部门；未交办的为空',
    value: (r) => r.department,
  },
  {
    name: 'days_to_close',
    label: '办理天数',
    type: 'integer',
    description: '从收到到办结的整天数',
    value: (r, closedAt) => (closedAt == null ? null : Math.max(0, Math.floor((closedAt - r.created_at) / 86_400_000))),
  },
  {
    name: 'on_time',
    label: '是否按期办结',
    type: 'boolean',
    description: '在法定办结期限（含批准的延期）内办结为 true，超期为 false；无办结期限的为空',
    value: (r) =>
      r.public_status === 'concluded' && r.conclude_due_at != null && r.concluded_at != null
        ? r.concluded_at <= r.conclude_due_at
        : null,
  },
  {
    name: 'channel',
    label: '来源渠道',
    type: 'string',
    description: 'web（本平台）或 open311（合作平台，如 12345 热线）',
    value: (r) => (r.source.startsWith('open311') ? 'open311' : 'web'),
  },
];

export type OpenDataField = DataField<'string' | 'date' | 'integer' | 'boolean'>;
/** The schema of an open-data record, in column order. */
export const OPEN_DATA_FIELDS: readonly OpenDataField[] = fieldsOf(OPEN_DATA_COLUMNS);

const toRecord = (r: OpenDataRow): OpenDataRecord => recordOf(OPEN_DATA_COLUMNS, r, closedAtOf(r));

/** Rows per D1 read: a month of a busy district (~40,000 tips) is read in a handful of queries. */
const CHUNK = 5000;

/**
 * The closed tips received in `month` (YYYY-MM, China time), in receipt order, chunk by chunk.
 * Reads the month's range of the `tips_created` index (the unary `+` keeps SQLite from choosing the status
 * index, which would need a sort per chunk) and pages with a (created_at, id) keyset.
 */
export async function* closedTipRecords(env: Env, month: string): AsyncGenerator<OpenDataRecord[]> {
  const from = monthStart(month);
  const to = monthStart(addMonths(month, 1));
  let cursor: [number, string] = [from - 1, ''];
  for (;;) {
    const { results } = await env.DB.prepare(
      `SELECT t.id, ${PUBLIC_TIP_COLUMNS}, t.concluded_at, t.closed_at, t.hazard_level, t.source
       FROM ${PUBLIC_TIP_FROM}
       WHERE t.created_at >= ?1 AND t.created_at < ?2 AND (t.created_at, t.id) > (?3, ?4)
         AND +t.public_status IN ('concluded', 'rejected', 'merged')
       ORDER BY t.created_at, t.id LIMIT ${CHUNK}`,
    )
      .bind(from, to, cursor[0], cursor[1])
      .all<OpenDataRow>();
    if (results.length) yield results.map(toRecord);
    if (results.length < CHUNK) return;
    const last = results.at(-1)!;
    cursor = [last.created_at, last.id];
  }
}

/** Months (YYYY-MM, newest first) that have closed tips, from the statistics aggregate. */
export async function openDataMonths(env: Env, now = Date.now()): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT month FROM stats_monthly WHERE public_status IN ('concluded', 'rejected', 'merged') AND month <= ?
     GROUP BY month HAVING SUM(count) > 0 ORDER BY month DESC`,
  )
    .bind(chinaMonth(now))
    .all<{ month: string }>();
  return results.map((r) => r.month);
}

const enc = new TextEncoder();

/** A stream of the month's CSV: UTF-8 with BOM (so Excel and WPS read Chinese), header of field names, CRLF. */
export function openDataCsv(env: Env, month: string): ReadableStream<Uint8Array> {
  const names = OPEN_DATA_FIELDS.map((f) => f.name);
  return streamOf(async function* () {
    yield `\uFEFF${csvRow(names)}\r\n`;
    for await (const chunk of closedTipRecords(env, month)) {
      yield `${chunk.map((r) => csvRow(names.map((n) => r[n]))).join('\r\n')}\r\n`;
    }
  });
}

/** A stream of the month's JSON: `{ month, generatedAt, schema, fields, records: [...] }`. */
export function openDataJson(env: Env, month: string, schemaUrl: string): ReadableStream<Uint8Array> {
  return streamOf(async function* () {
    const head = { month, generatedAt: new Date().toISOString(), schema: schemaUrl, fields: OPEN_DATA_FIELDS };
    yield `${JSON.stringify(head).slice(0, -1)},"records":[`;
    let first = true;
    for await (const chunk of closedTipRecords(env, month)) {
      yield (first ? '' : ',') + chunk.map((r) => JSON.stringify(r)).join(',');
      first = false;
    }
    yield ']}';
  });
}

function streamOf(parts: () => AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const it = parts();
  return new ReadableStream({
    async pull(controller) {
      try {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(enc.encode(value));
      } catch (e) {
        // A failed read mid-file: end the stream with an error rather than a silently truncated file.
        console.error(JSON.stringify({ at: 'open-data', error: String(e).slice(0, 300) }));
        controller.error(e);
      }
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}
