//! Undoing an import (issue 11 item 4): the values and profiles it replaced come back, what it added goes (the
//! accounts it created with everything held on them), an import under a later one is refused with the reason,
//! the history says "undone", health scores follow, and earlier snapshots stay as they were.

mod common;

use common::{at, kpi_file, open_at, write_xlsx, TestApp, C};
use tideline_core::model::{ImportKind, ImportReport, SnapshotType};

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

/// Undoing `id` is refused because the later import `later` (`file`) stands on the same data, and says so.
async fn assert_undo_blocked_by(t: &TestApp, id: i64, later: i64, file: &str) {
    let err = t.app.undo_import(id).await.expect_err("blocked");
    assert_eq!(err.code(), "import_undo_blocked");
    assert!(
        err.to_string()
            .contains(&format!("later import {later} ({file})")),
        "{err}"
    );
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
    assert_undo_blocked_by(&t, a_id, b_id, "b.xlsx").await;

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

/// A profile workbook: (account, account id, owner, arr, notes).
fn profile_file(
    t: &TestApp,
    name: &str,
    rows: &[(&str, &str, &str, f64, &str)],
) -> std::path::PathBuf {
    let mut data = vec![vec![
        C::S("Account Name"),
        C::S("Account ID"),
        C::S("CSM"),
        C::S("ARR"),
        C::S("Notes"),
    ]];
    for (account, id, owner, arr, notes) in rows {
        data.push(vec![
            C::T(account.to_string()),
            if id.is_empty() {
                C::E
            } else {
                C::T(id.to_string())
            },
            C::T(owner.to_string()),
            C::N(*arr),
            C::T(notes.to_string()),
        ]);
    }
    let file = t.path(name);
    write_xlsx(&file, &[("Customers", data)]);
    file
}

/// The tables holding rows about an account (what the undo's confirmation says goes with it).
const HELD_ON_AN_ACCOUNT: [&str; 6] = [
    "snapshots",
    "snapshot_facts",
    "snapshot_text",
    "playbook_executions",
    "events",
    "import_accounts",
];

async fn rows_of(t: &TestApp, table: &str, account_id: i64) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {table} WHERE account_id = ?"
    )))
    .bind(account_id)
    .fetch_one(t.app.pool())
    .await
    .expect("count")
}

/// Every account as stored: name, external id, profile JSON.
async fn accounts(t: &TestApp) -> Vec<(String, Option<String>, String)> {
    sqlx::query_as("SELECT name, external_id, profile FROM accounts ORDER BY name")
        .fetch_all(t.app.pool())
        .await
        .expect("accounts")
}

#[tokio::test]
async fn undoing_a_profile_import_puts_back_the_profiles_and_removes_the_account_it_added() {
    let t = open_at(at(10, 0, 0)).await;
    let a = profile_file(
        &t,
        "a.xlsx",
        &[
            ("Acme", "", "Ann", 100.0, "Steady"),
            ("Globex", "G-1", "Bo", 200.0, "Expanding"),
            ("Initech", "", "Cy", 300.0, "Quiet"),
        ],
    );
    let a = t.import(&a, ImportKind::Profile).await;
    t.app.process_events().await.expect("events");
    let after_a = accounts(&t).await;
    let snapshots_before = snapshots(&t).await;
    assert_eq!(snapshots_before.len(), 3);

    // B gives Acme an Account ID and a new owner, raises Initech's ARR, leaves Globex as it was and adds Umbrella.
    t.set_time(at(10, 30, 0));
    let b = profile_file(
        &t,
        "b.xlsx",
        &[
            ("Acme", "A-9", "Dee", 150.0, "Steady"),
            ("Globex", "G-1", "Bo", 200.0, "Expanding"),
            ("Initech", "", "Cy", 350.0, "Renewal at risk"),
            (
                "Umbrella",
                "U-1",
                "Eve",
                50.0,
                "Asked about the migration project",
            ),
        ],
    );
    let b = t.import(&b, ImportKind::Profile).await;
    assert_eq!(
        (b.accounts_updated.clone(), b.accounts_new.clone()),
        (
            vec!["Acme".to_string(), "Initech".to_string()],
            vec!["Umbrella".to_string()]
        )
    );
    t.app.process_events().await.expect("events");
    let umbrella = t.account_id("Umbrella").await;
    t.app
        .create_snapshot(umbrella, SnapshotType::Manual, None)
        .await
        .expect("manual snapshot");
    t.app
        .start_playbook(umbrella, "voc_sprint")
        .await
        .expect("playbook");

    for table in HELD_ON_AN_ACCOUNT {
        assert!(
            rows_of(&t, table, umbrella).await > 0,
            "{table} of Umbrella"
        );
    }

    // The history tells what undoing B would remove; A is refused while B stands on its accounts.
    let a_id = a.import_id.expect("a id");
    let b_id = b.import_id.expect("b id");
    let history = t.app.list_imports(10).await.expect("history");
    let line = |id: i64| history.iter().find(|i| i.id == id).expect("listed").clone();
    assert_eq!(
        (line(b_id).accounts_created, line(b_id).undo_recorded),
        (1, true)
    );
    assert_eq!(line(a_id).accounts_created, 3);
    assert_undo_blocked_by(&t, a_id, b_id, "b.xlsx").await;

    t.set_time(at(11, 0, 0));
    let undo = t.app.undo_import(b_id).await.expect("undo b");
    assert_eq!(
        (
            undo.accounts_restored,
            undo.accounts_removed,
            undo.values_restored,
            undo.values_removed,
            undo.events
        ),
        (2, 1, 0, 0, 2)
    );
    // Profiles and external ids are A's again, byte for byte; Umbrella is gone with everything held on it.
    assert_eq!(accounts(&t).await, after_a);
    assert!(t.app.find_account("Umbrella").await.is_err());
    for table in HELD_ON_AN_ACCOUNT {
        assert_eq!(
            rows_of(&t, table, umbrella).await,
            0,
            "{table} of the removed account"
        );
    }
    let history = t.app.list_imports(10).await.expect("history");
    let b_line = history.iter().find(|i| i.id == b_id).expect("listed");
    assert_eq!(
        (b_line.status.as_str(), b_line.accounts_created),
        ("undone", 0)
    );

    // The subscriber records the reverted profiles; the earlier snapshots are unchanged.
    let processed = t.app.process_events().await.expect("events");
    assert_eq!(processed.created.len(), 2);
    let acme = t.latest_snapshot("Acme").await;
    assert_eq!(acme.trigger_event, "account_data_changed");
    assert_eq!(
        (
            acme.content.profile.owner.as_deref(),
            acme.content.profile.arr,
            acme.content.account.external_id.as_deref()
        ),
        (Some("Ann"), Some(100.0), None)
    );
    assert!(
        acme.content.recent_imports.iter().all(|i| i.id != b_id),
        "the undone import is not among Acme's recent imports"
    );
    let initech = t.latest_snapshot("Initech").await;
    assert_eq!(
        (
            initech.content.profile.arr,
            initech.content.profile.notes.as_deref()
        ),
        (Some(300.0), Some("Quiet"))
    );
    let after = snapshots(&t).await;
    for s in &snapshots_before {
        assert!(after.contains(s), "snapshot {} unchanged", s.0);
    }

    // A second undo says so; with B undone, A can be undone: the accounts it created go.
    let err = t.app.undo_import(b_id).await.expect_err("twice");
    assert_eq!(err.code(), "import_already_undone");
    let undo = t.app.undo_import(a_id).await.expect("undo a");
    assert_eq!((undo.accounts_restored, undo.accounts_removed), (0, 3));
    assert!(accounts(&t).await.is_empty());
}

#[tokio::test]
async fn a_profile_import_over_an_account_a_kpi_import_named_by_id_takes_back_only_its_own_change()
{
    // A KPI import that gives a known account its Account ID can be undone under a later profile import that
    // changed the profile: each takes back only what it changed.
    let t = open_at(at(10, 0, 0)).await;
    let first = profile_file(&t, "first.xlsx", &[("Acme", "", "Ann", 100.0, "Steady")]);
    t.import(&first, ImportKind::Profile).await;
    let kpis = t.path("kpis.xlsx");
    write_xlsx(
        &kpis,
        &[(
            "KPIs",
            vec![
                vec![
                    C::S("Account"),
                    C::S("Account ID"),
                    C::S("KPI"),
                    C::S("Value"),
                    C::S("Period"),
                ],
                vec![
                    C::S("Acme"),
                    C::S("A-9"),
                    C::S("Logins"),
                    C::N(10.0),
                    C::S("2025-01"),
                ],
            ],
        )],
    );
    let kpi = t.import(&kpis, ImportKind::Kpi).await;
    let second = profile_file(
        &t,
        "second.xlsx",
        &[("Acme", "A-9", "Dee", 100.0, "Steady")],
    );
    let second = t.import(&second, ImportKind::Profile).await;
    assert_eq!(
        accounts(&t).await[0].1.as_deref(),
        Some("A-9"),
        "the KPI import gave Acme its Account ID"
    );

    let undo = t
        .app
        .undo_import(kpi.import_id.expect("id"))
        .await
        .expect("the later import changed the profile, not the id");
    assert_eq!((undo.values_removed, undo.accounts_restored), (1, 1));
    let (_, external_id, profile) = accounts(&t).await.remove(0);
    assert_eq!(external_id, None);
    assert!(profile.contains("\"Dee\""), "{profile}");

    let undo = t
        .app
        .undo_import(second.import_id.expect("id"))
        .await
        .expect("undo the profile change");
    assert_eq!(undo.accounts_restored, 1);
    assert!(accounts(&t).await[0].2.contains("\"Ann\""));
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
    let snap = t.latest_snapshot("Acme").await;
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

/// Migrations 0001..=`upto` of this build, applied as an older Tideline would have: the later ones run on open.
async fn database_at_migration(dir: &std::path::Path, upto: i64) -> sqlx::SqlitePool {
    let migrations = dir.join("migrations-then");
    std::fs::create_dir_all(&migrations).expect("dir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(source).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let version: i64 = name
            .get(..4)
            .and_then(|v| v.parse().ok())
            .unwrap_or(i64::MAX);
        if version <= upto {
            std::fs::copy(&path, migrations.join(&name)).expect("copy");
        }
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join("tideline.db"))
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.expect("pool");
    sqlx::migrate::Migrator::new(migrations.as_path())
        .await
        .expect("migrator")
        .run(&pool)
        .await
        .expect("migrate");
    pool
}

#[tokio::test]
async fn imports_made_before_undo_was_recorded_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    // What an earlier Tideline left: a profile import (nothing kept for undo), a KPI import from before 0004 that
    // changed values (their previous values were never kept) and one that only added values.
    let pool = database_at_migration(dir.path(), 5).await;
    sqlx::raw_sql(
        "INSERT INTO accounts (id, name, name_key, profile, created_at, updated_at) \
             VALUES (1, 'Acme', 'acme', '{\"owner\":\"Ann\"}', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'); \
         INSERT INTO imports (id, kind, file_name, sha256, rows_read, rows_imported, rows_rejected, duration_ms, \
                              status, report, created_at) VALUES \
             (1, 'profile', 'customers.xlsx', 'x', 1, 1, 0, 5, 'completed', \
              '{\"rows_changed\":1,\"accounts_new\":[]}', '2025-01-01T00:00:00Z'), \
             (2, 'kpi', 'changed.xlsx', 'x', 1, 1, 0, 5, 'completed', \
              '{\"rows_changed\":1,\"accounts_new\":[]}', '2025-01-02T00:00:00Z'), \
             (3, 'kpi', 'added.xlsx', 'x', 1, 1, 0, 5, 'completed', \
              '{\"rows_changed\":0,\"accounts_new\":[]}', '2025-01-03T00:00:00Z'); \
         INSERT INTO import_accounts (import_id, account_id, rows) VALUES (1, 1, 1), (2, 1, 1), (3, 1, 1); \
         INSERT INTO kpi_values (account_id, kpi_name, kpi_key, value, direction, period, import_id, updated_at) \
             VALUES (1, 'Logins', 'logins', 5, 'higher', '2025-01-01', 2, '2025-01-02T00:00:00Z'), \
                    (1, 'Seats', 'seats', 7, 'higher', '2025-02-01', 3, '2025-01-03T00:00:00Z');",
    )
    .execute(&pool)
    .await
    .expect("old data");
    pool.close().await;

    let clock = std::sync::Arc::new(tideline_core::ManualClock::new(at(10, 0, 0)));
    let app = tideline_core::Tideline::open_with_clock(dir.path(), clock)
        .await
        .expect("open migrates");
    let history = app.list_imports(10).await.expect("history");
    let recorded: Vec<(i64, bool)> = history.iter().map(|i| (i.id, i.undo_recorded)).collect();
    assert_eq!(recorded, [(3, true), (2, false), (1, false)]);
    for id in [1, 2] {
        let err = app.undo_import(id).await.expect_err("refused");
        assert_eq!(err.code(), "import_undo_unsupported");
        assert!(
            err.to_string()
                .contains("was made before Tideline kept what undoing"),
            "{err}"
        );
    }
    // The import that only added values is undone as any: its value goes, the other's stays.
    let undo = app.undo_import(3).await.expect("undo");
    assert_eq!((undo.values_removed, undo.values_restored), (1, 0));
    let left: Vec<String> = sqlx::query_scalar("SELECT kpi_key FROM kpi_values")
        .fetch_all(app.pool())
        .await
        .expect("values");
    assert_eq!(left, ["logins"]);
}
