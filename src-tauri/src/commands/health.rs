use tauri::State;
use tideline_core::model::{AccountPage, AccountQuery, HealthRecord, HealthRunReport, Overview};

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
pub(crate) async fn overview(state: State<'_, AppState>) -> CmdResult<Overview> {
    Ok(state.core.overview().await?)
}

#[tauri::command]
pub(crate) async fn list_accounts(
    state: State<'_, AppState>,
    query: AccountQuery,
) -> CmdResult<AccountPage> {
    Ok(state.core.query_accounts(&query).await?)
}

#[tauri::command]
pub(crate) async fn calculate_health(
    state: State<'_, AppState>,
    account_id: Option<i64>,
) -> CmdResult<HealthRunReport> {
    Ok(state.core.calculate_health(account_id, None).await?)
}

#[tauri::command]
pub(crate) async fn health_history(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<Vec<HealthRecord>> {
    Ok(state.core.health_history(account_id).await?)
}
