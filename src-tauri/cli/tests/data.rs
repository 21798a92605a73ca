//! `backup`, `restore`, `backups list` and `export …` end to end: the real binary on a temporary data folder.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn cli(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tideline-cli").expect("binary built");
    c.arg("--data-dir")
        .arg(dir)
        .env_remove("TIDELINE_DATA_DIR")
        .env_remove("RUST_LOG");
    c
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = cli(dir).arg("--json").args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

fn names(dir: &Path) -> Vec<String> {
    json(dir, &["accounts", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn backup_then_restore_brings_the_data_back_and_keeps_a_safety_copy() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    json(&data, &["sample", "load"]);
    let before = names(&data);
    assert_eq!(before.len(), 36);

    let file = dir.path().join("mine.tideline-backup");
    let info = json(&data, &["backup", file.to_str().unwrap()]);
    assert_eq!(info["path"], file.display().to_string());
    assert!(info["size_bytes"].as_u64().unwrap() > 10_000);
    let text = cli(&data)
        .args(["backup", file.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&text.stdout);
    assert!(
        said.starts_with("Backed up to ") && said.trim_end().ends_with(" MB)."),
        "{said}"
    );

    json(
        &data,
        &["settings", "set", "snapshot.cooldown_seconds", "42"],
    );
    let more = dir.path().join("more.xlsx");
    let new_names = vec!["Zeta Corp".to_string()];
    let months = [chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()];
    tideline_core::sample::write_kpi_workbook(&more, &new_names, 2, &months).unwrap();
    json(&data, &["import", "kpi", more.to_str().unwrap()]);
    assert!(names(&data).contains(&"Zeta Corp".to_string()));

    let report = json(&data, &["restore", file.to_str().unwrap()]);
    assert_eq!(report["settings_restored"], true);
    assert_eq!(names(&data), before);
    let cooldown = json(&data, &["settings", "get", "snapshot.cooldown_seconds"]);
    assert_ne!(cooldown["value"], 42);

    let list = json(&data, &["backups", "list"]);
    let list = list.as_array().unwrap();
    assert!(list.iter().any(|b| b["kind"] == "pre_restore"));
    let safety = report["safety_backup"]["path"].as_str().unwrap();
    json(&data, &["restore", safety]);
    assert!(names(&data).contains(&"Zeta Corp".to_string()));
}

#[test]
fn restore_refuses_a_file_that_is_not_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    json(&data, &["sample", "load"]);
    let bogus = dir.path().join("notes.txt");
    std::fs::write(&bogus, "not a backup, just some notes about accounts").unwrap();
    let out = cli(&data)
        .args(["restore", bogus.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a Tideline backup"), "{stderr}");
    assert_eq!(names(&data).len(), 36, "nothing changed");
}

#[test]
fn exports_write_workbooks_and_an_evidence_pack_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    json(&data, &["sample", "load"]);
    let accounts = json(&data, &["accounts", "list"]);
    let at_risk = accounts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["band"] == "at_risk")
        .count();
    assert!(at_risk > 0);

    let file = dir.path().join("at-risk.xlsx");
    let report = json(
        &data,
        &[
            "export",
            "accounts",
            file.to_str().unwrap(),
            "--band",
            "at-risk",
        ],
    );
    assert_eq!(report["rows"].as_u64().unwrap() as usize, at_risk);
    assert_eq!(
        &std::fs::read(&file).unwrap()[..2],
        b"PK",
        "an xlsx (zip) file"
    );

    let name = accounts[0]["name"].as_str().unwrap().to_string();
    let history = dir.path().join("history.xlsx");
    let report = json(
        &data,
        &["export", "account", &name, history.to_str().unwrap()],
    );
    assert!(report["rows"].as_u64().unwrap() > 0);

    let snap = json(&data, &["snapshot", "create", "--account", &name]);
    let id = snap["id"].as_i64().unwrap().to_string();
    let packs = dir.path().join("packs");
    let pack = json(&data, &["export", "snapshot", &id, packs.to_str().unwrap()]);
    assert_eq!(pack["verified"], true);
    assert_eq!(pack["content_sha256"], snap["content_sha256"]);
    let stored: Value =
        serde_json::from_slice(&std::fs::read(pack["json_path"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(
        stored, snap["content"],
        "the JSON beside the page is the stored document"
    );
    let html = std::fs::read_to_string(pack["html_path"].as_str().unwrap()).unwrap();
    assert!(html.contains(snap["content_sha256"].as_str().unwrap()));

    let out = cli(&data)
        .args(["export", "snapshot", "999999", packs.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no snapshot with id 999999"));
}
