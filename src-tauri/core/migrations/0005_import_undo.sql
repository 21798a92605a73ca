-- Undoing an import: when it was undone, and which accounts it created (removed again by the undo).
ALTER TABLE imports ADD COLUMN undone_at TEXT;
ALTER TABLE import_accounts ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
