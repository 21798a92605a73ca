//! Bands are decided by the core only: the Overview's average and distribution buckets and each category score
//! carry the band under the thresholds in Settings, so the UI colours what the core decided and never re-decides.

mod common;

use common::{at, kpi_file, open_at};
use tideline_core::model::{Band, ImportKind};

#[tokio::test]
async fn the_overview_carries_the_band_of_each_bucket_and_of_the_average_at_the_default_thresholds()
{
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
            ("Acme Corp", "Active Users", 200.0, 500.0, "2025-01"),
        ],
    );
    t.import(&file, ImportKind::Kpi).await;
    t.app
        .calculate_health(None, None)
        .await
        .expect("health run");

    let o = t.app.overview().await.expect("overview");
    // Healthy ≥ 70, At risk ≥ 40, else Critical; a bucket takes the band of its lower edge.
    use Band::{AtRisk, Critical, Healthy};
    assert_eq!(
        o.distribution_bands,
        vec![
            Critical, Critical, Critical, Critical, AtRisk, AtRisk, AtRisk, Healthy, Healthy,
            Healthy
        ]
    );
    // 100 and 40: average 70, at the Healthy threshold itself.
    assert_eq!(o.average_health, Some(70.0));
    assert_eq!(o.average_band, Some(Healthy));
}

#[tokio::test]
async fn thresholds_changed_in_settings_move_the_buckets_the_average_and_the_categories() {
    let t = open_at(at(10, 0, 0)).await;
    let mut settings = t.app.settings().expect("settings");
    settings.healthy_min = 80.0;
    settings.at_risk_min = 50.0;
    t.app
        .settings_store()
        .save(&settings)
        .expect("save settings");

    let file = t.path("kpis.xlsx");
    kpi_file(
        &file,
        &[
            ("Globex", "Active Users", 375.0, 500.0, "2025-01"),
            ("Initech", "Active Users", 245.0, 500.0, "2025-01"),
        ],
    );
    t.import(&file, ImportKind::Kpi).await;
    t.app
        .calculate_health(None, None)
        .await
        .expect("health run");

    let o = t.app.overview().await.expect("overview");
    assert_eq!(o.distribution_bands[4], Band::Critical);
    assert_eq!(o.distribution_bands[5], Band::AtRisk);
    assert_eq!(o.distribution_bands[7], Band::AtRisk);
    assert_eq!(o.distribution_bands[8], Band::Healthy);
    // 75 and 49: average 62.
    assert_eq!(o.average_health, Some(62.0));
    assert_eq!(o.average_band, Some(Band::AtRisk));

    let globex = t.account_id("Globex").await;
    let initech = t.account_id("Initech").await;
    let category_band =
        |history: &[tideline_core::model::HealthRecord]| history[0].categories[0].band;
    let g = t.app.health_history(globex).await.expect("history");
    let i = t.app.health_history(initech).await.expect("history");
    // 75 is Healthy at the default thresholds, At risk under 80/50.
    assert_eq!((g[0].score, g[0].band), (75.0, Band::AtRisk));
    assert_eq!(category_band(&g), Some(Band::AtRisk));
    assert_eq!((i[0].score, i[0].band), (49.0, Band::Critical));
    assert_eq!(category_band(&i), Some(Band::Critical));

    // The panel's snapshot document shows the same category band.
    let snap = t
        .app
        .create_snapshot(globex, tideline_core::model::SnapshotType::Manual, None)
        .await
        .expect("snapshot");
    let health = snap.content.health.expect("health in the document");
    assert_eq!(health.categories[0].band, Some(Band::AtRisk));
}
