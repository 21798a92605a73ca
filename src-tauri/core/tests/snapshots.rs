//! The snapshot rules of PRODUCT.md §3 and every timing example of the seed note, on a real database with a
//! clock the test moves.

mod common;

use common::{at, kpi_file, open_at, profile_file};
use tideline_core::model::{ImportKind, SnapshotType};
use tideline_core::snapshot::{CLICK_TRIGGER, RAG_TRIGGER};

const TECHCORP: &str = "TechCorp Solutions";

/// Imports a one-row profile workbook for TechCorp (its events are left pending).
async fn import_techcorp_profile(t: &common::TestApp) -> tideline_core::model::ImportReport {
    let profiles = t.path("profiles.xlsx");
    profile_file(&profiles, &[(TECHCORP, "Dana Whitfield", 98000.0)]);
    t.import(&profiles, ImportKind::Profile).await
}

#[tokio::test]
async fn kpi_upload_creates_an_event_driven_snapshot() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    kpi_file(
        &file,
        &[(TECHCORP, "Active Users", 420.0, 500.0, "2025-01")],
    );
    let report = t.import(&file, ImportKind::Kpi).await;
    assert_eq!(
        report.events, 1,
        "one KPI_DATA_UPLOADED for the one account"
    );

    let processed = t.app.process_events().await.unwrap();
    assert_eq!(processed.processed, 1);
    assert_eq!(processed.created.len(), 1);
    let snap = t.app.get_snapshot(processed.created[0]).await.unwrap();
    assert_eq!(snap.account_name, TECHCORP);
    assert_eq!(snap.snapshot_type, SnapshotType::EventDriven);
    assert_eq!(snap.trigger_event, "kpi_data_uploaded");
    assert_eq!(snap.content.kpis[0].name, "Active Users");
    assert_eq!(snap.content.kpis[0].status, "off_target");
    assert!(
        t.app.verify_snapshot(snap.id).await.unwrap(),
        "the stored document matches its SHA-256"
    );
}

/// Seed, "Cooldown Protection" and Scenario 2: 10:00 KPI upload → created; 10:02 health update → skipped with
/// 180 s left; 10:05 playbook completes → skipped; 10:06 profile update → created; 10:10 click → reuses.
/// The 10:00 snapshot is taken at 10:00:30 (the minute the seed names), so 10:05:00 is inside its window.
#[tokio::test]
async fn seed_cooldown_timeline_from_ten_to_ten_past_ten() {
    let t = open_at(at(10, 0, 0)).await;
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[(TECHCORP, "Active Users", 520.0, 500.0, "2025-01")],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    t.set_time(at(10, 0, 30));
    let first = t.app.process_events().await.unwrap();
    assert_eq!(
        first.created.len(),
        1,
        "10:00 KPI upload → snapshot created"
    );
    let account = t.account_id(TECHCORP).await;

    t.set_time(at(10, 2, 30));
    let health = t.app.calculate_health(None, None).await.unwrap();
    assert_eq!(health.events, 1);
    let second = t.app.process_events().await.unwrap();
    assert_eq!(
        (second.created.len(), second.skipped),
        (0, 1),
        "10:02 health update → skipped"
    );
    assert_eq!(second.items[0].cooldown_remaining_seconds, Some(180));

    t.set_time(at(10, 5, 0));
    let exec = t.app.start_playbook(account, "voc_sprint").await.unwrap();
    t.app.complete_playbook(exec.id).await.unwrap();
    let third = t.app.process_events().await.unwrap();
    assert_eq!(
        (third.created.len(), third.skipped),
        (0, 1),
        "10:05 playbook completes → skipped"
    );
    assert_eq!(third.items[0].cooldown_remaining_seconds, Some(30));

    t.set_time(at(10, 6, 0));
    let profiles = t.path("profiles.xlsx");
    profile_file(&profiles, &[(TECHCORP, "Dana Whitfield", 120000.0)]);
    t.import(&profiles, ImportKind::Profile).await;
    let fourth = t.app.process_events().await.unwrap();
    assert_eq!(
        fourth.created.len(),
        1,
        "10:06 profile update → created, cooldown expired"
    );
    let snap = t.app.get_snapshot(fourth.created[0]).await.unwrap();
    assert_eq!(snap.trigger_event, "account_data_changed");
    assert!(
        snap.content
            .changes
            .lines
            .iter()
            .any(|l| l.starts_with("profile.owner")),
        "{:?}",
        snap.content.changes
    );

    t.set_time(at(10, 10, 0));
    let open = t.app.open_account(account).await.unwrap();
    assert!(!open.created, "10:10 click → uses the 10:06 snapshot");
    assert_eq!(open.snapshot.id, snap.id);
    assert_eq!(open.cooldown_remaining_seconds, 60);
    assert_eq!(t.count("SELECT COUNT(*) FROM snapshots").await, 2);
}

#[tokio::test]
async fn at_exactly_the_cooldown_a_snapshot_is_created() {
    let t = open_at(at(10, 0, 0)).await;
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[(TECHCORP, "Active Users", 520.0, 500.0, "2025-01")],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    t.app.process_events().await.unwrap();

    t.set_time(at(10, 4, 59));
    t.app.calculate_health(None, None).await.unwrap();
    let r = t.app.process_events().await.unwrap();
    assert_eq!(
        (r.created.len(), r.items[0].cooldown_remaining_seconds),
        (0, Some(1))
    );

    let kpis2 = t.path("kpis2.xlsx");
    kpi_file(
        &kpis2,
        &[(TECHCORP, "Active Users", 530.0, 500.0, "2025-01")],
    );
    t.set_time(at(10, 5, 0));
    t.import(&kpis2, ImportKind::Kpi).await;
    let r = t.app.process_events().await.unwrap();
    assert_eq!(r.created.len(), 1, "300 s after the last snapshot: created");
}

/// Seed, Scenario 1: a new account's day, one snapshot per step.
#[tokio::test]
async fn new_account_setup_day() {
    let t = open_at(at(9, 0, 0)).await;
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[(TECHCORP, "Active Users", 300.0, 500.0, "2025-01")],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    let s1 = t.app.process_events().await.unwrap().created;

    t.set_time(at(9, 30, 0));
    import_techcorp_profile(&t).await;
    let s2 = t.app.process_events().await.unwrap().created;

    t.set_time(at(10, 0, 0));
    t.app.calculate_health(None, None).await.unwrap();
    let s3 = t.app.process_events().await.unwrap().created;

    t.set_time(at(14, 0, 0));
    let account = t.account_id(TECHCORP).await;
    let open = t.app.open_account(account).await.unwrap();
    assert!(open.created);

    let list = t.app.list_snapshots(account, 10).await.unwrap();
    let got: Vec<(i64, SnapshotType, &str)> = list
        .iter()
        .rev()
        .map(|s| (s.id, s.snapshot_type, s.trigger_event.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (s1[0], SnapshotType::EventDriven, "kpi_data_uploaded"),
            (s2[0], SnapshotType::EventDriven, "account_data_changed"),
            (s3[0], SnapshotType::EventDriven, "health_scores_updated"),
            (open.snapshot.id, SnapshotType::Manual, CLICK_TRIGGER),
        ]
    );
    assert_eq!(
        got.iter().map(|g| g.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4],
        "ids are global and increasing"
    );
}

/// Seed, Scenario 3: a question about an account without a snapshot creates one (rag_auto); the next reuses it.
#[tokio::test]
async fn asking_creates_a_rag_auto_snapshot_only_when_there_is_none() {
    let t = open_at(at(15, 0, 0)).await;
    let report = import_techcorp_profile(&t).await;
    assert_eq!(report.events, 1);
    // Events left pending: the account has no snapshot yet.
    let account = t.account_id(TECHCORP).await;
    let first = t
        .app
        .ask(Some(account), "What's TechCorp's current status?")
        .await
        .unwrap();
    assert!(first.snapshot_created);
    let snap = t
        .app
        .get_snapshot(first.snapshot_id.unwrap())
        .await
        .unwrap();
    assert_eq!(
        (snap.snapshot_type, snap.trigger_event.as_str()),
        (SnapshotType::RagAuto, RAG_TRIGGER)
    );
    assert!(first.answer.contains(TECHCORP), "{}", first.answer);
    assert!(
        first.answer.contains(&format!("#{}", snap.id)),
        "the answer names its snapshot: {}",
        first.answer
    );

    t.set_time(at(15, 5, 0));
    let second = t
        .app
        .ask(Some(account), "Show me TechCorp's status")
        .await
        .unwrap();
    assert!(!second.snapshot_created);
    assert_eq!(second.snapshot_id, first.snapshot_id);
}

#[tokio::test]
async fn manual_snapshots_bypass_the_cooldown() {
    let t = open_at(at(10, 0, 0)).await;
    import_techcorp_profile(&t).await;
    t.app.process_events().await.unwrap();
    let account = t.account_id(TECHCORP).await;
    t.set_time(at(10, 0, 1));
    let a = t
        .app
        .create_snapshot(account, SnapshotType::Manual, None)
        .await
        .unwrap();
    let b = t
        .app
        .create_snapshot(account, SnapshotType::Manual, Some("Before QBR"))
        .await
        .unwrap();
    assert!(b.id > a.id);
    assert_eq!(b.trigger_event, "Before QBR");
    assert_eq!(t.count("SELECT COUNT(*) FROM snapshots").await, 3);
}

#[tokio::test]
async fn the_cooldown_comes_from_the_settings_file() {
    let t = open_at(at(10, 0, 0)).await;
    t.app
        .settings_store()
        .set("snapshot.cooldown_seconds", "60")
        .unwrap();
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[(TECHCORP, "Active Users", 520.0, 500.0, "2025-01")],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    t.app.process_events().await.unwrap();
    t.set_time(at(10, 1, 0));
    t.app.calculate_health(None, None).await.unwrap();
    assert_eq!(
        t.app.process_events().await.unwrap().created.len(),
        1,
        "60 s cooldown has passed"
    );
}

#[tokio::test]
async fn a_click_says_how_many_changes_were_skipped_since_its_snapshot() {
    let t = open_at(at(10, 0, 0)).await;
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[(TECHCORP, "Active Users", 520.0, 500.0, "2025-01")],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    t.app.process_events().await.unwrap();
    let account = t.account_id(TECHCORP).await;
    t.set_time(at(10, 1, 0));
    t.app.calculate_health(None, None).await.unwrap();
    t.app.process_events().await.unwrap();
    t.set_time(at(10, 2, 0));
    let exec = t
        .app
        .start_playbook(account, "expansion_play")
        .await
        .unwrap();
    t.app.complete_playbook(exec.id).await.unwrap();
    t.app.process_events().await.unwrap();

    t.set_time(at(10, 3, 0));
    let open = t.app.open_account(account).await.unwrap();
    assert!(!open.created);
    assert_eq!(
        open.changes_since, 2,
        "the health update and the playbook were skipped"
    );
    assert_eq!(open.cooldown_remaining_seconds, 120);
}

#[tokio::test]
async fn many_events_for_one_account_at_once_make_exactly_one_snapshot() {
    let t = open_at(at(10, 0, 0)).await;
    import_techcorp_profile(&t).await;
    let account = t.account_id(TECHCORP).await;
    // Twenty completed playbooks: twenty ACCOUNT_DATA_CHANGED events, then twenty subscribers race for them.
    for _ in 0..20 {
        let e = t.app.start_playbook(account, "voc_sprint").await.unwrap();
        t.app.complete_playbook(e.id).await.unwrap();
    }
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let app = t.app.clone();
        tasks.push(tokio::spawn(async move { app.process_events().await }));
    }
    let mut processed = 0;
    for task in tasks {
        processed += task.await.unwrap().unwrap().processed;
    }
    assert_eq!(processed, 21, "every event handled exactly once");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM snapshots").await,
        1,
        "one snapshot inside one window"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM events WHERE handled_at IS NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn snapshots_cannot_be_changed_after_they_are_written() {
    let t = open_at(at(10, 0, 0)).await;
    import_techcorp_profile(&t).await;
    let id = t.app.process_events().await.unwrap().created[0];
    let tamper = sqlx::query("UPDATE snapshots SET trigger_event = 'x' WHERE id = ?")
        .bind(id)
        .execute(t.app.pool())
        .await;
    assert!(tamper.is_err(), "the database refuses to change a snapshot");
    assert!(t.app.verify_snapshot(id).await.unwrap());
}

#[tokio::test]
async fn diff_of_two_snapshots_shows_what_changed() {
    let t = open_at(at(10, 0, 0)).await;
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[(TECHCORP, "Active Users", 400.0, 500.0, "2025-01")],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    let a = t.app.process_events().await.unwrap().created[0];
    t.set_time(at(11, 0, 0));
    let kpis2 = t.path("kpis2.xlsx");
    kpi_file(
        &kpis2,
        &[(TECHCORP, "Active Users", 450.0, 500.0, "2025-01")],
    );
    t.import(&kpis2, ImportKind::Kpi).await;
    let b = t.app.process_events().await.unwrap().created[0];
    let diff = t.app.diff_snapshots(a, b).await.unwrap();
    let value = diff
        .entries
        .iter()
        .find(|e| e.path == "kpis.Active Users.value")
        .expect("value changed");
    assert_eq!(
        (value.before.as_deref(), value.after.as_deref()),
        (Some("400"), Some("450"))
    );
    let snap_b = t.app.get_snapshot(b).await.unwrap();
    assert_eq!(snap_b.content.changes.previous_snapshot_id, Some(a));
    assert!(snap_b
        .content
        .changes
        .lines
        .contains(&"kpis.Active Users.value: 400 → 450".to_string()));
}

#[tokio::test]
async fn a_completed_playbook_fires_account_data_changed_and_a_snapshot() {
    let t = open_at(at(9, 0, 0)).await;
    import_techcorp_profile(&t).await;
    t.app.process_events().await.unwrap();
    let account = t.account_id(TECHCORP).await;
    t.set_time(at(11, 0, 0));
    let exec = t.app.start_playbook(account, "voc_sprint").await.unwrap();
    t.app
        .set_playbook_step(exec.id, 1, true, Some("Sent to 4 users"))
        .await
        .unwrap();
    assert_eq!(
        t.count("SELECT COUNT(*) FROM events WHERE handled_at IS NULL")
            .await,
        0,
        "ticking fires nothing"
    );
    let done = t.app.complete_playbook(exec.id).await.unwrap();
    assert_eq!(done.steps[0].note.as_deref(), Some("Sent to 4 users"));
    let r = t.app.process_events().await.unwrap();
    let snap = t.app.get_snapshot(r.created[0]).await.unwrap();
    assert_eq!(snap.trigger_event, "account_data_changed");
    assert_eq!(snap.content.playbooks[0].status.as_str(), "completed");
    assert!(
        t.app.complete_playbook(exec.id).await.is_err(),
        "a completed execution can't complete again"
    );
}

#[tokio::test]
async fn with_no_cooldown_each_event_makes_a_snapshot_chained_to_the_one_before() {
    let t = open_at(at(10, 0, 0)).await;
    t.app
        .settings_store()
        .set("snapshot.cooldown_seconds", "0")
        .unwrap();
    import_techcorp_profile(&t).await;
    let account = t.account_id(TECHCORP).await;
    let exec = t.app.start_playbook(account, "voc_sprint").await.unwrap();
    t.app.complete_playbook(exec.id).await.unwrap();
    // Both events are handled in one batch, so both snapshots record the same state; the second still points
    // at the first as its previous snapshot.
    let r = t.app.process_events().await.unwrap();
    assert_eq!(r.created.len(), 2);
    let second = t.app.get_snapshot(r.created[1]).await.unwrap();
    assert_eq!(
        second.content.changes.previous_snapshot_id,
        Some(r.created[0])
    );
    assert!(
        second.content.changes.lines.is_empty(),
        "both record the same state: {:?}",
        second.content.changes
    );
}
