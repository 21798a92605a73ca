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
/// again (the same values and paths as reading the text): `jsonb_each` hands each KPI, category and trend
/// point over as JSONB too (`json_each` would turn each into text for `->>` to parse again), and one pass over
/// the KPIs writes both their value and status rows.
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
SELECT s.id, s.account_id, s.created_at, 'kpi.' || (k.value ->> '$.name') || m.member, \
       '$.kpis[' || k.key || ']' || m.member, \
       CASE WHEN m.member = '.value' THEN k.value ->> '$.value' END, \
       CASE WHEN m.member = '.status' THEN k.value ->> '$.status' END \
FROM s, jsonb_each(s.content, '$.kpis') k, (SELECT '.value' AS member UNION ALL SELECT '.status') m \
UNION ALL \
SELECT s.id, s.account_id, s.created_at, 'category.' || (c.value ->> '$.category') || '.score', \
       '$.health.categories[' || c.key || '].score', c.value ->> '$.score', NULL \
FROM s, jsonb_each(s.content, '$.health.categories') c \
UNION ALL \
SELECT s.id, s.account_id, s.created_at, 'trend.' || (t.value ->> '$.period'), \
       '$.health.trend[' || t.key || '].score', t.value ->> '$.score', NULL \
FROM s, jsonb_each(s.content, '$.health.trend') t"
    };
}

/// The KPI and category names of the given snapshots, read back from the fact keys just written
/// (`kpi.<name>.value`, `category.<name>.score`) instead of parsing each document again.
macro_rules! vocab_select {
    () => {
        "SELECT DISTINCT 'kpi', substr(fact, 5, length(fact) - 10) FROM snapshot_facts \
WHERE snapshot_id IN (SELECT value FROM json_each(?1)) AND fact >= 'kpi.' AND fact < 'kpi/' \
  AND substr(fact, -6) = '.value' \
UNION \
SELECT DISTINCT 'category', substr(fact, 10, length(fact) - 15) FROM snapshot_facts \
WHERE snapshot_id IN (SELECT value FROM json_each(?1)) AND fact >= 'category.' AND fact < 'category/' \
  AND substr(fact, -6) = '.score'"
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

/// `latest(id)`: each account's newest snapshot (its highest id), one index seek per account; computed once
/// however often the statement reads it.
macro_rules! latest_cte {
    () => {
        "latest(id) AS MATERIALIZED (SELECT (SELECT s.id FROM snapshots s WHERE s.account_id = a.id \
         ORDER BY s.id DESC LIMIT 1) FROM accounts a)"
    };
}

/// An account's newest snapshot with the values of two facts, in the order asked (`None` where the snapshot
/// has no such fact, or it has no number or text).
#[derive(Debug, Clone, PartialEq)]
pub struct Latest {
    pub snapshot_id: i64,
    nums: [Option<f64>; 2],
    texts: [Option<String>; 2],
}

impl Latest {
    pub fn num(&self, key: usize) -> Option<f64> {
        self.nums.get(key).copied().flatten()
    }

    pub fn text(&self, key: usize) -> Option<&str> {
        self.texts.get(key).and_then(|t| t.as_deref())
    }
}

/// The values of two facts (exact keys) in every account's newest snapshot that has either: what a portfolio
/// answer filters and ranks 10,000 accounts by, one short row per account (no paths, no names). The listed
/// accounts' facts are then read whole with [`of_snapshots`].
#[tracing::instrument(skip(conn), err)]
pub async fn latest_values(conn: &mut SqliteConnection, facts: [&str; 2]) -> Result<Vec<Latest>> {
    let rows = sqlx::query(concat!(
        "WITH ",
        latest_cte!(),
        " SELECT l.id, f0.num, f0.text, f1.num, f1.text FROM latest l \
         LEFT JOIN snapshot_facts f0 ON f0.snapshot_id = l.id AND f0.fact = ?1 \
         LEFT JOIN snapshot_facts f1 ON f1.snapshot_id = l.id AND f1.fact = ?2 \
         WHERE f0.fact IS NOT NULL OR f1.fact IS NOT NULL"
    ))
    .bind(facts[0])
    .bind(facts[1])
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Latest {
                snapshot_id: r.try_get(0)?,
                nums: [r.try_get(1)?, r.try_get(3)?],
                texts: [r.try_get(2)?, r.try_get(4)?],
            })
        })
        .collect()
}

/// The snapshots with the biggest health drops and rises (at most `limit` of each, biggest first, ties by
/// snapshot id) among every account's newest snapshot: from the trend point of `from_month` (only when before
/// the snapshot's own period) else the point before the latest, to the latest score. The ranking of
/// `ask::compose::ranked_moves`, done in SQL so that only the listed accounts' facts leave the database.
/// CROSS JOIN keeps the join order (each account's snapshot, then two key lookups): left to itself SQLite scans
/// the whole facts table.
#[tracing::instrument(skip(conn), err)]
pub async fn biggest_moves(
    conn: &mut SqliteConnection,
    from_month: Option<&str>,
    limit: usize,
) -> Result<Vec<i64>> {
    let earlier = match from_month {
        Some(m) => format!("trend.{m}"),
        None => "trend.prev.score".to_string(),
    };
    Ok(sqlx::query_scalar(concat!(
        "WITH ",
        latest_cte!(),
        ", moves AS MATERIALIZED ( \
           SELECT l.id AS id, z.num - a.num AS delta \
           FROM latest l CROSS JOIN snapshot_facts z CROSS JOIN snapshot_facts a \
           LEFT JOIN snapshot_facts p ON ?2 IS NOT NULL AND p.snapshot_id = l.id AND p.fact = 'health.period' \
           WHERE z.snapshot_id = l.id AND z.fact = 'health.score' AND a.snapshot_id = l.id AND a.fact = ?1 \
             AND z.num IS NOT NULL AND a.num IS NOT NULL AND (?2 IS NULL OR ?2 < coalesce(p.text, ''))) \
         SELECT id FROM (SELECT id FROM moves WHERE delta < 0 ORDER BY delta, id LIMIT ?3) \
         UNION ALL \
         SELECT id FROM (SELECT id FROM moves WHERE delta > 0 ORDER BY delta DESC, id LIMIT ?3)"
    ))
    .bind(earlier)
    .bind(from_month)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(conn)
    .await?)
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
