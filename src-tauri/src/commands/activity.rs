use tauri::State;
use tideline_core::model::ActivityItem;

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
pub(crate) async fn list_activity(
    state: State<'_, AppState>,
    limit: Option<u32>,
) -> CmdResult<Vec<ActivityItem>> {
    Ok(state.core.activity(limit.unwrap_or(200)).await?)
}
