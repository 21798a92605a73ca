//! The data stays the user's, in the real window: back up and restore from Settings, export the filtered Health
//! table. The native save/open dialogs answer through `TIDELINE_TEST_DIALOG_ANSWERS` (WebDriver cannot reach them).

use std::path::Path;
use std::time::{Duration, Instant};

use calamine::{open_workbook_auto, Data, Reader};

use crate::harness::{App, APP};

fn answer(answers: &Path, purpose: &str, path: &Path) {
    std::fs::write(answers.join(purpose), path.to_str().expect("utf-8 path"))
        .expect("answer written");
}

async fn wait_file(path: &Path) {
    let started = Instant::now();
    while !path.is_file() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{} was not written",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn account_names(data_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = App::cli(data_dir, &["accounts", "list"])
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn back_up_restore_and_export_the_filtered_table_from_the_window() {
    let dir = App::data_dir();
    App::cli(dir.path(), &["sample", "load"]);
    let before = account_names(dir.path());
    let answers = tempfile::tempdir().expect("answers folder");
    let out = tempfile::tempdir().expect("output folder");
    let backup = out.path().join("before.tideline-backup");
    let xlsx = out.path().join("filtered.xlsx");
    answer(answers.path(), "backup_save", &backup);
    answer(answers.path(), "backup_open", &backup);
    answer(answers.path(), "xlsx_save", &xlsx);
    let app = App::launch_env(
        APP,
        dir,
        &[],
        &[("TIDELINE_TEST_DIALOG_ANSWERS", answers.path())],
    )
    .await;
    app.wait_count("[data-testid='account-row']", 10).await;

    // Export what the table shows after a search: the same accounts, in the same order.
    app.wait_for("[data-testid='account-search']")
        .await
        .send_keys("corp")
        .await
        .expect("typed");
    let started = Instant::now();
    let shown = loop {
        let mut names = Vec::new();
        for row in app.find_all("[data-testid='account-row']").await {
            names.push(
                row.attr("data-account-name")
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            );
        }
        if !names.is_empty()
            && names.len() < before.len()
            && names.iter().all(|n| n.to_lowercase().contains("corp"))
        {
            break names;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the search did not filter: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    app.click("[data-testid='export-table']").await;
    wait_file(&xlsx).await;
    let mut wb = open_workbook_auto(&xlsx).expect("the export opens");
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).expect("a sheet");
    let exported: Vec<String> = range
        .rows()
        .skip(1)
        .filter_map(|r| match r.first() {
            Some(Data::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(exported.len(), shown.len(), "{exported:?} vs {shown:?}");
    for (name, row) in exported.iter().zip(&shown) {
        assert!(
            row.starts_with(name.as_str()),
            "row {row:?} is not {name:?}"
        );
    }

    // Back up from Settings, change the data, restore: the change is gone.
    app.click("[data-testid='nav-settings']").await;
    app.click("[data-testid='backup-now']").await;
    wait_file(&backup).await;
    let extra = out.path().join("zeta.xlsx");
    let months = [chrono::Utc::now().date_naive()];
    tideline_core::sample::write_kpi_workbook(&extra, &["Zeta Corp".to_string()], 2, &months)
        .expect("workbook written");
    App::cli(
        app.data_dir.path(),
        &["import", "kpi", extra.to_str().expect("utf-8")],
    );
    assert!(account_names(app.data_dir.path()).contains(&"Zeta Corp".to_string()));

    app.click("[data-testid='restore-choose']").await;
    app.click("[data-testid='restore-confirm-yes']").await;
    let started = Instant::now();
    while account_names(app.data_dir.path()) != before {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the restore did not bring the data back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The window reloaded onto the restored data.
    app.wait_for("body[data-ready='true']").await;
    app.click("[data-testid='nav-health']").await;
    app.wait_count("[data-testid='account-row']", 10).await;
    app.close().await;
}
