//! Errors cross to the UI as `{code, message}` (the core's `ErrorPayload`).

use serde::Serialize;
use tideline_core::ErrorPayload;

#[derive(Debug)]
pub struct CommandError(pub ErrorPayload);

impl Serialize for CommandError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl From<tideline_core::Error> for CommandError {
    fn from(e: tideline_core::Error) -> Self {
        tracing::warn!(code = e.code(), "{e}");
        CommandError(e.to_payload())
    }
}

impl From<tauri::Error> for CommandError {
    fn from(e: tauri::Error) -> Self {
        CommandError(ErrorPayload {
            code: "app".into(),
            message: e.to_string(),
        })
    }
}

pub type CmdResult<T> = Result<T, CommandError>;
