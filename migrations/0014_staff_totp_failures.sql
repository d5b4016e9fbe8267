ALTER TABLE `sessions` ADD `totp_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `staff` ADD `totp_failures` integer DEFAULT 0 NOT NULL;