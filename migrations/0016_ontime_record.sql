CREATE TABLE `monthly_reports` (
	`month` text PRIMARY KEY NOT NULL,
	`published_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ontime_monthly` (
	`month` text NOT NULL,
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`received` integer NOT NULL,
	`concluded` integer NOT NULL,
	`concluded_on_time` integer NOT NULL,
	`open_overdue` integer NOT NULL,
	`days_histogram` text NOT NULL,
	`rectified` integer NOT NULL,
	`rectified_on_time` integer NOT NULL,
	`ratings` integer NOT NULL,
	`satisfied` integer NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`month`, `scope`, `key`)
);
