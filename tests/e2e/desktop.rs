//! Behaving like a desktop app: a workbook given on the command line (a double-click, "Open with") opens its import
//! preview; a second start on the same data folder hands its workbook to the running window instead of opening a
//! second one; the window's size survives a restart.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{App, APP};

fn kpi_workbook(dir: &Path, name: &str) -> PathBuf {
    let file = dir.join(name);
    let accounts = vec![
        "Northwind Traders".to_string(),
        "Contoso Retail".to_string(),
    ];
    let months = [chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("a date")];
    tideline_core::sample::write_kpi_workbook(&file, &accounts, 4, &months)
        .expect("fixture written");
    file
}

/// What `.ci/smoke-package` runs against the installed package (`TIDELINE_APP=/usr/bin/tideline`); here, the
/// built app.
pub async fn a_workbook_on_the_command_line_is_previewed(binary: &str) {
    let dir = App::data_dir();
    let files = tempfile::tempdir().expect("a folder for the workbook");
    let file = kpi_workbook(files.path(), "opened-by-double-click.xlsx");
    let app = App::launch_with(binary, dir, &[file.to_str().expect("utf-8")]).await;
    app.wait_for("[data-testid='import-preview']").await;
    app.wait_text("[data-testid='import-preview']", |t| {
        t.contains("opened-by-double-click.xlsx")
    })
    .await;
    app.wait_text("[data-testid='preview-new']", |t| t.contains('8'))
        .await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn a_workbook_given_on_the_command_line_opens_its_import_preview() {
    a_workbook_on_the_command_line_is_previewed(APP).await;
}

#[tokio::test]
#[ignore = "needs the installed package: run through .ci/smoke-package (.ci/run skips it in the e2e step)"]
async fn the_installed_package_previews_a_workbook_given_on_the_command_line() {
    let binary = std::env::var("TIDELINE_APP")
        .expect("TIDELINE_APP names the installed app (.ci/smoke-package sets it)");
    a_workbook_on_the_command_line_is_previewed(&binary).await;
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn a_second_start_hands_its_workbook_to_the_running_window() {
    let app = App::launch(App::data_dir()).await;
    app.wait_for("[data-testid='first-run']").await;
    let files = tempfile::tempdir().expect("a folder for the workbook");
    kpi_workbook(files.path(), "second-start.xlsx");

    // Started from the workbook's folder with a relative path, as a file manager or a terminal would.
    let mut second = Command::new(APP)
        .current_dir(files.path())
        .arg("--data-dir")
        .arg(app.data_dir.path())
        .arg("second-start.xlsx")
        .spawn()
        .expect("a second start runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait().expect("wait for the second start") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = second.kill();
            panic!("the second start did not hand over and exit within 20 s: two windows on one data folder");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second start exits cleanly: {status}");

    app.wait_text("[data-testid='import-preview']", |t| {
        t.contains("second-start.xlsx")
    })
    .await;
    app.wait_text("[data-testid='preview-new']", |t| t.contains('8'))
        .await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn the_window_size_survives_a_restart() {
    let app = App::launch(App::data_dir()).await;
    app.client
        .set_window_size(1040, 720)
        .await
        .expect("the window can be resized");
    let (w, h) = app.client.get_window_size().await.expect("window size");
    assert_eq!((w, h), (1040, 720), "the resize took effect");
    // The size is saved shortly after a resize ends, not only on a clean exit.
    let state = app.data_dir.path().join("window-state.json");
    let started = Instant::now();
    while !std::fs::read_to_string(&state).is_ok_and(|t| t.contains("1040")) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "window-state.json never recorded the new size"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dir = app.close_keeping_data().await;

    let again = App::launch(dir).await;
    let size = again.client.get_window_size().await.expect("window size");
    assert_eq!(
        size,
        (1040, 720),
        "the window reopens at the size it was left"
    );
    again.close().await;
}
