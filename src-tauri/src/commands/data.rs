//! Settings → Backups, "Export…" on the Health table and "Export snapshot…" in the account panel: thin wrappers
//! over the core's backup and export, plus the native save / open / folder dialogs (rfd, on the main thread).

use std::path::{Path, PathBuf};

use tauri::{AppHandle, State};
use tideline_core::model::{
    AccountQuery, BackupInfo, BackupSettings, EvidencePack, ExportReport, RestoreReport,
};
use tideline_core::settings::{KEY_BACKUP_AUTO_DAILY, KEY_BACKUP_KEEP};
use tideline_core::{Error, Tideline};

use crate::error::CmdResult;
use crate::state::AppState;

/// Once at start: a daily backup when the newest automatic one is a day old; errors are logged, never shown.
pub fn spawn_auto_backup(core: Tideline) {
    tauri::async_runtime::spawn(async move {
        match core.auto_backup_if_due().await {
            Ok(Some(b)) => {
                tracing::info!(path = %b.path, size = b.size_bytes, "daily backup written")
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(code = e.code(), "daily backup failed: {e}"),
        }
    });
}

/// What a dialog is for: its title, filter and default file name.
fn dialog_for(
    purpose: &str,
    suggested: Option<String>,
) -> Result<(rfd::FileDialog, bool, bool), Error> {
    let d = rfd::FileDialog::new();
    Ok(match purpose {
        "backup_save" => (
            d.set_title("Back up Tideline to…")
                .add_filter("Tideline backup", &["tideline-backup"])
                .set_file_name(suggested.unwrap_or_else(|| "Tideline.tideline-backup".into())),
            true,
            false,
        ),
        "backup_open" => (
            d.set_title("Restore Tideline from…")
                .add_filter("Tideline backup", &["tideline-backup"]),
            false,
            false,
        ),
        "xlsx_save" => (
            d.set_title("Export to Excel")
                .add_filter("Excel workbook", &["xlsx"])
                .set_file_name(suggested.unwrap_or_else(|| "Tideline.xlsx".into())),
            true,
            false,
        ),
        "folder" => (
            d.set_title("Choose a folder for the evidence pack"),
            false,
            true,
        ),
        other => {
            return Err(Error::InvalidInput {
                what: "dialog".into(),
                reason: format!("unknown purpose {other}"),
            })
        }
    })
}

/// End-to-end tests only: WebDriver cannot reach a native dialog, so with this set to a folder the dialog for
/// `purpose` answers with the path written in that folder's file named after the purpose (no file: cancelled).
const TEST_DIALOG_ANSWERS: &str = "TIDELINE_TEST_DIALOG_ANSWERS";

fn test_answer(answers: &Path, purpose: &str) -> Option<String> {
    let text = std::fs::read_to_string(answers.join(purpose)).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// The native save / open / folder dialog; `None` when the user cancels.
#[tauri::command]
pub(crate) async fn pick_path(
    app: AppHandle,
    purpose: String,
    suggested: Option<String>,
) -> CmdResult<Option<String>> {
    let (dialog, save, folder) = dialog_for(&purpose, suggested)?;
    if let Some(answers) = std::env::var_os(TEST_DIALOG_ANSWERS) {
        return Ok(test_answer(Path::new(&answers), &purpose));
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<Option<PathBuf>>();
    app.run_on_main_thread(move || {
        let picked = if folder {
            dialog.pick_folder()
        } else if save {
            dialog.save_file()
        } else {
            dialog.pick_file()
        };
        let _ = tx.send(picked);
    })?;
    let picked = rx
        .await
        .map_err(|_| Error::Internal("the file dialog closed unexpectedly".into()))?;
    Ok(picked.map(|p| p.display().to_string()))
}

#[tauri::command]
pub(crate) async fn backup_now(state: State<'_, AppState>, path: String) -> CmdResult<BackupInfo> {
    Ok(state.core.backup_to(&PathBuf::from(path)).await?)
}

/// Replaces the data; the window reloads after it succeeds.
#[tauri::command]
pub(crate) async fn restore_backup(
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<RestoreReport> {
    Ok(state.core.restore_from(&PathBuf::from(path)).await?)
}

#[tauri::command]
pub(crate) async fn list_backups(state: State<'_, AppState>) -> CmdResult<Vec<BackupInfo>> {
    Ok(state.core.list_backups().await?)
}

#[tauri::command]
pub(crate) async fn get_backup_settings(state: State<'_, AppState>) -> CmdResult<BackupSettings> {
    Ok(state.core.backup_settings()?)
}

/// Stores `backup.auto_daily` and `backup.keep`, then prunes to the new count.
#[tauri::command]
pub(crate) async fn save_backup_settings(
    state: State<'_, AppState>,
    settings: BackupSettings,
) -> CmdResult<BackupSettings> {
    let store = state.core.settings_store();
    store.set(KEY_BACKUP_KEEP, &settings.keep.to_string())?;
    store.set(KEY_BACKUP_AUTO_DAILY, &settings.auto_daily.to_string())?;
    state.core.prune_backups(settings.keep).await?;
    Ok(state.core.backup_settings()?)
}

/// The Health table as shown (its query, every page) to `.xlsx`.
#[tauri::command]
pub(crate) async fn export_accounts(
    state: State<'_, AppState>,
    query: AccountQuery,
    path: String,
) -> CmdResult<ExportReport> {
    Ok(state
        .core
        .export_accounts(&query, &PathBuf::from(path))
        .await?)
}

#[tauri::command]
pub(crate) async fn export_account(
    state: State<'_, AppState>,
    account_id: i64,
    path: String,
) -> CmdResult<ExportReport> {
    Ok(state
        .core
        .export_account(account_id, &PathBuf::from(path))
        .await?)
}

#[tauri::command]
pub(crate) async fn export_snapshot(
    state: State<'_, AppState>,
    snapshot_id: i64,
    dir: String,
    diff_from: Option<i64>,
) -> CmdResult<EvidencePack> {
    Ok(state
        .core
        .export_snapshot(snapshot_id, &PathBuf::from(dir), diff_from)
        .await?)
}
