use tauri::State;
use tideline_core::model::{
    AskAnswer, Snapshot, SnapshotDiff, SnapshotListItem, SnapshotOpen, SnapshotType,
};

use crate::error::CmdResult;
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

#[tauri::command]
pub(crate) async fn ask_account(
    state: State<'_, AppState>,
    account_id: i64,
    question: String,
) -> CmdResult<AskAnswer> {
    Ok(state.core.ask(Some(account_id), &question).await?)
}

/// A question from the Health tab: about the portfolio, or the accounts it names.
#[tauri::command]
pub(crate) async fn ask_portfolio(
    state: State<'_, AppState>,
    question: String,
) -> CmdResult<AskAnswer> {
    Ok(state.core.ask(None, &question).await?)
}
