/**
 * The Cron Trigger: housekeeping that must happen whether or not anyone visits. Every job is idempotent,
 * so a run that is interrupted and retried does nothing twice.
 */
import type { Env } from '../env';
import { LIMITS } from '../domain/limits';
import { expireRewards } from './rewards';
import { sendReminders } from './reminders';
import { remindFollowups } from './ratings';
import { refreshOntimeRecord } from './ontime';
import { rebuildConclusionStats } from './stats';
import { drainOutbox } from './outbox';
import { closeAfterObjectionWindow } from './transitions';

/** The Cron expression (wrangler.toml) that runs the audit sealer; the other one runs JOBS. */
export const SEAL_CRON = '* * * * *';

/** Orphan uploads removed per batch (R2 deletes up to 1000 keys per call) and batches per run. */
const SWEEP_BATCH = 500;
const SWEEP_BATCHES = 40;

/**
 * Delete uploads that never became part of a tip, and idempotency receipts older than a day. Uploads are
 * removed in batches until none is left (up to 20,000 per run, 80,000 an hour at one run per 15 minutes).
 * What can be abandoned in the meantime is bounded where uploads arrive: each needs a ticket, and one client
 * network may hold only `pendingFiles` unattached files (`pendingBytes`) at a time.
 */
export async function sweepOrphans(env: Env, now: number): Promise<number> {
  const cutoff = now - LIMITS.attachments.orphanTtlMs;
  let removed = 0;
  for (let batch = 0; batch < SWEEP_BATCHES; batch++) {
    const { results } = await env.DB.prepare(
      "SELECT id, r2_key FROM attachments WHERE status = 'pending' AND created_at < ? ORDER BY created_at LIMIT ?",
    )
      .bind(cutoff, SWEEP_BATCH)
      .all<{ id: string; r2_key: string }>();
    if (!results.length) break;
    await env.FILES.delete(results.map((r) => r.r2_key));
    await env.DB.batch(
      results.map((r) => env.DB.prepare("DELETE FROM attachments WHERE id = ? AND status = 'pending'").bind(r.id)),
    );
    removed += results.length;
    if (results.length < SWEEP_BATCH) break;
  }
  await env.DB.prepare('DELETE FROM idempotency_keys WHERE created_at < ?')
    .bind(now - 86_400_000)
    .run();
  await env.DB.prepare('DELETE FROM rate_limits WHERE window_start < ? AND (locked_until IS NULL OR locked_until < ?)')
    .bind(now - 86_400_000, now)
    .run();
  return removed;
}

/**
 * The jobs of one Cron Trigger run, in order. Add a job here; each one must be idempotent. One job failing
 * does not stop the others (the next run retries it).
 */
export const JOBS: [name: string, job: (env: Env, now: number) => Promise<unknown>][] = [
  ['uploads.sweep', sweepOrphans],
  ['rewards.expire', expireRewards],
  ['tips.remind', sendReminders],
  ['followups.remind', remindFollowups],
  ['tips.close_after_objection_window', closeAfterObjectionWindow],
  ['stats.conclusions', rebuildConclusionStats],
  ['stats.ontime', refreshOntimeRecord],
  ['outbox.drain', drainOutbox],
];

export async function runScheduled(env: Env, now: number): Promise<void> {
  for (const [name, job] of JOBS) {
    try {
      await job(env, now);
    } catch (e) {
      console.error(JSON.stringify({ at: 'scheduled', job: name, error: String(e).slice(0, 300) }));
    }
  }
}
