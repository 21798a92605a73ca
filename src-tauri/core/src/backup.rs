//! Backups: one `.tideline-backup` file per backup, an SQLite database written by `VACUUM INTO` (a consistent
//! copy even while the subscriber writes) plus a `tideline_backup` manifest table (app version, schema version,
//! time taken, kind, settings JSON). Restore checks the manifest, takes a safety backup of the current data into
//! `<data dir>/backups/`, then replaces every table's rows in one `BEGIN IMMEDIATE` transaction on a pooled
//! connection (foreign keys deferred), so the app's pool stays open and no reader ever sees half a restore.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{AssertSqlSafe, Connection, Row, SqliteConnection};

use crate::clock;
use crate::error::{Error, Result};
use crate::model::{BackupInfo, BackupSettings, RestoreReport, TableCount};
use crate::settings;
use crate::Tideline;

/// The folder inside the data folder that holds automatic and safety backups.
pub const BACKUP_DIR: &str = "backups";
/// The extension of a backup file.
pub const BACKUP_EXT: &str = "tideline-backup";
pub const KIND_MANUAL: &str = "manual";
pub const KIND_AUTO: &str = "auto";
pub const KIND_PRE_RESTORE: &str = "pre_restore";

pub use crate::db::supported_schema;
use crate::db::MIGRATOR;

fn file_name(path: &Path) -> String {
    path.display().to_string()
}

fn invalid(path: &Path, reason: impl Into<String>) -> Error {
    Error::BackupInvalid {
        file: file_name(path),
        reason: reason.into(),
    }
}

fn write_failed(path: &Path, reason: impl ToString) -> Error {
    Error::WriteFailed {
        file: file_name(path),
        reason: reason.to_string(),
    }
}

async fn connect(path: &Path, read_only: bool) -> Result<SqliteConnection> {
    let url = format!("sqlite://{}", path.display());
    let mut options = SqliteConnectOptions::from_str(&url)
        .map_err(|e| invalid(path, e.to_string()))?
        .read_only(read_only)
        .foreign_keys(false);
    if read_only {
        // Reading a file must not change it (nor fail on a WAL database another process holds).
        return SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| invalid(path, format!("could not open it: {e}")));
    }
    // A backup is one self-contained file: no -wal beside it.
    options = options.journal_mode(SqliteJournalMode::Delete);
    Ok(SqliteConnection::connect_with(&options).await?)
}

impl Tideline {
    /// The folder automatic and safety backups go to (`<data dir>/backups`).
    pub fn backup_dir(&self) -> PathBuf {
        self.data_dir().join(BACKUP_DIR)
    }

    /// The latest migration applied to this database.
    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(self.pool())
                .await?;
        Ok(v.unwrap_or(0))
    }

    /// Settings → Backups, from settings.json.
    pub fn backup_settings(&self) -> Result<BackupSettings> {
        Ok(settings::backup_settings(
            &self.settings_store().read_raw()?,
        ))
    }

    /// Backs the data and settings up to `dest` (a user's file; replaced if it exists).
    pub async fn backup_to(&self, dest: &Path) -> Result<BackupInfo> {
        self.write_backup(dest, KIND_MANUAL).await
    }

    #[tracing::instrument(skip(self), err, fields(dest = %dest.display()))]
    async fn write_backup(&self, dest: &Path, kind: &str) -> Result<BackupInfo> {
        let name = dest
            .file_name()
            .ok_or_else(|| write_failed(dest, "not a file name"))?
            .to_string_lossy()
            .to_string();
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(write_failed(dest, "the folder does not exist"));
        }
        // Written beside the destination, then renamed: a failed backup never leaves a half file under its name.
        let tmp = parent.join(format!(".{name}.partial"));
        let _ = std::fs::remove_file(&tmp);
        let result = self.write_backup_file(&tmp, kind).await;
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, dest).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            write_failed(dest, e)
        })?;
        let info = read_manifest(dest).await?;
        tracing::info!(size = info.size_bytes, kind, "backup written");
        Ok(info)
    }

    async fn write_backup_file(&self, tmp: &Path, kind: &str) -> Result<()> {
        let target = tmp
            .to_str()
            .ok_or_else(|| write_failed(tmp, "the path is not valid UTF-8"))?;
        let schema = self.schema_version().await?;
        let settings_json = serde_json::to_string(&self.settings_store().read_raw()?)?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(self.pool())
            .await
            .map_err(|e| match crate::db::is_disk_full(&e) {
                true => Error::DiskFull {
                    path: tmp.parent().unwrap_or(tmp).to_path_buf(),
                },
                false => write_failed(tmp, e),
            })?;
        let mut conn = connect(tmp, false).await?;
        let mut tx = conn.begin().await?;
        sqlx::query("CREATE TABLE tideline_backup (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            .execute(&mut *tx)
            .await?;
        let rows = [
            ("format", "1".to_string()),
            ("app_version", env!("CARGO_PKG_VERSION").to_string()),
            ("schema_version", schema.to_string()),
            ("created_at", clock::to_db(self.now())),
            ("kind", kind.to_string()),
            ("settings", settings_json),
        ];
        for (k, v) in rows {
            sqlx::query("INSERT INTO tideline_backup (key, value) VALUES (?, ?)")
                .bind(k)
                .bind(v)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        conn.close().await?;
        Ok(())
    }

    /// Every backup in `<data dir>/backups`, newest first. Files that are not backups are left out.
    pub async fn list_backups(&self) -> Result<Vec<BackupInfo>> {
        let dir = self.backup_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(Error::DataDir {
                    path: dir,
                    reason: e.to_string(),
                })
            }
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let is_backup = path.extension().is_some_and(|e| e == BACKUP_EXT)
                && !entry.file_name().to_string_lossy().starts_with('.');
            if !is_backup {
                continue;
            }
            match read_manifest(&path).await {
                Ok(info) => out.push(info),
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "skipping a damaged backup")
                }
            }
        }
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.path.cmp(&a.path)));
        Ok(out)
    }

    /// On app start: when daily backups are on and the newest automatic one is a day old (or there is none),
    /// takes one; then keeps only the newest `backup.keep` automatic (and safety) backups.
    pub async fn auto_backup_if_due(&self) -> Result<Option<BackupInfo>> {
        let cfg = self.backup_settings()?;
        let existing = self.list_backups().await?;
        let mut made = None;
        if cfg.auto_daily {
            let now = self.now();
            let newest = existing
                .iter()
                .filter(|b| b.kind == KIND_AUTO)
                .filter_map(|b| clock::from_db(&b.created_at))
                .max();
            if newest.is_none_or(|t| now - t >= Duration::days(1)) {
                let path = self.backup_path(KIND_AUTO, now)?;
                made = Some(self.write_backup(&path, KIND_AUTO).await?);
            }
        }
        self.prune_backups(cfg.keep).await?;
        Ok(made)
    }

    /// Deletes all but the newest `keep` automatic backups, and all but the newest `keep` safety backups.
    /// Backups the user wrote elsewhere are never touched.
    pub async fn prune_backups(&self, keep: u32) -> Result<Vec<String>> {
        let all = self.list_backups().await?;
        let mut removed = Vec::new();
        for kind in [KIND_AUTO, KIND_PRE_RESTORE] {
            for b in all
                .iter()
                .filter(|b| b.kind == kind)
                .skip(keep.max(1) as usize)
            {
                std::fs::remove_file(&b.path).map_err(|e| write_failed(Path::new(&b.path), e))?;
                removed.push(b.path.clone());
            }
        }
        Ok(removed)
    }

    fn backup_path(&self, kind: &str, now: DateTime<Utc>) -> Result<PathBuf> {
        let dir = self.backup_dir();
        std::fs::create_dir_all(&dir).map_err(|e| write_failed(&dir, e))?;
        let stem = format!("{}-{}", kind.replace('_', "-"), now.format("%Y%m%d-%H%M%S"));
        let mut path = dir.join(format!("{stem}.{BACKUP_EXT}"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("{stem}-{n}.{BACKUP_EXT}"));
            n += 1;
        }
        Ok(path)
    }

    /// Replaces the data and settings with the backup's, after a safety backup of the current data.
    #[tracing::instrument(skip(self), err, fields(src = %src.display()))]
    pub async fn restore_from(&self, src: &Path) -> Result<RestoreReport> {
        let restored = read_manifest(src).await?;
        let supported = supported_schema();
        if restored.schema_version > supported {
            return Err(Error::BackupTooNew {
                file: file_name(src),
                backup: restored.schema_version,
                supported,
            });
        }
        let backup_settings = read_settings(src).await?;
        // Work on a private copy: checked, and brought up to this build's schema if it is older.
        let dir = self.backup_dir();
        std::fs::create_dir_all(&dir).map_err(|e| write_failed(&dir, e))?;
        let work = dir.join(".restore-work.db");
        let _ = std::fs::remove_file(&work);
        std::fs::copy(src, &work).map_err(|e| invalid(src, format!("could not copy it: {e}")))?;
        let result = self
            .restore_work_copy(src, &work, restored, backup_settings)
            .await;
        let _ = std::fs::remove_file(&work);
        let report = result?;
        self.events_written();
        tracing::info!(
            file = %report.restored.path,
            safety = %report.safety_backup.path,
            "restore done"
        );
        Ok(report)
    }

    async fn restore_work_copy(
        &self,
        src: &Path,
        work: &Path,
        restored: BackupInfo,
        backup_settings: Option<Map<String, Value>>,
    ) -> Result<RestoreReport> {
        {
            let mut conn = connect(work, false).await?;
            let check: String = sqlx::query_scalar("PRAGMA quick_check")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| invalid(src, e.to_string()))?;
            if check != "ok" {
                return Err(invalid(src, format!("the database is damaged ({check})")));
            }
            conn.close().await?;
        }
        if restored.schema_version < supported_schema() {
            // A pool, not the connection: `Migrator::run` on a bare connection is not `Send` in an app command.
            let url = format!("sqlite://{}", work.display());
            let options = SqliteConnectOptions::from_str(&url)
                .map_err(|e| invalid(src, e.to_string()))?
                .journal_mode(SqliteJournalMode::Delete);
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await?;
            let migrated = MIGRATOR.run(&pool).await;
            pool.close().await;
            migrated.map_err(|e| invalid(src, format!("could not upgrade it: {e}")))?;
        }
        let safety_path = self.backup_path(KIND_PRE_RESTORE, self.now())?;
        let safety_backup = self.write_backup(&safety_path, KIND_PRE_RESTORE).await?;

        let work_str = work
            .to_str()
            .ok_or_else(|| invalid(src, "the path is not valid UTF-8"))?;
        let mut conn = self.pool().acquire().await?;
        sqlx::query("ATTACH DATABASE ? AS bk")
            .bind(work_str)
            .execute(&mut *conn)
            .await?;
        let copied = copy_tables(&mut conn, src).await;
        let detached = sqlx::query("DETACH DATABASE bk").execute(&mut *conn).await;
        if detached.is_err() {
            // Never hand the pool a connection that still has the backup attached.
            conn.close_on_drop();
        }
        let tables = copied?;

        let settings_restored = match backup_settings {
            Some(map) => {
                self.settings_store().write_raw(&map)?;
                true
            }
            None => false,
        };
        Ok(RestoreReport {
            restored,
            safety_backup,
            tables,
            settings_restored,
        })
    }
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Deletes every row of every table and inserts the backup's, in one IMMEDIATE transaction.
async fn copy_tables(conn: &mut SqliteConnection, src: &Path) -> Result<Vec<TableCount>> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("PRAGMA defer_foreign_keys = ON")
        .execute(&mut *tx)
        .await?;
    // Creation order puts parents before children. An FTS5 index is copied through its virtual table, which
    // rebuilds its shadow tables; they are not copied themselves.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' AND name NOT IN (SELECT name FROM pragma_table_list \
         WHERE schema = 'main' AND type = 'shadow') ORDER BY rowid",
    )
    .fetch_all(&mut *tx)
    .await?;
    let in_backup: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM bk.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN (SELECT name FROM pragma_table_list WHERE schema = 'bk' AND type = 'shadow')",
    )
    .fetch_all(&mut *tx)
    .await?;
    if let Some(missing) = tables.iter().find(|t| !in_backup.contains(t)) {
        return Err(invalid(src, format!("it has no {missing} table")));
    }
    for t in tables.iter().rev() {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM main.{}", quote(t))))
            .execute(&mut *tx)
            .await?;
    }
    let mut counts = Vec::with_capacity(tables.len());
    for t in &tables {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(t)
                .fetch_all(&mut *tx)
                .await?;
        let list = columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(", ");
        // Table and column names come from this build's own schema, quoted; no value is spliced in.
        let done = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO main.{q} ({list}) SELECT {list} FROM bk.{q}",
            q = quote(t)
        )))
        .execute(&mut *tx)
        .await
        .map_err(|e| invalid(src, format!("table {t}: {e}")))?;
        counts.push(TableCount {
            table: t.clone(),
            rows: i64::try_from(done.rows_affected()).unwrap_or(i64::MAX),
        });
    }
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&mut *tx)
        .await?;
    if let Some((t,)) = broken.first() {
        return Err(invalid(
            src,
            format!("its {t} rows refer to rows that are not there"),
        ));
    }
    tx.commit().await?;
    Ok(counts)
}

async fn open_backup(path: &Path) -> Result<SqliteConnection> {
    let mut head = [0u8; 16];
    let read =
        std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
    match read {
        Ok(()) if &head == b"SQLite format 3\0" => {}
        Ok(()) => return Err(invalid(path, "it is not an SQLite database")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(invalid(path, "the file does not exist"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(invalid(path, "the file is too short"))
        }
        Err(e) => return Err(invalid(path, e.to_string())),
    }
    connect(path, true).await
}

async fn manifest_rows(path: &Path) -> Result<Map<String, Value>> {
    let mut conn = open_backup(path).await?;
    let rows = sqlx::query("SELECT key, value FROM tideline_backup")
        .fetch_all(&mut conn)
        .await
        .map_err(|_| invalid(path, "it has no Tideline manifest"))?;
    conn.close().await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.get::<String, _>(0), Value::from(r.get::<String, _>(1))))
        .collect())
}

/// What a backup file's manifest says, after checking it is one.
pub async fn read_manifest(path: &Path) -> Result<BackupInfo> {
    let m = manifest_rows(path).await?;
    let text = |k: &str| -> Result<String> {
        m.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| invalid(path, format!("its manifest has no {k}")))
    };
    let schema_version: i64 = text("schema_version")?
        .parse()
        .map_err(|_| invalid(path, "its schema version is not a number"))?;
    let size_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(BackupInfo {
        path: path.display().to_string(),
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        size_bytes,
        created_at: text("created_at")?,
        app_version: text("app_version")?,
        schema_version,
        kind: text("kind").unwrap_or_else(|_| KIND_MANUAL.to_string()),
    })
}

async fn read_settings(path: &Path) -> Result<Option<Map<String, Value>>> {
    let m = manifest_rows(path).await?;
    match m.get("settings").and_then(Value::as_str) {
        None => Ok(None),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(Some(map)),
            _ => Err(invalid(path, "its settings are not a JSON object")),
        },
    }
}
