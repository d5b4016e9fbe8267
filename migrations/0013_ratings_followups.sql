CREATE TABLE `tip_followups` (
	`id` text PRIMARY KEY NOT NULL,
	`tip_id` text NOT NULL,
	`rating_id` text NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`opened_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`answer` text,
	FOREIGN KEY (`tip_id`) REFERENCES `tips`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`rating_id`) REFERENCES `tip_ratings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tip_followups_rating` ON `tip_followups` (`rating_id`);--> statement-breakpoint
CREATE INDEX `tip_followups_state_due` ON `tip_followups` (`state`,`due_at`);--> statement-breakpoint
CREATE INDEX `tip_followups_tip` ON `tip_followups` (`tip_id`);--> statement-breakpoint
CREATE TABLE `tip_ratings` (
	`id` text PRIMARY KEY NOT NULL,
	`tip_id` text NOT NULL,
	`conclusion_at` integer NOT NULL,
	`level` text NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tip_id`) REFERENCES `tips`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tip_ratings_once` ON `tip_ratings` (`tip_id`,`conclusion_at`);--> statement-breakpoint
CREATE INDEX `tip_ratings_updated` ON `tip_ratings` (`updated_at`);