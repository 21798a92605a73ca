//! The app's state: one open core handle for the chosen data folder.

use std::path::PathBuf;

use clap::Parser;
use tauri::{AppHandle, Manager};
use tideline_core::logging::WorkerGuard;
use tideline_core::Tideline;

/// The desktop app's own command line.
#[derive(Debug, Parser)]
#[command(
    name = "tideline",
    version,
    about = "Tideline: account health and snapshots"
)]
pub struct AppArgs {
    /// Folder holding tideline.db, settings.json and logs/ (default: the app's data folder).
    #[arg(long, env = "TIDELINE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Workbooks to preview for import (what "Open with" and a double-click pass).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl AppArgs {
    /// Unknown arguments (a desktop launcher may add some) are ignored rather than stopping the app.
    pub fn from_env() -> AppArgs {
        AppArgs::from_args(std::env::args_os())
    }

    pub fn from_args<I, T>(args: I) -> AppArgs
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        AppArgs::try_parse_from(args).unwrap_or_else(|e| {
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) {
                e.exit();
            }
            eprintln!("Tideline: ignoring arguments: {e}");
            AppArgs {
                data_dir: std::env::var_os(tideline_core::DATA_DIR_ENV).map(PathBuf::from),
                files: Vec::new(),
            }
        })
    }
}

/// WebKitGTK takes the page's `navigator.language` from the process locale; with no locale (or `C`/`POSIX`, as
/// in containers and CI) it reports `C`, which `Intl` rejects, and the charting library fails to load. Fall back
/// to `C.UTF-8`'s language, US English, only in that case. Runs first in `main`, before any thread exists.
pub fn ensure_locale() {
    let current = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    let usable = current.as_deref().is_some_and(|v| {
        let lang = v.split(['.', '@']).next().unwrap_or_default();
        !lang.is_empty() && lang != "C" && lang != "POSIX"
    });
    if !usable {
        std::env::set_var("LC_ALL", "en_US.UTF-8");
        std::env::set_var("LANGUAGE", "en_US");
    }
}

/// A blank or grey window on some GPU/Wayland setups is the most reported WebKitGTK problem; its DMA-BUF renderer
/// is the cause. Turned off unless the user has set the variable themselves. Runs first in `main`, like
/// `ensure_locale`.
pub fn ensure_renderer() {
    const KEY: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    if std::env::var_os(KEY).is_none() {
        std::env::set_var(KEY, "1");
    }
}

/// WebKit's JavaScript engine compiles its hottest functions again with two optimizing tiers (DFG, then FTL), and
/// their code and profiles stay in the web process: over a long review (500 accounts walked with ↓ in the panel)
/// they grew the window by 15–20 MB and kept it. The window's scripts only render what the core computed, and the
/// walk took as long with those tiers off; they are off unless the user has set the variable themselves. Runs at
/// the start of `main`, like `ensure_locale`, before any thread exists; the web process inherits it.
pub fn ensure_script_engine() {
    const KEY: &str = "JSC_useDFGJIT";
    if std::env::var_os(KEY).is_none() {
        std::env::set_var(KEY, "false");
    }
}

/// The data folder the app will open: `--data-dir`/`TIDELINE_DATA_DIR`, else the platform's app data folder.
pub fn data_dir(args: &AppArgs) -> Option<PathBuf> {
    args.data_dir
        .clone()
        .or_else(tideline_core::default_data_dir)
}

pub struct AppState {
    pub core: Tideline,
    _log_guard: Option<WorkerGuard>,
}

impl AppState {
    pub fn open(app: &AppHandle, args: &AppArgs) -> Result<AppState, Box<dyn std::error::Error>> {
        let data_dir = match data_dir(args) {
            Some(d) => d,
            None => app.path().app_data_dir()?,
        };
        tideline_core::ensure_data_dir(&data_dir)?;
        let log_guard = tideline_core::logging::init(&data_dir);
        crate::error::set_data_dir(&data_dir);
        let core = tauri::async_runtime::block_on(Tideline::open(&data_dir))?;
        tracing::info!("Tideline started with data folder {}", data_dir.display());
        Ok(AppState {
            core,
            _log_guard: log_guard,
        })
    }
}
