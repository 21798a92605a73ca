//! Which playbook fits an account: a pure judgement over its snapshot document and today's date, so it can be
//! tested on hand-built documents and applied to any snapshot, live or stored.

use chrono::NaiveDate;

use crate::model::{Band, ExecutionStatus, PlaybookSuggestion, SnapshotContent};

/// Renewals this close count as "near" for Renewal Rescue.
pub const RENEWAL_WINDOW_DAYS: i64 = 120;
/// A category scoring below this is a signal worth a playbook.
pub const WEAK_CATEGORY: f64 = 60.0;

/// The first fitting playbook not already running for the account, and why; `None` for an unscored account or
/// when nothing fits. Order of preference: a near renewal of an account that is not Healthy, then weak Support,
/// Product Usage and Customer Sentiment, then expansion of a Healthy account with strong usage.
pub fn suggest(content: &SnapshotContent, today: NaiveDate) -> Option<PlaybookSuggestion> {
    let health = content.health.as_ref()?;
    let running: Vec<&str> = content
        .playbooks
        .iter()
        .filter(|e| e.status == ExecutionStatus::InProgress)
        .map(|e| e.playbook_key.as_str())
        .collect();
    let category = |name: &str| {
        health
            .categories
            .iter()
            .find(|c| c.category == name)
            .map(|c| c.score)
    };
    let renewal_days = content
        .profile
        .renewal_date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| (d - today).num_days());
    let mut candidates: Vec<(&str, String)> = Vec::new();
    if health.band != Band::Healthy {
        if let Some(days) = renewal_days.filter(|d| (0..=RENEWAL_WINDOW_DAYS).contains(d)) {
            candidates.push((
                "renewal_rescue",
                format!("{} with the renewal in {days} days", health.band.label()),
            ));
        }
    }
    for (key, cat) in [
        ("support_stabilizer", "Support"),
        ("activation_blitz", "Product Usage"),
        ("voc_sprint", "Customer Sentiment"),
    ] {
        if let Some(score) = category(cat).filter(|s| *s < WEAK_CATEGORY) {
            candidates.push((
                key,
                format!("{cat} scores {score:.1}, below {WEAK_CATEGORY:.0}"),
            ));
        }
    }
    if health.band == Band::Healthy && category("Product Usage").is_some_and(|s| s >= 90.0) {
        candidates.push((
            "expansion_play",
            format!("Healthy ({:.1}) with strong product usage", health.score),
        ));
    }
    candidates
        .into_iter()
        .find(|(key, _)| !running.contains(key))
        .map(|(key, reason)| PlaybookSuggestion {
            playbook_key: key.into(),
            reason,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CategoryScore, ChangeSummary, HealthState, PlaybookExecution, Profile, SnapshotAccount,
    };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).expect("a real date")
    }

    fn document(band: Band, score: f64, categories: &[(&str, f64)]) -> SnapshotContent {
        SnapshotContent {
            schema_version: 1,
            account: SnapshotAccount {
                id: 7,
                name: "Acme Corp".into(),
                external_id: None,
            },
            profile: Profile::default(),
            kpis: Vec::new(),
            health: Some(HealthState {
                period: "2026-11-01".into(),
                score,
                band,
                categories: categories
                    .iter()
                    .map(|(c, s)| CategoryScore {
                        category: (*c).into(),
                        score: *s,
                        band: None,
                        weight: 0.25,
                        drivers: Vec::new(),
                    })
                    .collect(),
                trend: Vec::new(),
            }),
            playbooks: Vec::new(),
            recent_imports: Vec::new(),
            changes: ChangeSummary::default(),
        }
    }

    fn running(key: &str) -> PlaybookExecution {
        PlaybookExecution {
            id: 1,
            account_id: 7,
            account_name: "Acme Corp".into(),
            playbook_key: key.into(),
            playbook_name: key.into(),
            status: ExecutionStatus::InProgress,
            steps: Vec::new(),
            notes: None,
            started_at: "2026-11-20T10:00:00Z".into(),
            updated_at: "2026-11-20T10:00:00Z".into(),
            completed_at: None,
        }
    }

    fn key(s: Option<PlaybookSuggestion>) -> Option<String> {
        s.map(|s| s.playbook_key)
    }

    #[test]
    fn an_unscored_account_gets_no_suggestion() {
        let mut doc = document(Band::Critical, 20.0, &[("Support", 10.0)]);
        doc.health = None;
        assert_eq!(suggest(&doc, today()), None);
    }

    #[test]
    fn an_at_risk_account_renewing_soon_gets_renewal_rescue_first() {
        let mut doc = document(Band::AtRisk, 55.0, &[("Support", 30.0)]);
        doc.profile.renewal_date = Some("2027-01-03".into());
        let s = suggest(&doc, today()).expect("a suggestion");
        assert_eq!(s.playbook_key, "renewal_rescue");
        assert_eq!(s.reason, "At risk with the renewal in 30 days");
    }

    #[test]
    fn a_renewal_outside_the_window_or_past_does_not_count() {
        let mut doc = document(Band::Critical, 30.0, &[]);
        doc.profile.renewal_date = Some("2027-04-04".into()); // 121 days away
        assert_eq!(suggest(&doc, today()), None);
        doc.profile.renewal_date = Some("2026-12-03".into()); // yesterday
        assert_eq!(suggest(&doc, today()), None);
        doc.profile.renewal_date = Some("2027-04-03".into()); // 120 days: inside
        assert_eq!(
            key(suggest(&doc, today())).as_deref(),
            Some("renewal_rescue")
        );
    }

    #[test]
    fn a_healthy_account_renewing_soon_is_not_rescued() {
        let mut doc = document(Band::Healthy, 80.0, &[("Product Usage", 75.0)]);
        doc.profile.renewal_date = Some("2026-12-20".into());
        assert_eq!(suggest(&doc, today()), None);
    }

    #[test]
    fn a_weak_category_names_its_playbook_and_score() {
        let doc = document(
            Band::AtRisk,
            58.0,
            &[("Support", 72.0), ("Customer Sentiment", 41.3)],
        );
        let s = suggest(&doc, today()).expect("a suggestion");
        assert_eq!(s.playbook_key, "voc_sprint");
        assert_eq!(s.reason, "Customer Sentiment scores 41.3, below 60");
    }

    #[test]
    fn a_running_playbook_is_not_suggested_again_the_next_one_is() {
        let mut doc = document(
            Band::AtRisk,
            50.0,
            &[("Support", 40.0), ("Product Usage", 50.0)],
        );
        assert_eq!(
            key(suggest(&doc, today())).as_deref(),
            Some("support_stabilizer")
        );
        doc.playbooks.push(running("support_stabilizer"));
        assert_eq!(
            key(suggest(&doc, today())).as_deref(),
            Some("activation_blitz")
        );
        // A finished execution does not block a new one.
        doc.playbooks[0].status = ExecutionStatus::Completed;
        assert_eq!(
            key(suggest(&doc, today())).as_deref(),
            Some("support_stabilizer")
        );
    }

    #[test]
    fn a_healthy_account_with_strong_usage_is_offered_expansion() {
        let doc = document(Band::Healthy, 88.4, &[("Product Usage", 90.0)]);
        let s = suggest(&doc, today()).expect("a suggestion");
        assert_eq!(s.playbook_key, "expansion_play");
        assert_eq!(s.reason, "Healthy (88.4) with strong product usage");
        let doc = document(Band::Healthy, 88.4, &[("Product Usage", 89.9)]);
        assert_eq!(suggest(&doc, today()), None);
    }
}
