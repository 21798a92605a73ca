//! End-to-end tests of the real Tideline window (WebKitGTK under Xvfb, driven over WebDriver through
//! tauri-driver). Run by `.ci/run`: `cargo test -p tideline --test e2e -- --ignored --test-threads=1`.

mod ask;
mod data;
mod desktop;
mod harness;
mod memory;

use std::time::Duration;

use harness::App;

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn first_run_invites_to_drop_a_file_or_load_samples() {
    let app = App::launch(App::data_dir()).await;
    app.wait_for("[data-testid='first-run']").await;
    app.wait_for("[data-testid='load-sample']").await;
    for nav in [
        "nav-health",
        "nav-imports",
        "nav-playbooks",
        "nav-activity",
        "nav-settings",
    ] {
        app.wait_for(&format!("[data-testid='{nav}']")).await;
    }
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn load_sample_data_fills_the_health_table() {
    let app = App::launch(App::data_dir()).await;
    app.click("[data-testid='load-sample']").await;
    app.wait_count("[data-testid='account-row']", 10).await;
    app.wait_text("[data-testid='summary-accounts']", |t| t.contains("36"))
        .await;
    let accounts = App::cli(app.data_dir.path(), &["accounts", "list"]);
    assert_eq!(
        accounts.as_array().map(Vec::len),
        Some(36),
        "the CLI sees the same 36 accounts"
    );
    assert!(
        accounts[0]["health_score"].is_number(),
        "sample data arrives with health scores"
    );
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn clicking_an_account_takes_a_manual_snapshot_and_a_second_click_reuses_it() {
    let dir = App::data_dir();
    let profile = dir.path().join("profiles.xlsx");
    let names = vec![
        "Harbour Freight".to_string(),
        "<img src=x onerror=alert(1)>".to_string(),
    ];
    let today = chrono::Utc::now().date_naive();
    tideline_core::sample::write_profile_workbook(&profile, &names, today)
        .expect("fixture written");
    // A short cooldown, so the import's own snapshots are out of the window by the time we click.
    App::cli(
        dir.path(),
        &["settings", "set", "snapshot.cooldown_seconds", "4"],
    );
    App::cli(
        dir.path(),
        &["import", "profile", profile.to_str().expect("utf-8")],
    );
    let loaded = std::time::Instant::now();
    let app = App::launch(dir).await;

    // The hostile name is shown as text, never as markup.
    let hostile = "[data-testid='account-row'][data-account-name='<img src=x onerror=alert(1)>']";
    let name = app
        .wait_text(&format!("{hostile} [data-testid='account-name']"), |t| {
            !t.is_empty()
        })
        .await;
    assert_eq!(
        name, "<img src=x onerror=alert(1)>",
        "the name is shown literally"
    );
    assert!(
        app.find_all("[data-testid='account-table'] img")
            .await
            .is_empty(),
        "no <img> was injected"
    );

    if let Some(wait) = Duration::from_secs(5).checked_sub(loaded.elapsed()) {
        tokio::time::sleep(wait).await;
    }
    app.click("[data-testid='account-row'][data-account-name='Harbour Freight'] [data-testid='account-name']").await;
    app.wait_for("[data-testid='account-panel']").await;
    assert_eq!(
        app.text("[data-testid='snapshot-type']").await.trim(),
        "manual"
    );
    let created = app.wait_for("[data-testid='snapshot-created']").await;
    assert_eq!(
        created.attr("data-created").await.ok().flatten().as_deref(),
        Some("true")
    );
    let id = app
        .text("[data-testid='snapshot-id']")
        .await
        .trim()
        .to_string();

    let latest = App::cli(
        app.data_dir.path(),
        &["snapshot", "latest", "--account", "Harbour Freight"],
    );
    assert_eq!(
        latest["id"].to_string(),
        id,
        "the CLI sees the snapshot the click made"
    );
    assert_eq!(latest["snapshot_type"], "manual");
    assert_eq!(
        latest["trigger_event"],
        "User clicked account in Health tab"
    );

    // Inside the cooldown a second click shows the same snapshot instead of taking another.
    app.click("[data-testid='panel-close']").await;
    app.click("[data-testid='account-row'][data-account-name='Harbour Freight'] [data-testid='account-name']").await;
    app.wait_for("[data-testid='account-panel']").await;
    let reused = app.wait_for("[data-testid='snapshot-created']").await;
    assert_eq!(
        reused.attr("data-created").await.ok().flatten().as_deref(),
        Some("false")
    );
    assert_eq!(app.text("[data-testid='snapshot-id']").await.trim(), id);
    let list = App::cli(
        app.data_dir.path(),
        &["snapshot", "list", "--account", "Harbour Freight"],
    );
    let manual = list
        .as_array()
        .map(|l| l.iter().filter(|s| s["snapshot_type"] == "manual").count());
    assert_eq!(
        manual,
        Some(1),
        "one manual snapshot for two clicks inside the cooldown"
    );
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn a_dropped_kpi_workbook_is_previewed_then_imported() {
    let dir = App::data_dir();
    let file = dir.path().join("q3-kpis.xlsx");
    let accounts = vec![
        "Northwind Traders".to_string(),
        "Contoso Retail".to_string(),
    ];
    let months = [chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("a date")];
    tideline_core::sample::write_kpi_workbook(&file, &accounts, 4, &months)
        .expect("fixture written");
    let app = App::launch(dir).await;

    // WebDriver cannot synthesise an OS file drop, so the test calls exactly what the window's drop handler
    // calls with the dropped paths.
    let path = file.to_str().expect("utf-8").to_string();
    app.client
        .execute(
            "window.__tideline.dropPaths(arguments[0]); return true;",
            vec![serde_json::json!([path])],
        )
        .await
        .expect("the drop handler runs");
    app.wait_for("[data-testid='import-preview']").await;
    app.wait_text("[data-testid='preview-new']", |t| t.contains('8'))
        .await;
    assert_eq!(
        App::cli(app.data_dir.path(), &["accounts", "list"])
            .as_array()
            .map(Vec::len),
        Some(0),
        "preview writes nothing"
    );

    app.click("[data-testid='import-confirm']").await;
    app.wait_text("[data-testid='report-imported']", |t| t.contains('8'))
        .await;
    app.click("[data-testid='nav-health']").await;
    app.wait_count("[data-testid='account-row']", 2).await;
    let list = App::cli(app.data_dir.path(), &["accounts", "list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert!(
        list.as_array()
            .is_some_and(|a| a.iter().all(|r| r["health_score"].is_number())),
        "the import rescored the accounts it touched: {list}"
    );
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn calculating_health_shows_bands_and_a_completed_playbook_takes_a_snapshot() {
    let dir = App::data_dir();
    let file = dir.path().join("kpis.xlsx");
    let accounts = vec![
        "Northwind Traders".to_string(),
        "Contoso Retail".to_string(),
    ];
    let months = [
        chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("a date"),
        chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date"),
    ];
    tideline_core::sample::write_kpi_workbook(&file, &accounts, 11, &months)
        .expect("fixture written");
    App::cli(
        dir.path(),
        &["settings", "set", "snapshot.cooldown_seconds", "0"],
    );
    App::cli(
        dir.path(),
        &["import", "kpi", file.to_str().expect("utf-8")],
    );
    let app = App::launch(dir).await;

    app.wait_count("[data-testid='account-row']", 2).await;
    app.wait_text("[data-testid='account-score']", |t| {
        t.contains("Not scored")
    })
    .await;
    app.click("[data-testid='calculate-health']").await;
    let score = app
        .wait_text("[data-testid='account-score']", |t| {
            ["Healthy", "At risk", "Critical"]
                .iter()
                .any(|b| t.contains(b))
        })
        .await;
    assert!(
        score.chars().any(|c| c.is_ascii_digit()),
        "a score with its band: {score:?}"
    );
    let listed = App::cli(app.data_dir.path(), &["accounts", "list"]);
    assert!(
        listed[0]["band"].is_string(),
        "the CLI sees the scores the window calculated"
    );

    let id = listed
        .as_array()
        .and_then(|l| l.iter().find(|a| a["name"] == "Northwind Traders"))
        .map(|a| a["id"].to_string())
        .expect("Northwind is listed");
    app.click("[data-testid='nav-playbooks']").await;
    app.click(&format!(
        "[data-testid='playbook-account-select'] option[value='{id}']"
    ))
    .await;
    app.click("[data-testid='playbook-card'][data-playbook-key='voc_sprint'] [data-testid='start-playbook']").await;
    app.wait_for("[data-testid='execution'][data-status='in_progress']")
        .await;
    app.click(
        "[data-testid='execution'][data-status='in_progress'] [data-testid='complete-playbook']",
    )
    .await;
    app.wait_for("[data-testid='execution'][data-status='completed']")
        .await;

    // The app's own subscriber turns ACCOUNT_DATA_CHANGED into a snapshot (cooldown 0 here).
    let started = std::time::Instant::now();
    loop {
        let latest = App::cli(
            app.data_dir.path(),
            &["snapshot", "latest", "--account", "Northwind Traders"],
        );
        let done = latest["trigger_event"] == "account_data_changed"
            && latest["content"]["playbooks"][0]["status"] == "completed";
        if done {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no snapshot after the playbook: {latest}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    app.close().await;
}
