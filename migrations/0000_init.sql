CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`tip_id` text,
	`message_id` text,
	`claim_hash` text NOT NULL,
	`r2_key` text NOT NULL,
	`kind` text NOT NULL,
	`mime` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`origin` text DEFAULT 'report' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tip_id`) REFERENCES `tips`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attachments_tip` ON `attachments` (`tip_id`);--> statement-breakpoint
CREATE INDEX `attachments_status_created` ON `attachments` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`tip_id` text,
	`detail` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_tip` ON `audit_log` (`tip_id`);--> statement-breakpoint
CREATE TABLE `calendar_days` (
	`date` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `departments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `domains` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`lead_department_id` text,
	`sort` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`lead_department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`tip_id` text NOT NULL,
	`receipt_iv` text NOT NULL,
	`receipt_ciphertext` text NOT NULL,
	`receipt_key_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`tip_id` text NOT NULL,
	`at` integer NOT NULL,
	`author` text NOT NULL,
	`body` text NOT NULL,
	`staff_id` text,
	`read_by_reporter_at` integer,
	`read_by_staff_at` integer,
	FOREIGN KEY (`tip_id`) REFERENCES `tips`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `messages_tip_at` ON `messages` (`tip_id`,`at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`dedupe_key` text NOT NULL,
	`kind` text NOT NULL,
	`tip_id` text,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe` ON `outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_pending` ON `outbox` (`sent_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `partners` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`api_key_hash` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_key` ON `partners` (`api_key_hash`);--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`locked_until` integer
);
--> statement-breakpoint
CREATE TABLE `reminders` (
	`id` text PRIMARY KEY NOT NULL,
	`tip_id` text NOT NULL,
	`level` text NOT NULL,
	`due_kind` text NOT NULL,
	`due_at` integer NOT NULL,
	`department_id` text,
	`created_at` integer NOT NULL,
	`read_at` integer,
	FOREIGN KEY (`tip_id`) REFERENCES `tips`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminders_once` ON `reminders` (`tip_id`,`level`,`due_kind`,`due_at`);--> statement-breakpoint
CREATE TABLE `reward_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`effective_from` integer NOT NULL,
	`rules` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rewards` (
	`id` text PRIMARY KEY NOT NULL,
	`tip_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`status` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`computation` text NOT NULL,
	`proposed_by` text,
	`approved_by` text,
	`notified_at` integer,
	`claim_deadline` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tip_id`) REFERENCES `tips`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`rule_id`) REFERENCES `reward_rules`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rewards_tip` ON `rewards` (`tip_id`);--> statement-breakpoint
CREATE INDEX `rewards_status_deadline` ON `rewards` (`status`,`claim_deadline`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`staff_id` text NOT NULL,
	`csrf_token` text NOT NULL,
	`second_factor_done` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_staff` ON `sessions` (`staff_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`roles` text NOT NULL,
	`department_id` text,
	`totp_secret` text,
	`active` integer DEFAULT true NOT NULL,
	`failed_logins` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_username` ON `staff` (`username`);--> statement-breakpoint
CREATE TABLE `stats_monthly` (
	`month` text NOT NULL,
	`type` text NOT NULL,
	`domain` text NOT NULL,
	`town_id` text NOT NULL,
	`public_status` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`month`, `type`, `domain`, `town_id`, `public_status`)
);
--> statement-breakpoint
CREATE TABLE `tip_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tip_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`public` integer DEFAULT false NOT NULL,
	`public_text` text,
	`data` text,
	`staff_id` text,
	FOREIGN KEY (`tip_id`) REFERENCES `tips`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tip_events_tip_at` ON `tip_events` (`tip_id`,`at`);--> statement-breakpoint
CREATE TABLE `tip_identities` (
	`tip_id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`iv` text NOT NULL,
	`ciphertext` text NOT NULL,
	`email_opt_in` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tip_id`) REFERENCES `tips`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `tips` (
	`id` text PRIMARY KEY NOT NULL,
	`tracking_no` text NOT NULL,
	`query_code_hash` text NOT NULL,
	`type` text NOT NULL,
	`domain` text NOT NULL,
	`unit_name` text NOT NULL,
	`address` text NOT NULL,
	`town_id` text NOT NULL,
	`lat` real,
	`lng` real,
	`seen_at` integer NOT NULL,
	`description` text NOT NULL,
	`is_employee` integer NOT NULL,
	`anonymous` integer NOT NULL,
	`state` text DEFAULT 'submitted' NOT NULL,
	`public_status` text DEFAULT 'pending' NOT NULL,
	`department_id` text,
	`source` text DEFAULT 'web' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`accepted_at` integer,
	`assigned_at` integer,
	`concluded_at` integer,
	`closed_at` integer,
	`due_at` integer,
	`due_kind` text,
	`assignment_due_at` integer,
	`extension_days` integer,
	`extension_reason` text,
	`extension_state` text,
	`reject_reason` text,
	`conclusion` text,
	`decision` text,
	`penalty_fen` integer,
	`hazard_level` text,
	`risk_colour` text,
	`rectification` text,
	`merged_into_id` text,
	`reporter_message_pending` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`domain`) REFERENCES `domains`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`town_id`) REFERENCES `towns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tips_tracking_no` ON `tips` (`tracking_no`);--> statement-breakpoint
CREATE INDEX `tips_state_due` ON `tips` (`state`,`due_at`);--> statement-breakpoint
CREATE INDEX `tips_due` ON `tips` (`due_at`);--> statement-breakpoint
CREATE INDEX `tips_dept_state_due` ON `tips` (`department_id`,`state`,`due_at`);--> statement-breakpoint
CREATE INDEX `tips_created` ON `tips` (`created_at`);--> statement-breakpoint
CREATE INDEX `tips_public_created` ON `tips` (`public_status`,`created_at`);--> statement-breakpoint
CREATE INDEX `tips_domain_created` ON `tips` (`domain`,`created_at`);--> statement-breakpoint
CREATE INDEX `tips_town_created` ON `tips` (`town_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tips_merged_into` ON `tips` (`merged_into_id`);--> statement-breakpoint
CREATE TABLE `towns` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL
);
