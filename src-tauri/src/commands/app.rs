use tauri::State;
use tideline_core::model::AppInfo;

use crate::open_with::OpenedFiles;
use crate::state::AppState;

/// Workbooks handed to the app from outside (its command line, a second start, "Open with") that the window has
/// not previewed yet; each is returned once.
#[tauri::command]
pub(crate) fn take_opened_files(files: State<'_, OpenedFiles>) -> Vec<String> {
    files.take()
}

/// Help → About.
#[tauri::command]
pub(crate) fn app_info(state: State<'_, AppState>) -> AppInfo {
    state.core.app_info()
}
