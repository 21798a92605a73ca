//! Undoing an import (issue 11 item 4): the values it replaced come back, what it added goes, an import under a
//! later one is refused with the reason, the history says "undone", and earlier snapshots stay as they were.

mod common;

use common::{at, kpi_file, open_at, write_xlsx, TestApp, C};
use tideline_core::model::{ImportKind, ImportReport};

fn kpi_rows(rows: impl IntoIterator<Item = (String, usize, f64)>) -> Vec<Vec<C>> {
    let mut data = vec![vec![
        C::S("Account"),
        C::S("KPI"),
        C::S("Value"),
        C::S("Period"),
    ]];
    for (account, kpi, value) in rows {
        data.push(vec![
            C::T(account),
            C::T(format!("KPI {kpi}")),
            C::N(value),
            C::S("2025-01"),
        ]);
    }
    data
}

async fn import(t: &TestApp, name: &str, rows: Vec<(String, usize, f64)>) -> ImportReport {
    let file = t.path(name);
    write_xlsx(&file, &[("KPIs", kpi_rows(rows))]);
    t.import(&file, ImportKind::Kpi).await
}

async fn values(t: &TestApp) -> Vec<(String, String, f64, Option<i64>)> {
    sqlx::query_as(
        "SELECT a.name, k.kpi_key, k.value, k.import_id FROM kpi_values k JOIN accounts a ON a.id = k.account_id \
         ORDER BY a.name, k.kpi_key",
    )
    .fetch_all(t.app.pool())
    .await
    .expect("values")
}

async fn snapshots(t: &TestApp) -> Vec<(i64, String, String)> {
    sqlx::query_as("SELECT id, content, content_sha256 FROM snapshots ORDER BY id")
        .fetch_all(t.app.pool())
        .await
        .expect("snapshots")
}

#[tokio::test]
async fn undoing_the_later_import_puts_back_the_first_imports_values_and_removes_what_it_added() {
    let t = open_at(at(10, 0, 0)).await;
    let a_rows: Vec<_> = (0..40)
        .map(|i| (format!("Account {}", i % 4), i / 4, i as f64))
        .collect();
    let a = import(&t, "a.xlsx", a_rows).await;
    t.app.process_events().await.expect("events");
    let after_a = values(&t).await;
    let snapshots_before = snapshots(&t).await;
    assert!(!snapshots_before.is_empty());

    // B changes half of A's values and adds an account.
    t.set_time(at(10, 30, 0));
    let mut b_rows: Vec<_> = (0..40)
        .map(|i| {
            (
                format!("Account {}", i % 4),
                i / 4,
                if i < 20 { i as f64 + 100.0 } else { i as f64 },
            )
        })
        .collect();
    b_rows.push(("Newco".to_string(), 0, 1.0));
    let b = import(&t, "b.xlsx", b_rows).await;
    assert_eq!(
        (b.rows_changed, b.rows_new, b.accounts_new.clone()),
        (20, 1, vec!["Newco".to_string()])
    );
    t.app.process_events().await.expect("events");

    // A can't be undone under B.
    let a_id = a.import_id.expect("a id");
    let b_id = b.import_id.expect("b id");
    let err = t.app.undo_import(a_id).await.expect_err("blocked");
    assert_eq!(err.code(), "import_undo_blocked");
    assert!(
        err.to_string()
            .contains(&format!("later import {b_id} (b.xlsx)")),
        "{err}"
    );

    t.set_time(at(11, 0, 0));
    let undo = t.app.undo_import(b_id).await.expect("undo b");
    assert_eq!(
        (
            undo.values_restored,
            undo.values_removed,
            undo.accounts_removed
        ),
        (20, 1, 1)
    );
    assert_eq!(values(&t).await, after_a);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM accounts WHERE name = 'Newco'")
            .await,
        0
    );
    let history = t.app.list_imports(10).await.expect("history");
    assert_eq!(
        history
            .iter()
            .find(|i| i.id == b_id)
            .map(|i| i.status.as_str()),
        Some("undone")
    );
    let err = t.app.undo_import(b_id).await.expect_err("twice");
    assert_eq!(err.code(), "import_already_undone");

    // The events of the undo make snapshots of the reverted state; the earlier ones are unchanged.
    let processed = t.app.process_events().await.expect("events");
    assert!(!processed.created.is_empty());
    let after = snapshots(&t).await;
    for s in &snapshots_before {
        assert!(after.contains(s), "snapshot {} unchanged", s.0);
    }

    // With B undone, A is the latest on its values: undoing it removes everything it added.
    let undo = t.app.undo_import(a_id).await.expect("undo a");
    assert_eq!(
        (
            undo.values_restored,
            undo.values_removed,
            undo.accounts_removed
        ),
        (0, 40, 4)
    );
    assert!(values(&t).await.is_empty());
}

#[tokio::test]
async fn undoing_a_kpi_import_that_added_a_month_leaves_no_health_score_for_it() {
    let t = open_at(at(10, 0, 0)).await;
    let january = t.path("january.xlsx");
    kpi_file(
        &january,
        &[
            ("Acme", "Logins", 80.0, 100.0, "2025-01"),
            ("Acme", "Seats", 40.0, 50.0, "2025-01"),
        ],
    );
    let january = t.import(&january, ImportKind::Kpi).await;
    t.app
        .calculate_health_after_import(january.import_id.expect("id"))
        .await
        .expect("health");
    let february = t.path("february.xlsx");
    kpi_file(
        &february,
        &[
            ("Acme", "Logins", 20.0, 100.0, "2025-02"),
            ("Acme", "Seats", 10.0, 50.0, "2025-02"),
        ],
    );
    let february = t.import(&february, ImportKind::Kpi).await;
    let feb_id = february.import_id.expect("id");
    t.app
        .calculate_health_after_import(feb_id)
        .await
        .expect("health");
    t.app.process_events().await.expect("events");
    let acme = t.account_id("Acme").await;
    let periods = |h: Vec<tideline_core::model::HealthRecord>| {
        h.into_iter().map(|r| r.period).collect::<Vec<_>>()
    };
    assert_eq!(
        periods(t.app.health_history(acme).await.expect("history")),
        ["2025-01", "2025-02"]
    );
    let january_score = t.app.health_history(acme).await.expect("history")[0].score;

    t.set_time(at(10, 30, 0));
    t.app.undo_import(feb_id).await.expect("undo");

    // February has no score left: the history, the Health table and the next snapshot end at January.
    assert_eq!(
        periods(t.app.health_history(acme).await.expect("history")),
        ["2025-01"]
    );
    let row = t
        .app
        .all_accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|r| r.id == acme)
        .expect("row");
    assert_eq!(
        (
            row.health_period.as_deref(),
            row.health_score,
            row.trend.clone()
        ),
        (Some("2025-01"), Some(january_score), vec![january_score])
    );
    t.app.process_events().await.expect("events");
    let snap = t
        .app
        .latest_snapshot(acme)
        .await
        .expect("snapshot")
        .expect("one");
    let health = snap.content.health.expect("health");
    assert_eq!(health.period, "2025-01");
    assert_eq!(
        health
            .trend
            .iter()
            .map(|p| p.period.as_str())
            .collect::<Vec<_>>(),
        ["2025-01"]
    );
    assert!(snap.content.kpis.iter().all(|k| k.period == "2025-01-01"));
}
