//! The `snapshots` table. A row is written once (a trigger forbids updates) with the document's exact JSON text
//! and its SHA-256, so it can be verified later; this module stores and reads rows, it does not build documents.

use std::collections::HashMap;

use sqlx::{Row, SqliteConnection};

use crate::clock;
use crate::error::{Error, Result};
use crate::model::{Snapshot, SnapshotContent, SnapshotListItem, SnapshotType};

/// A prepared row: the document's JSON text and hash are computed by the caller, stored as given.
pub struct NewSnapshot<'a> {
    pub account_id: i64,
    pub snapshot_type: SnapshotType,
    pub trigger_event: &'a str,
    pub content_json: &'a str,
    pub content_sha256: &'a str,
    pub health_score: Option<f64>,
}

/// Counts for the status bar: all snapshots, those created at or after a time, and the newest creation time.
pub struct Totals {
    pub total: u32,
    pub since: u32,
    pub newest_at: Option<String>,
}

/// Rows per INSERT statement: a few hundred documents keep one statement's JSON argument moderate.
const INSERT_CHUNK: usize = 500;

/// Inserts the rows, all stamped `created_at` = `now`; returns each new id by account. The rows must be of
/// distinct accounts: ids are matched back by `account_id`, never by RETURNING order.
#[tracing::instrument(skip_all, err)]
pub async fn insert_many(
    conn: &mut SqliteConnection,
    rows: &[NewSnapshot<'_>],
    schema_version: u32,
    now: &str,
) -> Result<HashMap<i64, i64>> {
    let mut new_ids: HashMap<i64, i64> = HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(INSERT_CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    r.account_id,
                    r.snapshot_type.as_str(),
                    r.trigger_event,
                    r.content_json,
                    r.content_sha256,
                    r.health_score,
                )
            })
            .collect();
        let inserted: Vec<(i64, i64)> = sqlx::query_as(
            "INSERT INTO snapshots (account_id, snapshot_type, trigger_event, created_at, schema_version, \
                                    content, content_sha256, health_score) \
             SELECT j.value->>0, j.value->>1, j.value->>2, ?2, ?3, j.value->>3, j.value->>4, j.value->>5 \
             FROM json_each(?1) j RETURNING account_id, id",
        )
        .bind(serde_json::to_string(&values)?)
        .bind(now)
        .bind(schema_version)
        .fetch_all(&mut *conn)
        .await?;
        new_ids.extend(inserted);
    }
    Ok(new_ids)
}

/// The newest snapshot of an account: id and creation time (text, as stored).
#[tracing::instrument(skip(conn), err)]
pub async fn newest(conn: &mut SqliteConnection, account_id: i64) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, created_at FROM snapshots WHERE account_id = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(conn)
    .await?)
}

/// The newest snapshot document of each account that has one: `(snapshot id, document)` by account.
#[tracing::instrument(skip_all, err)]
pub async fn newest_contents(
    conn: &mut SqliteConnection,
    account_ids: &[i64],
) -> Result<HashMap<i64, (i64, SnapshotContent)>> {
    let rows = sqlx::query(
        "SELECT account_id, id, content FROM snapshots WHERE id IN ( \
             SELECT MAX(id) FROM snapshots WHERE account_id IN (SELECT value FROM json_each(?)) \
             GROUP BY account_id)",
    )
    .bind(serde_json::to_string(account_ids)?)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        out.insert(
            r.get::<i64, _>(0),
            (
                r.get::<i64, _>(1),
                serde_json::from_str(r.get::<&str, _>(2))?,
            ),
        );
    }
    Ok(out)
}

/// The creation time of each account's newest snapshot (of any type).
#[tracing::instrument(skip_all, err)]
pub async fn newest_times(
    conn: &mut SqliteConnection,
    account_ids: &[i64],
) -> Result<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT account_id, created_at FROM snapshots WHERE id IN ( \
             SELECT MAX(id) FROM snapshots WHERE account_id IN (SELECT value FROM json_each(?)) \
             GROUP BY account_id)",
    )
    .bind(serde_json::to_string(account_ids)?)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The newest snapshot of an account taken at or before `at` (RFC 3339 text, as stored).
#[tracing::instrument(skip(conn), err)]
pub async fn newest_at_or_before(
    conn: &mut SqliteConnection,
    account_id: i64,
    at: &str,
) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar(
            "SELECT MAX(id) FROM snapshots WHERE account_id = ? AND created_at <= ?",
        )
        .bind(account_id)
        .bind(at)
        .fetch_one(conn)
        .await?,
    )
}

/// Of the given accounts (all when `None`), those with no snapshot yet.
#[tracing::instrument(skip(conn), err)]
pub async fn accounts_without(
    conn: &mut SqliteConnection,
    account_ids: Option<&[i64]>,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT a.id FROM accounts a WHERE (?1 IS NULL OR a.id IN (SELECT value FROM json_each(?1))) \
         AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.account_id = a.id) ORDER BY a.id",
    )
    .bind(account_ids.map(serde_json::to_string).transpose()?)
    .fetch_all(conn)
    .await?)
}

#[tracing::instrument(skip(conn), err)]
pub async fn load(conn: &mut SqliteConnection, id: i64) -> Result<Snapshot> {
    let r = sqlx::query(
        "SELECT s.id, s.account_id, a.name, s.snapshot_type, s.trigger_event, s.created_at, s.schema_version, \
                s.content, s.content_sha256 \
         FROM snapshots s JOIN accounts a ON a.id = s.account_id WHERE s.id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::SnapshotNotFound { id })?;
    let stype: String = r.get(3);
    let content: SnapshotContent = serde_json::from_str(r.get::<&str, _>(7))?;
    Ok(Snapshot {
        id: r.get(0),
        account_id: r.get(1),
        account_name: r.get(2),
        snapshot_type: parse_type(&stype)?,
        trigger_event: r.get(4),
        created_at: r.get(5),
        schema_version: r.get::<i64, _>(6) as u32,
        content,
        content_sha256: r.get(8),
    })
}

/// The stored JSON text of a snapshot and the SHA-256 recorded with it.
#[tracing::instrument(skip(conn), err)]
pub async fn content_and_hash(conn: &mut SqliteConnection, id: i64) -> Result<(String, String)> {
    sqlx::query_as("SELECT content, content_sha256 FROM snapshots WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::SnapshotNotFound { id })
}

/// An account's snapshots as timeline lines, newest first.
#[tracing::instrument(skip(conn), err)]
pub async fn list(
    conn: &mut SqliteConnection,
    account_id: i64,
    limit: u32,
) -> Result<Vec<SnapshotListItem>> {
    let rows = sqlx::query(
        "SELECT id, account_id, snapshot_type, trigger_event, created_at, health_score, \
                json_extract(content, '$.changes.lines') \
         FROM snapshots WHERE account_id = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(account_id)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.iter().map(list_item).collect()
}

#[tracing::instrument(skip(conn), err)]
pub async fn list_item_of(conn: &mut SqliteConnection, id: i64) -> Result<SnapshotListItem> {
    let r = sqlx::query(
        "SELECT id, account_id, snapshot_type, trigger_event, created_at, health_score, \
                json_extract(content, '$.changes.lines') FROM snapshots WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::SnapshotNotFound { id })?;
    list_item(&r)
}

/// How many snapshots exist, how many were created at or after `since` (RFC 3339, UTC), and the newest time.
#[tracing::instrument(skip(conn), err)]
pub async fn totals(conn: &mut SqliteConnection, since: &str) -> Result<Totals> {
    let r = sqlx::query(
        "SELECT COUNT(*), coalesce(SUM(created_at >= ?), 0), MAX(created_at) FROM snapshots",
    )
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok(Totals {
        total: r.get::<i64, _>(0) as u32,
        since: r.get::<i64, _>(1) as u32,
        newest_at: r.get(2),
    })
}

fn list_item(r: &sqlx::sqlite::SqliteRow) -> Result<SnapshotListItem> {
    let stype: String = r.get(2);
    let changes: Option<String> = r.get(6);
    Ok(SnapshotListItem {
        id: r.get(0),
        account_id: r.get(1),
        snapshot_type: parse_type(&stype)?,
        trigger_event: r.get(3),
        created_at: r.get(4),
        health_score: r.get(5),
        changes: changes
            .as_deref()
            .map(serde_json::from_str)
            .transpose()?
            .unwrap_or_default(),
    })
}

fn parse_type(s: &str) -> Result<SnapshotType> {
    SnapshotType::parse(s).ok_or_else(|| Error::Corrupt(format!("unknown snapshot type {s}")))
}

/// Parses a stored timestamp.
pub fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    clock::from_db(s).ok_or_else(|| Error::Corrupt(format!("bad timestamp {s}")))
}
