//! Writing events: always inside the transaction of the change that caused them, so no event is lost. The SQL is
//! `store::events`; playbooks call it directly, since `events` (the subscriber) depends on snapshots, which list
//! playbook executions.

use sqlx::SqliteConnection;

use super::EventType;
use crate::error::Result;
use crate::store;

/// Records one event per account, in the caller's transaction. `source` says where the change came from
/// (`import 12`, `health run`, `playbook 3`).
pub async fn record(
    conn: &mut SqliteConnection,
    event: EventType,
    account_ids: &[i64],
    source: &str,
    now: &str,
) -> Result<u32> {
    store::events::record(conn, event, account_ids, source, now).await
}
