//! The core's one error type. Each variant says what went wrong for the user; `code()` is stable and reaches the
//! UI and the CLI's JSON as `{code, message}`.

use std::path::PathBuf;

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
    #[error("import {id} ({file}) was already undone")]
    ImportAlreadyUndone { id: i64, file: String },
    #[error("import {id} ({file}) can't be undone: the later import {later_id} ({later_file}) changed the same values; undo import {later_id} first")]
    ImportUndoBlocked {
        id: i64,
        file: String,
        later_id: i64,
        later_file: String,
    },
    #[error("import {id} ({file}) is a profile import; only KPI imports can be undone")]
    ImportUndoUnsupported { id: i64, file: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable, machine-readable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::FileNotSpreadsheet { .. } => "file_not_spreadsheet",
            Error::FileUnreadable { .. } => "file_unreadable",
            Error::FileEncrypted { .. } => "file_encrypted",
            Error::FileEmpty { .. } => "file_empty",
            Error::FileTooLarge { .. } => "file_too_large",
            Error::HeaderNotFound { .. } => "header_not_found",
            Error::AccountRequired { .. } => "account_required",
            Error::KindUnknown { .. } => "kind_unknown",
            Error::AccountNotFound { .. } | Error::AccountIdNotFound { .. } => "account_not_found",
            Error::SnapshotNotFound { .. } => "snapshot_not_found",
            Error::ImportNotFound { .. } => "import_not_found",
            Error::PlaybookNotFound { .. } => "playbook_not_found",
            Error::ExecutionNotFound { .. } => "execution_not_found",
            Error::ExecutionClosed { .. } => "execution_closed",
            Error::StepNotFound { .. } => "step_not_found",
            Error::InvalidSetting { .. } => "invalid_setting",
            Error::InvalidInput { .. } => "invalid_input",
            Error::SettingsFile { .. } => "settings_file",
            Error::DataDir { .. } => "data_dir",
            Error::Database(_) => "database",
            Error::Migration(_) => "migration",
            Error::NotTidelineDatabase { .. } => "not_tideline_database",
            Error::DatabaseTooNew { .. } => "database_too_new",
            Error::Corrupt(_) => "corrupt",
            Error::Internal(_) => "internal",
            Error::BackupInvalid { .. } => "backup_invalid",
            Error::BackupTooNew { .. } => "backup_too_new",
            Error::WriteFailed { .. } => "write_failed",
            Error::ImportCancelled { .. } => "import_cancelled",
            Error::ImportAlreadyUndone { .. } => "import_already_undone",
            Error::ImportUndoBlocked { .. } => "import_undo_blocked",
            Error::ImportUndoUnsupported { .. } => "import_undo_unsupported",
        }
    }

    pub fn to_payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_string(),
            message: self.to_string(),
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
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_carries_code_and_a_message_naming_the_file() {
        let e = Error::HeaderNotFound {
            file: "kpis.xlsx".into(),
            expected: "KPI (Account, KPI, Value)".into(),
            detail: String::new(),
        };
        let p = e.to_payload();
        assert_eq!(p.code, "header_not_found");
        assert!(p
            .message
            .starts_with("kpis.xlsx: no sheet has a recognisable KPI"));
    }
}
