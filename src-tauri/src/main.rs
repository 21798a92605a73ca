//! Tideline's desktop shell: wires state, plugins, the snapshot subscriber and the command list. Nothing else.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dialog;
mod error;
mod events;
mod state;

use tauri::Manager;

fn main() {
    state::ensure_locale();
    let args = state::AppArgs::from_env();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .setup(move |app| {
            let state = state::AppState::open(app.handle(), &args)?;
            events::spawn_subscriber(app.handle().clone(), state.core.clone(), stop_rx.clone());
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::health::overview,
            commands::health::list_accounts,
            commands::health::calculate_health,
            commands::health::health_history,
            commands::snapshots::open_account,
            commands::snapshots::take_snapshot,
            commands::snapshots::list_snapshots,
            commands::snapshots::get_snapshot,
            commands::snapshots::diff_snapshots,
            commands::snapshots::ask_account,
            commands::imports::probe_file,
            commands::imports::preview_import,
            commands::imports::run_import,
            commands::imports::list_imports,
            commands::imports::get_import,
            commands::imports::load_sample,
            commands::imports::pick_files,
            commands::activity::list_activity,
            commands::playbooks::list_playbooks,
            commands::playbooks::list_executions,
            commands::playbooks::start_playbook,
            commands::playbooks::set_step,
            commands::playbooks::complete_playbook,
            commands::playbooks::cancel_playbook,
            commands::playbooks::suggest_playbook,
            commands::settings::get_settings,
            commands::settings::save_settings,
        ])
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Tideline could not start: {e}");
            std::process::exit(1);
        });
    app.run(move |_, event| {
        if let tauri::RunEvent::Exit = event {
            let _ = stop_tx.send(true);
        }
    });
}
