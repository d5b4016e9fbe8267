/** What GET /api/health and GET /api/config read from D1: whether the database answers, and the active 镇街. */
import { asc, eq } from 'drizzle-orm';
import type { Env } from '../env';
import { getDb } from '../db/client';
import { towns } from '../db/schema';

/** True when D1 answers a trivial query; false when it fails. */
export async function databaseReachable(env: Env): Promise<boolean> {
  return env.DB.prepare('SELECT 1 AS one')
    .first<{ one: number }>()
    .then(
      (r) => r?.one === 1,
      () => false,
    );
}

/** The 镇街 a report may name, in their configured order. */
export async function activeTowns(env: Env): Promise<{ id: string; name: string }[]> {
  return getDb(env)
    .select({ id: towns.id, name: towns.name })
    .from(towns)
    .where(eq(towns.active, true))
    .orderBy(asc(towns.sort));
}
