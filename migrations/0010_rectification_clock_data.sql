-- Existing tips under the 整改 clock (worker/domain/deadlines.ts). Before it, a conclusion that ordered 整改 left
-- concluded_at empty until 销号 (and then set it to the 销号 time); it is the time of the 核查 conclusion.
UPDATE tips SET concluded_at = (SELECT MIN(e.at) FROM tip_events e WHERE e.tip_id = tips.id AND e.kind = 'verified')
 WHERE EXISTS (SELECT 1 FROM tip_events e WHERE e.tip_id = tips.id AND e.kind = 'verified');
--> statement-breakpoint
-- The conclusion reached the reporter when it was given (the lookup shows it at once).
UPDATE tips SET replied_at = concluded_at WHERE replied_at IS NULL AND concluded_at IS NOT NULL;
--> statement-breakpoint
-- The 整改时限 of a recorded plan: the end of that day, China time.
UPDATE tips SET rectify_due_at = (CAST(strftime('%s', json_extract(rectification, '$.deadline')) AS INTEGER) - 28800 + 86400) * 1000 - 1
 WHERE rectify_due_at IS NULL AND rectification IS NOT NULL AND json_valid(rectification)
   AND json_extract(rectification, '$.deadline') IS NOT NULL;
--> statement-breakpoint
-- The old one-step record meant 整改完成: 复查 is due 10 days after the 整改时限.
UPDATE tips SET rectified_at = updated_at, recheck_due_at = rectify_due_at + 10 * 86400000, due_at = rectify_due_at + 10 * 86400000, due_kind = 'recheck'
 WHERE state = 'rectified' AND rectified_at IS NULL AND rectify_due_at IS NOT NULL;
