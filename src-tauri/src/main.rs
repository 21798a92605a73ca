//! Tideline's desktop shell: wires state, plugins, the menu, the snapshot subscriber and the command list.
//! Nothing else.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dialog;
mod error;
mod events;
mod menu;
mod open_with;
mod state;
mod window;

use tauri::Manager;

fn main() {
    state::ensure_locale();
    state::ensure_renderer();
    state::ensure_script_engine();
    let args = state::AppArgs::from_env();
    let data_dir = state::data_dir(&args);
    let opened = open_with::OpenedFiles::new(&open_with::absolute(
        &args.files,
        &std::env::current_dir().unwrap_or_default(),
    ));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut builder = tauri::Builder::default();
    // First among the plugins: a second start on the same data folder hands over its files and stops here,
    // before opening anything. Without a usable session bus the plugin logs a warning and the app starts alone.
    if let Some(dir) = &data_dir {
        builder = builder.plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(open_with::instance_id(tideline_core::APP_IDENTIFIER, dir))
                .callback(open_with::on_second_start)
                .build(),
        );
    }
    // Kept in the data folder when one is known, so each data folder (and each test) has its own.
    let mut window_state =
        tauri_plugin_window_state::Builder::new().with_state_flags(window::REMEMBERED);
    if let Some(dir) = &data_dir {
        window_state = window_state.with_filename(dir.join("window-state.json").to_string_lossy());
    }
    let app = builder
        .plugin(window_state.build())
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        .manage(opened)
        .menu(menu::build)
        .on_menu_event(menu::on_event)
        .on_window_event(window::on_event)
        .setup(move |app| {
            let state = state::AppState::open(app.handle(), &args).inspect_err(|e| {
                dialog::startup_failed(&e.to_string());
            })?;
            events::spawn_subscriber(app.handle().clone(), state.core.clone(), stop_rx.clone());
            tauri::async_runtime::spawn(tideline_core::db::run_cache_expiry(
                state.core.pool().clone(),
                stop_rx.clone(),
            ));
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
