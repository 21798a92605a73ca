//! Emitting core outcomes to the window, and the snapshot subscriber's background task.

use tauri::{AppHandle, Emitter};
use tideline_core::events::AccountSnapshotSubscriber;
use tideline_core::Tideline;

/// A snapshot created or skipped by the subscriber (payload: `ActivityItem`).
pub const ACTIVITY: &str = "tideline://activity";
/// Rows read / written while a file imports (payload: `ImportProgress`).
pub const IMPORT_PROGRESS: &str = "tideline://import-progress";
/// A piece of a local model's Ask reply as it streams in (payload: `AskDelta`).
pub const ASK_DELTA: &str = "tideline://ask-delta";
/// Something changed that every view may show: refetch.
pub const DATA_CHANGED: &str = "tideline://data-changed";

/// Runs the AccountSnapshotSubscriber for the life of the app, telling the window about each outcome.
pub fn spawn_subscriber(app: AppHandle, core: Tideline, stop: tokio::sync::watch::Receiver<bool>) {
    tauri::async_runtime::spawn(async move {
        let emitter = app.clone();
        AccountSnapshotSubscriber::new(core)
            .run(
                move |item| {
                    let _ = emitter.emit(ACTIVITY, item);
                },
                stop,
            )
            .await;
    });
}
