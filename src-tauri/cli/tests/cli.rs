//! The CLI end to end: real binary, temporary --data-dir, JSON on stdout, log lines and errors on stderr,
//! database state checked afterwards.

use std::path::Path;

use assert_cmd::Command;
use chrono::NaiveDate;
use serde_json::Value;

fn cli(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tideline-cli").expect("binary built");
    c.arg("--data-dir")
        .arg(dir)
        .env_remove("TIDELINE_DATA_DIR")
        .env_remove("RUST_LOG");
    c
}

fn json(dir: &Path, args: &[&str]) -> (Value, String) {
    let out = cli(dir).arg("--json").args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    (
        serde_json::from_slice(&out.stdout).expect("one JSON document on stdout"),
        stderr,
    )
}

fn kpi_workbook(dir: &Path, accounts: &[&str]) -> std::path::PathBuf {
    let path = dir.join("kpis.xlsx");
    let names: Vec<String> = accounts.iter().map(|s| s.to_string()).collect();
    let months = [
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 2, 1).unwrap(),
    ];
    tideline_core::sample::write_kpi_workbook(&path, &names, 3, &months).unwrap();
    path
}

#[test]
fn accounts_list_on_a_new_folder_is_empty_and_creates_a_wal_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let (v, _) = json(&data, &["accounts", "list"]);
    assert_eq!(v, serde_json::json!([]));
    assert!(data.join("tideline.db").exists());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mode: String = rt.block_on(async {
        let pool =
            sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("tideline.db").display()))
                .await
                .unwrap();
        sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap()
    });
    assert_eq!(mode, "wal");
    assert!(data.join("logs").is_dir(), "logs/ lives in the data folder");
}

#[test]
fn settings_round_trip_through_the_store_file() {
    let dir = tempfile::tempdir().unwrap();
    let (v, _) = json(
        dir.path(),
        &["settings", "set", "snapshot.cooldown_seconds", "120"],
    );
    assert_eq!(v["value"], 120);
    let (v, _) = json(
        dir.path(),
        &["settings", "get", "snapshot.cooldown_seconds"],
    );
    assert_eq!(v["value"], 120);
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("settings.json")).unwrap())
            .unwrap();
    assert_eq!(
        file["snapshot.cooldown_seconds"], 120,
        "the same flat keys tauri-plugin-store writes"
    );
    let out = cli(dir.path())
        .args(["settings", "set", "snapshot.cooldown_seconds", "soon"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("snapshot.cooldown_seconds"));
}

#[test]
fn kpi_import_reports_the_contract_fields_and_logs_each_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["TechCorp Solutions", "Acme Corp"]);
    let (v, stderr) = json(dir.path(), &["import", "kpi", file.to_str().unwrap()]);
    for key in [
        "import_id",
        "kind",
        "file",
        "sha256",
        "rows_read",
        "rows_imported",
        "rows_rejected",
        "accounts",
        "rejected",
        "duration_ms",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["rows_read"], 12);
    assert_eq!(v["rows_imported"], 12);
    assert_eq!(
        v["accounts"],
        serde_json::json!(["Acme Corp", "TechCorp Solutions"])
    );
    assert_eq!(
        v["events_processed"]["created"].as_array().map(Vec::len),
        Some(2)
    );
    assert!(
        stderr.contains("✅ Auto-created snapshot 1 for account ")
            && stderr.contains("(trigger: kpi_data_uploaded)"),
        "log lines: {stderr}"
    );
    // stderr is a pipe here, not a terminal: plain text, no colour codes.
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI escape codes on a redirected stderr: {stderr:?}"
    );

    // The same file again changes nothing: no new rows, no events, no snapshots.
    let (again, _) = json(dir.path(), &["import", "kpi", file.to_str().unwrap()]);
    assert_eq!(
        (
            again["rows_new"].as_u64(),
            again["rows_unchanged"].as_u64(),
            again["events"].as_u64()
        ),
        (Some(0), Some(12), Some(0))
    );
    let (list, _) = json(
        dir.path(),
        &["snapshot", "list", "--account", "techcorp  solutions"],
    );
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

#[test]
fn a_second_event_inside_the_cooldown_is_logged_as_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["TechCorp Solutions"]);
    json(dir.path(), &["import", "kpi", file.to_str().unwrap()]);
    let (v, stderr) = json(dir.path(), &["health", "calculate"]);
    assert_eq!(v["events_processed"]["skipped"], 1);
    assert!(
        stderr.contains("Skipping snapshot for account 1 (cooldown: "),
        "{stderr}"
    );
    assert!(stderr.contains("s remaining)"), "{stderr}");
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["TechCorp Solutions"]);
    let (v, _) = json(
        dir.path(),
        &["import", "kpi", file.to_str().unwrap(), "--dry-run"],
    );
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["rows_new"], 6);
    assert_eq!(v["import_id"], Value::Null);
    let (accounts, _) = json(dir.path(), &["accounts", "list"]);
    assert_eq!(accounts, serde_json::json!([]));
}

#[test]
fn a_crash_between_the_import_commit_and_its_snapshot_is_repaired_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["TechCorp Solutions"]);
    let out = cli(dir.path())
        .args(["--json", "import", "kpi", file.to_str().unwrap()])
        .env("TIDELINE_CRASH_AFTER_IMPORT_COMMIT", "1")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the process died after the commit");
    let (accounts, _) = json(dir.path(), &["accounts", "list"]);
    assert_eq!(
        accounts[0]["name"], "TechCorp Solutions",
        "the import itself was committed"
    );
    assert_eq!(
        accounts[0]["last_snapshot_at"],
        Value::Null,
        "but no snapshot was taken"
    );

    let (v, stderr) = json(dir.path(), &["events", "process"]);
    assert_eq!(v["processed"], 1);
    assert_eq!(v["created"].as_array().map(Vec::len), Some(1));
    assert!(stderr.contains("(trigger: kpi_data_uploaded)"));
    let (again, _) = json(dir.path(), &["events", "process"]);
    assert_eq!(again["processed"], 0, "nothing is handled twice");
}

#[test]
fn deferred_events_wait_for_events_process() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["TechCorp Solutions", "Acme Corp"]);
    let (v, _) = json(
        dir.path(),
        &["import", "kpi", file.to_str().unwrap(), "--defer-events"],
    );
    assert_eq!(v["events"], 2);
    assert!(v.get("events_processed").is_none());
    let (p, _) = json(dir.path(), &["events", "process"]);
    assert_eq!(
        (p["processed"].as_u64(), p["skipped"].as_u64()),
        (Some(2), Some(0))
    );
}

#[test]
fn ask_creates_a_snapshot_when_the_account_has_none_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["TechCorp Solutions"]);
    json(
        dir.path(),
        &["import", "kpi", file.to_str().unwrap(), "--defer-events"],
    );
    let (v, stderr) = json(
        dir.path(),
        &[
            "ask",
            "--account",
            "TechCorp Solutions",
            "What's TechCorp's current status?",
        ],
    );
    assert_eq!(v["snapshot_created"], true);
    assert!(v["answer"].as_str().unwrap().contains("TechCorp Solutions"));
    assert!(
        stderr
            .contains("📸 No snapshot found for TechCorp Solutions, creating one automatically..."),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "✓ Auto-created snapshot {} for TechCorp Solutions",
            v["snapshot_id"]
        )),
        "{stderr}"
    );
    let (s, _) = json(
        dir.path(),
        &["snapshot", "show", &v["snapshot_id"].to_string()],
    );
    assert_eq!(
        (s["snapshot_type"].as_str(), s["trigger_event"].as_str()),
        (Some("rag_auto"), Some("rag_query_missing_snapshot"))
    );
}

#[test]
fn snapshot_open_reuses_a_fresh_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["TechCorp Solutions"]);
    json(dir.path(), &["import", "kpi", file.to_str().unwrap()]);
    let (v, _) = json(
        dir.path(),
        &["snapshot", "open", "--account", "TechCorp Solutions"],
    );
    assert_eq!(
        v["created"], false,
        "the import's snapshot is younger than the cooldown"
    );
    for key in [
        "id",
        "account_id",
        "account_name",
        "snapshot_type",
        "trigger_event",
        "created_at",
        "content",
    ] {
        assert!(v["snapshot"].get(key).is_some(), "snapshot lacks {key}");
    }
    let (none, _) = json(
        dir.path(),
        &["settings", "set", "snapshot.cooldown_seconds", "0"],
    );
    assert_eq!(none["value"], 0);
    let (v, _) = json(
        dir.path(),
        &["snapshot", "open", "--account", "TechCorp Solutions"],
    );
    assert_eq!(v["created"], true);
    assert_eq!(v["snapshot"]["snapshot_type"], "manual");
}

#[test]
fn errors_name_the_file_or_account_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("notes.xlsx");
    std::fs::write(&bogus, "just some text, not a workbook").unwrap();
    let out = cli(dir.path())
        .args(["--json", "import", "kpi", bogus.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    // With --json a script reading stdout gets the error as a document too (issue 12).
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    assert!(
        doc["error"]["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{doc}"
    );
    assert!(
        doc["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("notes.xlsx")),
        "{doc}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: notes.xlsx"), "{err}");

    let out = cli(dir.path())
        .args(["snapshot", "latest", "--account", "Nobody Inc"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "without --json, errors go to stderr only"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account named \"Nobody Inc\""));
}

#[test]
fn playbook_lifecycle_ends_in_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["TechCorp Solutions"]);
    json(dir.path(), &["import", "kpi", file.to_str().unwrap()]);
    json(
        dir.path(),
        &["settings", "set", "snapshot.cooldown_seconds", "0"],
    );
    let (started, _) = json(
        dir.path(),
        &[
            "playbook",
            "start",
            "--account",
            "TechCorp Solutions",
            "--playbook",
            "renewal_rescue",
        ],
    );
    let id = started["id"].to_string();
    json(
        dir.path(),
        &["playbook", "step", &id, "1", "--note", "Sponsor confirmed"],
    );
    let (done, _) = json(dir.path(), &["playbook", "complete", &id]);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["steps"][0]["note"], "Sponsor confirmed");
    let created = done["events_processed"]["created"][0].to_string();
    let (s, _) = json(dir.path(), &["snapshot", "show", &created]);
    assert_eq!(s["trigger_event"], "account_data_changed");
}

#[test]
fn import_undo_removes_what_the_import_added_and_refuses_twice() {
    let dir = tempfile::tempdir().unwrap();
    let file = kpi_workbook(dir.path(), &["Acme", "Globex"]);
    let (v, _) = json(dir.path(), &["import", "kpi", file.to_str().unwrap()]);
    let id = v["import_id"].as_i64().expect("import id").to_string();
    // Before the undo, Acme gets a manual snapshot: it goes with the account, as the report says.
    json(dir.path(), &["snapshot", "create", "--account", "Acme"]);
    let out = cli(dir.path())
        .args(["import", "undo", &id])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("12 removed")
            && text.contains(
                "The 2 accounts this import created were removed, with all their snapshots (manual ones too), \
                 health scores, KPI values, playbook runs and activity."
            ),
        "{text}"
    );
    let (accounts, _) = json(dir.path(), &["accounts", "list"]);
    assert_eq!(accounts, serde_json::json!([]));
    let out = cli(dir.path())
        .args(["--json", "import", "undo", &id])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    assert_eq!(doc["error"]["code"], "import_already_undone", "{doc}");
}

#[test]
fn import_undo_of_a_profile_import_puts_the_profile_back() {
    let dir = tempfile::tempdir().unwrap();
    // The same account a month apart: its contract and renewal dates differ.
    let write = |name: &str, today: NaiveDate| {
        let path = dir.path().join(name);
        tideline_core::sample::write_profile_workbook(&path, &["Acme".to_string()], today).unwrap();
        path
    };
    let first = write("first.xlsx", NaiveDate::from_ymd_opt(2025, 1, 15).unwrap());
    let second = write("second.xlsx", NaiveDate::from_ymd_opt(2025, 2, 15).unwrap());
    json(dir.path(), &["import", "profile", first.to_str().unwrap()]);
    let (before, _) = json(dir.path(), &["accounts", "list"]);
    let (v, _) = json(dir.path(), &["import", "profile", second.to_str().unwrap()]);
    let id = v["import_id"].as_i64().expect("import id").to_string();
    let (changed, _) = json(dir.path(), &["accounts", "list"]);
    assert_ne!(changed[0]["profile"], before[0]["profile"]);

    let (undo, _) = json(dir.path(), &["import", "undo", &id]);
    assert_eq!(undo["accounts_restored"], 1);
    assert_eq!(undo["accounts_removed"], 0);
    assert!(undo.get("notice").is_none(), "{undo}");
    assert_eq!(
        undo["events_processed"]["items"][0]["trigger_event"], "account_data_changed",
        "{undo}"
    );
    let (after, _) = json(dir.path(), &["accounts", "list"]);
    assert_eq!(after[0]["profile"], before[0]["profile"]);
}
