use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a question asks for. One-account intents need an account (named, or the panel's); portfolio intents
/// look across every account's latest snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AskIntent {
    Status,
    KpiValue,
    KpiTrend,
    OffTarget,
    HealthChange,
    ChangesSince,
    CategoryDrag,
    Playbooks,
    Profile,
    Provenance,
    AtRisk,
    Movers,
    Renewals,
    KpiFilter,
    Compare,
    /// No intent matched, but the free-text index did: the snapshot texts that mention the question's words.
    TextSearch,
    Unknown,
}

impl AskIntent {
    pub fn as_str(self) -> &'static str {
        match self {
            AskIntent::Status => "status",
            AskIntent::KpiValue => "kpi_value",
            AskIntent::KpiTrend => "kpi_trend",
            AskIntent::OffTarget => "off_target",
            AskIntent::HealthChange => "health_change",
            AskIntent::ChangesSince => "changes_since",
            AskIntent::CategoryDrag => "category_drag",
            AskIntent::Playbooks => "playbooks",
            AskIntent::Profile => "profile",
            AskIntent::Provenance => "provenance",
            AskIntent::AtRisk => "at_risk",
            AskIntent::Movers => "movers",
            AskIntent::Renewals => "renewals",
            AskIntent::KpiFilter => "kpi_filter",
            AskIntent::Compare => "compare",
            AskIntent::TextSearch => "text_search",
            AskIntent::Unknown => "unknown",
        }
    }

    /// Whether the intent looks across accounts rather than at one.
    pub fn is_portfolio(self) -> bool {
        matches!(
            self,
            AskIntent::AtRisk
                | AskIntent::Movers
                | AskIntent::Renewals
                | AskIntent::KpiFilter
                | AskIntent::Compare
        )
    }
}

/// A date range, both ends inclusive, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AskPeriod {
    pub from: String,
    pub to: String,
}

/// One number, date or name in an answer and where it came from: `json_extract(content, path)` on snapshot
/// `snapshot_id` gives `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AskClaim {
    pub text: String,
    pub snapshot_id: i64,
    pub path: String,
    #[ts(type = "number | string | boolean | null")]
    pub value: serde_json::Value,
}

/// A named account in an answer (the UI links it to its panel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AskAccount {
    pub id: i64,
    pub name: String,
}

/// A piece of a local model's reply as it streams in, for the Ask box that asked (`stream`, chosen by the UI).
/// Shown while the answer is written; the final answer replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AskDelta {
    pub stream: u32,
    pub text: String,
}

/// The answer to a question about one account or the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AskAnswer {
    pub answer: String,
    pub intent: AskIntent,
    /// The accounts the answer names, in the order it names them.
    pub accounts: Vec<AskAccount>,
    pub period: Option<AskPeriod>,
    pub claims: Vec<AskClaim>,
    /// The snapshot of the account the answer is about (the main one), or none for portfolio answers.
    pub snapshot_id: Option<i64>,
    /// Whether that snapshot was created to answer (as `rag_auto`).
    pub snapshot_created: bool,
    /// Every snapshot created to answer.
    pub snapshots_created: Vec<i64>,
    /// Which parts of the snapshots the answer used, e.g. `health`, `kpis.NPS`.
    pub sources: Vec<String>,
    /// Events for the main account recorded after its snapshot (skipped by the cooldown or still pending).
    pub changes_since: u32,
    /// When two accounts match the question equally: their names, and the answer asks which one.
    pub choices: Vec<String>,
    /// Why the built-in answer is shown when a local model was asked for (or another caveat).
    pub note: Option<String>,
}
