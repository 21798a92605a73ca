use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Band;

/// The typed, known fields of an account's profile plus every other column kept as a custom field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub segment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub arr: Option<f64>,
    /// ISO date `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub contract_start: Option<String>,
    /// ISO date `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub renewal_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub employees: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, String>,
}

/// One row of the Health table and of `accounts list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub external_id: Option<String>,
    pub health_score: Option<f64>,
    pub band: Option<Band>,
    /// Latest health period (`YYYY-MM`), when scored.
    pub health_period: Option<String>,
    /// Overall score per period, oldest first (the sparkline).
    pub trend: Vec<f64>,
    pub last_snapshot_at: Option<String>,
    pub snapshot_count: i64,
    pub profile: Profile,
}

/// Which column the Health table is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountSort {
    #[default]
    Name,
    Health,
    Arr,
    Renewal,
    Owner,
    LastSnapshot,
}

/// Search, filter, sort and paging of the account table, done by the core.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountQuery {
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub band: Option<Band>,
    /// Only accounts without a health score.
    #[serde(default)]
    #[ts(optional)]
    pub unscored: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub owner: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub segment: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub sort: Option<AccountSort>,
    #[serde(default)]
    #[ts(optional)]
    pub descending: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub offset: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountPage {
    pub rows: Vec<AccountRow>,
    /// Rows matching the query before paging.
    pub total: u32,
}

/// The Health tab's summary cards, distribution chart and the status bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Overview {
    pub accounts: u32,
    pub scored: u32,
    pub average_health: Option<f64>,
    pub healthy: u32,
    pub at_risk: u32,
    pub critical: u32,
    /// Accounts per score bucket of ten: [0–9], [10–19], … [90–100].
    pub distribution: Vec<u32>,
    /// The band of each bucket's lower edge under the current thresholds, so the chart colours bars as the core
    /// decides bands.
    pub distribution_bands: Vec<super::Band>,
    /// The band of `average_health` under the current thresholds.
    pub average_band: Option<super::Band>,
    pub snapshots_total: u32,
    pub snapshots_today: u32,
    pub last_snapshot_at: Option<String>,
    pub pending_events: u32,
    pub owners: Vec<String>,
    pub segments: Vec<String>,
    pub data_dir: String,
}
