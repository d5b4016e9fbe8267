/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the tip workflow: the service list (tip
 * type × domain), service definitions, service requests read back for partners, and tips submitted by a
 * partner system (e.g. a 12345 hotline) on behalf of a citizen.
 *
 * What a request shows is public-safe by construction (see `toServiceRequest`): the tip's public id (公开编号) as
 * `service_request_id` — never the tracking number or the query code, which together open the reporter's
 * lookup —, open/closed with the public status in `status_notes`, the 镇街 as the only place (no address, no
 * coordinates), dates rounded to the day for partners and to the month for the public (PUBLIC_REQUESTS_RULE),
 * and no free text at all (`description` is always null: a description, unit name or decision could identify
 * the reporter).
 */
import type { Env } from '../env';
import { DOMAINS, TIP_TYPES, label, labelIn } from '../domain/catalog';
import { CONCLUSIONS, REJECT_REASONS } from '../domain/workflow';
import { LIMITS } from '../domain/limits';
import { appSecret, hmacHex, timingSafeEqual } from '../lib/crypto';
import { ApiError, type FieldError } from '../lib/errors';
import { fieldErrors } from '../lib/validation';
import { TipSubmission, type Receipt } from '../schemas/tip';
import { chinaDate } from './calendar';
import { addMonths, chinaMonth, monthStart, SUPPRESS_BELOW } from './stats';
import { formatPublicId, parsePublicId, parseTrackingNo } from './codes';
import {
  CLOSED_PUBLIC_STATUSES,
  PUBLIC_TIP_COLUMNS,
  PUBLIC_TIP_FROM,
  PUBLIC_TIP_JOINS,
  type PublicTipRow,
} from './open-data';
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
  address_id: string | null;
  zipcode: null;
  lat: null;
  long: null;
  media_url: null;
}

type RequestRow = PublicTipRow & {
  updated_at: number;
  /** Public view only: tips sharing the service and month of receipt, and those also sharing the 镇街. */
  n_service?: number;
  n_town?: number;
};

const REQUEST_COLUMNS = `${PUBLIC_TIP_COLUMNS}, t.updated_at`;

/** An instant as a GeoReport date-time, rounded down to its day in China time: "2026-11-22T00:00:00+08:00". */
export const dayStamp = (ms: number) => `${chinaDate(ms)}T00:00:00+08:00`;
/** An instant rounded down to the first day of its month in China time: "2026-11-01T00:00:00+08:00". */
export const monthStamp = (ms: number) => `${chinaMonth(ms)}-01T00:00:00+08:00`;

const isClosed = (publicStatus: string) => (CLOSED_PUBLIC_STATUSES as readonly string[]).includes(publicStatus);

function statusNotes(r: RequestRow): string {
  const status = label.publicStatus(r.public_status);
  if (r.public_status === 'concluded' && r.conclusion)
    return `${status}（核查结论：${labelIn(CONCLUSIONS, r.conclusion)}）`;
  if (r.public_status === 'rejected' && r.reject_reason)
    return `${status}：${labelIn(REJECT_REASONS, r.reject_reason)}`;
  return status;
}

/**
 * Who reads requests: the public (anyone, cached at the edge) or a partner that sent its `api_key`.
 *
 * The public view follows the statistics' small-count rule (`SUPPRESS_BELOW`), so listing single tips does not
 * undo the "<5" of /api/public/stats (PUBLIC_REQUESTS_RULE below). A partner (e.g. the 12345 hotline, under an
 * agreement made when its key was issued) sees every tip at once, with day dates, the 镇街 and the deadline.
 */
export type Viewer = 'public' | 'partner';

/**
 * The rule for public `GET requests` (documented in README "Open311" and the OpenAPI description):
 * - **delay**: only tips received in a month that has ended (China time), so polling the feed never shows
 *   when a tip arrived — a month's tips appear together on the 1st of the next month;
 * - **coarser dates**: requested and updated dates are the first day of their month; no deadline;
 * - **k = 5**: a tip is listed only when at least 5 tips share its service (type × domain) and month of
 *   receipt, and it carries its 镇街 only when at least 5 share service, month and 镇街 (otherwise
 *   `address`/`address_id` are null: somewhere in the district);
 * - **no order**: tips of a month are listed by their random public id, not by arrival.
 * The date filters apply to the published (month) date, so they cannot bisect a month either.
 */
export const PUBLIC_REQUESTS_RULE = { k: SUPPRESS_BELOW, delay: 'month' } as const;

/** The view of a tip as a GeoReport service request: no free text, no coordinates, no tracking number. */
export function toServiceRequest(r: RequestRow, viewer: Viewer = 'partner'): Open311Request {
  const closed = isClosed(r.public_status);
  const code = serviceCode(r.type, r.domain);
  const pub = viewer === 'public';
  const showTown = !pub || (r.n_town ?? 0) >= PUBLIC_REQUESTS_RULE.k;
  return {
    service_request_id: formatPublicId(r.public_id),
    status: closed ? 'closed' : 'open',
    status_notes: statusNotes(r),
    service_name: SERVICES.find((s) => s.service_code === code)?.service_name ?? code,
    service_code: code,
    description: null,
    agency_responsible: r.department,
    service_notice: !pub && !closed && r.conclude_due_at ? `法定办结期限：${chinaDate(r.conclude_due_at)}` : null,
    requested_datetime: pub ? monthStamp(r.created_at) : dayStamp(r.created_at),
    updated_datetime: pub ? monthStamp(r.updated_at) : dayStamp(r.updated_at),
    expected_datetime: !pub && !closed && r.conclude_due_at ? dayStamp(r.conclude_due_at) : null,
    address: showTown ? r.town_name : null,
    address_id: showTown ? r.town_id : null,
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

/** A `GET requests` query, checked and reduced to what decides the answer. */
export type RequestsQuery =
  | { ids: string[] }
  | {
      services: { type: string; domain: string }[];
      statuses: ('open' | 'closed')[];
      /** Partner view: received in [start, end]. */
      start: number;
      end: number;
      /** Public view: the ended months (YYYY-MM) whose first day lies in [start, end], newest first. */
      months: string[];
    };

/**
 * Check a `GET requests` query: `service_request_id` (a comma list of public ids; overrides every other filter,
 * as the spec says), or `service_code`, `status` (open, closed) and `start_date`/`end_date` (at most 90 days
 * apart; the most recent 90 days when neither is given). Throws Open311Error(400) naming every bad parameter.
 */
export function parseRequestsQuery(q: Record<string, string | undefined>, now = Date.now()): RequestsQuery {
  const rawIds = list(q.service_request_id);
  if (rawIds.length) {
    if (rawIds.length > MAX_IDS) throw new Open311Error(400, [`service_request_id 一次最多 ${MAX_IDS} 个`]);
    return { ids: [...new Set(rawIds.map(parsePublicId).filter((x): x is string => !!x))].sort() };
  }
  const errors: string[] = [];
  const codes = [...new Set(list(q.service_code))].sort();
  const services: { type: string; domain: string }[] = [];
  for (const c of codes) {
    const s = parseServiceCode(c);
    if (s) services.push(s);
    else errors.push(`service_code ${c} 不存在`);
  }
  const statuses = [...new Set(list(q.status))].sort();
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
  // Months whose first day is in the range and that have ended (newest first): at most four in 90 days.
  const months: string[] = [];
  const current = chinaMonth(now);
  for (let m = chinaMonth(end!); monthStart(m) >= start!; m = addMonths(m, -1)) {
    if (m < current && monthStart(m) <= end!) months.push(m);
  }
  return { services, statuses: statuses as ('open' | 'closed')[], start: start!, end: end!, months };
}

/**
 * The edge-cache key of a public `GET requests` query: the checked query in a fixed order, so unknown
 * parameters, reordered lists and dates that select the same months share one cache entry. Null when the
 * query is not valid (its 400 is not cached and costs no database read).
 */
export function publicRequestsCacheKey(q: Record<string, string | undefined>, now = Date.now()): string | null {
  let p: RequestsQuery;
  try {
    p = parseRequestsQuery(q, now);
  } catch {
    return null;
  }
  if ('ids' in p) return new URLSearchParams({ service_request_id: p.ids.join(',') }).toString();
  return new URLSearchParams({
    service_code: p.services.map((s) => serviceCode(s.type, s.domain)).join(','),
    status: p.statuses.join(','),
    months: p.months.join(','),
  }).toString();
}

const filters = (p: Exclude<RequestsQuery, { ids: string[] }>) => {
  const where: string[] = [];
  const params: unknown[] = [];
  if (p.services.length) {
    where.push(`(${p.services.map(() => '(t.type = ? AND t.domain = ?)').join(' OR ')})`);
    for (const s of p.services) params.push(s.type, s.domain);
  }
  if (p.statuses.length === 1) {
    where.push(
      `t.public_status ${p.statuses[0] === 'closed' ? '' : 'NOT '}IN (${CLOSED_PUBLIC_STATUSES.map(() => '?').join(',')})`,
    );
    params.push(...CLOSED_PUBLIC_STATUSES);
  }
  return { where, params };
};

/** GET requests for a partner: every tip, day dates, newest first. */
async function partnerRequests(env: Env, p: RequestsQuery): Promise<Open311Request[]> {
  if ('ids' in p) {
    if (!p.ids.length) return [];
    const { results } = await env.DB.prepare(
      `SELECT ${REQUEST_COLUMNS} FROM ${PUBLIC_TIP_FROM} WHERE t.public_id IN (${p.ids.map(() => '?').join(',')}) ORDER BY t.created_at DESC`,
    )
      .bind(...p.ids)
      .all<RequestRow>();
    return results.map((r) => toServiceRequest(r, 'partner'));
  }
  const f = filters(p);
  const { results } = await env.DB.prepare(
    `SELECT ${REQUEST_COLUMNS} FROM ${PUBLIC_TIP_FROM} WHERE t.created_at >= ? AND t.created_at <= ?${f.where.map((w) => ` AND ${w}`).join('')}
     ORDER BY t.created_at DESC, t.id DESC LIMIT ${MAX_REQUESTS}`,
  )
    .bind(p.start, p.end, ...f.params)
    .all<RequestRow>();
  return results.map((r) => toServiceRequest(r, 'partner'));
}

/**
 * Public tips of the given ended months with their group sizes (PUBLIC_REQUESTS_RULE): the groups are counted
 * over every tip of those months, before any filter, so a filter cannot make a small group look large.
 */
async function publicRows(env: Env, months: string[], where: string[], params: unknown[]): Promise<RequestRow[]> {
  if (!months.length) return [];
  const sorted = [...months].sort();
  const from = monthStart(sorted[0]!);
  const to = monthStart(addMonths(sorted.at(-1)!, 1));
  const monthOf = "strftime('%Y-%m', (created_at + 28800000) / 1000, 'unixepoch')";
  const { results } = await env.DB.prepare(
    `WITH g AS (
       SELECT id, ${monthOf} AS month,
              COUNT(*) OVER (PARTITION BY type, domain, ${monthOf}) AS n_service,
              COUNT(*) OVER (PARTITION BY type, domain, ${monthOf}, town_id) AS n_town
       FROM tips INDEXED BY tips_created WHERE created_at >= ? AND created_at < ?)
     SELECT ${REQUEST_COLUMNS}, g.n_service, g.n_town
     FROM g JOIN tips t ON t.id = g.id ${PUBLIC_TIP_JOINS}
     WHERE g.month IN (${months.map(() => '?').join(',')}) AND g.n_service >= ?${where.map((w) => ` AND ${w}`).join('')}
     ORDER BY g.month DESC, t.public_id LIMIT ${MAX_REQUESTS}`,
  )
    .bind(from, to, ...months, PUBLIC_REQUESTS_RULE.k, ...params)
    .all<RequestRow>();
  return results;
}

async function publicRequests(env: Env, p: RequestsQuery, now: number): Promise<Open311Request[]> {
  if ('ids' in p) {
    if (!p.ids.length) return [];
    // The months of the asked ids that have ended; each id is then answered only if the rule lists it.
    const { results } = await env.DB.prepare(
      `SELECT DISTINCT created_at FROM tips WHERE public_id IN (${p.ids.map(() => '?').join(',')}) AND created_at < ?`,
    )
      .bind(...p.ids, monthStart(chinaMonth(now)))
      .all<{ created_at: number }>();
    const months = [...new Set(results.map((r) => chinaMonth(r.created_at)))];
    const rows = await publicRows(env, months, [`t.public_id IN (${p.ids.map(() => '?').join(',')})`], p.ids);
    return rows.map((r) => toServiceRequest(r, 'public'));
  }
  const f = filters(p);
  return (await publicRows(env, p.months, f.where, f.params)).map((r) => toServiceRequest(r, 'public'));
}

/** GET requests: the tips the query selects, as the viewer may see them (see Viewer, PUBLIC_REQUESTS_RULE). */
export async function findRequests(
  env: Env,
  q: Record<string, string | undefined>,
  viewer: Viewer = 'public',
  now = Date.now(),
): Promise<Open311Request[]> {
  const p = parseRequestsQuery(q, now);
  return viewer === 'partner' ? partnerRequests(env, p) : publicRequests(env, p, now);
}

/** GET requests/{id}: the one request, or 404 (also when the public may not see it yet). */
export async function findRequest(env: Env, id: string, viewer: Viewer = 'public'): Promise<Open311Request> {
  const [r] = await findRequests(env, { service_request_id: id }, viewer);
  if (!r) throw new Open311Error(404, [`找不到编号 ${id} 的公开记录`]);
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Tokens

/** A token names a request created through Open311: "T" + public id + 20 hex of an HMAC over it. */
export async function tokenFor(env: Env, publicId: string): Promise<string> {
  return `T${publicId}${(await hmacHex(appSecret(env), 'open311-token', publicId)).slice(0, 20)}`;
}

/** GET tokens/{token}: the request id behind the token, or 404 (forged, malformed or unknown alike). */
export async function resolveToken(env: Env, token: string): Promise<{ token: string; service_request_id: string }> {
  const m = /^T(GK[0-9A-HJKMNP-TV-Z]{10})([0-9a-f]{20})$/.exec(token);
  const notFound = new Open311Error(404, ['找不到该 token']);
  if (!m || !timingSafeEqual(await tokenFor(env, m[1]!), token)) throw notFound;
  const row = await env.DB.prepare("SELECT public_id FROM tips WHERE public_id = ? AND source LIKE 'open311:%'")
    .bind(m[1])
    .first();
  if (!row) throw notFound;
  return { token, service_request_id: formatPublicId(m[1]!) };
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
  /** The public id (公开编号) GET requests lists the tip under. */
  service_request_id: string;
  token: string;
  service_notice: string;
  account_id: null;
  /** Extension: the citizen's 举报编号, the key to the lookup with the query code; only in this answer. */
  tracking_no: string;
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
    const { receipt } = await createTip(env, submission.data, {
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
  const row = await env.DB.prepare('SELECT public_id FROM tips WHERE tracking_no = ?')
    .bind(no)
    .first<{ public_id: string }>();
  const publicId = row!.public_id;
  return {
    service_request_id: formatPublicId(publicId),
    token: await tokenFor(env, publicId),
    service_notice: `已收到。请告知举报人举报编号 ${r.trackingNo} 和查询码（只在此返回一次，本平台不保存），凭二者在 ${origin}/track/ 查询进度、补充材料。公开接口只列出公开编号 ${formatPublicId(publicId)}，不能用于查询。`,
    account_id: null,
    tracking_no: r.trackingNo,
    query_code: r.queryCode,
  };
}
