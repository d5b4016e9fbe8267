import { eq } from 'drizzle-orm';
import type { Env } from '../env';
import { getDb } from '../db/client';
import { settings } from '../db/schema';
import { DEFAULT_TIME_LIMITS, type TimeLimits } from '../domain/limits';

const withDefaults = (custom: Partial<TimeLimits> = {}): TimeLimits => ({ ...DEFAULT_TIME_LIMITS, ...custom });

/** Time limits for this deployment: defaults overlaid with the admin's `settings.time_limits`. */
export async function timeLimits(env: Env): Promise<TimeLimits> {
  const [row] = await getDb(env)
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, 'time_limits'));
  return withDefaults(row?.value as Partial<TimeLimits> | undefined);
}

/** The same from the stored JSON (for callers that read the settings row in their own batch). */
export function parseTimeLimits(value: string | null | undefined): TimeLimits {
  return withDefaults(value ? (JSON.parse(value) as Partial<TimeLimits>) : undefined);
}
