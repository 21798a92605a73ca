//! One list of commands: src-tauri/commands.txt. build.rs derives main.rs's handlers and the permission manifest
//! from it; this test fails when the other places that name commands disagree with it: the handler functions in
//! src-tauri/src/commands/, the capability file, and the command names ui/src/api/commands.ts invokes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// `(module, command)` of each line of commands.txt.
fn listed() -> Vec<(String, String)> {
    read(&root().join("src-tauri/commands.txt"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (m, c) = l
                .split_once("::")
                .unwrap_or_else(|| panic!("commands.txt: `{l}` is not module::command"));
            (m.to_string(), c.to_string())
        })
        .collect()
}

fn names() -> BTreeSet<String> {
    listed().into_iter().map(|(_, c)| c).collect()
}

/// What differs between the list and another place, in words; `None` when they agree.
fn difference(place: &str, list: &BTreeSet<String>, found: &BTreeSet<String>) -> Option<String> {
    let missing: Vec<_> = list.difference(found).cloned().collect();
    let extra: Vec<_> = found.difference(list).cloned().collect();
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    Some(format!(
        "{place} does not match src-tauri/commands.txt: missing {missing:?}, not in the list {extra:?}"
    ))
}

/// The names of the `#[tauri::command]` functions in one source file.
fn command_functions(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after_attr = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[tauri::command") {
            after_attr = true;
            continue;
        }
        if after_attr && !line.starts_with("#[") && !line.starts_with("//") {
            if let Some(rest) = line.split("fn ").nth(1) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
            after_attr = false;
        }
    }
    out
}

/// Every command name commands.ts passes to `call` (the one wrapper around `invoke`).
fn invoked_names(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for part in source.split("call<").skip(1) {
        let Some(start) = part.find(">('") else {
            continue;
        };
        let rest = &part[start + 3..];
        if let Some(end) = rest.find('\'') {
            out.insert(rest[..end].to_string());
        }
    }
    out
}

#[test]
fn every_listed_command_has_its_handler_and_every_handler_is_listed() {
    let dir = root().join("src-tauri/src/commands");
    let mut handlers = BTreeSet::new();
    for (module, command) in listed() {
        let file = dir.join(format!("{module}.rs"));
        assert!(
            command_functions(&read(&file)).contains(&command),
            "commands.txt lists {module}::{command}, but {} has no #[tauri::command] fn {command}",
            file.display()
        );
    }
    for entry in std::fs::read_dir(&dir)
        .expect("src-tauri/src/commands")
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "rs") {
            handlers.extend(command_functions(&read(&entry.path())));
        }
    }
    if let Some(d) = difference("the #[tauri::command] functions", &names(), &handlers) {
        panic!("{d}");
    }
}

#[test]
fn main_rs_takes_its_handlers_from_the_list() {
    let main = read(&root().join("src-tauri/src/main.rs"));
    assert!(main.contains(r#"include!(concat!(env!("OUT_DIR"), "/handlers.rs"))"#));
    assert!(
        !main.contains("generate_handler!"),
        "main.rs lists handlers itself; add the command to src-tauri/commands.txt instead"
    );
}

#[test]
fn the_capability_grants_exactly_the_listed_commands() {
    let path = root().join("src-tauri/capabilities/main-window.json");
    let cap: serde_json::Value = serde_json::from_str(&read(&path)).expect("capability JSON");
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .expect("a permissions array")
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    if let Some(d) = difference("capabilities/main-window.json", &names(), &granted) {
        panic!("{d}");
    }
}

#[test]
fn the_ui_invokes_exactly_the_listed_commands() {
    let invoked = invoked_names(&read(&root().join("ui/src/api/commands.ts")));
    if let Some(d) = difference("ui/src/api/commands.ts", &names(), &invoked) {
        panic!("{d}");
    }
}

#[test]
fn a_command_missing_from_one_place_is_named() {
    let list: BTreeSet<String> = ["overview", "cancel_import"].map(String::from).into();
    let ts =
        "overview: () => call<Overview>('overview'),\n  x: () => call<Settings>('get_settings'),";
    let d = difference("commands.ts", &list, &invoked_names(ts)).expect("a difference");
    assert!(d.contains(r#"missing ["cancel_import"]"#), "{d}");
    assert!(d.contains(r#"not in the list ["get_settings"]"#), "{d}");
    let rs = "#[tauri::command]\npub(crate) async fn overview(state: State<'_, AppState>) {}\nfn helper() {}";
    assert_eq!(
        command_functions(rs),
        BTreeSet::from(["overview".to_string()])
    );
    assert_eq!(difference("x", &list, &list), None);
}
