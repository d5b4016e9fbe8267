-- The reward ledger is append-only: the database refuses to change or remove an event.
CREATE TRIGGER reward_events_no_update BEFORE UPDATE ON reward_events
BEGIN
  SELECT RAISE(ABORT, 'reward_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER reward_events_no_delete BEFORE DELETE ON reward_events
BEGIN
  SELECT RAISE(ABORT, 'reward_events is append-only');
END;
