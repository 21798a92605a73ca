//! Opening the database: one file in the data folder, WAL, foreign keys, migrations run on open.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

pub const DB_FILE: &str = "tideline.db";

#[tracing::instrument(skip_all, err, fields(path = %path.display()))]
pub async fn open(path: &Path) -> Result<SqlitePool> {
    let url = format!("sqlite://{}", path.display());
    let options = SqliteConnectOptions::from_str(&url)
        .map_err(|e| Error::DataDir {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL, not NORMAL: our commits are few and large (one per import, one per subscriber batch), so the
        // extra fsync is cheap, and a committed import then survives a power loss as well as an app crash.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-32000");
    refuse_foreign_file(path).await?;
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        .connect_with(options)
        .await?;
    match MIGRATOR.run(&pool).await {
        Ok(()) => Ok(pool),
        Err(sqlx::migrate::MigrateError::VersionMissing(found)) => {
            pool.close().await;
            Err(Error::DatabaseTooNew {
                path: path.to_path_buf(),
                found,
                supported: supported_schema(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Looks at an existing file read-only, before anything can write to it: a file that is not SQLite, or an
/// SQLite database of another program (tables, but none of our migration records), is refused untouched.
async fn refuse_foreign_file(path: &Path) -> Result<()> {
    if std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) == 0 {
        return Ok(());
    }
    let not_ours = || Error::NotTidelineDatabase {
        path: path.to_path_buf(),
    };
    let probe = SqliteConnectOptions::new().filename(path).read_only(true);
    let mut conn = match sqlx::ConnectOptions::connect(&probe).await {
        Ok(c) => c,
        Err(e) if is_not_a_database(&e) => return Err(not_ours()),
        Err(e) => return Err(e.into()),
    };
    let counted: std::result::Result<(i64, i64), sqlx::Error> = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(name = '_sqlx_migrations'), 0) FROM sqlite_master WHERE type = 'table'",
    )
    .fetch_one(&mut conn)
    .await;
    let _ = sqlx::Connection::close(conn).await;
    match counted {
        Ok((tables, ours)) if tables > 0 && ours == 0 => Err(not_ours()),
        Ok(_) => Ok(()),
        Err(e) if is_not_a_database(&e) => Err(not_ours()),
        Err(e) => Err(e.into()),
    }
}

/// The schema migrations this build carries.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The newest schema version (migration number) this build reads.
pub fn supported_schema() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// SQLITE_NOTADB: the file is not an SQLite database at all.
fn is_not_a_database(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("26"))
}

/// A read-then-write transaction: takes the write lock up front, so it waits on `busy_timeout` instead of
/// failing with SQLITE_BUSY half-way (see FIELD-NOTES.md).
pub async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}
