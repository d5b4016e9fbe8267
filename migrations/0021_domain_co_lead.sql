-- A second lead department where plan 001 (二) names two (worker/domain/catalog.ts DOMAIN_CO_LEADS).
ALTER TABLE `domains` ADD `co_lead_department_id` text REFERENCES departments(id);
--> statement-breakpoint
-- An existing deployment gets 济北开发区管委会 and (二)11's second lead once; new ones get both from the reference
-- data (scripts/reference-data.mjs), which runs after the migrations.
INSERT OR IGNORE INTO departments (id, name, active, sort)
  SELECT 'jbk', '济北开发区管委会', 1, (SELECT COALESCE(MAX(sort), 0) + 1 FROM departments)
   WHERE EXISTS (SELECT 1 FROM domains);
--> statement-breakpoint
UPDATE domains SET co_lead_department_id = 'jbk'
 WHERE code = 'industrial_park' AND co_lead_department_id IS NULL AND EXISTS (SELECT 1 FROM departments WHERE id = 'jbk');
