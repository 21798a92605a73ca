//! Backup and restore on real SQLite files: a round trip gives back every table, a backup taken while the
//! subscriber works restores to a consistent database, and files that are not backups (or are too new) are refused.

mod common;

use chrono::Duration;
use common::{at, kpi_file, open_at, profile_file, TestApp};
use tideline_core::model::{ImportKind, SnapshotType};
use tideline_core::settings::{KEY_BACKUP_KEEP, KEY_COOLDOWN};
use tideline_core::Tideline;

/// Every row of every table (except sqlx's own), as JSON arrays in rowid order.
async fn dump(app: &Tideline) -> Vec<(String, Vec<String>)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' \
         AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow') ORDER BY name",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
            .bind(&t)
            .fetch_all(app.pool())
            .await
            .unwrap();
        let sql = format!(
            "SELECT json_array({}) FROM \"{t}\" ORDER BY 1",
            cols.iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(app.pool())
            .await
            .unwrap();
        out.push((t, rows));
    }
    out
}

async fn seed(t: &TestApp) {
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[
            (
                "TechCorp Solutions",
                "Active Users",
                420.0,
                500.0,
                "2025-01",
            ),
            ("Globex", "NPS", 41.0, 50.0, "2025-01"),
        ],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    let profiles = t.path("profiles.xlsx");
    profile_file(&profiles, &[("Globex", "Dana Whitfield", 98000.0)]);
    t.import(&profiles, ImportKind::Profile).await;
    t.app.calculate_health(None, None).await.unwrap();
    t.app.process_events().await.unwrap();
}

#[tokio::test]
async fn round_trip_restores_every_table_and_the_settings() {
    let t = open_at(at(10, 0, 0)).await;
    seed(&t).await;
    t.app.settings_store().set(KEY_COOLDOWN, "120").unwrap();
    let before = dump(&t.app).await;
    let file = t.path("mine.tideline-backup");
    let info = t.app.backup_to(&file).await.unwrap();
    assert!(info.size_bytes > 0);
    assert_eq!(info.kind, "manual");
    assert_eq!(
        info.schema_version,
        tideline_core::backup::supported_schema()
    );

    // Change the data and the settings after the backup.
    t.set_time(at(11, 0, 0));
    let more = t.path("more.xlsx");
    kpi_file(
        &more,
        &[
            (
                "TechCorp Solutions",
                "Active Users",
                530.0,
                500.0,
                "2025-02",
            ),
            ("Initech", "NPS", 12.0, 50.0, "2025-02"),
        ],
    );
    t.import(&more, ImportKind::Kpi).await;
    t.app.process_events().await.unwrap();
    let id = t.account_id("Globex").await;
    t.app
        .create_snapshot(id, SnapshotType::Manual, None)
        .await
        .unwrap();
    t.app.settings_store().set(KEY_COOLDOWN, "900").unwrap();
    let changed = dump(&t.app).await;
    assert_ne!(before, changed);

    let report = t.app.restore_from(&file).await.unwrap();
    assert!(report.settings_restored);
    assert_eq!(dump(&t.app).await, before, "every table equals the backup");
    assert_eq!(t.app.settings().unwrap().cooldown_seconds, 120);
    assert!(t.app.find_account("Initech").await.is_err());

    // The data as it was before the restore is kept, and restoring it gives the changed data back.
    assert_eq!(report.safety_backup.kind, "pre_restore");
    let listed = t.app.list_backups().await.unwrap();
    assert!(listed.iter().any(|b| b.path == report.safety_backup.path));
    t.app
        .restore_from(std::path::Path::new(&report.safety_backup.path))
        .await
        .unwrap();
    assert_eq!(dump(&t.app).await, changed);
    assert_eq!(t.app.settings().unwrap().cooldown_seconds, 900);
}

#[tokio::test]
async fn a_backup_taken_while_the_subscriber_works_restores_consistently() {
    let t = open_at(at(10, 0, 0)).await;
    let names: Vec<String> = (0..3000).map(|i| format!("Account {i:05}")).collect();
    let rows: Vec<(&str, &str, f64, f64, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "Active Users", 100.0, 200.0, "2025-01"))
        .collect();
    let kpis = t.path("many.xlsx");
    kpi_file(&kpis, &rows);
    let report = t.import(&kpis, ImportKind::Kpi).await;
    assert_eq!(report.events, 3000);

    let app = t.app.clone();
    let worker = tokio::spawn(async move { app.process_events().await });
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let file = t.path("during.tideline-backup");
    t.app.backup_to(&file).await.unwrap();
    worker.await.unwrap().unwrap();

    let other = open_at(at(12, 0, 0)).await;
    other.app.restore_from(&file).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(other.app.pool())
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let broken = other
        .count("SELECT COUNT(*) FROM pragma_foreign_key_check")
        .await;
    assert_eq!(broken, 0);
    // Whatever was still pending in the backup is handled now, exactly once.
    other.app.process_events().await.unwrap();
    assert_eq!(other.count("SELECT COUNT(*) FROM events").await, 3000);
    assert_eq!(
        other
            .count("SELECT COUNT(*) FROM events WHERE handled_at IS NULL")
            .await,
        0
    );
    let created = other
        .count("SELECT COUNT(*) FROM events WHERE outcome = 'created'")
        .await;
    let snapshots = other.count("SELECT COUNT(*) FROM snapshots").await;
    assert_eq!(created, snapshots, "one snapshot per created event");
    assert_eq!(
        other
            .count("SELECT COUNT(DISTINCT account_id) FROM snapshots")
            .await,
        3000,
        "every account's upload handled once"
    );
}

#[tokio::test]
async fn a_backup_from_a_newer_schema_is_refused_and_the_data_kept() {
    let t = open_at(at(10, 0, 0)).await;
    seed(&t).await;
    let file = t.path("future.tideline-backup");
    t.app.backup_to(&file).await.unwrap();
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display()))
            .await
            .unwrap();
        sqlx::query(
            "UPDATE tideline_backup SET value = '99990101000000' WHERE key = 'schema_version'",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let before = dump(&t.app).await;
    let err = t.app.restore_from(&file).await.unwrap_err();
    assert_eq!(err.code(), "backup_too_new");
    let supported = tideline_core::backup::supported_schema();
    assert!(
        err.to_string().contains(&format!(
            "schema 99990101000000, this build reads {supported}"
        )),
        "{err}"
    );
    assert_eq!(dump(&t.app).await, before);
    assert!(
        t.app.list_backups().await.unwrap().is_empty(),
        "no safety backup for a refused restore"
    );
}

#[tokio::test]
async fn files_that_are_not_backups_are_refused_with_the_reason() {
    let t = open_at(at(10, 0, 0)).await;
    seed(&t).await;
    let text = t.path("notes.tideline-backup");
    std::fs::write(&text, "hello, this is not a database at all").unwrap();
    let err = t.app.restore_from(&text).await.unwrap_err();
    assert_eq!(err.code(), "backup_invalid");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");

    // The live database itself is SQLite but has no manifest.
    let db = t.app.data_dir().join("tideline.db");
    let err = t.app.restore_from(&db).await.unwrap_err();
    assert_eq!(err.code(), "backup_invalid");
    assert!(err.to_string().contains("no Tideline manifest"), "{err}");

    let err = t
        .app
        .restore_from(&t.path("missing.tideline-backup"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "backup_invalid");
    assert!(err.to_string().contains("does not exist"));

    let err = t
        .app
        .backup_to(&t.path("no-such-folder/x.tideline-backup"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "write_failed");
}

#[tokio::test]
async fn daily_backups_run_once_a_day_and_keep_the_newest() {
    let t = open_at(at(10, 0, 0)).await;
    seed(&t).await;
    let first = t.app.auto_backup_if_due().await.unwrap();
    assert!(first.is_some());
    assert_eq!(first.unwrap().kind, "auto");
    t.set_time(at(20, 0, 0));
    assert!(
        t.app.auto_backup_if_due().await.unwrap().is_none(),
        "not a day old yet"
    );

    t.app.settings_store().set(KEY_BACKUP_KEEP, "2").unwrap();
    for day in 1..=3 {
        t.set_time(at(10, 0, 0) + Duration::days(day));
        assert!(t.app.auto_backup_if_due().await.unwrap().is_some());
    }
    let autos: Vec<_> = t
        .app
        .list_backups()
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.kind == "auto")
        .collect();
    assert_eq!(autos.len(), 2);
    assert!(autos[0].created_at > autos[1].created_at);
    assert!(autos[0].created_at.starts_with("2025-01-18"));

    t.app
        .settings_store()
        .set("backup.auto_daily", "false")
        .unwrap();
    t.set_time(at(10, 0, 0) + Duration::days(9));
    assert!(t.app.auto_backup_if_due().await.unwrap().is_none());
    assert!(t.app.settings_store().set(KEY_BACKUP_KEEP, "0").is_err());
}
