use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Healthy ≥ 70, At risk 40–69, Critical < 40 (thresholds configurable in Settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Healthy,
    AtRisk,
    Critical,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Healthy => "healthy",
            Band::AtRisk => "at_risk",
            Band::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Band> {
        match s {
            "healthy" => Some(Band::Healthy),
            "at_risk" => Some(Band::AtRisk),
            "critical" => Some(Band::Critical),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::Healthy => "Healthy",
            Band::AtRisk => "At risk",
            Band::Critical => "Critical",
        }
    }
}

/// Whether a bigger value of a KPI is better or worse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Higher,
    Lower,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "higher" => Some(Direction::Higher),
            "lower" => Some(Direction::Lower),
            _ => None,
        }
    }
}

/// One KPI's contribution to a category score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KpiDriver {
    pub kpi: String,
    pub value: f64,
    pub target: Option<f64>,
    pub direction: Direction,
    /// 0–100.
    pub score: f64,
    pub weight: f64,
    /// How the score was found: `target` or `history`.
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CategoryScore {
    pub category: String,
    pub score: f64,
    /// The band of the category's score under the thresholds it was scored with; absent in documents stored
    /// before categories carried a band.
    #[serde(default)]
    pub band: Option<Band>,
    pub weight: f64,
    pub drivers: Vec<KpiDriver>,
}

/// The health of one account for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HealthRecord {
    pub account_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    pub score: f64,
    pub band: Band,
    pub categories: Vec<CategoryScore>,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrendPoint {
    pub period: String,
    pub score: f64,
    pub band: Band,
}

/// What a "Calculate health scores" run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HealthRunReport {
    pub accounts: u32,
    pub periods: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Records of months left without a score (their KPI values were removed, as by undoing an import).
    pub removed: u32,
    pub events: u32,
    pub duration_ms: u64,
}
