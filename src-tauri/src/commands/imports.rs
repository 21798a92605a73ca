use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Emitter, State};
use tideline_core::import::{ImportRequest, ProgressFn};
use tideline_core::model::{FileProbe, ImportKind, ImportListItem, ImportReport};

use crate::error::CmdResult;
use crate::events::{DATA_CHANGED, IMPORT_PROGRESS};
use crate::state::AppState;

#[tauri::command]
pub(crate) async fn probe_file(state: State<'_, AppState>, path: PathBuf) -> CmdResult<FileProbe> {
    Ok(state.core.probe_file(&path).await?)
}

fn progress(app: &AppHandle) -> ProgressFn {
    let app = app.clone();
    Arc::new(move |p| {
        let _ = app.emit(IMPORT_PROGRESS, p);
    })
}

/// The dry run shown after a drop or pick: nothing is written.
#[tauri::command]
pub(crate) async fn preview_import(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    kind: ImportKind,
    account: Option<String>,
) -> CmdResult<ImportReport> {
    import(&app, &state, &path, kind, account.as_deref(), true).await
}

#[tauri::command]
pub(crate) async fn run_import(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    kind: ImportKind,
    account: Option<String>,
) -> CmdResult<ImportReport> {
    let report = import(&app, &state, &path, kind, account.as_deref(), false).await?;
    let _ = app.emit(DATA_CHANGED, ());
    Ok(report)
}

async fn import(
    app: &AppHandle,
    state: &AppState,
    path: &std::path::Path,
    kind: ImportKind,
    account: Option<&str>,
    dry_run: bool,
) -> CmdResult<ImportReport> {
    let req = ImportRequest {
        path,
        kind: Some(kind),
        account,
        dry_run,
    };
    Ok(state.core.import_file(&req, Some(progress(app))).await?)
}

#[tauri::command]
pub(crate) async fn list_imports(
    state: State<'_, AppState>,
    limit: Option<u32>,
) -> CmdResult<Vec<ImportListItem>> {
    Ok(state.core.list_imports(limit.unwrap_or(100)).await?)
}

#[tauri::command]
pub(crate) async fn get_import(state: State<'_, AppState>, id: i64) -> CmdResult<ImportReport> {
    Ok(state.core.get_import(id).await?)
}

#[tauri::command]
pub(crate) async fn load_sample(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CmdResult<Vec<ImportReport>> {
    let reports = state.core.load_sample().await?;
    let _ = app.emit(DATA_CHANGED, ());
    Ok(reports)
}

/// The native file dialog (rfd), filtered to spreadsheet types. GTK dialogs must run on the main thread.
#[tauri::command]
pub(crate) async fn pick_files(app: AppHandle, kind: Option<ImportKind>) -> CmdResult<Vec<String>> {
    Ok(crate::dialog::pick_spreadsheets(&app, kind).await?)
}
