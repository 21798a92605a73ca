use tauri::{AppHandle, State};
use tauri_plugin_store::StoreExt;
use tideline_core::model::Settings;

use crate::error::{CmdResult, CommandError};
use crate::state::AppState;

#[tauri::command]
pub(crate) async fn get_settings(state: State<'_, AppState>) -> CmdResult<Settings> {
    Ok(state.core.settings()?)
}

/// The settings a fresh data folder starts with (the core's `Settings::default`): what the UI shows until the
/// saved settings have loaded, so it never carries defaults of its own.
#[tauri::command]
pub(crate) fn default_settings() -> Settings {
    Settings::default()
}

/// Validated by the core, persisted through tauri-plugin-store into the data folder's `settings.json`
/// (the same file `tideline-cli settings` reads and writes).
#[tauri::command]
pub(crate) async fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: Settings,
) -> CmdResult<Settings> {
    settings.validate()?;
    let store_err = |e: tauri_plugin_store::Error| {
        CommandError::from(tideline_core::Error::SettingsFile {
            path: state.core.settings_store().path().to_path_buf(),
            reason: e.to_string(),
        })
    };
    let store = app
        .store(state.core.settings_store().path())
        .map_err(store_err)?;
    // Another process (the CLI) may have written the file since the store was loaded.
    store.reload().map_err(store_err)?;
    let current: serde_json::Map<String, serde_json::Value> = store.entries().into_iter().collect();
    let (deletes, sets) = settings.store_update(&current);
    for key in deletes {
        store.delete(key);
    }
    for (key, value) in sets {
        store.set(key, value);
    }
    store.save().map_err(store_err)?;
    tracing::info!(
        cooldown_seconds = settings.cooldown_seconds,
        "settings saved"
    );
    Ok(state.core.settings()?)
}
