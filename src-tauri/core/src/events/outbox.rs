//! Writing events: always inside the transaction of the change that caused them, so no event is lost.

use sqlx::SqliteConnection;

use super::EventType;
use crate::error::Result;

/// Records one event per account, in the caller's transaction. `source` says where the change came from
/// (`import 12`, `health run`, `playbook 3`).
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
    let ids = serde_json::to_string(account_ids)?;
    let done = sqlx::query(
        "INSERT INTO events (event_type, trigger_event, account_id, source, created_at) \
         SELECT ?1, ?2, value, ?3, ?4 FROM json_each(?5)",
    )
    .bind(event.name())
    .bind(event.trigger_event())
    .bind(source)
    .bind(now)
    .bind(ids)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() as u32)
}
