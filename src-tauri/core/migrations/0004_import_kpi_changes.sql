-- The stored KPI values an import replaced, as they were before it, written in the import's own transaction so
-- the import can be undone. Values an import added have no row here: they are the kpi_values rows that carry its
-- import_id without a previous value.
CREATE TABLE import_kpi_changes (
    import_id          INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    account_id         INTEGER NOT NULL,
    kpi_key            TEXT NOT NULL,
    -- YYYY-MM-DD
    period             TEXT NOT NULL,
    kpi_name           TEXT NOT NULL,
    category           TEXT,
    value              REAL NOT NULL,
    unit               TEXT,
    target             REAL,
    direction          TEXT NOT NULL,
    weight             REAL NOT NULL,
    -- the import that had written the previous value (NULL when it came from elsewhere)
    previous_import_id INTEGER,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (import_id, account_id, kpi_key, period)
) WITHOUT ROWID;

-- Which imports replaced values an earlier import had written: an import can't be undone under a later one.
CREATE INDEX import_kpi_changes_by_previous ON import_kpi_changes (previous_import_id);
