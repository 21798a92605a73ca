use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Kpi,
    Profile,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Kpi => "kpi",
            ImportKind::Profile => "profile",
        }
    }

    pub fn parse(s: &str) -> Option<ImportKind> {
        match s {
            "kpi" => Some(ImportKind::Kpi),
            "profile" => Some(ImportKind::Profile),
            _ => None,
        }
    }
}

/// A row that could not be used, located as the spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Rejection {
    pub sheet: String,
    /// 1-based, as the spreadsheet shows it.
    pub row: u32,
    pub column: String,
    pub reason: String,
}

/// A sheet that was not read, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SkippedSheet {
    pub sheet: String,
    pub reason: String,
}

/// What an import did (or, as a dry run, would do). Field names up to `duration_ms` are the CLI's contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    /// `None` for a dry run.
    pub import_id: Option<i64>,
    pub kind: ImportKind,
    pub file: String,
    pub sha256: String,
    pub rows_read: u32,
    pub rows_imported: u32,
    pub rows_rejected: u32,
    /// Accounts with at least one imported row (KPI) or a changed profile (profile).
    pub accounts: Vec<String>,
    pub rejected: Vec<Rejection>,
    pub duration_ms: u64,
    pub dry_run: bool,
    /// Imported rows that were not in the database before.
    pub rows_new: u32,
    /// Imported rows that replaced a different stored value.
    pub rows_changed: u32,
    /// Imported rows identical to what was stored.
    pub rows_unchanged: u32,
    pub accounts_new: Vec<String>,
    pub accounts_updated: Vec<String>,
    pub accounts_unchanged: Vec<String>,
    pub sheets: Vec<String>,
    pub skipped_sheets: Vec<SkippedSheet>,
    /// Outbox events written by this import.
    pub events: u32,
    pub status: String,
    pub created_at: String,
    /// KPI rows repeated later in the same file (same account, KPI and month): the later row was used.
    /// Superseded rows are not counted in `rows_imported`.
    #[serde(default)]
    pub rows_superseded: u32,
    #[serde(default)]
    pub superseded: Vec<Superseded>,
}

/// A KPI row that a later row of the same file replaced (same account, KPI and month), and the row that was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Superseded {
    pub sheet: String,
    /// 1-based, as the spreadsheet shows it.
    pub row: u32,
    pub used_sheet: String,
    pub used_row: u32,
    pub account: String,
    pub kpi: String,
    /// `YYYY-MM`
    pub period: String,
}

/// One line of the import history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportListItem {
    pub id: i64,
    pub kind: ImportKind,
    pub file: String,
    pub sha256: String,
    pub rows_read: u32,
    pub rows_imported: u32,
    pub rows_rejected: u32,
    pub duration_ms: u64,
    pub status: String,
    pub created_at: String,
    /// The import kept what undoing it needs (imports made before Tideline kept it can't be undone).
    pub undo_recorded: bool,
    /// Accounts the import created that still exist: undoing it removes them, with everything held on them.
    pub accounts_created: u32,
}

/// What undoing an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UndoReport {
    pub import_id: i64,
    pub file: String,
    /// Values put back as they were before the import.
    pub values_restored: u32,
    /// Values the import had added, removed.
    pub values_removed: u32,
    /// Accounts whose profile or external id was put back as it was before the import.
    pub accounts_restored: u32,
    /// Accounts the import had created, removed.
    pub accounts_removed: u32,
    /// Events written for the accounts whose values, profile or external id changed back.
    pub events: u32,
}

/// What a quick look at a file's headers says about it (used after a drop).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FileProbe {
    pub file: String,
    /// `None` when the headers fit neither kind well enough: the app asks.
    pub kind: Option<ImportKind>,
    /// A KPI file without an Account column needs an account chosen.
    pub needs_account: bool,
    pub sheets: Vec<String>,
}

/// Streamed while a large file is read and written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportProgress {
    pub file: String,
    /// `reading`, `writing` or `done`.
    pub stage: String,
    /// The sheet being written (empty while the file is read).
    #[serde(default)]
    pub sheet: String,
    pub rows_done: u32,
    pub rows_total: u32,
}
