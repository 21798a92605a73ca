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
            commands::data::spawn_auto_backup(state.core.clone());
            app.manage(state);
            Ok(())
        })
        // The handlers of src-tauri/commands.txt, listed by build.rs.
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/handlers.rs")))
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
