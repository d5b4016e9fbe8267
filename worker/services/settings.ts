import type { Env } from '../env';
import { DEFAULT_TIME_LIMITS, type TimeLimits } from '../domain/limits';

/** Time limits for this deployment: defaults overlaid with the admin's `settings.time_limits`. */
export async function timeLimits(env: Env): Promise<TimeLimits> {
  const row = await env.DB.prepare("SELECT value FROM settings WHERE key = 'time_limits'").first<{ value: string }>();
  return parseTimeLimits(row?.value);
}

/** The same from the stored JSON (for callers that read the settings row in their own batch). */
export function parseTimeLimits(value: string | null | undefined): TimeLimits {
  const custom = value ? (JSON.parse(value) as Partial<TimeLimits>) : {};
  return { ...DEFAULT_TIME_LIMITS, ...custom };
}
