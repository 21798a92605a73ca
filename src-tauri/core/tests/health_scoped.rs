//! Health after an import: only the accounts and months the import wrote are rescored, with the same scores a
//! full run gives, and trend events only for accounts whose score changed.

mod common;

use common::{at, kpi_file, open_at, TestApp};
use tideline_core::model::ImportKind;

const FIRST: &[(&str, &str, f64, f64, &str)] = &[
    ("Acme", "Active Users", 450.0, 500.0, "2025-01"),
    ("Acme", "Active Users", 50.0, 500.0, "2025-02"),
    ("Acme", "NPS", 40.0, 50.0, "2025-02"),
    ("Beta", "Active Users", 300.0, 500.0, "2025-01"),
    ("Beta", "Active Users", 320.0, 500.0, "2025-02"),
    ("Gamma", "Active Users", 500.0, 500.0, "2025-01"),
];

/// Acme's February changes, Beta gets a new month, Gamma's January is sent again unchanged.
const SECOND: &[(&str, &str, f64, f64, &str)] = &[
    ("Acme", "Active Users", 480.0, 500.0, "2025-02"),
    ("Beta", "Active Users", 100.0, 500.0, "2025-04"),
    ("Gamma", "Active Users", 500.0, 500.0, "2025-01"),
];

async fn import_rows(t: &TestApp, name: &str, rows: &[(&str, &str, f64, f64, &str)]) -> i64 {
    let file = t.path(name);
    kpi_file(&file, rows);
    t.import(&file, ImportKind::Kpi)
        .await
        .import_id
        .expect("import id")
}

async fn histories(t: &TestApp) -> Vec<(String, String, f64, String)> {
    let mut out = Vec::new();
    for name in ["Acme", "Beta", "Gamma"] {
        let id = t.account_id(name).await;
        for h in t.app.health_history(id).await.expect("history") {
            out.push((
                name.to_string(),
                h.period,
                h.score,
                serde_json::to_string(&h.categories).expect("json"),
            ));
        }
    }
    out
}

#[tokio::test]
async fn rescoring_after_an_import_touches_only_what_it_wrote_and_matches_a_full_run() {
    let t = open_at(at(10, 0, 0)).await;
    import_rows(&t, "first.xlsx", FIRST).await;
    t.app.calculate_health(None, None).await.expect("full run");
    let events_before = t.count("SELECT COUNT(*) FROM events").await;

    let second = import_rows(&t, "second.xlsx", SECOND).await;
    let scoped = t
        .app
        .calculate_health_after_import(second)
        .await
        .expect("scoped run");
    // Acme's February (updated) and Beta's April (created); Gamma's unchanged January is not even read.
    assert_eq!(
        (
            scoped.accounts,
            scoped.periods,
            scoped.created,
            scoped.updated,
            scoped.unchanged,
            scoped.events
        ),
        (2, 2, 1, 1, 0, 2)
    );
    let health_events: i64 = t
        .count("SELECT COUNT(*) FROM events WHERE event_type = 'HEALTH_SCORES_UPDATED'")
        .await;
    assert_eq!(
        health_events,
        3 + 2,
        "three from the first run, one per changed account now"
    );
    assert!(t.count("SELECT COUNT(*) FROM events").await > events_before);

    // A full run afterwards finds nothing left to change.
    let full = t.app.calculate_health(None, None).await.expect("full run");
    assert_eq!((full.created, full.updated, full.events), (0, 0, 0));

    // And the scores are those of a database that only ever had full runs.
    let other = open_at(at(10, 0, 0)).await;
    import_rows(&other, "first.xlsx", FIRST).await;
    import_rows(&other, "second.xlsx", SECOND).await;
    other
        .app
        .calculate_health(None, None)
        .await
        .expect("full run");
    assert_eq!(histories(&t).await, histories(&other).await);

    // Rescoring the same import again changes nothing and fires nothing.
    let again = t
        .app
        .calculate_health_after_import(second)
        .await
        .expect("again");
    assert_eq!(
        (again.created, again.updated, again.unchanged, again.events),
        (0, 0, 2, 0)
    );
}

#[tokio::test]
async fn rescoring_an_unknown_import_is_a_plain_error() {
    let t = open_at(at(10, 0, 0)).await;
    let err = t
        .app
        .calculate_health_after_import(42)
        .await
        .expect_err("no such import");
    assert_eq!(err.code(), "import_not_found");
}
