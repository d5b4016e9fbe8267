/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the tip workflow: the service list (tip
 * type × domain), service definitions, service requests read back for partners, and tips submitted by a
 * partner system (e.g. a 12345 hotline) on behalf of a citizen.
 *
 * What a request shows is public-safe by construction (see `toServiceRequest`): the public tracking number as
 * `service_request_id` (never the query code), open/closed with the public status in `status_notes`, the
 * 镇街 as the only place (no address, no coordinates), dates rounded to the day (China time), and no free
 * text at all (`description` is always null: a description, unit name or decision could identify the reporter).
 */
import type { Env } from '../env';
import { DOMAINS, TIP_TYPES, label, labelIn } from '../domain/catalog';
import { CONCLUSIONS, REJECT_REASONS } from '../domain/workflow';
import { LIMITS } from '../domain/limits';
import { appSecret, hmacHex } from '../lib/crypto';
import { ApiError, type FieldError } from '../lib/errors';
import { fieldErrors } from '../lib/validation';
import { TipSubmission, type Receipt } from '../schemas/tip';
import { chinaDate } from './calendar';
import { formatTrackingNo, parseTrackingNo } from './codes';
import { CLOSED_PUBLIC_STATUSES } from './open-data';
import { createTip, findReceipt, requestHash } from './tips';

const DAY = 86_400_000;

/** A GeoReport error: the HTTP status and the `[{ code, description }]` list the spec answers with. */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 422 | 429 | 500 | 503,
    readonly descriptions: string[],
    readonly retryAfter?: number,
  ) {
    super(descriptions.join('; '));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Services

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
}

/** A service per tip type × domain; the code is `<type>-<domain>` (both codes use only [a-z_]). */
export const serviceCode = (type: string, domain: string) => `${type}-${domain}`;

/** The tip type and domain of a service code, or null when it is not one of ours. */
export function parseServiceCode(code: string): { type: string; domain: string } | null {
  const [type, domain, extra] = code.split('-');
  if (extra !== undefined || !TIP_TYPES.some((t) => t.code === type) || !DOMAINS.some((d) => d.code === domain))
    return null;
  return { type: type!, domain: domain! };
}

export const SERVICES: readonly Open311Service[] = DOMAINS.flatMap((d) =>
  TIP_TYPES.map((t) => ({
    service_code: serviceCode(t.code, d.code),
    service_name: `${d.label}：${t.label}`,
    description: `举报${d.label}领域的${t.label}`,
    metadata: true,
    type: 'realtime' as const,
    keywords: `${t.label},${d.label},安全生产,隐患举报`,
    group: d.label,
  })),
);

export interface Open311Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
}

/** The attributes a partner sends with `attribute[code]` (the same for every service). */
export async function serviceDefinition(
  env: Env,
  code: string,
): Promise<{ service_code: string; attributes: Open311Attribute[] }> {
  if (!parseServiceCode(code)) throw new Open311Error(404, [`找不到服务代码 ${code}`]);
  const { results: towns } = await env.DB.prepare('SELECT id, name FROM towns WHERE active = 1 ORDER BY sort, id').all<{
    id: string;
    name: string;
  }>();
  return {
    service_code: code,
    attributes: [
      {
        variable: false,
        code: 'instructions',
        datatype: 'text',
        required: false,
        datatype_description: null,
        order: 1,
        description: `description（问题描述）须 ${LIMITS.description.min}–${LIMITS.description.max} 字；address_string（详细地址）必填；实名举报请同时提供 last_name/first_name（姓名）和 phone（手机号码），否则按匿名举报处理。`,
      },
      {
        variable: true,
        code: 'unit_name',
        datatype: 'string',
        required: true,
        datatype_description: '2–100 字',
        order: 2,
        description: '被举报单位或场所名称',
      },
      {
        variable: true,
        code: 'town',
        datatype: 'singlevaluelist',
        required: true,
        datatype_description: null,
        order: 3,
        description: '所在镇（街道）',
        values: towns.map((t) => ({ key: t.id, name: t.name })),
      },
      {
        variable: true,
        code: 'is_employee',
        datatype: 'singlevaluelist',
        required: true,
        datatype_description: null,
        order: 4,
        description: '举报人是否为被举报单位的员工',
        values: [
          { key: 'yes', name: '是' },
          { key: 'no', name: '否' },
        ],
      },
      {
        variable: true,
        code: 'seen_at',
        datatype: 'datetime',
        required: false,
        datatype_description: 'ISO 8601，须带时区，如 2026-11-20T09:30:00+08:00',
        order: 5,
        description: '发现时间（缺省为提交时间）',
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Service requests (read)

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string;
  service_name: string;
  service_code: string;
  description: null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string;
  zipcode: null;
  lat: null;
  long: null;
  media_url: null;
}

interface RequestRow {
  tracking_no: string;
  type: string;
  domain: string;
  town_id: string;
  town_name: string | null;
  public_status: string;
  conclusion: string | null;
  reject_reason: string | null;
  department: string | null;
  created_at: number;
  updated_at: number;
  conclude_due_at: number | null;
}

const REQUEST_COLUMNS = `t.tracking_no, t.type, t.domain, t.town_id, tw.name AS town_name, t.public_status, t.conclusion, t.reject_reason,
  d.name AS department, t.created_at, t.updated_at, t.conclude_due_at`;
const REQUEST_FROM = 'tips t LEFT JOIN towns tw ON tw.id = t.town_id LEFT JOIN departments d ON d.id = t.department_id';

/** An instant as a GeoReport date-time, rounded down to its day in China time: "2026-11-22T00:00:00+08:00". */
export const dayStamp = (ms: number) => `${chinaDate(ms)}T00:00:00+08:00`;

const isClosed = (publicStatus: string) => (CLOSED_PUBLIC_STATUSES as readonly string[]).includes(publicStatus);

function statusNotes(r: RequestRow): string {
  const status = label.publicStatus(r.public_status);
  if (r.public_status === 'concluded' && r.conclusion)
    return `${status}（核查结论：${labelIn(CONCLUSIONS, r.conclusion)}）`;
  if (r.public_status === 'rejected' && r.reject_reason)
    return `${status}：${labelIn(REJECT_REASONS, r.reject_reason)}`;
  return status;
}

/** The public-safe view of a tip as a GeoReport service request. */
export function toServiceRequest(r: RequestRow): Open311Request {
  const closed = isClosed(r.public_status);
  const code = serviceCode(r.type, r.domain);
  return {
    service_request_id: formatTrackingNo(r.tracking_no),
    status: closed ? 'closed' : 'open',
    status_notes: statusNotes(r),
    service_name: SERVICES.find((s) => s.service_code === code)?.service_name ?? code,
    service_code: code,
    description: null,
    agency_responsible: r.department,
    service_notice: !closed && r.conclude_due_at ? `法定办结期限：${chinaDate(r.conclude_due_at)}` : null,
    requested_datetime: dayStamp(r.created_at),
    updated_datetime: dayStamp(r.updated_at),
    expected_datetime: !closed && r.conclude_due_at ? dayStamp(r.conclude_due_at) : null,
    address: r.town_name,
    address_id: r.town_id,
    zipcode: null,
    lat: null,
    long: null,
    media_url: null,
  };
}

/** At most this many requests per answer (the spec lets servers cap it; 1000 is the customary figure). */
export const MAX_REQUESTS = 1000;
/** Ids per `service_request_id` list. */
export const MAX_IDS = 100;
/** The longest start_date…end_date range, and the default range ending now. */
export const WINDOW_DAYS = 90;

/** A GeoReport date-time parameter: ISO 8601 with a zone (Z or ±HH:MM). */
function parseDate(name: string, v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v);
  const ms = ok ? Date.parse(v) : NaN;
  if (Number.isNaN(ms))
    throw new Open311Error(400, [`${name} 应为带时区的 ISO 8601 时间，如 2026-11-01T00:00:00+08:00`]);
  return ms;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * GET requests: by `service_request_id` (a comma list; overrides every other filter, as the spec says), or by
 * `service_code`, `status` (open, closed) and `start_date`/`end_date` (requested_datetime, at most 90 days
 * apart; the most recent 90 days when neither is given). Newest first, at most MAX_REQUESTS.
 */
export async function findRequests(
  env: Env,
  q: Record<string, string | undefined>,
  now = Date.now(),
): Promise<Open311Request[]> {
  const ids = list(q.service_request_id);
  if (ids.length) {
    if (ids.length > MAX_IDS) throw new Open311Error(400, [`service_request_id 一次最多 ${MAX_IDS} 个`]);
    const nos = [...new Set(ids.map(parseTrackingNo).filter((x): x is string => !!x))];
    if (!nos.length) return [];
    const { results } = await env.DB.prepare(
      `SELECT ${REQUEST_COLUMNS} FROM ${REQUEST_FROM} WHERE t.tracking_no IN (${nos.map(() => '?').join(',')}) ORDER BY t.created_at DESC`,
    )
      .bind(...nos)
      .all<RequestRow>();
    return results.map(toServiceRequest);
  }

  const errors: string[] = [];
  const codes = list(q.service_code);
  const services = codes.map((c) => ({ c, s: parseServiceCode(c) }));
  for (const { c, s } of services) if (!s) errors.push(`service_code ${c} 不存在`);
  const statuses = list(q.status);
  for (const s of statuses)
    if (s !== 'open' && s !== 'closed') errors.push(`status 只能是 open 或 closed（可用逗号分隔），收到 ${s}`);
  let start: number | null = null;
  let end: number | null = null;
  try {
    start = parseDate('start_date', q.start_date);
  } catch (e) {
    errors.push(...(e as Open311Error).descriptions);
  }
  try {
    end = parseDate('end_date', q.end_date);
  } catch (e) {
    errors.push(...(e as Open311Error).descriptions);
  }
  if (start !== null && end !== null) {
    if (end < start) errors.push('end_date 不能早于 start_date');
    else if (end - start > WINDOW_DAYS * DAY) errors.push(`start_date 与 end_date 相隔不能超过 ${WINDOW_DAYS} 天`);
  }
  if (errors.length) throw new Open311Error(400, errors);
  if (start === null && end === null) end = now;
  if (start === null) start = end! - WINDOW_DAYS * DAY;
  if (end === null) end = start + WINDOW_DAYS * DAY;

  const where = ['t.created_at >= ?', 't.created_at <= ?'];
  const params: unknown[] = [start, end];
  if (services.length) {
    where.push(`(${services.map(() => '(t.type = ? AND t.domain = ?)').join(' OR ')})`);
    for (const { s } of services) params.push(s!.type, s!.domain);
  }
  const wanted = new Set(statuses);
  if (wanted.size === 1) {
    where.push(
      `t.public_status ${wanted.has('closed') ? '' : 'NOT '}IN (${CLOSED_PUBLIC_STATUSES.map(() => '?').join(',')})`,
    );
    params.push(...CLOSED_PUBLIC_STATUSES);
  }
  const { results } = await env.DB.prepare(
    `SELECT ${REQUEST_COLUMNS} FROM ${REQUEST_FROM} WHERE ${where.join(' AND ')} ORDER BY t.created_at DESC, t.id DESC LIMIT ${MAX_REQUESTS}`,
  )
    .bind(...params)
    .all<RequestRow>();
  return results.map(toServiceRequest);
}

/** GET requests/{id}: the one request, or 404. */
export async function findRequest(env: Env, id: string): Promise<Open311Request> {
  const [r] = await findRequests(env, { service_request_id: id });
  if (!r) throw new Open311Error(404, [`找不到举报编号 ${id}`]);
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Tokens

/** A token names a request created through Open311: "T" + tracking number + 20 hex of an HMAC over it. */
export async function tokenFor(env: Env, trackingNo: string): Promise<string> {
  return `T${trackingNo}${(await hmacHex(appSecret(env), 'open311-token', trackingNo)).slice(0, 20)}`;
}

/** GET tokens/{token}: the request id the token stands for, or 404 (forged, malformed or unknown alike). */
export async function resolveToken(env: Env, token: string): Promise<{ token: string; service_request_id: string }> {
  const m = /^T(AQ[0-9A-HJKMNP-TV-Z]{10})([0-9a-f]{20})$/.exec(token);
  const notFound = new Open311Error(404, ['找不到该 token']);
  if (!m || (await tokenFor(env, m[1]!)) !== token) throw notFound;
  const row = await env.DB.prepare("SELECT tracking_no FROM tips WHERE tracking_no = ? AND source LIKE 'open311:%'")
    .bind(m[1])
    .first();
  if (!row) throw notFound;
  return { token, service_request_id: formatTrackingNo(m[1]!) };
}

// ---------------------------------------------------------------------------------------------------------
// POST requests

/** Where our field paths come from in a GeoReport form, for error messages a partner can act on. */
const FORM_NAME: Record<string, string> = {
  type: 'service_code',
  domain: 'service_code',
  unitName: 'attribute[unit_name]',
  address: 'address_string',
  townId: 'attribute[town]',
  'location.lat': 'lat',
  'location.lng': 'long',
  location: 'lat/long',
  seenAt: 'attribute[seen_at]',
  description: 'description',
  isEmployee: 'attribute[is_employee]',
  'reporter.name': 'last_name/first_name',
  'reporter.mobile': 'phone',
  'reporter.email': 'email',
};

const describeFields = (fields: FieldError[]) => fields.map((f) => `${FORM_NAME[f.path] ?? f.path}：${f.message}`);

export interface Open311Receipt {
  service_request_id: string;
  token: string;
  service_notice: string;
  account_id: null;
  /** Extension: the citizen's 查询码, returned once here and never by any GET. */
  query_code: string;
}

/**
 * POST requests: a partner submits a tip for a citizen. The form is mapped onto the same submission schema
 * the web form uses (same limits, same messages) and stored by the same `createTip`, with
 * `source = open311:<partner id>`. With an `Idempotency-Key`, a retry with the same form (the api_key aside)
 * answers with the same receipt; the same key with another form gets IDEMPOTENCY_KEY_REUSED.
 */
export async function submitRequest(
  env: Env,
  partner: { id: string },
  form: Record<string, string | undefined>,
  opts: { origin: string; idempotencyKey?: string | null },
): Promise<Open311Receipt> {
  const key = opts.idempotencyKey ? `open311:${partner.id}:${opts.idempotencyKey.toLowerCase()}` : null;
  const bodyHash = key ? await requestHash(env, form, ['api_key']) : null;
  const prior = key ? await findReceipt(env, key, bodyHash!) : null;
  if (prior) return receiptOut(env, prior, opts.origin);

  const errors: string[] = [];
  const service = form.service_code ? parseServiceCode(form.service_code) : null;
  if (!form.service_code) errors.push('service_code 必填');
  else if (!service) errors.push(`service_code ${form.service_code} 不存在`);
  const isEmployee = form['attribute[is_employee]'];
  if (isEmployee !== 'yes' && isEmployee !== 'no') errors.push('attribute[is_employee]：请填写 yes 或 no');
  const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : Number(v));
  const lat = num(form.lat);
  const lng = num(form.long);
  if ((lat === null) !== (lng === null) || Number.isNaN(lat) || Number.isNaN(lng))
    errors.push('lat 和 long 须同时提供且为数字');
  const name = `${form.last_name ?? ''}${form.first_name ?? ''}`.trim();
  const realName = !!(name || form.phone || form.email);
  if (realName && !name) errors.push('last_name/first_name：实名举报请填写姓名');
  if (realName && !form.phone) errors.push('phone：实名举报请填写手机号码');
  if (errors.length) throw new Open311Error(400, errors);

  const submission = TipSubmission.safeParse({
    type: service!.type,
    domain: service!.domain,
    unitName: form['attribute[unit_name]'] ?? '',
    address: form.address_string ?? '',
    townId: form['attribute[town]'] ?? form.address_id ?? '',
    location: lat !== null && lng !== null ? { lat, lng } : null,
    seenAt: form['attribute[seen_at]'] || new Date().toISOString(),
    description: form.description ?? '',
    isEmployee: isEmployee === 'yes',
    reporter: realName
      ? { anonymous: false, name, mobile: form.phone ?? '', email: form.email ?? '' }
      : { anonymous: true },
    attachments: [],
    // The partner's operator gives the citizen the 举报须知 and privacy notice (agreed when the key is issued).
    consent: { notice: true, privacy: true },
  });
  if (!submission.success) throw new Open311Error(400, describeFields(fieldErrors(submission.error)));
  try {
    const receipt = await createTip(env, submission.data, {
      source: `open311:${partner.id}`,
      origin: opts.origin,
      idempotencyKey: key,
      bodyHash,
    });
    return receiptOut(env, receipt, opts.origin);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'VALIDATION_FAILED')
      throw new Open311Error(400, describeFields(e.fields ?? []));
    throw e;
  }
}

async function receiptOut(env: Env, r: Receipt, origin: string): Promise<Open311Receipt> {
  const no = parseTrackingNo(r.trackingNo)!;
  return {
    service_request_id: r.trackingNo,
    token: await tokenFor(env, no),
    service_notice: `已收到。请告知举报人举报编号 ${r.trackingNo} 和查询码（只在此返回一次，本平台不保存），凭二者在 ${origin}/track/ 查询进度、补充材料。`,
    account_id: null,
    query_code: r.queryCode,
  };
}
