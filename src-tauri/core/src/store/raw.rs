//! Statements run straight on the connection's SQLite handle, for the one hot path where sqlx's per-value binding
//! costs more than SQLite's own work: an import's bulk upsert of KPI values (issue 13's profile: copying every
//! bound string into an `Arc<String>`, building and hashing a multi-row statement's text, and handing each one to
//! sqlx's worker thread took several times what SQLite spent inserting the rows).
//!
//! sqlx lends the handle with [`sqlx::sqlite::SqliteConnection::lock_handle`]: while the lock is held its worker
//! makes no call on the connection, so a `rusqlite::Connection` borrowed over the same handle runs its statements
//! inside the caller's transaction, and is dropped (without closing the handle) before the lock is released.
//! Both crates link the one bundled SQLite: `rusqlite` 0.39 and `sqlx` 0.9 share `libsqlite3-sys` 0.37 (Cargo
//! refuses two copies of a `links = "sqlite3"` crate, so a drift fails the build, not the run).
//!
//! Errors come back as `sqlx::Error::Database` with SQLite's extended result code, so a full disk, a busy
//! database or a read-only folder is told to the user exactly as when sqlx ran the statement.

use std::borrow::Cow;

use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::SqliteConnection;

use crate::error::Result;

/// Runs `work` on the connection's own SQLite handle, inside whatever transaction the connection is in.
pub(crate) async fn with_handle<T>(
    conn: &mut SqliteConnection,
    work: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
) -> Result<T> {
    let mut locked = conn.lock_handle().await?;
    // SAFETY: `locked` keeps sqlx's worker off this handle until it is dropped, after `db` (declared later, dropped
    // first). `from_handle` borrows the handle: dropping `db` finalizes the statements it prepared and leaves the
    // connection open.
    let db = unsafe { rusqlite::Connection::from_handle(locked.as_raw_handle().as_ptr()) }
        .map_err(to_sqlx)?;
    let outcome = work(&db).map_err(to_sqlx);
    drop(db);
    Ok(outcome?)
}

/// A rusqlite error as sqlx reports SQLite's own errors.
fn to_sqlx(e: rusqlite::Error) -> sqlx::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            sqlx::Error::Database(Box::new(HandleError {
                code: code.extended_code,
                message: message.unwrap_or_else(|| code.to_string()),
            }))
        }
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

/// An error SQLite returned on the borrowed handle.
#[derive(Debug)]
struct HandleError {
    /// The extended result code (its low byte is the primary code).
    code: i32,
    message: String,
}

impl std::fmt::Display for HandleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(code: {}) {}", self.code, self.message)
    }
}

impl std::error::Error for HandleError {}

impl DatabaseError for HandleError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(self.code.to_string().into())
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        match self.code {
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => ErrorKind::UniqueViolation,
            rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            rusqlite::ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    use super::with_handle;
    use crate::error::Error;

    async fn open(dir: &std::path::Path) -> SqliteConnection {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.join("raw.db"))
            .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .expect("open");
        sqlx::query("CREATE TABLE t (v INTEGER NOT NULL CHECK (v > 0))")
            .execute(&mut conn)
            .await
            .expect("table");
        conn
    }

    async fn count(conn: &mut SqliteConnection) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(conn)
            .await
            .expect("count")
    }

    #[tokio::test]
    async fn statements_on_the_handle_belong_to_the_callers_transaction() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = open(dir.path()).await;

        let mut tx = conn.begin().await.expect("begin");
        with_handle(&mut tx, |db| {
            db.execute("INSERT INTO t (v) VALUES (1), (2)", [])
        })
        .await
        .expect("insert");
        assert_eq!(
            count(&mut tx).await,
            2,
            "sqlx sees the rows inside the transaction"
        );
        tx.rollback().await.expect("rollback");
        assert_eq!(count(&mut conn).await, 0, "a rollback takes them back");

        let mut tx = conn.begin().await.expect("begin");
        with_handle(&mut tx, |db| db.execute("INSERT INTO t (v) VALUES (3)", []))
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
        assert_eq!(count(&mut conn).await, 1, "a commit keeps them");
    }

    #[tokio::test]
    async fn sqlite_errors_keep_their_extended_code() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = open(dir.path()).await;
        let err = with_handle(&mut conn, |db| {
            db.execute("INSERT INTO t (v) VALUES (-1)", [])
        })
        .await
        .expect_err("the CHECK fails");
        let Error::Database(sqlx::Error::Database(d)) = &err else {
            panic!("not a database error: {err:?}");
        };
        // SQLITE_CONSTRAINT_CHECK, as sqlx reports it.
        assert_eq!(d.code().as_deref(), Some("275"));
        assert!(d.is_check_violation());
        assert!(
            d.message().contains("CHECK constraint failed"),
            "{}",
            d.message()
        );
        // The connection is usable afterwards, by sqlx and on the handle.
        assert_eq!(count(&mut conn).await, 0);
        with_handle(&mut conn, |db| {
            db.execute("INSERT INTO t (v) VALUES (5)", [])
        })
        .await
        .expect("insert");
        assert_eq!(count(&mut conn).await, 1);
    }
}
