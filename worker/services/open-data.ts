/**
 * Open data (开放数据): closed tips (已办结 / 不予受理 / 已合并), one file per month of receipt, as CSV or JSON.
 *
 * A record is listed under the tip's public id (公开编号), never its tracking number (the reporter's half of the
 * lookup key). It holds only what cannot point to a reporter: no identity, no free text (no description, unit name,
 * address, decision or messages), no exact place (镇街 only) and no time of day (dates, China time). The
 * field list below is the documented schema: the CSV header, the JSON `fields` and the /data/ page all come
 * from it.
 */
import type { Env } from '../env';
import { label, labelIn } from '../domain/catalog';
import { CONCLUSIONS, HAZARD_LEVELS, REJECT_REASONS } from '../domain/workflow';
import { csvRow } from '../lib/csv';
import { formatPublicId } from './codes';
import { chinaDate } from './calendar';
import { addMonths, chinaMonth, monthStart } from './stats';

/** Public statuses that count as closed (the tip is no longer being handled). */
export const CLOSED_PUBLIC_STATUSES = ['concluded', 'rejected', 'merged'] as const;

export interface OpenDataField {
  name: string;
  label: string;
  type: 'string' | 'date' | 'integer' | 'boolean';
  description: string;
}

/** The schema of an open-data record, in column order. */
export const OPEN_DATA_FIELDS: readonly OpenDataField[] = [
  {
    name: 'public_id',
    label: '公开编号',
    type: 'string',
    description:
      '该举报的公开编号，如 GK-7K3M9-QXP2D；与 Open311 接口的 service_request_id 相同。不是举报人的举报编号，不能用于进度查询',
  },
  {
    name: 'received_date',
    label: '收到日期',
    type: 'date',
    description: '收到举报的日期（北京时间，YYYY-MM-DD，不含时刻）',
  },
  {
    name: 'closed_date',
    label: '办结日期',
    type: 'date',
    description: '办结、不予受理或合并的日期（北京时间，YYYY-MM-DD）',
  },
  {
    name: 'type',
    label: '举报类型代码',
    type: 'string',
    description: 'major_hazard / general_hazard / illegal_operation / concealed_accident',
  },
  {
    name: 'type_label',
    label: '举报类型',
    type: 'string',
    description: '重大事故隐患、一般事故隐患、安全生产非法违法行为、瞒报谎报事故',
  },
  { name: 'domain', label: '行业领域代码', type: 'string', description: '行业领域代码，如 gas、fire' },
  { name: 'domain_label', label: '行业领域', type: 'string', description: '行业领域名称' },
  { name: 'town_id', label: '镇街代码', type: 'string', description: '镇（街道）代码；不公开详细地址和坐标' },
  { name: 'town_name', label: '镇街', type: 'string', description: '镇（街道）名称' },
  {
    name: 'status',
    label: '公开状态代码',
    type: 'string',
    description: 'concluded（已办结）/ rejected（不予受理）/ merged（已合并）',
  },
  { name: 'status_label', label: '公开状态', type: 'string', description: '已办结、不予受理、已合并' },
  { name: 'conclusion', label: '核查结论', type: 'string', description: '属实、部分属实、不属实；未核查的为空' },
  { name: 'hazard_level', label: '隐患等级', type: 'string', description: '一般、重大；未认定的为空' },
  { name: 'reject_reason', label: '不予受理理由', type: 'string', description: '从固定列表中选择的理由；其他状态为空' },
  { name: 'department', label: '承办单位', type: 'string', description: '负责核查处理的部门；未交办的为空' },
  { name: 'days_to_close', label: '办理天数', type: 'integer', description: '从收到到办结的整天数' },
  {
    name: 'on_time',
    label: '是否按期办结',
    type: 'boolean',
    description: '在法定办结期限（含批准的延期）内办结为 true，超期为 false；无办结期限的为空',
  },
  {
    name: 'channel',
    label: '来源渠道',
    type: 'string',
    description: 'web（本平台）或 open311（合作平台，如 12345 热线）',
  },
];

export type OpenDataRecord = Record<string, string | number | boolean | null>;

interface Row {
  id: string;
  public_id: string;
  created_at: number;
  concluded_at: number | null;
  closed_at: number | null;
  conclude_due_at: number | null;
  type: string;
  domain: string;
  town_id: string;
  town_name: string | null;
  public_status: string;
  conclusion: string | null;
  hazard_level: string | null;
  reject_reason: string | null;
  department: string | null;
  source: string;
}

function toRecord(r: Row): OpenDataRecord {
  const closedAt = r.public_status === 'concluded' ? (r.concluded_at ?? r.closed_at) : (r.closed_at ?? r.concluded_at);
  return {
    public_id: formatPublicId(r.public_id),
    received_date: chinaDate(r.created_at),
    closed_date: closedAt == null ? null : chinaDate(closedAt),
    type: r.type,
    type_label: label.tipType(r.type),
    domain: r.domain,
    domain_label: label.domain(r.domain),
    town_id: r.town_id,
    town_name: r.town_name,
    status: r.public_status,
    status_label: label.publicStatus(r.public_status),
    conclusion: r.conclusion ? labelIn(CONCLUSIONS, r.conclusion) : null,
    hazard_level: r.hazard_level ? labelIn(HAZARD_LEVELS, r.hazard_level) : null,
    reject_reason: r.public_status === 'rejected' && r.reject_reason ? labelIn(REJECT_REASONS, r.reject_reason) : null,
    department: r.department,
    days_to_close: closedAt == null ? null : Math.max(0, Math.floor((closedAt - r.created_at) / 86_400_000)),
    on_time:
      r.public_status === 'concluded' && r.conclude_due_at != null && r.concluded_at != null
        ? r.concluded_at <= r.conclude_due_at
        : null,
    channel: r.source.startsWith('open311') ? 'open311' : 'web',
  };
}

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
      `SELECT t.id, t.public_id, t.created_at, t.concluded_at, t.closed_at, t.conclude_due_at, t.type, t.domain, t.town_id,
              tw.name AS town_name, t.public_status, t.conclusion, t.hazard_level, t.reject_reason, d.name AS department, t.source
       FROM tips t LEFT JOIN towns tw ON tw.id = t.town_id LEFT JOIN departments d ON d.id = t.department_id
       WHERE t.created_at >= ?1 AND t.created_at < ?2 AND (t.created_at, t.id) > (?3, ?4)
         AND +t.public_status IN ('concluded', 'rejected', 'merged')
       ORDER BY t.created_at, t.id LIMIT ${CHUNK}`,
    )
      .bind(from, to, cursor[0], cursor[1])
      .all<Row>();
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
