CREATE TABLE `stats_rectifications` (
	`month` text PRIMARY KEY NOT NULL,
	`done` integer NOT NULL,
	`on_time` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `tips` ADD `replied_at` integer;--> statement-breakpoint
ALTER TABLE `tips` ADD `rectify_due_at` integer;--> statement-breakpoint
ALTER TABLE `tips` ADD `recheck_due_at` integer;--> statement-breakpoint
ALTER TABLE `tips` ADD `rectified_at` integer;--> statement-breakpoint
ALTER TABLE `tips` ADD `rectified_by` text;--> statement-breakpoint
ALTER TABLE `tips` ADD `objections` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `tips_rectified` ON `tips` (`rectified_at`);