//! Opening the database: one file in the data folder, WAL, foreign keys, migrations run on open.

use std::path::Path;

use sqlx::migrate::MigrateError;
use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

pub const DB_FILE: &str = "tideline.db";

/// How long a statement waits for another connection's (or program's) write lock before giving up with
/// [`Error::DatabaseBusy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Page cache of every pooled connection (negative: KiB), 32 MB.
const POOL_CACHE_SIZE: &str = "-32000";

/// How often the page caches of idle pooled connections are emptied (see [`expire_idle_caches`]).
pub const CACHE_EXPIRY: Duration = Duration::from_secs(30);

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
        .pragma("cache_size", POOL_CACHE_SIZE);
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

/// Empties the page cache of every connection idle in the pool (`PRAGMA shrink_memory`).
///
/// SQLite keeps each connection's cache until the connection closes, and the pool hands its connections out in
/// turn, so after a long review each of them holds most of the pages the review read. Emptied every
/// [`CACHE_EXPIRY`] by [`run_cache_expiry`], the app gives that memory back once the user stops; a query after it
/// reads its pages from the operating system's file cache again, which costs microseconds a page. It never waits
/// for a connection in use.
pub async fn expire_idle_caches(pool: &SqlitePool) -> Result<()> {
    // Each connection taken comes back at the end of the idle queue: one turn visits each once.
    for _ in 0..pool.num_idle() {
        let Some(mut conn) = pool.try_acquire() else {
            break;
        };
        sqlx::query("PRAGMA shrink_memory")
            .execute(&mut *conn)
            .await?;
        conn.return_to_pool().await;
    }
    Ok(())
}

/// The app's background task for [`expire_idle_caches`]: every [`CACHE_EXPIRY`] until `stop` turns true.
pub async fn run_cache_expiry(pool: SqlitePool, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(CACHE_EXPIRY) => {
                if let Err(e) = expire_idle_caches(&pool).await {
                    tracing::debug!("page caches not emptied: {e}");
                }
            }
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
        }
    }
}

/// A read-then-write transaction: takes the write lock up front, so it waits on `busy_timeout` instead of
/// failing with SQLITE_BUSY half-way (see FIELD-NOTES.md).
pub async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// A connection for one large write (an import) whose commit does not checkpoint the WAL. With SQLite's automatic
/// checkpoint, the commit of a large transaction also copies every page it wrote from the WAL into the database
/// file (and syncs it) before it returns; here that copy runs after the commit, beside what follows.
/// [`BulkWrite::finish`] restores the automatic checkpoint and starts a passive one; a `BulkWrite` dropped
/// without it (an error, a cancel) closes its connection instead of handing the setting back to the pool.
pub struct BulkWrite {
    conn: Option<PoolConnection<Sqlite>>,
    pool: SqlitePool,
}

impl BulkWrite {
    pub async fn acquire(pool: &SqlitePool) -> Result<Self> {
        let mut conn = pool.acquire().await?;
        sqlx::query("PRAGMA wal_autocheckpoint = 0")
            .execute(&mut *conn)
            .await?;
        // A small cache while the import writes: pages spill to the WAL as it goes, not all at its commit.
        sqlx::query("PRAGMA cache_size = -4000")
            .execute(&mut *conn)
            .await?;
        Ok(BulkWrite {
            conn: Some(conn),
            pool: pool.clone(),
        })
    }

    /// The write transaction (taking the write lock up front, as [`begin_write`]).
    pub async fn begin(&mut self) -> Result<Transaction<'_, Sqlite>> {
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| Error::Internal("the bulk write connection is gone".into()))?;
        Ok(conn.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// After the commit: the connection checkpoints automatically again and goes back to the pool; the WAL is
    /// checkpointed in the background (passive: it never waits for readers or blocks a writer).
    pub async fn finish(mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        // SQLite's default, as every other connection of the pool has it.
        let restore =
            format!("PRAGMA wal_autocheckpoint = 1000; PRAGMA cache_size = {POOL_CACHE_SIZE}");
        if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(restore))
            .execute(&mut *conn)
            .await
        {
            tracing::warn!(
                "the WAL checkpoint setting was not restored ({e}); closing that connection"
            );
            conn.close_on_drop();
            return;
        }
        drop(conn);
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                Ok(_) => tracing::debug!(
                    "WAL checkpoint after a bulk write: {} ms",
                    started.elapsed().as_millis()
                ),
                Err(e) => tracing::debug!("WAL checkpoint after a bulk write skipped: {e}"),
            }
        });
    }
}

impl Drop for BulkWrite {
    fn drop(&mut self) {
        if let Some(conn) = &mut self.conn {
            conn.close_on_drop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes of page cache the connection holds (SQLite's `SQLITE_DBSTATUS_CACHE_USED`).
    async fn cache_used(conn: &mut sqlx::SqliteConnection) -> i64 {
        let mut locked = conn.lock_handle().await.expect("handle");
        let (mut current, mut highwater) = (0, 0);
        // SAFETY: the handle stays open and unused by anyone else while it is locked.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_db_status(
                locked.as_raw_handle().as_ptr(),
                rusqlite::ffi::SQLITE_DBSTATUS_CACHE_USED,
                &mut current,
                &mut highwater,
                0,
            )
        };
        assert_eq!(rc, rusqlite::ffi::SQLITE_OK);
        i64::from(current)
    }

    #[tokio::test]
    async fn expiring_the_caches_empties_every_idle_connection_without_waiting_for_one_in_use() {
        let dir = tempfile::tempdir().expect("dir");
        let pool = open(&dir.path().join(DB_FILE)).await.expect("open");
        sqlx::raw_sql(
            "CREATE TABLE filler(id INTEGER PRIMARY KEY, body TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
             INSERT INTO filler(body) SELECT printf('%.500c', 'x') FROM n;",
        )
        .execute(&pool)
        .await
        .expect("fill");
        // Three connections each read the whole table (2 MB), as a long review leaves them.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = pool.acquire().await.expect("connection");
            let total: i64 = sqlx::query_scalar("SELECT sum(length(body)) FROM filler")
                .fetch_one(&mut *conn)
                .await
                .expect("read");
            assert_eq!(total, 4000 * 500);
            assert!(cache_used(&mut conn).await > 1_000_000);
            held.push(conn);
        }
        let mut busy = held.pop().expect("one kept in use");
        for mut conn in held {
            conn.return_to_pool().await;
        }

        expire_idle_caches(&pool).await.expect("expire");

        // (SQLite's caches share one pool of pages in this build, so the busy connection's unpinned pages may go
        // too: that costs a re-read, not a wrong answer.)
        let total: i64 = sqlx::query_scalar("SELECT count(*) FROM filler")
            .fetch_one(&mut *busy)
            .await
            .expect("the connection in use still reads");
        assert_eq!(total, 4000);
        let idle = pool.num_idle();
        assert!(idle >= 2, "{idle} idle");
        let mut after = Vec::new();
        for _ in 0..idle {
            let mut conn = pool.try_acquire().expect("idle connection");
            after.push(cache_used(&mut conn).await);
            conn.return_to_pool().await;
        }
        assert!(
            after.iter().all(|&b| b < 100_000),
            "idle caches emptied: {after:?}"
        );
    }

    /// Every connection the pool hands out checkpoints automatically, whatever bulk writes ran before.
    async fn autocheckpoint_of_all(pool: &SqlitePool) -> Vec<i64> {
        let mut held = Vec::new();
        let mut values = Vec::new();
        for _ in 0..4 {
            let mut conn = pool.acquire().await.expect("connection");
            let (pages,): (i64,) = sqlx::query_as("PRAGMA wal_autocheckpoint")
                .fetch_one(&mut *conn)
                .await
                .expect("pragma");
            values.push(pages);
            held.push(conn);
        }
        values
    }

    #[tokio::test]
    async fn a_bulk_write_commits_without_checkpointing_and_hands_back_a_normal_connection() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = open(&dir.path().join(DB_FILE)).await.expect("open");
        sqlx::query("CREATE TABLE t (x BLOB)")
            .execute(&pool)
            .await
            .expect("table");

        let mut bulk = BulkWrite::acquire(&pool).await.expect("bulk");
        let mut tx = bulk.begin().await.expect("begin");
        // More pages than the automatic checkpoint's threshold (1,000 pages).
        for _ in 0..40 {
            sqlx::query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) \
                 INSERT INTO t SELECT randomblob(4000) FROM n",
            )
            .execute(&mut *tx)
            .await
            .expect("insert");
        }
        tx.commit().await.expect("commit");
        // The pages are in the WAL only: the commit did not copy them into the database file.
        let size = |name: &str| {
            std::fs::metadata(dir.path().join(name))
                .map(|m| m.len())
                .unwrap_or(0)
        };
        assert!(size(&format!("{DB_FILE}-wal")) > 16_000_000);
        assert!(size(DB_FILE) < 1_000_000, "{} bytes", size(DB_FILE));
        bulk.finish().await;
        assert_eq!(autocheckpoint_of_all(&pool).await, vec![1000; 4]);
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(count, 4000);

        // A bulk write given up half-way (an error, a cancel): its connection is closed, not handed back.
        let mut bulk = BulkWrite::acquire(&pool).await.expect("bulk");
        let tx = bulk.begin().await.expect("begin");
        drop(tx);
        drop(bulk);
        assert_eq!(autocheckpoint_of_all(&pool).await, vec![1000; 4]);
    }
}
