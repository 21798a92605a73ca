//! Health trends: one record per account per month, created or updated by a run, with one event per account,
//! and nothing at all when nothing changed.

mod common;

use common::{at, kpi_file, open_at};
use tideline_core::model::{Band, ImportKind};

#[tokio::test]
async fn a_run_creates_one_trend_per_account_and_month_and_recalculating_unchanged_data_does_nothing(
) {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    kpi_file(
        &file,
        &[
            (
                "TechCorp Solutions",
                "Active Users",
                950.0,
                500.0,
                "2025-01",
            ),
            (
                "TechCorp Solutions",
                "Active Users",
                480.0,
                500.0,
                "2025-02",
            ),
            ("Acme Corp", "Active Users", 50.0, 500.0, "2025-02"),
        ],
    );
    t.import(&file, ImportKind::Kpi).await;
    let run = t.app.calculate_health(None, None).await.unwrap();
    assert_eq!(
        (
            run.accounts,
            run.periods,
            run.created,
            run.updated,
            run.events
        ),
        (2, 2, 3, 0, 2)
    );

    let techcorp = t.account_id("TechCorp Solutions").await;
    let history = t.app.health_history(techcorp).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h.period.as_str(), h.score, h.band))
            .collect::<Vec<_>>(),
        vec![
            ("2025-01", 100.0, Band::Healthy),
            ("2025-02", 96.0, Band::Healthy)
        ]
    );
    assert_eq!(
        history[1].categories[0].drivers[0].kpi, "Active Users",
        "the score keeps the KPIs that drove it"
    );
    let acme = t.app.find_account("Acme Corp").await.unwrap();
    let rows = t.app.all_accounts().await.unwrap();
    let acme_row = rows.iter().find(|r| r.id == acme.id).unwrap();
    assert_eq!(
        (acme_row.health_score, acme_row.band),
        (Some(10.0), Some(Band::Critical))
    );

    let again = t.app.calculate_health(None, None).await.unwrap();
    assert_eq!(
        (again.created, again.updated, again.unchanged, again.events),
        (0, 0, 3, 0)
    );

    // A changed value updates its month's record in place and fires for that account only.
    let update = t.path("kpis-2.xlsx");
    kpi_file(
        &update,
        &[("Acme Corp", "Active Users", 300.0, 500.0, "2025-02")],
    );
    t.import(&update, ImportKind::Kpi).await;
    let third = t.app.calculate_health(None, Some("2025-02")).await.unwrap();
    assert_eq!(
        (third.created, third.updated, third.unchanged, third.events),
        (0, 1, 1, 1)
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM health_trends").await, 3);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM events WHERE event_type = 'HEALTH_SCORES_UPDATED'")
            .await,
        3
    );
}

#[tokio::test]
async fn band_thresholds_from_settings_decide_the_band() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    kpi_file(
        &file,
        &[(
            "TechCorp Solutions",
            "Active Users",
            375.0,
            500.0,
            "2025-01",
        )],
    );
    t.import(&file, ImportKind::Kpi).await;
    t.app.calculate_health(None, None).await.unwrap();
    assert_eq!(
        t.app.all_accounts().await.unwrap()[0].band,
        Some(Band::Healthy),
        "75 ≥ 70"
    );
    t.app
        .settings_store()
        .set("health.healthy_min", "80")
        .unwrap();
    let run = t.app.calculate_health(None, None).await.unwrap();
    assert_eq!((run.updated, run.events), (1, 1));
    assert_eq!(
        t.app.all_accounts().await.unwrap()[0].band,
        Some(Band::AtRisk)
    );
}

#[tokio::test]
async fn a_bad_period_is_refused_with_a_clear_message() {
    let t = open_at(at(10, 0, 0)).await;
    let err = t
        .app
        .calculate_health(None, Some("2025-13"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("\"2025-13\" is not a month"));
}

#[tokio::test]
async fn a_suggestion_follows_the_band_and_signals() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    kpi_file(
        &file,
        &[(
            "TechCorp Solutions",
            "Active Users",
            100.0,
            500.0,
            "2025-01",
        )],
    );
    t.import(&file, ImportKind::Kpi).await;
    t.app.calculate_health(None, None).await.unwrap();
    let id = t.account_id("TechCorp Solutions").await;
    let s = t
        .app
        .suggest_playbook(id)
        .await
        .unwrap()
        .expect("a suggestion");
    assert_eq!(
        s.playbook_key, "activation_blitz",
        "usage far below target: {}",
        s.reason
    );
    t.app.start_playbook(id, "activation_blitz").await.unwrap();
    assert_ne!(
        t.app
            .suggest_playbook(id)
            .await
            .unwrap()
            .map(|s| s.playbook_key)
            .as_deref(),
        Some("activation_blitz"),
        "not one already running"
    );
}

#[tokio::test]
async fn the_health_table_sorts_filters_and_pages_in_the_core() {
    let t = open_at(at(10, 0, 0)).await;
    t.app.load_sample().await.unwrap();
    use tideline_core::model::{AccountQuery, AccountSort};
    let all = t
        .app
        .query_accounts(&AccountQuery {
            sort: Some(AccountSort::Health),
            descending: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, 36);
    let scores: Vec<f64> = all.rows.iter().filter_map(|r| r.health_score).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "sorted by health, best first"
    );
    let critical = t
        .app
        .query_accounts(&AccountQuery {
            band: Some(Band::Critical),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(critical.rows.iter().all(|r| r.band == Some(Band::Critical)));
    let page = t
        .app
        .query_accounts(&AccountQuery {
            offset: Some(30),
            limit: Some(10),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((page.total, page.rows.len()), (36, 6));
    let search = t
        .app
        .query_accounts(&AccountQuery {
            search: Some("techcorp".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(search.rows[0].name, "TechCorp Solutions");
    let owner = t
        .app
        .query_accounts(&AccountQuery {
            owner: Some("Priya Raman".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(owner.total, 9);
}
