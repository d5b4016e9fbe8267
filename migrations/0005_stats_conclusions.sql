CREATE TABLE `stats_conclusions` (
	`month` text NOT NULL,
	`days` integer NOT NULL,
	`count` integer NOT NULL,
	`with_due` integer NOT NULL,
	`on_time` integer NOT NULL,
	PRIMARY KEY(`month`, `days`)
);
--> statement-breakpoint
CREATE INDEX `tips_concluded` ON `tips` (`concluded_at`);