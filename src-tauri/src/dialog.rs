//! The native "Choose file…" dialog through rfd. On Linux GTK dialogs must run on the main thread, so the
//! blocking dialog is sent there and its answer comes back over a channel.

use tauri::AppHandle;
use tideline_core::model::ImportKind;
use tideline_core::Error;

const SPREADSHEETS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];

pub async fn pick_spreadsheets(
    app: &AppHandle,
    kind: Option<ImportKind>,
) -> Result<Vec<String>, Error> {
    let title = match kind {
        Some(ImportKind::Kpi) => "Choose KPI workbooks",
        Some(ImportKind::Profile) => "Choose customer-profile workbooks",
        None => "Choose workbooks",
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let picked = rfd::FileDialog::new()
            .set_title(title)
            .add_filter("Spreadsheets", SPREADSHEETS)
            .pick_files()
            .unwrap_or_default();
        let _ = tx.send(picked);
    })
    .map_err(|e| Error::Internal(format!("opening the file dialog: {e}")))?;
    let picked = rx
        .await
        .map_err(|_| Error::Internal("the file dialog closed unexpectedly".into()))?;
    Ok(picked
        .into_iter()
        .map(|p| p.display().to_string())
        .collect())
}

/// Tideline could not open its data folder: said in a native message box (a user who started it from the
/// applications menu sees no terminal), before the process exits.
pub fn startup_failed(message: &str) {
    eprintln!("Tideline could not start: {message}");
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title("Tideline could not start")
        .set_description(message)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
}
