//! A long review keeps the window's memory steady: walking 500 accounts one after another with ↓ in the account
//! panel leaves the whole window (the app process and its WebKit processes) within 40 MB of where it started,
//! once the per-account caches have expired.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::key::Key;

use crate::harness::App;

const ACCOUNTS: usize = 540;
const WALK: usize = 500;
const ALLOWED_GROWTH_KB: u64 = 40 * 1024;

/// The processes of the window opened on `data_dir`: the app (found by its `--data-dir`) and its children.
fn window_processes(data_dir: &Path) -> Vec<u32> {
    let wanted = data_dir.to_string_lossy().into_owned();
    let procs: Vec<(u32, u32, String)> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            Some((
                pid,
                ppid,
                String::from_utf8_lossy(&cmdline).replace('\0', " "),
            ))
        })
        .collect();
    let mut found: Vec<u32> = procs
        .iter()
        .filter(|(_, _, cmd)| {
            cmd.contains("--data-dir") && cmd.contains(&wanted) && !cmd.contains("tideline-cli")
        })
        .map(|(pid, _, _)| *pid)
        .collect();
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            procs
                .iter()
                .filter(|(_, ppid, _)| *ppid == parent)
                .map(|(pid, _, _)| *pid),
        );
        i += 1;
    }
    found
}

/// Proportional set size of each of the window's processes (name, KiB).
fn window_pss(data_dir: &Path) -> Vec<(String, u64)> {
    let pids = window_processes(data_dir);
    assert!(
        pids.len() >= 2,
        "the app and its web process are running: {pids:?}"
    );
    pids.iter()
        .filter_map(|pid| {
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            let kb = rollup
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())?;
            Some((name.trim().to_string(), kb))
        })
        .collect()
}

/// The window's processes together, in KiB.
fn window_pss_kb(data_dir: &Path) -> u64 {
    let each = window_pss(data_dir);
    eprintln!("PSS: {each:?}");
    each.iter().map(|(_, kb)| kb).sum()
}

async fn press_down_and_wait(app: &App, from: &str) -> String {
    let down = String::from(char::from(Key::Down));
    app.client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(&down)
        .await
        .expect("key sent");
    app.wait_text("[data-testid='panel-account-name']", |t| {
        !t.is_empty() && t != from
    })
    .await
}

/// Settles memory: the caches' 30 s expiry, then time for the web process to collect and return pages.
async fn settled_pss_kb(data_dir: &Path, wait: Duration) -> u64 {
    tokio::time::sleep(wait).await;
    // The lowest of a few readings: a reading can catch a collection half-way.
    let mut lowest = u64::MAX;
    for _ in 0..5 {
        lowest = lowest.min(window_pss_kb(data_dir));
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    lowest
}

/// About 3 minutes. Measured 2026-12-06 (debug build, Xvfb, 2 cores): 287–296 MB before, 328–340 MB right after the
/// walk, 12–20 MB more once settled. What it took: the panel stays mounted from one account to the next (WebKit
/// keeps memory for every element inserted and removed), idle SQLite page caches are emptied every 30 s, and the
/// JavaScript engine's optimizing tiers are off (their code and profiles grew the web process 15–20 MB a walk).
#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver"]
async fn walking_500_accounts_in_the_panel_keeps_the_window_memory_steady() {
    let dir = App::data_dir();
    let files = tempfile::tempdir().expect("a folder for the workbook");
    let file = files.path().join("portfolio.xlsx");
    let accounts: Vec<String> = (0..ACCOUNTS).map(|i| format!("Account {i:04}")).collect();
    let months: Vec<chrono::NaiveDate> = (7..=10)
        .map(|m| chrono::NaiveDate::from_ymd_opt(2026, m, 1).expect("a date"))
        .collect();
    tideline_core::sample::write_kpi_workbook(&file, &accounts, 6, &months).expect("workbook");
    App::cli(
        dir.path(),
        &["import", "kpi", file.to_str().expect("utf-8")],
    );
    let data_dir = dir.path().to_path_buf();

    let launched = Instant::now();
    let app = App::launch(dir).await;
    eprintln!(
        "first data on screen {:.2} s after launch",
        launched.elapsed().as_secs_f64()
    );
    app.wait_count("[data-testid='account-row']", 10).await;
    app.click("[data-testid='account-row'] [data-testid='account-name']")
        .await;
    let mut name = app
        .wait_text("[data-testid='panel-account-name']", |t| !t.is_empty())
        .await;
    // Warm up (fonts, code paths, the first pages of the table), then take the starting point.
    for _ in 0..20 {
        name = press_down_and_wait(&app, &name).await;
    }
    let before = settled_pss_kb(&data_dir, Duration::from_secs(40)).await;

    let started = Instant::now();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..WALK {
        name = press_down_and_wait(&app, &name).await;
        seen.insert(name.clone());
    }
    let walked = started.elapsed();
    assert_eq!(seen.len(), WALK, "every ↓ opened another account");
    let peak = window_pss_kb(&data_dir);
    let after = settled_pss_kb(&data_dir, Duration::from_secs(60)).await;
    eprintln!(
        "window memory (PSS): {} MB before, {} MB right after walking {WALK} accounts in {:.0} s, {} MB settled",
        before / 1024,
        peak / 1024,
        walked.as_secs_f64(),
        after / 1024
    );
    assert!(
        after <= before + ALLOWED_GROWTH_KB,
        "the window grew by {} MB over a {WALK}-account walk (allowed: {} MB)",
        (after.saturating_sub(before)) / 1024,
        ALLOWED_GROWTH_KB / 1024
    );
    app.close().await;
}
