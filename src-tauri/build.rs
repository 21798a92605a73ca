// The command list is src-tauri/commands.txt. From it this script writes main.rs's handler list
// (`$OUT_DIR/handlers.rs`, included by main.rs) and the app manifest, which turns each command into its own
// permission (`allow-<command>`), so the capability files under src-tauri/capabilities/ grant commands one by one.
use std::path::PathBuf;

const COMMANDS_FILE: &str = "src-tauri/commands.txt";

/// `(module, command)` for each line that is not blank or a comment.
fn read_commands() -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(COMMANDS_FILE)
        .map_err(|e| format!("cannot read {COMMANDS_FILE}: {e}"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        match line.split_once("::") {
            Some((module, command)) if ok(module) && ok(command) => {
                if out.iter().any(|(_, c)| c == command) {
                    return Err(format!(
                        "{COMMANDS_FILE}:{}: `{command}` is listed twice",
                        n + 1
                    ));
                }
                out.push((module.to_string(), command.to_string()));
            }
            _ => {
                return Err(format!(
                    "{COMMANDS_FILE}:{}: expected `module::command` in snake_case, found `{line}`",
                    n + 1
                ))
            }
        }
    }
    Ok(out)
}

fn main() {
    println!("cargo:rerun-if-changed={COMMANDS_FILE}");
    let commands = match read_commands() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let handlers: Vec<String> = commands
        .iter()
        .map(|(m, c)| format!("    commands::{m}::{c},\n"))
        .collect();
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let handlers_rs = format!("tauri::generate_handler![\n{}]\n", handlers.concat());
    if let Err(e) = std::fs::write(out_dir.join("handlers.rs"), handlers_rs) {
        eprintln!(
            "cannot write the handler list to {}: {e}",
            out_dir.display()
        );
        std::process::exit(1);
    }
    // The manifest keeps the names for the whole build; a build script runs once, so leaking them is fine.
    let names: &'static [&'static str] = Box::leak(
        commands
            .into_iter()
            .map(|(_, c)| &*Box::leak(c.into_boxed_str()))
            .collect::<Vec<&'static str>>()
            .into_boxed_slice(),
    );
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(names));
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
