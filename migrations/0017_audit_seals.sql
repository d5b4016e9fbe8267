-- The audit log gets its order from the database (AUTOINCREMENT) and loses its in-row SHA-256 chain; the keyed
-- chain lives in audit_seals, written by the sealer. Existing rows keep their seq and content and are sealed by
-- the first seal after this migration. Nothing references audit_log, so the rebuild needs no foreign-key pause.
CREATE TABLE `audit_seals` (
	`seq` integer PRIMARY KEY NOT NULL,
	`mac` text NOT NULL,
	`key_id` text NOT NULL,
	`sealed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `__new_audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`tip_id` text,
	`detail` text
);
--> statement-breakpoint
INSERT INTO `__new_audit_log`("seq", "at", "actor", "action", "tip_id", "detail") SELECT "seq", "at", "actor", "action", "tip_id", "detail" FROM `audit_log`;--> statement-breakpoint
DROP TABLE `audit_log`;--> statement-breakpoint
ALTER TABLE `__new_audit_log` RENAME TO `audit_log`;--> statement-breakpoint
CREATE INDEX `audit_tip` ON `audit_log` (`tip_id`);
--> statement-breakpoint
-- Both tables are append-only: the database refuses UPDATE and DELETE, and an INSERT (OR REPLACE) onto an
-- existing seq (REPLACE would otherwise delete the old row without firing the DELETE trigger).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
BEGIN
  SELECT RAISE(ABORT, 'audit_seals is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
BEGIN
  SELECT RAISE(ABORT, 'audit_seals is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_seals_no_replace BEFORE INSERT ON audit_seals
WHEN EXISTS (SELECT 1 FROM audit_seals WHERE seq = NEW.seq)
BEGIN
  SELECT RAISE(ABORT, 'audit_seals is append-only');
END;
