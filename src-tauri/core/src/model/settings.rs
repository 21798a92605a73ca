use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything the Settings screen edits; stored as flat keys in `settings.json` (tauri-plugin-store's file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Settings {
    /// `snapshot.cooldown_seconds`.
    pub cooldown_seconds: u32,
    /// `health.healthy_min`: a score at or above is Healthy.
    pub healthy_min: f64,
    /// `health.at_risk_min`: a score at or above (and below `healthy_min`) is At risk.
    pub at_risk_min: f64,
    /// `health.weights.<Category>`.
    pub category_weights: BTreeMap<String, f64>,
    /// `ui.theme`: `system`, `light` or `dark`.
    pub theme: String,
}
