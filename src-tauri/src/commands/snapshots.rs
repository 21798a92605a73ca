use tauri::{AppHandle, Emitter, State};
use tideline_core::model::{
    AskAnswer, AskDelta, Snapshot, SnapshotDiff, SnapshotListItem, SnapshotOpen, SnapshotType,
};

use crate::error::CmdResult;
use crate::events::ASK_DELTA;
use crate::state::AppState;

/// A click on an account in the Health tab (PRODUCT.md §3).
#[tauri::command]
pub(crate) async fn open_account(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<SnapshotOpen> {
    Ok(state.core.open_account(account_id).await?)
}

#[tauri::command]
pub(crate) async fn take_snapshot(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<Snapshot> {
    Ok(state
        .core
        .create_snapshot(account_id, SnapshotType::Manual, None)
        .await?)
}

#[tauri::command]
pub(crate) async fn list_snapshots(
    state: State<'_, AppState>,
    account_id: i64,
    limit: Option<u32>,
) -> CmdResult<Vec<SnapshotListItem>> {
    Ok(state
        .core
        .list_snapshots(account_id, limit.unwrap_or(100))
        .await?)
}

#[tauri::command]
pub(crate) async fn get_snapshot(state: State<'_, AppState>, id: i64) -> CmdResult<Snapshot> {
    Ok(state.core.get_snapshot(id).await?)
}

#[tauri::command]
pub(crate) async fn diff_snapshots(
    state: State<'_, AppState>,
    from: i64,
    to: i64,
) -> CmdResult<SnapshotDiff> {
    Ok(state.core.diff_snapshots(from, to).await?)
}

/// A question from an account's panel. With a local model, its reply streams to the window as `ASK_DELTA`
/// events tagged `stream` (the asking box's id) before the checked answer returns.
#[tauri::command]
pub(crate) async fn ask_account(
    app: AppHandle,
    state: State<'_, AppState>,
    account_id: i64,
    question: String,
    stream: Option<u32>,
) -> CmdResult<AskAnswer> {
    ask(&app, &state, Some(account_id), &question, stream).await
}

/// A question from the Health tab or the palette: about the portfolio, or the accounts it names.
#[tauri::command]
pub(crate) async fn ask_portfolio(
    app: AppHandle,
    state: State<'_, AppState>,
    question: String,
    stream: Option<u32>,
) -> CmdResult<AskAnswer> {
    ask(&app, &state, None, &question, stream).await
}

async fn ask(
    app: &AppHandle,
    state: &AppState,
    account_id: Option<i64>,
    question: &str,
    stream: Option<u32>,
) -> CmdResult<AskAnswer> {
    let emitter = app.clone();
    let mut on_delta = move |text: &str| {
        if let Some(stream) = stream {
            let _ = emitter.emit(
                ASK_DELTA,
                AskDelta {
                    stream,
                    text: text.to_string(),
                },
            );
        }
    };
    Ok(state
        .core
        .ask_streaming(account_id, question, &mut on_delta)
        .await?)
}
