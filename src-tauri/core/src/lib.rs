//! Tideline without a window: the database, imports, health scores, playbooks and account snapshots.
//! The desktop shell and the CLI hold a [`Tideline`] handle and call its methods; no business rule lives there.

pub mod accounts;
pub mod ask;
pub mod backup;
pub mod clock;
pub mod db;
pub mod error;
pub mod events;
pub mod export;
pub mod health;
pub mod import;
pub mod logging;
pub mod model;
pub mod playbook;
pub mod sample;
pub mod settings;
pub mod snapshot;
pub mod store;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, ErrorPayload, Result};
pub use settings::SettingsStore;

/// The app's identifier; the default data folder is `<platform data dir>/<APP_IDENTIFIER>`, as Tauri resolves it.
pub const APP_IDENTIFIER: &str = "dev.tideline.desktop";
pub const DATA_DIR_ENV: &str = "TIDELINE_DATA_DIR";

/// The desktop app's own data folder on this platform.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.data_dir().join(APP_IDENTIFIER))
}

/// `--data-dir`, else `TIDELINE_DATA_DIR`, else the platform folder.
pub fn resolve_data_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    flag.or_else(|| {
        std::env::var_os(DATA_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .or_else(default_data_dir)
    .ok_or_else(|| Error::DataDir {
        path: PathBuf::new(),
        reason: "no home folder; pass --data-dir or set TIDELINE_DATA_DIR".into(),
    })
}

/// Creates the data folder if needed and checks Tideline can write in it, before anything is opened: a folder that
/// cannot be created or written is said plainly, and nothing in it is touched.
pub fn ensure_data_dir(data_dir: &Path) -> Result<()> {
    use std::io::ErrorKind;
    if let Err(e) = std::fs::create_dir_all(data_dir) {
        return Err(match e.kind() {
            ErrorKind::StorageFull => Error::DiskFull {
                path: data_dir.to_path_buf(),
            },
            _ => Error::DataDirMissing {
                path: data_dir.to_path_buf(),
                reason: e.to_string(),
            },
        });
    }
    // A probe file, removed at once: the only sure test of "writable" (permissions, read-only mounts, ACLs).
    match tempfile::Builder::new()
        .prefix(".tideline-write-probe")
        .tempfile_in(data_dir)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::StorageFull => Err(Error::DiskFull {
            path: data_dir.to_path_buf(),
        }),
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            Err(Error::DataDirReadOnly {
                path: data_dir.to_path_buf(),
            })
        }
        Err(e) => Err(Error::DataDir {
            path: data_dir.to_path_buf(),
            reason: e.to_string(),
        }),
    }
}

/// One open data folder: the database pool, the settings file and the clock.
#[derive(Clone)]
pub struct Tideline {
    pool: SqlitePool,
    data_dir: PathBuf,
    settings: SettingsStore,
    clock: Arc<dyn Clock>,
    events_notify: Arc<tokio::sync::Notify>,
    read_once: Arc<import::read_once::ReadOnce>,
}

impl Tideline {
    /// Opens (creating if needed) the data folder and its database, and brings the schema up to date.
    pub async fn open(data_dir: impl AsRef<Path>) -> Result<Tideline> {
        Tideline::open_with_clock(data_dir, Arc::new(SystemClock)).await
    }

    pub async fn open_with_clock(
        data_dir: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
    ) -> Result<Tideline> {
        let data_dir = data_dir.as_ref().to_path_buf();
        ensure_data_dir(&data_dir)?;
        let pool = db::open(&data_dir.join(db::DB_FILE))
            .await
            .map_err(|e| e.in_data_dir(&data_dir))?;
        let settings = SettingsStore::new(&data_dir);
        Ok(Tideline {
            pool,
            data_dir,
            settings,
            clock,
            events_notify: Arc::new(tokio::sync::Notify::new()),
            read_once: Arc::default(),
        })
    }

    /// The last preview's parsed rows, kept for its import.
    pub(crate) fn read_once(&self) -> &Arc<import::read_once::ReadOnce> {
        &self.read_once
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The version of this build and the size of the database on disk (its file and write-ahead log).
    pub fn app_info(&self) -> model::AppInfo {
        let db = self.data_dir.join(db::DB_FILE);
        let size = |suffix: &str| {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            std::fs::metadata(name).map(|m| m.len()).unwrap_or(0)
        };
        model::AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.data_dir.display().to_string(),
            database_bytes: size("") + size("-wal"),
        }
    }

    pub fn settings_store(&self) -> &SettingsStore {
        &self.settings
    }

    pub fn settings(&self) -> Result<model::Settings> {
        self.settings.load()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Woken after every commit that wrote events, so the subscriber handles them at once.
    pub fn events_notify(&self) -> Arc<tokio::sync::Notify> {
        self.events_notify.clone()
    }

    /// Tells the subscriber (if one runs in this process) that events were committed.
    pub fn events_written(&self) {
        self.events_notify.notify_one();
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
