/**
 * Builders for tip submissions in Worker tests: a valid body with overrides, and a submit helper that goes
 * through the real API (SELF.fetch) like a browser would.
 */
import { env, SELF } from 'cloudflare:test';

export const DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX';

export function validTip(overrides: Record<string, unknown> = {}) {
  return {
    type: 'general_hazard',
    domain: 'gas',
    unitName: '幸福小区沿街餐馆',
    address: '济阳街道纬二路 88 号',
    townId: 'jiyang',
    location: { lat: 36.98, lng: 117.17 },
    seenAt: new Date(Date.now() - 3_600_000).toISOString(),
    description: '后厨液化气钢瓶与灶具距离过近，未安装燃气泄漏报警器。',
    isEmployee: false,
    reporter: { anonymous: true },
    attachments: [],
    consent: { notice: true, privacy: true },
    turnstileToken: DUMMY_TOKEN,
    ...overrides,
  };
}

export const realName = (overrides: Record<string, unknown> = {}) => ({
  anonymous: false,
  name: '李四',
  mobile: '13912345678',
  idNumber: '11010519491231002X',
  email: 'lisi@example.com',
  emailOptIn: true,
  ...overrides,
});

export async function submitTip(body: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cf-connecting-ip': `2001:db8::${crypto.randomUUID().slice(0, 4)}`, ...opts.headers };
  if (opts.key) headers['idempotency-key'] = opts.key;
  return SELF.fetch('http://localhost/api/tips', { method: 'POST', headers, body: JSON.stringify(body) });
}

/** The id of the tip behind a receipt or a tracking number (shown with or without dashes). */
export async function tipIdOf(receipt: { trackingNo: string } | string): Promise<string> {
  const no = (typeof receipt === 'string' ? receipt : receipt.trackingNo).replaceAll('-', '');
  const row = await env.DB.prepare('SELECT id FROM tips WHERE tracking_no = ?').bind(no).first<{ id: string }>();
  if (!row) throw new Error(`no tip with tracking number ${no}`);
  return row.id;
}

/** A fresh client address (its own IPv6 /64, so per-network limits start at zero). */
export const freshIp = () => `2001:db8:${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}::1`;

/** An upload ticket, as the report form gets one after its Turnstile check. */
export async function uploadTicket(ip = freshIp()): Promise<string> {
  const res = await SELF.fetch('http://localhost/api/uploads/ticket', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip },
    body: JSON.stringify({ turnstileToken: DUMMY_TOKEN }),
  });
  if (res.status !== 200) throw new Error(`upload ticket: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** Upload through the real API with a ticket (pass `ticket: null` to send none). */
export async function upload(bytes: Uint8Array, contentType = 'application/octet-stream', opts: { ticket?: string | null; ip?: string } = {}) {
  const ip = opts.ip ?? freshIp();
  const ticket = opts.ticket === undefined ? await uploadTicket(ip) : opts.ticket;
  return SELF.fetch('http://localhost/api/uploads', {
    method: 'POST',
    headers: { 'content-type': contentType, 'cf-connecting-ip': ip, ...(ticket ? { 'x-upload-ticket': ticket } : {}) },
    body: bytes,
  });
}

/**
 * Row counts of every table a request can write, to prove rejected requests wrote nothing. (`rate_limits` is
 * left out on purpose: counting a refused attempt is its job.)
 */
const COUNTED = [
  'tips', 'tip_identities', 'tip_events', 'attachments', 'audit_log', 'idempotency_keys', 'stats_monthly', 'stats_conclusions', 'messages',
  'staff', 'sessions', 'reminders', 'outbox', 'rewards', 'reward_events', 'reward_rules', 'partners', 'settings', 'calendar_days', 'departments', 'towns',
] as const;
export type Counts = Record<(typeof COUNTED)[number] | 'stats_total', number>;

export async function counts(db: D1Database): Promise<Counts> {
  const tables = COUNTED;
  const out = {} as Counts;
  for (const t of tables) out[t] = (await db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  out.stats_total = (await db.prepare('SELECT COALESCE(SUM(count),0) AS n FROM stats_monthly').first<{ n: number }>())!.n;
  return out;
}
