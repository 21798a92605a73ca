-- Ask's facts index: the facts portfolio questions need, one row per (snapshot, fact), each with the JSON path
-- that `json_extract(content, path)` on the snapshot resolves to the same value. Written in the snapshot's own
-- transaction by the one insert path (snapshot/take.rs -> store/snapshot_facts.rs, which holds the same SELECT);
-- backfilled here for snapshots taken before this migration.
CREATE TABLE snapshot_facts (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL,
    taken_at    TEXT NOT NULL,
    -- stable key: account.name, health.score, health.band, health.period, profile.renewal_date, profile.arr,
    -- profile.owner, trend.prev.score / trend.prev.period (the trend point before the latest),
    -- kpi.<name>.value, kpi.<name>.status, category.<name>.score, trend.<YYYY-MM>
    fact        TEXT NOT NULL,
    path        TEXT NOT NULL,
    num         REAL,
    text        TEXT,
    PRIMARY KEY (snapshot_id, fact)
) WITHOUT ROWID;

-- The names questions can mention (KPIs, categories), so planning a question never scans the facts.
CREATE TABLE ask_vocabulary (
    kind TEXT NOT NULL CHECK (kind IN ('kpi', 'category')),
    name TEXT NOT NULL,
    PRIMARY KEY (kind, name)
) WITHOUT ROWID;

INSERT OR IGNORE INTO snapshot_facts (snapshot_id, account_id, taken_at, fact, path, num, text)
SELECT s.id, s.account_id, s.created_at, f.fact, f.path,
       CASE WHEN f.kind = 'num' THEN json_extract(s.content, f.path) END,
       CASE WHEN f.kind = 'text' THEN json_extract(s.content, f.path) END
FROM snapshots s
JOIN (SELECT 'account.name' AS fact, '$.account.name' AS path, 'text' AS kind
      UNION ALL SELECT 'health.score', '$.health.score', 'num'
      UNION ALL SELECT 'health.band', '$.health.band', 'text'
      UNION ALL SELECT 'health.period', '$.health.period', 'text'
      UNION ALL SELECT 'profile.renewal_date', '$.profile.renewal_date', 'text'
      UNION ALL SELECT 'profile.arr', '$.profile.arr', 'num'
      UNION ALL SELECT 'profile.owner', '$.profile.owner', 'text'
      UNION ALL SELECT 'trend.prev.score', '$.health.trend[#-2].score', 'num'
      UNION ALL SELECT 'trend.prev.period', '$.health.trend[#-2].period', 'text') f
WHERE 1 AND json_extract(s.content, f.path) IS NOT NULL
UNION ALL
SELECT s.id, s.account_id, s.created_at, 'kpi.' || (k.value ->> '$.name') || '.value',
       '$.kpis[' || k.key || '].value', k.value ->> '$.value', NULL
FROM snapshots s, json_each(s.content, '$.kpis') k WHERE 1
UNION ALL
SELECT s.id, s.account_id, s.created_at, 'kpi.' || (k.value ->> '$.name') || '.status',
       '$.kpis[' || k.key || '].status', NULL, k.value ->> '$.status'
FROM snapshots s, json_each(s.content, '$.kpis') k WHERE 1
UNION ALL
SELECT s.id, s.account_id, s.created_at, 'category.' || (c.value ->> '$.category') || '.score',
       '$.health.categories[' || c.key || '].score', c.value ->> '$.score', NULL
FROM snapshots s, json_each(s.content, '$.health.categories') c WHERE 1
UNION ALL
SELECT s.id, s.account_id, s.created_at, 'trend.' || (t.value ->> '$.period'),
       '$.health.trend[' || t.key || '].score', t.value ->> '$.score', NULL
FROM snapshots s, json_each(s.content, '$.health.trend') t WHERE 1;

INSERT OR IGNORE INTO ask_vocabulary (kind, name)
SELECT DISTINCT 'kpi', k.value ->> '$.name' FROM snapshots s, json_each(s.content, '$.kpis') k WHERE 1
UNION
SELECT DISTINCT 'category', c.value ->> '$.category' FROM snapshots s, json_each(s.content, '$.health.categories') c
WHERE 1;
