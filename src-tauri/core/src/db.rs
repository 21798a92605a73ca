//! Opening the database: one file in the data folder, WAL, foreign keys, migrations run on open.

use std::path::Path;

use sqlx::migrate::MigrateError;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

pub const DB_FILE: &str = "tideline.db";

/// How long a statement waits for another connection's (or program's) write lock before giving up with
/// [`Error::DatabaseBusy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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
        .busy_timeout(BUSY_TIMEOUT)
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

impl Error {
    /// SQLite reports a full disk, a lock held past the timeout or a read-only folder without naming the file. At
    /// the boundary (a CLI command, an app command) this names the data folder's database and says it plainly; any
    /// other error is returned as it is.
    pub fn in_data_dir(self, data_dir: &Path) -> Error {
        let condition = match &self {
            Error::Database(e)
            | Error::Migration(MigrateError::Execute(e))
            | Error::Migration(MigrateError::ExecuteMigration(e, _)) => sqlite_condition(e),
            _ => None,
        };
        let db = data_dir.join(DB_FILE);
        match condition {
            Some(Condition::Full) => Error::DiskFull { path: db },
            Some(Condition::Busy) => Error::DatabaseBusy {
                path: db,
                seconds: BUSY_TIMEOUT.as_secs(),
            },
            Some(Condition::ReadOnly) => Error::DataDirReadOnly {
                path: data_dir.to_path_buf(),
            },
            Some(Condition::CannotOpen) if !data_dir.is_dir() => Error::DataDirMissing {
                path: data_dir.to_path_buf(),
                reason: "the folder is gone".into(),
            },
            Some(Condition::CannotOpen) => Error::DataDirReadOnly {
                path: data_dir.to_path_buf(),
            },
            None => self,
        }
    }
}

/// What SQLite said, when it is something the user can act on.
enum Condition {
    Full,
    Busy,
    ReadOnly,
    CannotOpen,
}

/// In WAL mode a full disk often shows first as the shared-memory file failing to grow.
const SQLITE_IOERR_SHMSIZE: i64 = 10 | (19 << 8);

/// SQLite (or the file system under it) ran out of space.
pub(crate) fn is_disk_full(e: &sqlx::Error) -> bool {
    matches!(sqlite_condition(e), Some(Condition::Full))
}

fn sqlite_condition(e: &sqlx::Error) -> Option<Condition> {
    match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => {
            Some(Condition::Full)
        }
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {
            Some(Condition::ReadOnly)
        }
        sqlx::Error::Database(d) => {
            // Extended result codes carry the primary code in their low byte.
            let code = d.code()?.parse::<i64>().ok()?;
            if code == SQLITE_IOERR_SHMSIZE {
                return Some(Condition::Full);
            }
            match code & 0xff {
                13 => Some(Condition::Full),       // SQLITE_FULL
                5 | 6 => Some(Condition::Busy),    // SQLITE_BUSY, SQLITE_LOCKED
                8 => Some(Condition::ReadOnly),    // SQLITE_READONLY
                14 => Some(Condition::CannotOpen), // SQLITE_CANTOPEN
                _ => None,
            }
        }
        _ => None,
    }
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
