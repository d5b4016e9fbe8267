/**
 * The outbox: e-mails to reporters who opted in ("staff wrote to you"), queued in the same batch as the
 * message and drained by the Cron Trigger. The address is never stored in the outbox: it is decrypted from
 * the identity record at sending time. Without an `EMAIL` binding (local runs) nothing is sent and the rows stay
 * in D1 for inspection (`wrangler d1 execute DB --local --command "SELECT * FROM outbox"`).
 */
import type { Env } from '../env';
import { unseal, type Sealed } from '../lib/crypto';

const MAX_ATTEMPTS = 5;

/** RFC 2047 / RFC 2045: UTF-8 subject and body, base64-encoded so Chinese text survives any relay. */
function mime(from: string, to: string, subject: string, body: string, id: string): string {
  const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
  const lines = b64(body).match(/.{1,76}/g) ?? [];
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: =?UTF-8?B?${b64(subject)}?=`,
    `Message-ID: <${id}@anquan>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    ...lines,
    '',
  ].join('\r\n');
}

/** Scheduled: send what is pending. Each row is marked sent right after its own send, so a retry resends nothing. */
export async function drainOutbox(env: Env, now: number): Promise<number> {
  if (!env.EMAIL || !env.EMAIL_FROM) return 0;
  const { results } = await env.DB.prepare(
    `SELECT o.id, o.subject, o.body, o.tip_id, i.key_id, i.iv, i.ciphertext
       FROM outbox o JOIN tip_identities i ON i.tip_id = o.tip_id
      WHERE o.sent_at IS NULL AND o.attempts < ? AND i.email_opt_in = 1 ORDER BY o.created_at LIMIT 50`,
  )
    .bind(MAX_ATTEMPTS)
    .all<{
      id: string;
      subject: string;
      body: string;
      tip_id: string;
      key_id: string;
      iv: string;
      ciphertext: string;
    }>();
  const { EmailMessage } = await import('cloudflare:email');
  let sent = 0;
  for (const r of results) {
    try {
      const who = await unseal<{ email: string | null }>(
        env,
        { keyId: r.key_id, iv: r.iv, ciphertext: r.ciphertext } as Sealed,
        `identity:${r.tip_id}`,
      );
      if (!who.email) {
        await env.DB.prepare("UPDATE outbox SET attempts = ?, last_error = 'no address' WHERE id = ?")
          .bind(MAX_ATTEMPTS, r.id)
          .run();
        continue;
      }
      await env.EMAIL.send(
        new EmailMessage(env.EMAIL_FROM, who.email, mime(env.EMAIL_FROM, who.email, r.subject, r.body, r.id)),
      );
      await env.DB.prepare('UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL')
        .bind(now, r.id)
        .run();
      sent++;
    } catch (e) {
      // Never log the address; the error text of the send API does not contain it.
      await env.DB.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?')
        .bind(String(e).slice(0, 200), r.id)
        .run();
    }
  }
  return sent;
}
