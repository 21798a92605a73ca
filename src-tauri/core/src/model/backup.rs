use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One backup file: where it is, how big, and what its manifest says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BackupInfo {
    /// Full path of the `.tideline-backup` file.
    pub path: String,
    /// File name only (what the Settings list shows).
    pub file_name: String,
    /// Size in bytes.
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// When the backup was taken (RFC 3339, UTC).
    pub created_at: String,
    /// The app version that wrote it.
    pub app_version: String,
    /// The latest database migration it holds.
    #[ts(type = "number")]
    pub schema_version: i64,
    /// `manual`, `auto` (daily) or `pre_restore` (taken before a restore replaced the data).
    pub kind: String,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RestoreReport {
    /// The backup that was restored.
    pub restored: BackupInfo,
    /// The automatic backup of the data as it was just before.
    pub safety_backup: BackupInfo,
    /// Rows restored per table, in restore order.
    pub tables: Vec<TableCount>,
    /// Whether the backup's settings replaced settings.json (false when it held none).
    pub settings_restored: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TableCount {
    pub table: String,
    #[ts(type = "number")]
    pub rows: i64,
}

/// Settings → Backups: `backup.auto_daily` and `backup.keep`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BackupSettings {
    pub auto_daily: bool,
    pub keep: u32,
}

/// A workbook written by an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExportReport {
    pub path: String,
    /// Data rows written (not counting headers), over all sheets.
    pub rows: u32,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

/// A snapshot evidence pack: the HTML page and, beside it, the stored JSON document it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EvidencePack {
    pub snapshot_id: i64,
    pub html_path: String,
    pub json_path: String,
    /// The SHA-256 recorded when the snapshot was taken; `sha256sum` of the JSON file prints the same.
    pub content_sha256: String,
    /// Whether the stored document still matched that SHA-256 when the pack was written.
    pub verified: bool,
}
