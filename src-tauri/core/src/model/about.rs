use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Help → About: which build this is and what it holds on disk (the counts come from the overview).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    /// The package version, the same `tideline --version`, `tideline-cli --version` and the installed package
    /// print.
    pub version: String,
    pub data_dir: String,
    /// The database file and its write-ahead log, in bytes.
    pub database_bytes: u64,
}
