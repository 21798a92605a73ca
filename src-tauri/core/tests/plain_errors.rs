//! Opening a data folder whose database Tideline cannot use says so plainly, names the file, and changes nothing.

use tideline_core::Tideline;

fn db_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join(tideline_core::db::DB_FILE)
}

#[tokio::test]
async fn a_file_of_random_bytes_is_not_a_tideline_database_and_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    // Deterministic noise, 64 KiB, that SQLite cannot read as a database.
    let bytes: Vec<u8> = (0u32..65_536)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(db_path(dir.path()), &bytes).unwrap();
    let e = Tideline::open(dir.path()).await.err().expect("refused");
    assert_eq!(e.code(), "not_tideline_database");
    let msg = e.to_string();
    assert!(
        msg.contains("tideline.db is not a Tideline database"),
        "{msg}"
    );
    assert!(msg.contains("nothing was changed"), "{msg}");
    assert!(!msg.contains("code: 26"), "no driver text: {msg}");
    assert_eq!(std::fs::read(db_path(dir.path())).unwrap(), bytes);
}

#[tokio::test]
async fn another_programs_sqlite_database_is_refused_not_extended() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(dir.path());
    {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
        sqlx::query("CREATE TABLE recipes (name TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let before = std::fs::read(&path).unwrap();
    let e = Tideline::open(dir.path()).await.err().expect("refused");
    assert_eq!(e.code(), "not_tideline_database");
    assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
}

#[tokio::test]
async fn a_database_from_a_newer_version_names_both_schema_versions() {
    let dir = tempfile::tempdir().unwrap();
    let app = Tideline::open(dir.path()).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (9999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(app.pool())
    .await
    .unwrap();
    let migrations_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(app.pool())
        .await
        .unwrap();
    app.close().await;

    let e = Tideline::open(dir.path()).await.err().expect("refused");
    assert_eq!(e.code(), "database_too_new");
    let supported = tideline_core::db::supported_schema();
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("schema 9999, this build reads {supported}")),
        "{msg}"
    );
    assert!(msg.contains("nothing was changed"), "{msg}");

    // Nothing was changed: the future row is still there, and nothing was rolled back or added.
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(db_path(dir.path()));
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(after, migrations_before);
    pool.close().await;
}
