DROP INDEX `tips_hazards`;--> statement-breakpoint
DROP INDEX `tips_hazards_dept`;--> statement-breakpoint
CREATE INDEX `tips_rectify_due` ON `tips` (`due_at`,`id`) WHERE due_kind IN ('rectify', 'recheck');--> statement-breakpoint
CREATE INDEX `tips_hazards` ON `tips` (`concluded_at`,`id`) WHERE conclusion IN ('true', 'partly_true') AND verified_type IN ('major_hazard', 'general_hazard');--> statement-breakpoint
CREATE INDEX `tips_hazards_dept` ON `tips` (`department_id`,`concluded_at`,`id`) WHERE conclusion IN ('true', 'partly_true') AND verified_type IN ('major_hazard', 'general_hazard');