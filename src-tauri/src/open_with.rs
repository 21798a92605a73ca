//! "Open with" and one instance per data folder. Workbook paths given on the command line (a double-click, a file
//! manager's "Open with") wait here until the window asks for them; a second start on the same data folder hands
//! its paths to the running window over D-Bus (tauri-plugin-single-instance) and exits, so only one process ever
//! opens a database.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::Parser;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppArgs;

/// Tells the window that files are waiting; it fetches them with `take_opened_files`.
pub const EVENT_OPEN_FILES: &str = "tideline://open-files";

/// Files handed to the app (its own command line, or a second start's) that the window has not taken yet.
#[derive(Default)]
pub struct OpenedFiles(Mutex<Vec<String>>);

impl OpenedFiles {
    pub fn new(paths: &[PathBuf]) -> OpenedFiles {
        let files = OpenedFiles::default();
        files.push(paths);
        files
    }

    pub fn push(&self, paths: &[PathBuf]) {
        let mut pending = self.0.lock().unwrap_or_else(|p| p.into_inner());
        pending.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    }

    /// The waiting files, in the order they arrived; each is handed out once.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Paths made absolute against the folder the command was started in (a second instance's working folder is
/// not the running app's).
pub fn absolute(paths: &[PathBuf], cwd: &Path) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| {
            if p.is_absolute() {
                p.clone()
            } else {
                cwd.join(p)
            }
        })
        .collect()
}

/// The files named on a second start's command line (its options are ignored: the running window keeps its own).
pub fn files_from_argv(argv: &[String], cwd: &Path) -> Vec<PathBuf> {
    match AppArgs::try_parse_from(argv) {
        Ok(args) => absolute(&args.files, cwd),
        Err(e) => {
            tracing::warn!("ignoring a second start's arguments: {e}");
            Vec::new()
        }
    }
}

/// What the running window does when Tideline is started again on its data folder: come to the front and preview
/// the files the second start was given.
pub fn on_second_start<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>, cwd: String) {
    let files = files_from_argv(&argv, Path::new(&cwd));
    tracing::info!(
        "Tideline was started again; {} file(s) handed to this window",
        files.len()
    );
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if files.is_empty() {
        return;
    }
    if let Some(pending) = app.try_state::<OpenedFiles>() {
        pending.push(&files);
        let _ = app.emit_to("main", EVENT_OPEN_FILES, ());
    }
}

/// The D-Bus name of the instance owning `data_dir`: the app's identifier plus a digest of the folder, so two data
/// folders can be open at once but one folder only once.
pub fn instance_id(identifier: &str, data_dir: &Path) -> String {
    let canonical = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    canonical.hash(&mut hasher);
    format!("{identifier}.data_{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_start_hands_over_its_files_as_absolute_paths() {
        let argv = [
            "tideline",
            "--data-dir",
            "/elsewhere",
            "q3/kpis.xlsx",
            "/home/csm/profiles.ods",
        ]
        .map(String::from);
        assert_eq!(
            files_from_argv(&argv, Path::new("/home/csm")),
            vec![
                PathBuf::from("/home/csm/q3/kpis.xlsx"),
                PathBuf::from("/home/csm/profiles.ods")
            ]
        );
        assert!(files_from_argv(&["tideline".to_string()], Path::new("/")).is_empty());
    }

    #[test]
    fn opened_files_are_handed_out_once_in_order() {
        let files = OpenedFiles::new(&[PathBuf::from("/a.xlsx")]);
        files.push(&[PathBuf::from("/b.xlsx")]);
        assert_eq!(files.take(), vec!["/a.xlsx", "/b.xlsx"]);
        assert!(files.take().is_empty());
    }

    #[test]
    fn each_data_folder_has_its_own_instance() {
        let a = tempfile::tempdir().expect("temp dir");
        let b = tempfile::tempdir().expect("temp dir");
        let id = |p: &Path| instance_id("dev.tideline.desktop", p);
        assert_eq!(id(a.path()), id(&a.path().join(".")));
        assert_ne!(id(a.path()), id(b.path()));
        assert!(id(a.path()).starts_with("dev.tideline.desktop.data_"));
    }
}
