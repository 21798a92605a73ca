//! The scoring model, pure and documented in README.md:
//! - a KPI with a target scores 0–100 as the share of its target reached (value ÷ target when higher is better,
//!   target ÷ value when lower is better), capped at 100 so one outlier can't hide a weak KPI;
//! - a KPI without a target is left out of the score (it still shows in the panel as "no target");
//! - a category's score is the weighted mean of its KPIs (the KPI's Weight column, default 1);
//! - the overall score is the weighted mean of the categories present, with the category weights from Settings
//!   (a category not in Settings weighs [`UNLISTED_CATEGORY_WEIGHT`]; KPIs without a category go to "Other");
//! - the band follows the thresholds in Settings (Healthy ≥ 70, At risk ≥ 40, else Critical by default).

use std::collections::BTreeMap;

use crate::model::{Band, CategoryScore, Direction, KpiDriver, Settings};

pub const UNLISTED_CATEGORY_WEIGHT: f64 = 0.10;
pub const OTHER_CATEGORY: &str = "Other";

/// One KPI value as the model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiInput {
    pub name: String,
    pub category: Option<String>,
    pub value: f64,
    pub target: Option<f64>,
    pub direction: Direction,
    pub weight: f64,
}

/// The share of target reached, 0–100; `None` without a target.
pub fn kpi_score(value: f64, target: Option<f64>, direction: Direction) -> Option<f64> {
    let target = target?;
    if !value.is_finite() || !target.is_finite() {
        return None;
    }
    let ratio = match direction {
        Direction::Higher if target > 0.0 => value / target,
        // A target of zero or below: met or not.
        Direction::Higher => return Some(if value >= target { 100.0 } else { 0.0 }),
        Direction::Lower if value <= target => 1.0,
        Direction::Lower if value > 0.0 && target > 0.0 => target / value,
        Direction::Lower => 0.0,
    };
    Some((ratio.clamp(0.0, 1.0) * 100.0 * 10.0).round() / 10.0)
}

pub fn band_of(score: f64, s: &Settings) -> Band {
    if score >= s.healthy_min {
        Band::Healthy
    } else if score >= s.at_risk_min {
        Band::AtRisk
    } else {
        Band::Critical
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Scores one account for one period; `None` when no KPI has a target.
pub fn score(kpis: &[KpiInput], settings: &Settings) -> Option<(f64, Band, Vec<CategoryScore>)> {
    let mut by_category: BTreeMap<String, Vec<KpiDriver>> = BTreeMap::new();
    for k in kpis {
        let Some(s) = kpi_score(k.value, k.target, k.direction) else {
            continue;
        };
        if k.weight <= 0.0 {
            continue;
        }
        let category = k
            .category
            .clone()
            .unwrap_or_else(|| OTHER_CATEGORY.to_string());
        by_category.entry(category).or_default().push(KpiDriver {
            kpi: k.name.clone(),
            value: k.value,
            target: k.target,
            direction: k.direction,
            score: s,
            weight: k.weight,
            basis: "target".into(),
        });
    }
    let mut categories = Vec::new();
    let (mut total, mut total_weight) = (0.0, 0.0);
    for (category, mut drivers) in by_category {
        let w: f64 = drivers.iter().map(|d| d.weight).sum();
        let cat_score = round1(drivers.iter().map(|d| d.score * d.weight).sum::<f64>() / w);
        let weight = settings
            .category_weights
            .get(&category)
            .copied()
            .unwrap_or(UNLISTED_CATEGORY_WEIGHT);
        // Weakest first: what drives the score down is what a CSM wants to see.
        drivers.sort_by(|a, b| a.score.total_cmp(&b.score).then_with(|| a.kpi.cmp(&b.kpi)));
        if weight > 0.0 {
            total += cat_score * weight;
            total_weight += weight;
        }
        categories.push(CategoryScore {
            category,
            score: cat_score,
            band: Some(band_of(cat_score, settings)),
            weight,
            drivers,
        });
    }
    if categories.is_empty() || total_weight == 0.0 {
        return None;
    }
    let overall = round1(total / total_weight);
    Some((overall, band_of(overall, settings), categories))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kpi(name: &str, cat: &str, value: f64, target: f64, direction: Direction) -> KpiInput {
        KpiInput {
            name: name.into(),
            category: Some(cat.into()),
            value,
            target: Some(target),
            direction,
            weight: 1.0,
        }
    }

    #[test]
    fn far_above_target_is_healthy() {
        let s = Settings::default();
        let (score, band, _) = score(
            &[
                kpi(
                    "Active Users",
                    "Product Usage",
                    950.0,
                    500.0,
                    Direction::Higher,
                ),
                kpi("NPS", "Customer Sentiment", 70.0, 40.0, Direction::Higher),
                kpi("Open Tickets", "Support", 2.0, 10.0, Direction::Lower),
            ],
            &s,
        )
        .unwrap();
        assert_eq!(score, 100.0, "outliers are capped at 100");
        assert_eq!(band, Band::Healthy);
    }

    #[test]
    fn far_below_target_is_critical() {
        let s = Settings::default();
        let (score, band, _) = score(
            &[
                kpi(
                    "Active Users",
                    "Product Usage",
                    100.0,
                    500.0,
                    Direction::Higher,
                ),
                kpi("NPS", "Customer Sentiment", 5.0, 40.0, Direction::Higher),
                kpi("Open Tickets", "Support", 60.0, 10.0, Direction::Lower),
            ],
            &s,
        )
        .unwrap();
        // (Product Usage 20 × 0.30 + Sentiment 12.5 × 0.20 + Support 16.7 × 0.15) ÷ 0.65 = 16.93.
        assert_eq!(score, 16.9);
        assert_eq!(band, Band::Critical);
    }

    #[test]
    fn direction_is_honoured() {
        assert_eq!(
            kpi_score(5.0, Some(10.0), Direction::Lower),
            Some(100.0),
            "under a lower-is-better target"
        );
        assert_eq!(
            kpi_score(20.0, Some(10.0), Direction::Lower),
            Some(50.0),
            "twice the allowed tickets"
        );
        assert_eq!(kpi_score(5.0, Some(10.0), Direction::Higher), Some(50.0));
        assert_eq!(
            kpi_score(5.0, None, Direction::Higher),
            None,
            "no target: left out"
        );
    }

    #[test]
    fn category_weights_from_settings_shape_the_overall_score() {
        let mut s = Settings::default();
        let kpis = [
            kpi("Logins", "Product Usage", 100.0, 100.0, Direction::Higher),
            kpi("NPS", "Customer Sentiment", 0.0, 50.0, Direction::Higher),
        ];
        s.category_weights.insert("Product Usage".into(), 1.0);
        s.category_weights.insert("Customer Sentiment".into(), 1.0);
        assert_eq!(score(&kpis, &s).unwrap().0, 50.0);
        s.category_weights.insert("Customer Sentiment".into(), 3.0);
        assert_eq!(score(&kpis, &s).unwrap().0, 25.0);
    }

    #[test]
    fn band_thresholds_are_inclusive_at_the_bottom() {
        let s = Settings::default();
        assert_eq!(band_of(70.0, &s), Band::Healthy);
        assert_eq!(band_of(69.9, &s), Band::AtRisk);
        assert_eq!(band_of(40.0, &s), Band::AtRisk);
        assert_eq!(band_of(39.9, &s), Band::Critical);
    }

    #[test]
    fn each_score_keeps_the_kpis_that_drove_it() {
        let s = Settings::default();
        let (_, _, cats) = score(
            &[
                kpi("A", "Support", 10.0, 10.0, Direction::Higher),
                kpi("B", "Support", 5.0, 10.0, Direction::Higher),
            ],
            &s,
        )
        .unwrap();
        assert_eq!(cats.len(), 1);
        assert_eq!(cats[0].score, 75.0);
        assert_eq!(cats[0].drivers[0].kpi, "B", "weakest first");
    }
}
