CREATE TABLE `staff_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`tip_id` text,
	`staff_id` text NOT NULL,
	`at` integer NOT NULL,
	`detail` text,
	`acknowledged_at` integer,
	`acknowledged_by` text
);
--> statement-breakpoint
CREATE INDEX `staff_alerts_at` ON `staff_alerts` (`at`);