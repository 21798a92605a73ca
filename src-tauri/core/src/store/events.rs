//! The `events` table (the outbox): recording events, reading the pending ones in order, marking what became of
//! them, and the Activity feed.

use sqlx::{Row, SqliteConnection};

use crate::error::Result;
use crate::model::{ActivityItem, EventType};

/// What the subscriber decided for one event.
pub struct Outcome<'a> {
    pub event_id: i64,
    pub outcome: &'a str,
    pub snapshot_id: Option<i64>,
    pub cooldown_remaining_seconds: Option<u32>,
}

/// Inserts one event per account, in the caller's transaction; returns how many rows were written. `source`
/// says where the change came from (`import 12`, `health run`, `playbook 3`).
#[tracing::instrument(skip(conn, account_ids), err)]
pub async fn record(
    conn: &mut SqliteConnection,
    event: EventType,
    account_ids: &[i64],
    source: &str,
    now: &str,
) -> Result<u32> {
    if account_ids.is_empty() {
        return Ok(0);
    }
    let done = sqlx::query(
        "INSERT INTO events (event_type, trigger_event, account_id, source, created_at) \
         SELECT ?1, ?2, value, ?3, ?4 FROM json_each(?5)",
    )
    .bind(event.name())
    .bind(event.trigger_event())
    .bind(source)
    .bind(now)
    .bind(serde_json::to_string(account_ids)?)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() as u32)
}

/// Up to `limit` unhandled events, oldest first, as `pending` activity items.
#[tracing::instrument(skip(conn), err)]
pub async fn pending(conn: &mut SqliteConnection, limit: i64) -> Result<Vec<ActivityItem>> {
    let rows = sqlx::query(
        "SELECT e.id, e.event_type, e.trigger_event, e.account_id, a.name, e.source, e.created_at \
         FROM events e JOIN accounts a ON a.id = e.account_id \
         WHERE e.handled_at IS NULL ORDER BY e.id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ActivityItem {
            event_id: r.get(0),
            event_type: r.get(1),
            trigger_event: r.get(2),
            account_id: r.get(3),
            account_name: r.get(4),
            source: r.get(5),
            created_at: r.get(6),
            outcome: "pending".into(),
            snapshot_id: None,
            cooldown_remaining_seconds: None,
            handled_at: None,
        })
        .collect())
}

/// Records the outcome of each event, all stamped handled at `now`.
#[tracing::instrument(skip_all, err)]
pub async fn mark_handled(
    conn: &mut SqliteConnection,
    outcomes: &[Outcome<'_>],
    now: &str,
) -> Result<()> {
    let values: Vec<_> = outcomes
        .iter()
        .map(|o| {
            (
                o.event_id,
                o.outcome,
                o.snapshot_id,
                o.cooldown_remaining_seconds,
            )
        })
        .collect();
    sqlx::query(
        "UPDATE events SET handled_at = ?1, outcome = j.value->>1, snapshot_id = j.value->>2, \
             cooldown_remaining_seconds = j.value->>3 \
         FROM json_each(?2) j WHERE events.id = j.value->>0",
    )
    .bind(now)
    .bind(serde_json::to_string(&values)?)
    .execute(conn)
    .await?;
    Ok(())
}

/// Events and what became of them, newest first.
#[tracing::instrument(skip(conn), err)]
pub async fn activity(conn: &mut SqliteConnection, limit: u32) -> Result<Vec<ActivityItem>> {
    let rows = sqlx::query(
        "SELECT e.id, e.event_type, e.trigger_event, e.account_id, a.name, e.source, e.created_at, \
                e.outcome, e.snapshot_id, e.cooldown_remaining_seconds, e.handled_at \
         FROM events e JOIN accounts a ON a.id = e.account_id ORDER BY e.id DESC LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ActivityItem {
            event_id: r.get(0),
            event_type: r.get(1),
            trigger_event: r.get(2),
            account_id: r.get(3),
            account_name: r.get(4),
            source: r.get(5),
            created_at: r.get(6),
            outcome: r
                .get::<Option<String>, _>(7)
                .unwrap_or_else(|| "pending".into()),
            snapshot_id: r.get(8),
            cooldown_remaining_seconds: r.get::<Option<i64>, _>(9).map(|v| v as u32),
            handled_at: r.get(10),
        })
        .collect())
}

pub async fn pending_count(conn: &mut SqliteConnection) -> Result<u32> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE handled_at IS NULL")
        .fetch_one(conn)
        .await?;
    Ok(n as u32)
}

/// Events of the account since `since` that did not make a snapshot (skipped, or still pending).
#[tracing::instrument(skip(conn), err)]
pub async fn unsnapshotted_since(
    conn: &mut SqliteConnection,
    account_id: i64,
    since: &str,
) -> Result<u32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE account_id = ? AND created_at > ? \
         AND (handled_at IS NULL OR outcome = 'skipped')",
    )
    .bind(account_id)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok(n as u32)
}
