-- An attachment's uploader key only serves the cap on one client's unattached files: once the file belongs to
-- a tip (or a reporter's message), forget who uploaded it, in the same statement that attached it.
CREATE TRIGGER attachments_forget_uploader
AFTER UPDATE OF status ON attachments
WHEN NEW.status <> 'pending' AND NEW.uploader IS NOT NULL
BEGIN
  UPDATE attachments SET uploader = NULL WHERE id = NEW.id;
END;
