-- Tideline's whole schema (PRODUCT.md §2). Times are UTC RFC 3339 with microseconds, so text order is time order.

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    -- trimmed, inner whitespace collapsed, lower-cased: the identity of an account without an external id
    name_key    TEXT NOT NULL UNIQUE,
    external_id TEXT UNIQUE,
    profile     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(profile)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('kpi', 'profile')),
    file_name     TEXT NOT NULL,
    file_path     TEXT,
    sha256        TEXT NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_imported INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    status        TEXT NOT NULL,
    -- the full report (counts, accounts, sheets) as shown after the import
    report        TEXT NOT NULL CHECK (json_valid(report)),
    created_at    TEXT NOT NULL
);
CREATE INDEX imports_by_time ON imports (created_at DESC);

CREATE TABLE import_rejections (
    import_id   INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    sheet       TEXT NOT NULL,
    row_number  INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- Which accounts an import touched (new, changed or unchanged rows), for the snapshot's "recent imports".
CREATE TABLE import_accounts (
    import_id  INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    rows       INTEGER NOT NULL,
    PRIMARY KEY (account_id, import_id)
);

CREATE TABLE kpi_values (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kpi_name   TEXT NOT NULL,
    -- normalised KPI name: the identity of a KPI within an account
    kpi_key    TEXT NOT NULL,
    category   TEXT,
    value      REAL NOT NULL,
    unit       TEXT,
    target     REAL,
    direction  TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    weight     REAL NOT NULL DEFAULT 1,
    -- YYYY-MM-DD
    period     TEXT NOT NULL,
    import_id  INTEGER REFERENCES imports (id),
    updated_at TEXT NOT NULL,
    UNIQUE (account_id, kpi_key, period)
);

CREATE TABLE health_trends (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- YYYY-MM
    period     TEXT NOT NULL,
    score      REAL NOT NULL,
    band       TEXT NOT NULL CHECK (band IN ('healthy', 'at_risk', 'critical')),
    categories TEXT NOT NULL CHECK (json_valid(categories)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (account_id, period)
);

CREATE TABLE playbook_executions (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    playbook_key TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'cancelled')),
    steps        TEXT NOT NULL CHECK (json_valid(steps)),
    notes        TEXT,
    started_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    completed_at TEXT
);
CREATE INDEX playbook_executions_by_account ON playbook_executions (account_id);

CREATE TABLE snapshots (
    -- AUTOINCREMENT: ids are global and never reused
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    snapshot_type  TEXT NOT NULL CHECK (snapshot_type IN ('event_driven', 'manual', 'rag_auto')),
    trigger_event  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    content        TEXT NOT NULL CHECK (json_valid(content)),
    content_sha256 TEXT NOT NULL,
    health_score   REAL
);
CREATE INDEX snapshots_by_account ON snapshots (account_id, id DESC);
CREATE INDEX snapshots_by_time ON snapshots (created_at);
-- The Health table's "last snapshot" per account reads this index alone, however many snapshots there are.
CREATE INDEX snapshots_last_by_account ON snapshots (account_id, created_at);

CREATE TRIGGER snapshots_are_immutable BEFORE UPDATE ON snapshots
BEGIN
    SELECT RAISE(ABORT, 'snapshots are immutable');
END;

-- The outbox: written in the transaction of the change, handled once by the snapshot subscriber.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type    TEXT NOT NULL CHECK (event_type IN ('KPI_DATA_UPLOADED', 'HEALTH_SCORES_UPDATED', 'ACCOUNT_DATA_CHANGED')),
    trigger_event TEXT NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    handled_at    TEXT,
    outcome       TEXT CHECK (outcome IN ('created', 'skipped')),
    snapshot_id   INTEGER REFERENCES snapshots (id),
    cooldown_remaining_seconds INTEGER
);
CREATE INDEX events_pending ON events (id) WHERE handled_at IS NULL;
CREATE INDEX events_by_account ON events (account_id, id);
