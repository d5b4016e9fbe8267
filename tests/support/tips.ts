/**
 * Tip helpers for Worker tests: the body builder (./tip-body.ts, shared with browser tests and the bench), a submit
 * helper that goes through the real API (SELF.fetch) like a browser would, the id behind a receipt, uploads.
 */
import { env, SELF } from 'cloudflare:test';

import { DUMMY_TOKEN } from './tip-body';

export { DUMMY_TOKEN, realName, validTip } from './tip-body';

export async function submitTip(body: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cf-connecting-ip': `2001:db8::${crypto.randomUUID().slice(0, 4)}`,
    ...opts.headers,
  };
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
export async function upload(
  bytes: Uint8Array,
  contentType = 'application/octet-stream',
  opts: { ticket?: string | null; ip?: string } = {},
) {
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
  'tips',
  'tip_identities',
  'tip_events',
  'attachments',
  'audit_log',
  'idempotency_keys',
  'stats_monthly',
  'stats_conclusions',
  'messages',
  'staff',
  'sessions',
  'reminders',
  'outbox',
  'rewards',
  'reward_events',
  'reward_rules',
  'partners',
  'settings',
  'calendar_days',
  'departments',
  'towns',
] as const;
export type Counts = Record<(typeof COUNTED)[number] | 'stats_total', number>;

export async function counts(db: D1Database): Promise<Counts> {
  const tables = COUNTED;
  const out = {} as Counts;
  for (const t of tables) out[t] = (await db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  out.stats_total = (await db
    .prepare('SELECT COALESCE(SUM(count),0) AS n FROM stats_monthly')
    .first<{ n: number }>())!.n;
  return out;
}
