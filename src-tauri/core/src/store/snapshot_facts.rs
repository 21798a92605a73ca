//! The `snapshot_facts` and `ask_vocabulary` tables: Ask's index over snapshot documents. Facts are derived in
//! SQL from the stored document text, so each row's `path` resolves with `json_extract(content, path)` to the
//! row's value by construction. Written in the snapshot's own transaction; the migration backfills older ones.

use std::collections::HashMap;

use sqlx::{Row, SqliteConnection};

use crate::error::Result;

/// One indexed fact of one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub snapshot_id: i64,
    pub account_id: i64,
    pub taken_at: String,
    pub fact: String,
    pub path: String,
    pub num: Option<f64>,
    pub text: Option<String>,
}

/// Keep in step with `migrations/0002_ask_facts.sql` (the backfill runs the same SELECT over every snapshot).
/// Each document is parsed once, into SQLite's binary JSONB, which every branch then reads without parsing
/// again (the same values and paths as reading the text).
macro_rules! facts_select {
    () => {
        "WITH s AS MATERIALIZED (SELECT id, account_id, created_at, jsonb(content) AS content FROM snapshots \
      WHERE id IN (SELECT value FROM json_each(?1))) \
SELECT s.id, s.account_id, s.created_at, f.fact, f.path, \
       CASE WHEN f.kind = 'num' THEN json_extract(s.content, f.path) END, \
       CASE WHEN f.kind = 'text' THEN json_extract(s.content, f.path) END \
FROM s \
JOIN (SELECT 'account.name' AS fact, '$.account.name' AS path, 'text' AS kind \
      UNION ALL SELECT 'health.score', '$.health.score', 'num' \
      UNION ALL SELECT 'health.band', '$.health.band', 'text' \
      UNION ALL SELECT 'health.period', '$.health.period', 'text' \
      UNION ALL SELECT 'profile.renewal_date', '$.profile.renewal_date', 'text' \
      UNION ALL SELECT 'profile.arr', '$.profile.arr', 'num' \
      UNION ALL SELECT 'profile.owner', '$.profile.owner', 'text' \
      UNION ALL SELECT 'trend.prev.score', '$.health.trend[#-2].score', 'num' \
      UNION ALL SELECT 'trend.prev.period', '$.health.trend[#-2].period', 'text') f \
WHERE json_extract(s.content, f.path) IS NOT NULL \
UNION ALL \
SELECT s.id, s.account_id, s.created_at, 'kpi.' || (k.value ->> '$.name') || '.value', \
       '$.kpis[' || k.key || '].value', k.value ->> '$.value', NULL \
FROM s, json_each(s.content, '$.kpis') k \
UNION ALL \
SELECT s.id, s.account_id, s.created_at, 'kpi.' || (k.value ->> '$.name') || '.status', \
       '$.kpis[' || k.key || '].status', NULL, k.value ->> '$.status' \
FROM s, json_each(s.content, '$.kpis') k \
UNION ALL \
SELECT s.id, s.account_id, s.created_at, 'category.' || (c.value ->> '$.category') || '.score', \
       '$.health.categories[' || c.key || '].score', c.value ->> '$.score', NULL \
FROM s, json_each(s.content, '$.health.categories') c \
UNION ALL \
SELECT s.id, s.account_id, s.created_at, 'trend.' || (t.value ->> '$.period'), \
       '$.health.trend[' || t.key || '].score', t.value ->> '$.score', NULL \
FROM s, json_each(s.content, '$.health.trend') t"
    };
}

macro_rules! vocab_select {
    () => {
        "SELECT DISTINCT 'kpi', k.value ->> '$.name' FROM snapshots s, json_each(s.content, '$.kpis') k WHERE s.id IN (SELECT value FROM json_each(?1)) \
UNION \
SELECT DISTINCT 'category', c.value ->> '$.category' FROM snapshots s, json_each(s.content, '$.health.categories') c \
WHERE s.id IN (SELECT value FROM json_each(?1))"
    };
}

/// Indexes the given snapshots (already inserted, same transaction).
#[tracing::instrument(skip_all, err)]
pub async fn index(conn: &mut SqliteConnection, snapshot_ids: &[i64]) -> Result<()> {
    if snapshot_ids.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(snapshot_ids)?;
    sqlx::query(concat!(
        "INSERT OR IGNORE INTO snapshot_facts (snapshot_id, account_id, taken_at, fact, path, num, text) ",
        facts_select!()
    ))
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    sqlx::query(concat!(
        "INSERT OR IGNORE INTO ask_vocabulary (kind, name) ",
        vocab_select!()
    ))
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The KPI or category names any snapshot has recorded.
pub async fn vocabulary(conn: &mut SqliteConnection, kind: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM ask_vocabulary WHERE kind = ? AND name IS NOT NULL ORDER BY name",
    )
    .bind(kind)
    .fetch_all(conn)
    .await?)
}

fn fact_of(r: &sqlx::sqlite::SqliteRow) -> Fact {
    Fact {
        snapshot_id: r.get(0),
        account_id: r.get(1),
        taken_at: r.get(2),
        fact: r.get(3),
        path: r.get(4),
        num: r.get(5),
        text: r.get(6),
    }
}

macro_rules! cols {
    () => {
        "f.snapshot_id, f.account_id, f.taken_at, f.fact, f.path, f.num, f.text"
    };
}

/// Each key as a `[lo, hi)` range of fact keys, so lookups are primary-key range scans: an exact key matches
/// itself only (`hi` = key + U+0001), a prefix ending in `%` every key that starts with it.
fn key_range(k: &str) -> (String, String) {
    match k.strip_suffix('%') {
        Some(prefix) => (prefix.to_string(), format!("{prefix}\u{10FFFF}")),
        None => (k.to_string(), format!("{k}\u{1}")),
    }
}

fn key_ranges(facts: &[&str]) -> Result<String> {
    let ranges: Vec<(String, String)> = facts.iter().map(|k| key_range(k)).collect();
    Ok(serde_json::to_string(&ranges)?)
}

/// The given facts (exact keys, or prefixes ending in `%`) of each account's newest snapshot, or of its newest
/// snapshot taken at or before `at` (RFC 3339 text, as stored).
#[tracing::instrument(skip(conn), err)]
pub async fn of_latest(
    conn: &mut SqliteConnection,
    facts: &[&str],
    at: Option<&str>,
) -> Result<Vec<Fact>> {
    let latest: Vec<i64> = sqlx::query_scalar(
        "SELECT MAX(id) FROM snapshots WHERE ?1 IS NULL OR created_at <= ?1 GROUP BY account_id",
    )
    .bind(at)
    .fetch_all(&mut *conn)
    .await?;
    let ids = serde_json::to_string(&latest)?;
    // One key per statement: with several key ranges in one join SQLite's plan degrades tenfold at 10,000 accounts.
    let mut out = Vec::new();
    for key in facts {
        let (lo, hi) = key_range(key);
        let rows = sqlx::query(concat!(
            "SELECT ",
            cols!(),
            " FROM json_each(?1) s CROSS JOIN snapshot_facts f \
             WHERE f.snapshot_id = s.value AND f.fact >= ?2 AND f.fact < ?3"
        ))
        .bind(&ids)
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *conn)
        .await?;
        out.extend(rows.iter().map(fact_of));
    }
    Ok(out)
}

/// All facts of the given snapshots matching the keys (exact, or prefixes ending in `%`), by snapshot.
#[tracing::instrument(skip(conn), err)]
pub async fn of_snapshots(
    conn: &mut SqliteConnection,
    snapshot_ids: &[i64],
    facts: &[&str],
) -> Result<HashMap<i64, Vec<Fact>>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        cols!(),
        " FROM (SELECT value AS id FROM json_each(?1)) s \
         CROSS JOIN (SELECT value ->> 0 AS lo, value ->> 1 AS hi FROM json_each(?2)) k \
         JOIN snapshot_facts f ON f.snapshot_id = s.id AND f.fact >= k.lo AND f.fact < k.hi"
    ))
    .bind(serde_json::to_string(snapshot_ids)?)
    .bind(key_ranges(facts)?)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<i64, Vec<Fact>> = HashMap::new();
    for r in &rows {
        let f = fact_of(r);
        out.entry(f.snapshot_id).or_default().push(f);
    }
    Ok(out)
}
