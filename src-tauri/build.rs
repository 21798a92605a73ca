// Capabilities live in src-tauri/capabilities/; the app manifest turns each command into its own permission
// (`allow-<command>`), so the capability grants commands one by one.
fn main() {
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "overview",
            "list_accounts",
            "calculate_health",
            "health_history",
            "open_account",
            "take_snapshot",
            "list_snapshots",
            "get_snapshot",
            "diff_snapshots",
            "ask_account",
            "probe_file",
            "preview_import",
            "run_import",
            "list_imports",
            "get_import",
            "load_sample",
            "pick_files",
            "list_activity",
            "list_playbooks",
            "list_executions",
            "start_playbook",
            "set_step",
            "complete_playbook",
            "cancel_playbook",
            "suggest_playbook",
            "get_settings",
            "save_settings",
        ]));
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
