use tauri::{AppHandle, Emitter, State};
use tideline_core::model::{Playbook, PlaybookExecution, PlaybookSuggestion};

use crate::error::CmdResult;
use crate::events::DATA_CHANGED;
use crate::state::AppState;

#[tauri::command]
pub(crate) async fn list_playbooks(state: State<'_, AppState>) -> CmdResult<Vec<Playbook>> {
    Ok(state.core.playbooks())
}

#[tauri::command]
pub(crate) async fn list_executions(
    state: State<'_, AppState>,
    account_id: Option<i64>,
) -> CmdResult<Vec<PlaybookExecution>> {
    Ok(state.core.list_executions(account_id).await?)
}

#[tauri::command]
pub(crate) async fn start_playbook(
    state: State<'_, AppState>,
    account_id: i64,
    playbook_key: String,
) -> CmdResult<PlaybookExecution> {
    Ok(state.core.start_playbook(account_id, &playbook_key).await?)
}

#[tauri::command]
pub(crate) async fn set_step(
    state: State<'_, AppState>,
    execution_id: i64,
    step: u32,
    done: bool,
    note: Option<String>,
) -> CmdResult<PlaybookExecution> {
    Ok(state
        .core
        .set_playbook_step(execution_id, step, done, note.as_deref())
        .await?)
}

#[tauri::command]
pub(crate) async fn complete_playbook(
    app: AppHandle,
    state: State<'_, AppState>,
    execution_id: i64,
) -> CmdResult<PlaybookExecution> {
    let exec = state.core.complete_playbook(execution_id).await?;
    let _ = app.emit(DATA_CHANGED, ());
    Ok(exec)
}

#[tauri::command]
pub(crate) async fn cancel_playbook(
    state: State<'_, AppState>,
    execution_id: i64,
) -> CmdResult<PlaybookExecution> {
    Ok(state.core.cancel_playbook(execution_id).await?)
}

#[tauri::command]
pub(crate) async fn suggest_playbook(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<Option<PlaybookSuggestion>> {
    Ok(state.core.suggest_playbook(account_id).await?)
}
