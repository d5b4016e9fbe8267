/**
 * Reference data every deployment starts with: departments, 镇街, domains with their 牵头单位, the public-holiday
 * calendar (from the maintained `chinese-days` package) and the default reward rule set. Idempotent SQL
 * (INSERT OR IGNORE), so re-running never overwrites what admins have edited since.
 *
 * Used by `npm start` (local), the Worker tests (same statements) and `npm run db:reference` (each `npm run deploy` runs it against the remote D1).
 */
import { createRequire } from 'node:module';
import { DEPARTMENTS, DOMAIN_CO_LEADS, DOMAINS, TOWNS } from '../worker/domain/catalog.ts';
import { NATIONAL_2018 } from '../worker/domain/reward-rules.ts';

const require = createRequire(import.meta.url);
const q = (v) =>
  v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`;

/** @returns {string[]} one SQL statement per element */
export function referenceStatements() {
  const s = [];
  for (const [i, d] of DEPARTMENTS.entries())
    s.push(`INSERT OR IGNORE INTO departments (id, name, active, sort) VALUES (${q(d.id)}, ${q(d.name)}, 1, ${i})`);
  for (const [i, t] of TOWNS.entries())
    s.push(`INSERT OR IGNORE INTO towns (id, name, active, sort) VALUES (${q(t.id)}, ${q(t.name)}, 1, ${i})`);
  // A second 牵头单位 where the plan names two (DOMAIN_CO_LEADS: plan 001 (二)11).
  for (const [i, d] of DOMAINS.entries()) {
    const coLead = DOMAIN_CO_LEADS[d.code] ? q(DOMAIN_CO_LEADS[d.code]) : 'NULL';
    s.push(
      `INSERT OR IGNORE INTO domains (code, name, lead_department_id, co_lead_department_id, sort) VALUES (${q(d.code)}, ${q(d.label)}, ${q(d.lead)}, ${coLead}, ${i})`,
    );
  }
  const days = require('chinese-days/dist/chinese-days.json');
  const rows = [];
  for (const [date, v] of Object.entries(days.holidays))
    if (date >= '2024') rows.push([date, 'holiday', v.split(',')[1]]);
  for (const [date, v] of Object.entries(days.workdays))
    if (date >= '2024') rows.push([date, 'workday', `${v.split(',')[1]}调休上班`]);
  for (let i = 0; i < rows.length; i += 50) {
    const chunk = rows.slice(i, i + 50).map(([d, k, n]) => `(${q(d)}, ${q(k)}, ${q(n)})`);
    s.push(`INSERT OR IGNORE INTO calendar_days (date, kind, name) VALUES ${chunk.join(', ')}`);
  }
  s.push(
    `INSERT OR IGNORE INTO reward_rules (id, name, version, effective_from, rules, created_at) VALUES (${q(NATIONAL_2018.id)}, ${q(NATIONAL_2018.name)}, ${NATIONAL_2018.version}, ${NATIONAL_2018.effectiveFrom}, ${q(JSON.stringify(NATIONAL_2018.rules))}, 0)`,
  );
  return s;
}
