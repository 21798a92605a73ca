//! Thin `#[tauri::command]` functions, one file per screen: parse arguments, call the core, map errors.

pub mod activity;
pub mod app;
pub mod data;
pub mod health;
pub mod imports;
pub mod playbooks;
pub mod settings;
pub mod snapshots;
