ALTER TABLE `tips` ADD `verified_type` text;--> statement-breakpoint
ALTER TABLE `tips` ADD `accident_level` text;--> statement-breakpoint
ALTER TABLE `tips` ADD `concealed_deaths` integer;--> statement-breakpoint
-- Conclusions given before the verified category existed: a recorded 隐患等级 says which hazard 核查 found.
-- Other earlier conclusions stay without one (the reward preview says so); the reporter's choice is not copied.
UPDATE tips SET verified_type = CASE hazard_level WHEN 'major' THEN 'major_hazard' ELSE 'general_hazard' END
 WHERE verified_type IS NULL AND conclusion IN ('true', 'partly_true') AND hazard_level IN ('major', 'general');
--> statement-breakpoint
-- The national rule set names the article of each amount (worker/domain/reward-rules.ts NATIONAL_2018).
UPDATE reward_rules SET rules = json_set(rules, '$.penaltyShare.clause', '第十一条（一）', '$.perDeath.clause', '第十一条（二）', '$.scopeClause', '第二条、第七条')
 WHERE id = 'national-2018' AND json_valid(rules);
