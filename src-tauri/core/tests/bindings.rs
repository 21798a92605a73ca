//! The UI's TypeScript types are generated from these Rust types (ts-rs) and checked in under
//! `ui/src/api/bindings/`. This test fails when a checked-in file is stale, missing or left over;
//! `TIDELINE_UPDATE_BINDINGS=1 cargo test -p tideline-core --test bindings` rewrites them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use tideline_core::error::ErrorCode;
use tideline_core::model::*;
use tideline_core::ErrorPayload;
use ts_rs::{Config, TS};

macro_rules! generate {
    ($cfg:expr; $($t:ty),* $(,)?) => {{
        let mut files = BTreeMap::new();
        $(
            let path = <$t as TS>::output_path().expect("exportable type");
            files.insert(path, <$t as TS>::export_to_string($cfg).expect("generates"));
        )*
        files
    }};
}

#[test]
fn checked_in_typescript_bindings_match_the_rust_types() {
    // i64 ids and counts stay far below 2^53, so they cross as plain numbers.
    let cfg = Config::new().with_large_int("number");
    let files = generate!(&cfg;
        AccountPage, AccountQuery, AccountRow, AccountSort, ActivityItem, AskAnswer, Band, CategoryScore,
        ChangeSummary, DiffEntry, Direction, ErrorPayload, ExecutionStatus, FileProbe, HealthRecord,
        HealthRunReport, HealthState, ImportBrief, ImportKind, ImportListItem, ImportProgress, ImportReport,
        KpiDriver, KpiPoint, KpiState, Overview, Playbook, PlaybookExecution, PlaybookSuggestion, ProcessReport, Profile,
        Rejection, Settings, SkippedSheet, Snapshot, SnapshotAccount, SnapshotContent, SnapshotDiff,
        SnapshotListItem, SnapshotOpen, SnapshotType, StepResult, Superseded, TrendPoint,
        AskMode, AskSettings, LlmApi, AppInfo,
        BackupInfo, BackupSettings, EvidencePack, ExportReport, RestoreReport, TableCount,
        AskAccount, AskClaim, AskDelta, AskIntent, AskPeriod, ErrorCode,
        UndoReport,
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/api/bindings");
    if std::env::var_os("TIDELINE_UPDATE_BINDINGS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).expect("bindings folder");
        for entry in std::fs::read_dir(&dir).expect("read bindings").flatten() {
            if entry.path().extension().is_some_and(|e| e == "ts") {
                std::fs::remove_file(entry.path()).expect("remove old binding");
            }
        }
        for (path, text) in &files {
            std::fs::write(dir.join(path), text).expect("write binding");
        }
        return;
    }
    let mut problems = Vec::new();
    for (path, text) in &files {
        match std::fs::read_to_string(dir.join(path)) {
            Ok(current) if current == *text => {}
            Ok(_) => problems.push(format!("{} is stale", path.display())),
            Err(_) => problems.push(format!("{} is missing", path.display())),
        }
    }
    for entry in std::fs::read_dir(&dir).expect("read bindings").flatten() {
        let name = PathBuf::from(entry.file_name());
        if name.extension().is_some_and(|e| e == "ts") && !files.contains_key(&name) {
            problems.push(format!(
                "{} is left over from a type that no longer exists",
                name.display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "TypeScript bindings are out of date ({}); run TIDELINE_UPDATE_BINDINGS=1 cargo test -p tideline-core --test bindings",
        problems.join(", ")
    );
}
