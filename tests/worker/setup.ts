import { applyD1Migrations, env } from 'cloudflare:test';

// Each test file gets fresh storage: apply the real migrations and the same reference data `npm start` seeds.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
const done = await env.DB.prepare('SELECT COUNT(*) AS n FROM departments').first<{ n: number }>();
if (!done?.n) await env.DB.batch(env.TEST_REFERENCE_SQL.map((s: string) => env.DB.prepare(s)));
