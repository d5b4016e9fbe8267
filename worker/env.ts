/**
 * Bindings, variables and secrets of the Worker, declared once, so no code reads an undeclared one.
 * See README "Configuration" for what each one is and how to set it in production.
 */
export interface Env {
  /** D1: every table in worker/db/schema.ts. */
  DB: D1Database;
  /** R2: attachments (stored only after type sniffing and metadata removal). */
  FILES: R2Bucket;
  /** Static assets: the prerendered Astro site. */
  ASSETS: Fetcher;
  /** Turnstile sitekey shown to the widget (public). */
  TURNSTILE_SITEKEY?: string;
  /** Turnstile secret for siteverify (secret). */
  TURNSTILE_SECRET?: string;
  /**
   * Set to "1" only in `.dev.vars` (never in wrangler.toml): lets the offline Turnstile stand-in answer for
   * Cloudflare's documented test secrets, and only for requests to a loopback host.
   */
  TURNSTILE_LOCAL_STANDIN?: string;
  /** '1' adds `Server-Timing: app;dur=…` to API responses (set by `npm run bench` only; never in wrangler.toml). */
  SERVER_TIMING?: string;
  /**
   * Milliseconds added before every D1 round trip — the bench's remote-D1 mode, set by `npm run bench` only
   * (never in wrangler.toml or .dev.vars) and effective only on a loopback host (worker/lib/d1-latency.ts).
   */
  BENCH_D1_LATENCY_MS?: string;
  /** Hostnames siteverify answers must name (comma-separated). Empty accepts any hostname of this Worker. */
  TURNSTILE_HOSTNAMES?: string;
  /** JSON object {keyId: base64 AES-256 key} for identity encryption (secret). */
  IDENTITY_KEYS?: string;
  /** Which key of IDENTITY_KEYS encrypts new records. */
  IDENTITY_KEY_ID?: string;
  /** Secret for HMACs: query-code hashes, reporter tokens, API keys (secret, ≥ 32 bytes). */
  APP_SECRET?: string;
  /**
   * Secret key of the audit chain's HMAC (≥ 32 characters; secret, never in D1). Without it the sealer does not
   * run and, outside a loopback host, the API refuses to serve (worker/app.ts).
   */
  AUDIT_HMAC_KEY?: string;
  /** Earlier AUDIT_HMAC_KEY values after a rotation, comma-separated: they still verify older seals. */
  AUDIT_HMAC_OLD_KEYS?: string;
  /** Cloudflare Email Routing's send binding, for reporter notifications (optional; absent locally). */
  EMAIL?: SendEmail;
  /** Sender address for reporter notifications (a verified address of the zone), e.g. noreply@example.gov.cn. */
  EMAIL_FROM?: string;
  /** Public origin of the site, for links in e-mails and QR codes. */
  PUBLIC_ORIGIN?: string;
}

import type { StaffSession } from './services/auth';

export type AppEnv = { Bindings: Env; Variables: { requestId: string; staff: StaffSession } };
