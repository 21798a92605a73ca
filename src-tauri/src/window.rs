//! The window's size and maximised state between runs (tauri-plugin-window-state). The plugin writes its file on a
//! clean exit; this also writes it shortly after a resize ends, so a crash, a killed session or a logout keeps the
//! size the user chose.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// Size and maximised only: a restored position fails on Wayland.
pub const REMEMBERED: StateFlags = StateFlags::SIZE.union(StateFlags::MAXIMIZED);

/// How long the size must stay unchanged before it is written (a drag sends many resize events).
const SETTLE: Duration = Duration::from_millis(400);

static RESIZES: AtomicU64 = AtomicU64::new(0);

pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Resized(_)) {
        return;
    }
    let this = RESIZES.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if RESIZES.load(Ordering::SeqCst) == this {
            if let Err(e) = app.save_window_state(REMEMBERED) {
                tracing::warn!("could not save the window size: {e}");
            }
        }
    });
}
