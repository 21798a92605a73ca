//! The core's one error type. Each variant says what went wrong for the user; `code()` is stable and reaches the
//! UI and the CLI's JSON as `{code, message}`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: not a spreadsheet Tideline can read ({reason})")]
    FileNotSpreadsheet { file: String, reason: String },
    #[error("{file}: the file could not be opened: {reason}")]
    FileUnreadable { file: String, reason: String },
    #[error("{file}: the workbook is encrypted or password-protected")]
    FileEncrypted { file: String },
    #[error("{file}: the workbook has no data")]
    FileEmpty { file: String },
    #[error("{file}: {reason}")]
    FileTooLarge { file: String, reason: String },
    #[error("{file}: no sheet has a recognisable {expected} header in its first 20 rows{detail}")]
    HeaderNotFound {
        file: String,
        expected: String,
        detail: String,
    },
    #[error("{file}: the file has no Account column; choose the account it belongs to")]
    AccountRequired { file: String },
    #[error("{file}: could not tell whether this is a KPI or a profile workbook; choose one")]
    KindUnknown { file: String },
    #[error("no account named \"{name}\"")]
    AccountNotFound { name: String },
    #[error("no account with id {id}")]
    AccountIdNotFound { id: i64 },
    #[error("no snapshot with id {id}")]
    SnapshotNotFound { id: i64 },
    #[error("no import with id {id}")]
    ImportNotFound { id: i64 },
    #[error("no playbook \"{key}\"")]
    PlaybookNotFound { key: String },
    #[error("no playbook execution with id {id}")]
    ExecutionNotFound { id: i64 },
    #[error("playbook execution {id} is {status}; only an in-progress execution can change")]
    ExecutionClosed { id: i64, status: String },
    #[error("playbook execution {id} has no step {step}")]
    StepNotFound { id: i64, step: u32 },
    #[error("{key}: {reason}")]
    InvalidSetting { key: String, reason: String },
    #[error("{what}: {reason}")]
    InvalidInput { what: String, reason: String },
    #[error("settings file {path}: {reason}")]
    SettingsFile { path: PathBuf, reason: String },
    #[error("data folder {path}: {reason}")]
    DataDir { path: PathBuf, reason: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{path} is not a Tideline database (another program's file, or damaged); nothing was changed. Move it aside or choose another data folder.")]
    NotTidelineDatabase { path: PathBuf },
    #[error("{path} was written by a newer Tideline (schema {found}, this build reads {supported}); nothing was changed. Update Tideline to open it.")]
    DatabaseTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("{file}: not a Tideline backup this version can read ({reason})")]
    BackupInvalid { file: String, reason: String },
    #[error("{file}: the backup is from a newer Tideline (schema {backup}, this build reads {supported}); update Tideline to restore it")]
    BackupTooNew {
        file: String,
        backup: i64,
        supported: i64,
    },
    #[error("{file}: could not write: {reason}")]
    WriteFailed { file: String, reason: String },
    #[error("{file}: the import was cancelled; nothing was written")]
    ImportCancelled { file: String },
    #[error("{path}: the disk is full; nothing was changed. Free some space on that disk, then try again.")]
    DiskFull { path: PathBuf },
    #[error("{path} is busy: another program kept it locked for more than {seconds} seconds; nothing was changed. Close other programs using this data folder (another Tideline, a database browser), then try again.")]
    DatabaseBusy { path: PathBuf, seconds: u64 },
    #[error("data folder {path} is read-only; nothing was changed. Make the folder writable, or start Tideline on another data folder (--data-dir or TIDELINE_DATA_DIR).")]
    DataDirReadOnly { path: PathBuf },
    #[error("data folder {path} is missing and could not be created ({reason}); nothing was changed. Reconnect the drive it lives on, or start Tideline on another data folder (--data-dir or TIDELINE_DATA_DIR).")]
    DataDirMissing { path: PathBuf, reason: String },
    #[error("{file}: permission denied, Tideline may not read this file; nothing was imported. Ask its owner for access, or save a copy you own and import that.")]
    FilePermissionDenied { file: String },
    #[error("import {id} ({file}) was already undone")]
    ImportAlreadyUndone { id: i64, file: String },
    #[error("import {id} ({file}) can't be undone: the later import {later_id} ({later_file}) changed the same values or accounts; undo import {later_id} first")]
    ImportUndoBlocked {
        id: i64,
        file: String,
        later_id: i64,
        later_file: String,
    },
    #[error("import {id} ({file}) was made before Tideline kept what undoing an import needs (the values and profiles it replaced, the accounts it created), so it can't be undone; import a corrected workbook instead")]
    ImportUndoUnsupported { id: i64, file: String },
}

/// The stable, machine-readable code of an [`Error`]: what the UI matches on (exhaustively, as the generated
/// TypeScript union) and what scripts read from the CLI's `--json` output.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    serde::Deserialize,
    TS,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    FileNotSpreadsheet,
    FileUnreadable,
    FileEncrypted,
    FileEmpty,
    FileTooLarge,
    FilePermissionDenied,
    HeaderNotFound,
    AccountRequired,
    KindUnknown,
    AccountNotFound,
    SnapshotNotFound,
    ImportNotFound,
    PlaybookNotFound,
    ExecutionNotFound,
    ExecutionClosed,
    StepNotFound,
    InvalidSetting,
    InvalidInput,
    SettingsFile,
    DataDir,
    DataDirReadOnly,
    DataDirMissing,
    Database,
    DatabaseBusy,
    DiskFull,
    Migration,
    NotTidelineDatabase,
    DatabaseTooNew,
    Corrupt,
    Internal,
    BackupInvalid,
    BackupTooNew,
    WriteFailed,
    ImportCancelled,
    ImportAlreadyUndone,
    ImportUndoBlocked,
    ImportUndoUnsupported,
    /// The desktop shell itself failed (a window or plugin call), not the core.
    App,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The stable code as text (for logs and tests); see [`Error::kind`].
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// A stable, machine-readable code for the UI and scripts.
    pub fn kind(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Error::FileNotSpreadsheet { .. } => C::FileNotSpreadsheet,
            Error::FileUnreadable { .. } => C::FileUnreadable,
            Error::FileEncrypted { .. } => C::FileEncrypted,
            Error::FileEmpty { .. } => C::FileEmpty,
            Error::FileTooLarge { .. } => C::FileTooLarge,
            Error::HeaderNotFound { .. } => C::HeaderNotFound,
            Error::AccountRequired { .. } => C::AccountRequired,
            Error::KindUnknown { .. } => C::KindUnknown,
            Error::AccountNotFound { .. } | Error::AccountIdNotFound { .. } => C::AccountNotFound,
            Error::SnapshotNotFound { .. } => C::SnapshotNotFound,
            Error::ImportNotFound { .. } => C::ImportNotFound,
            Error::PlaybookNotFound { .. } => C::PlaybookNotFound,
            Error::ExecutionNotFound { .. } => C::ExecutionNotFound,
            Error::ExecutionClosed { .. } => C::ExecutionClosed,
            Error::StepNotFound { .. } => C::StepNotFound,
            Error::InvalidSetting { .. } => C::InvalidSetting,
            Error::InvalidInput { .. } => C::InvalidInput,
            Error::SettingsFile { .. } => C::SettingsFile,
            Error::DataDir { .. } => C::DataDir,
            Error::Database(_) => C::Database,
            Error::Migration(_) => C::Migration,
            Error::NotTidelineDatabase { .. } => C::NotTidelineDatabase,
            Error::DatabaseTooNew { .. } => C::DatabaseTooNew,
            Error::Corrupt(_) => C::Corrupt,
            Error::Internal(_) => C::Internal,
            Error::BackupInvalid { .. } => C::BackupInvalid,
            Error::BackupTooNew { .. } => C::BackupTooNew,
            Error::WriteFailed { .. } => C::WriteFailed,
            Error::ImportCancelled { .. } => C::ImportCancelled,
            Error::DiskFull { .. } => C::DiskFull,
            Error::DatabaseBusy { .. } => C::DatabaseBusy,
            Error::DataDirReadOnly { .. } => C::DataDirReadOnly,
            Error::DataDirMissing { .. } => C::DataDirMissing,
            Error::FilePermissionDenied { .. } => C::FilePermissionDenied,
            Error::ImportAlreadyUndone { .. } => C::ImportAlreadyUndone,
            Error::ImportUndoBlocked { .. } => C::ImportUndoBlocked,
            Error::ImportUndoUnsupported { .. } => C::ImportUndoUnsupported,
        }
    }

    pub fn to_payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.kind(),
            message: self.to_string(),
        }
    }
}

impl Error {
    /// A failed write of `path` (an export, a backup, a settings file): a full disk is said plainly.
    pub fn write_failed(path: &Path, e: &std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::StorageFull {
            return Error::DiskFull {
                path: path.to_path_buf(),
            };
        }
        Error::WriteFailed {
            file: path.display().to_string(),
            reason: e.to_string(),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Corrupt(e.to_string())
    }
}

/// How an error crosses to the UI and to `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, TS)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_code_is_the_same_text_in_logs_and_on_the_wire() {
        for code in ErrorCode::iter() {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, serde_json::Value::from(code.as_str()));
            let back: ErrorCode = serde_json::from_value(wire).unwrap();
            assert_eq!(back, code);
        }
        assert_eq!(ErrorCode::DiskFull.as_str(), "disk_full");
    }

    #[test]
    fn payload_carries_code_and_a_message_naming_the_file() {
        let e = Error::HeaderNotFound {
            file: "kpis.xlsx".into(),
            expected: "KPI (Account, KPI, Value)".into(),
            detail: String::new(),
        };
        let p = e.to_payload();
        assert_eq!(p.code, ErrorCode::HeaderNotFound);
        assert!(p
            .message
            .starts_with("kpis.xlsx: no sheet has a recognisable KPI"));
    }
}
