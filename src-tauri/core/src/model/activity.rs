use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One line of the Activity feed: an event and what the subscriber did with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ActivityItem {
    pub event_id: i64,
    /// `KPI_DATA_UPLOADED`, `HEALTH_SCORES_UPDATED` or `ACCOUNT_DATA_CHANGED`.
    pub event_type: String,
    pub trigger_event: String,
    pub account_id: i64,
    pub account_name: String,
    /// Where the change came from, e.g. `import 12`, `health run`, `playbook 3`.
    pub source: String,
    pub created_at: String,
    /// `pending`, `created` or `skipped`.
    pub outcome: String,
    pub snapshot_id: Option<i64>,
    pub cooldown_remaining_seconds: Option<u32>,
    pub handled_at: Option<String>,
}

/// What one pass of the subscriber over pending events did (`events process`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ProcessReport {
    pub processed: u32,
    pub created: Vec<i64>,
    pub skipped: u32,
    /// The handled events, in order.
    pub items: Vec<ActivityItem>,
}
