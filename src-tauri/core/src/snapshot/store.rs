//! Storing and reading snapshots. A snapshot is written once (a trigger forbids updates) with the SHA-256 of the
//! exact JSON text stored, so it can be verified later.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use super::{build, diff};
use crate::clock;
use crate::error::{Error, Result};
use crate::model::{ChangeSummary, Snapshot, SnapshotContent, SnapshotListItem, SnapshotType};

/// The newest snapshot of an account: id and creation time (text, as stored).
pub async fn newest(conn: &mut SqliteConnection, account_id: i64) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, created_at FROM snapshots WHERE account_id = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(conn)
    .await?)
}

/// Builds and stores a snapshot of the account as it is now, with what changed since its previous one.
pub async fn create(
    conn: &mut SqliteConnection,
    account_id: i64,
    snapshot_type: SnapshotType,
    trigger_event: &str,
    now: &str,
) -> Result<Snapshot> {
    let mut made = create_many(conn, &[(account_id, snapshot_type, trigger_event)], now).await?;
    made.pop()
        .ok_or(Error::AccountIdNotFound { id: account_id })
}

/// Builds and stores one snapshot per request, reading each section for all accounts at once.
/// An account asked for twice gets two snapshots, the second compared with the first: requests are split into
/// rounds holding each account at most once, and a round reads the snapshots the previous one stored.
pub async fn create_many(
    conn: &mut SqliteConnection,
    requests: &[(i64, SnapshotType, &str)],
    now: &str,
) -> Result<Vec<Snapshot>> {
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for (i, (account_id, _, _)) in requests.iter().enumerate() {
        let round = seen.entry(*account_id).or_insert(0);
        if rounds.len() <= *round {
            rounds.push(Vec::new());
        }
        rounds[*round].push(i);
        *round += 1;
    }
    let mut made: Vec<Option<Snapshot>> = (0..requests.len()).map(|_| None).collect();
    for round in rounds {
        let batch: Vec<(i64, SnapshotType, &str)> = round.iter().map(|&i| requests[i]).collect();
        let ids: Vec<i64> = batch.iter().map(|r| r.0).collect();
        for (i, snap) in round
            .into_iter()
            .zip(create_distinct(conn, &batch, &ids, now).await?)
        {
            made[i] = Some(snap);
        }
    }
    made.into_iter()
        .map(|s| s.ok_or_else(|| Error::Internal("a requested snapshot was not made".into())))
        .collect()
}

/// One snapshot per account (the subscriber's usual batch): documents are moved, not cloned, and stored a few
/// hundred per statement. Rows are matched back to their account by `account_id`, never by RETURNING order.
async fn create_distinct(
    conn: &mut SqliteConnection,
    requests: &[(i64, SnapshotType, &str)],
    ids: &[i64],
    now: &str,
) -> Result<Vec<Snapshot>> {
    let mut contents = build::build_contents(conn, ids).await?;
    let previous = previous_contents(conn, ids).await?;
    let mut prepared = Vec::with_capacity(requests.len());
    for (account_id, snapshot_type, trigger_event) in requests {
        let mut content = contents
            .remove(account_id)
            .ok_or(Error::AccountIdNotFound { id: *account_id })?;
        if let Some((prev_id, prev)) = previous.get(account_id) {
            let entries = diff::diff(prev, &content);
            content.changes = ChangeSummary {
                previous_snapshot_id: Some(*prev_id),
                lines: diff::summary_lines(&entries),
            };
        }
        let text = serde_json::to_string(&content)?;
        let sha = hex::encode(Sha256::digest(text.as_bytes()));
        prepared.push((
            *account_id,
            *snapshot_type,
            *trigger_event,
            content,
            text,
            sha,
        ));
    }
    let mut new_ids: HashMap<i64, i64> = HashMap::with_capacity(prepared.len());
    for chunk in prepared.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(account, t, trigger, content, text, sha)| {
                (
                    account,
                    t.as_str(),
                    trigger,
                    text,
                    sha,
                    content.health.as_ref().map(|h| h.score),
                )
            })
            .collect();
        let inserted: Vec<(i64, i64)> = sqlx::query_as(
            "INSERT INTO snapshots (account_id, snapshot_type, trigger_event, created_at, schema_version, \
                                    content, content_sha256, health_score) \
             SELECT j.value->>0, j.value->>1, j.value->>2, ?2, ?3, j.value->>3, j.value->>4, j.value->>5 \
             FROM json_each(?1) j RETURNING account_id, id",
        )
        .bind(serde_json::to_string(&rows)?)
        .bind(now)
        .bind(build::SCHEMA_VERSION)
        .fetch_all(&mut *conn)
        .await?;
        new_ids.extend(inserted);
    }
    prepared
        .into_iter()
        .map(
            |(account_id, snapshot_type, trigger_event, content, _, sha)| {
                let id = *new_ids.get(&account_id).ok_or_else(|| {
                    Error::Internal(format!("snapshot for account {account_id} was not stored"))
                })?;
                Ok(Snapshot {
                    id,
                    account_id,
                    account_name: content.account.name.clone(),
                    snapshot_type,
                    trigger_event: trigger_event.to_string(),
                    created_at: now.to_string(),
                    schema_version: build::SCHEMA_VERSION,
                    content_sha256: sha,
                    content,
                })
            },
        )
        .collect()
}

/// The newest snapshot document of each account that has one.
async fn previous_contents(
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
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

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

/// Whether the stored document still hashes to its recorded SHA-256.
pub async fn verify(conn: &mut SqliteConnection, id: i64) -> Result<bool> {
    let (text, sha): (String, String) =
        sqlx::query_as("SELECT content, content_sha256 FROM snapshots WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?
            .ok_or(Error::SnapshotNotFound { id })?;
    Ok(hex::encode(Sha256::digest(text.as_bytes())) == sha)
}

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
