-- The accounts an import changed, as they were before it, written in the import's own transaction so the import
-- can be undone (0004 does the same for KPI values). Accounts it created have no row here: they are the
-- import_accounts rows marked created.
CREATE TABLE import_account_changes (
    import_id       INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- the accounts.profile JSON before the import, as stored; NULL when the import did not change the profile
    profile         TEXT CHECK (profile IS NULL OR json_valid(profile)),
    -- 1 when the import gave the account its external id (it had none before: an import never replaces one)
    external_id_set INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (import_id, account_id)
) WITHOUT ROWID;

-- Which later imports changed the same accounts: an import can't be undone under a later one.
CREATE INDEX import_account_changes_by_account ON import_account_changes (account_id, import_id);

-- The accounts an import created, found without reading every account it touched (the history counts them, the
-- undo removes them).
CREATE INDEX import_accounts_created ON import_accounts (import_id) WHERE created = 1;

-- Whether the import kept what undoing it needs. Imports made from here on do. Those made before did not when
-- they are profile imports (nothing was kept), or KPI imports from before 0004 and 0005: their report counts
-- changed values or new accounts, but no previous value or created account was kept for them.
ALTER TABLE imports ADD COLUMN undo_recorded INTEGER NOT NULL DEFAULT 1;
UPDATE imports SET undo_recorded = 0
WHERE undone_at IS NULL AND (
    kind = 'profile'
    OR (coalesce(report ->> '$.rows_changed', 0) > 0
        AND NOT EXISTS (SELECT 1 FROM import_kpi_changes c WHERE c.import_id = imports.id))
    OR (coalesce(json_array_length(report, '$.accounts_new'), 0) > 0
        AND NOT EXISTS (SELECT 1 FROM import_accounts a WHERE a.import_id = imports.id AND a.created = 1)));
