CREATE TABLE `reward_events` (
	`id` text PRIMARY KEY NOT NULL,
	`reward_id` text NOT NULL,
	`tip_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`actor` text NOT NULL,
	`amount_fen` integer,
	`detail` text,
	FOREIGN KEY (`reward_id`) REFERENCES `rewards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reward_events_reward` ON `reward_events` (`reward_id`,`at`);--> statement-breakpoint
CREATE INDEX `reward_events_at` ON `reward_events` (`at`);--> statement-breakpoint
ALTER TABLE `rewards` ADD `exclusions` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `adjust_reason` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `extension_reason` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `paid_at` integer;--> statement-breakpoint
ALTER TABLE `rewards` ADD `pay_method` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `voucher_no` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `claimant_verification` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `decline_reason` text;--> statement-breakpoint
CREATE INDEX `rewards_paid_at` ON `rewards` (`paid_at`);