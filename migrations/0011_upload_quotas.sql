ALTER TABLE `attachments` ADD `uploader` text;--> statement-breakpoint
CREATE INDEX `attachments_pending_uploader` ON `attachments` (`uploader`) WHERE status = 'pending';