use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, State};
use tideline_core::import::{ImportRequest, ProgressFn};
use tideline_core::model::{FileProbe, ImportKind, ImportListItem, ImportReport, UndoReport};

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
    // New KPI values change the scores of exactly the accounts and months they touch: rescore only those, so the
    // Health tab is current without a full recalculation. The import itself is committed either way.
    if let (ImportKind::Kpi, Some(id)) = (kind, report.import_id) {
        if report.rows_new + report.rows_changed > 0 {
            if let Err(e) = state.core.calculate_health_after_import(id).await {
                tracing::warn!("import {id}: health scores were not updated: {e}");
            }
        }
    }
    let _ = app.emit(DATA_CHANGED, ());
    Ok(report)
}

/// The cancel flags of the imports running now (the window has one Cancel for whatever is importing).
static RUNNING: Mutex<Vec<Arc<AtomicBool>>> = Mutex::new(Vec::new());

/// Registers a running import's cancel flag for as long as it lives.
struct Running(Arc<AtomicBool>);

impl Running {
    fn start() -> Running {
        let flag = Arc::new(AtomicBool::new(false));
        if let Ok(mut running) = RUNNING.lock() {
            running.push(Arc::clone(&flag));
        }
        Running(flag)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut running) = RUNNING.lock() {
            running.retain(|f| !Arc::ptr_eq(f, &self.0));
        }
    }
}

/// Stops the imports running now: each fails with `import_cancelled` and writes nothing. Returns how many
/// were asked to stop (0 when nothing was running, e.g. it had just finished).
#[tauri::command]
pub(crate) async fn cancel_import() -> CmdResult<u32> {
    let running = RUNNING.lock().map(|r| r.clone()).unwrap_or_default();
    for flag in &running {
        flag.store(true, Ordering::Relaxed);
    }
    tracing::info!("cancel asked for {} running import(s)", running.len());
    Ok(running.len() as u32)
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
    let running = Running::start();
    Ok(state
        .core
        .import_file_cancellable(&req, Some(progress(app)), Some(Arc::clone(&running.0)))
        .await?)
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

/// Undoes a KPI import, then rescoring and snapshots follow as after an import.
#[tauri::command]
pub(crate) async fn undo_import(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<UndoReport> {
    let report = state.core.undo_import(id).await?;
    let _ = app.emit(DATA_CHANGED, ());
    Ok(report)
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
