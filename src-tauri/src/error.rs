//! Errors cross to the UI as `{code, message}` (the core's `ErrorPayload`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;
use tideline_core::error::ErrorCode;
use tideline_core::ErrorPayload;

/// The one data folder this process opened: SQLite's "disk full" or "busy" errors are reported naming its database.
static DATA_DIR: OnceLock<PathBuf> = OnceLock::new();

pub fn set_data_dir(dir: &Path) {
    let _ = DATA_DIR.set(dir.to_path_buf());
}

#[derive(Debug)]
pub struct CommandError(pub ErrorPayload);

impl Serialize for CommandError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl From<tideline_core::Error> for CommandError {
    fn from(e: tideline_core::Error) -> Self {
        let e = match DATA_DIR.get() {
            Some(dir) => e.in_data_dir(dir),
            None => e,
        };
        tracing::warn!(code = e.code(), "{e}");
        CommandError(e.to_payload())
    }
}

impl From<tauri::Error> for CommandError {
    fn from(e: tauri::Error) -> Self {
        CommandError(ErrorPayload {
            code: ErrorCode::App,
            message: e.to_string(),
        })
    }
}

pub type CmdResult<T> = Result<T, CommandError>;
