//! Taking snapshots: build each account's document, compare it with its previous one, hash the exact JSON and
//! store it. This is the one insert path for snapshots, used by explicit snapshots and the subscriber alike.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use super::{build, diff};
use crate::error::{Error, Result};
use crate::model::{ChangeSummary, Snapshot, SnapshotType};
use crate::store::snapshots::{self, NewSnapshot};
use crate::store::{snapshot_facts, snapshot_text};

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
    let previous = snapshots::newest_contents(conn, ids).await?;
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
    let rows: Vec<NewSnapshot> = prepared
        .iter()
        .map(
            |(account_id, snapshot_type, trigger_event, content, text, sha)| NewSnapshot {
                account_id: *account_id,
                snapshot_type: *snapshot_type,
                trigger_event,
                content_json: text,
                content_sha256: sha,
                health_score: content.health.as_ref().map(|h| h.score),
            },
        )
        .collect();
    let new_ids = snapshots::insert_many(conn, &rows, build::SCHEMA_VERSION, now).await?;
    // Ask's facts index, in the same transaction as the rows it indexes.
    let mut indexed: Vec<i64> = new_ids.values().copied().collect();
    indexed.sort_unstable();
    snapshot_facts::index(conn, &indexed).await?;
    snapshot_text::index(conn, &indexed).await?;
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
