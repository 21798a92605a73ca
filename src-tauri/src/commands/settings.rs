use tauri::State;
use tideline_core::model::Settings;

use crate::error::CmdResult;
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

/// Validated and written by the core into the data folder's `settings.json` (tauri-plugin-store's format, the
/// same file `tideline-cli settings` reads and writes): written to a temporary file, flushed and renamed, so a crash
/// never leaves half a file; keys this version does not know are kept.
#[tauri::command]
pub(crate) async fn save_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> CmdResult<Settings> {
    state.core.settings_store().save(&settings)?;
    tracing::info!(
        cooldown_seconds = settings.cooldown_seconds,
        "settings saved"
    );
    Ok(state.core.settings()?)
}

/// Where a damaged settings file was moved when this run found one (the window shows it once), else `None`.
#[tauri::command]
pub(crate) fn settings_notice(state: State<'_, AppState>) -> Option<String> {
    state
        .core
        .settings_store()
        .take_damaged_notice()
        .map(|p| p.display().to_string())
}
