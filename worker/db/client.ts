import { drizzle } from 'drizzle-orm/d1';
import type { Env } from '../env';
import * as schema from './schema';

/** A drizzle handle on the D1 binding. Cheap: create one per request. */
export function getDb(env: Env) {
  return drizzle(env.DB, { schema });
}
export type Db = ReturnType<typeof getDb>;

/**
 * A drizzle query as a plain D1 statement, so typed queries can go into `env.DB.batch` and `writeWithAudit`
 * (the change and its audit rows in one atomic batch).
 * @example await writeWithAudit(env, () => [stmt(env, getDb(env).update(partners).set({ active }).where(eq(partners.id, id)))], entries)
 */
export function stmt(env: Env, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return env.DB.prepare(sql).bind(...params);
}
