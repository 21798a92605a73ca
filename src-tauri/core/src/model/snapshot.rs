use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{CategoryScore, Direction, PlaybookExecution, Profile, TrendPoint};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotType {
    EventDriven,
    Manual,
    RagAuto,
}

impl SnapshotType {
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotType::EventDriven => "event_driven",
            SnapshotType::Manual => "manual",
            SnapshotType::RagAuto => "rag_auto",
        }
    }

    pub fn parse(s: &str) -> Option<SnapshotType> {
        match s {
            "event_driven" => Some(SnapshotType::EventDriven),
            "manual" => Some(SnapshotType::Manual),
            "rag_auto" => Some(SnapshotType::RagAuto),
            _ => None,
        }
    }
}

/// A KPI's latest value as the snapshot saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KpiState {
    pub name: String,
    pub category: Option<String>,
    pub value: f64,
    pub unit: Option<String>,
    pub target: Option<f64>,
    pub direction: Direction,
    /// `YYYY-MM-DD`.
    pub period: String,
    /// `on_target`, `off_target` or `no_target`.
    pub status: String,
    /// Schema 2: the KPI's values over its recent periods, oldest first, the latest (`value`, `period`) last,
    /// so a trend reads from one snapshot even when several months arrived in one file. Absent in schema 1
    /// snapshots, which keep only the latest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub history: Option<Vec<KpiPoint>>,
}

/// One period's value of a KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KpiPoint {
    /// `YYYY-MM-DD`.
    pub period: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HealthState {
    pub period: String,
    pub score: f64,
    pub band: super::Band,
    pub categories: Vec<CategoryScore>,
    /// Recent periods, oldest first.
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportBrief {
    pub id: i64,
    pub kind: super::ImportKind,
    pub file: String,
    pub rows_imported: u32,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotAccount {
    pub id: i64,
    pub name: String,
    pub external_id: Option<String>,
}

/// The versioned document: the account's whole state at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotContent {
    pub schema_version: u32,
    pub account: SnapshotAccount,
    pub profile: Profile,
    pub kpis: Vec<KpiState>,
    pub health: Option<HealthState>,
    pub playbooks: Vec<PlaybookExecution>,
    pub recent_imports: Vec<ImportBrief>,
    /// What changed since the account's previous snapshot.
    pub changes: ChangeSummary,
}

/// A short account of what differs from the previous snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ChangeSummary {
    pub previous_snapshot_id: Option<i64>,
    /// Human-readable lines, e.g. `Health 62.0 → 71.5 (At risk → Healthy)`.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Snapshot {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub snapshot_type: SnapshotType,
    pub trigger_event: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub schema_version: u32,
    /// SHA-256 of the canonical JSON of `content`.
    pub content_sha256: String,
    pub content: SnapshotContent,
}

/// A line of the snapshot timeline (no document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotListItem {
    pub id: i64,
    pub account_id: i64,
    pub snapshot_type: SnapshotType,
    pub trigger_event: String,
    pub created_at: String,
    pub health_score: Option<f64>,
    pub changes: Vec<String>,
}

/// What a click on an account in the Health tab shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotOpen {
    pub created: bool,
    pub snapshot: Snapshot,
    /// Events for this account skipped or still pending since the shown snapshot.
    pub changes_since: u32,
    /// Seconds until an event may create a snapshot again (0: now).
    pub cooldown_remaining_seconds: u32,
    pub cooldown_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DiffEntry {
    /// Dotted path, e.g. `profile.arr` or `kpis.NPS.value`.
    pub path: String,
    pub section: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SnapshotDiff {
    pub from: SnapshotListItem,
    pub to: SnapshotListItem,
    pub entries: Vec<DiffEntry>,
}
