//! The table stores on a real database: each store writes and reads its own table inside the caller's
//! transaction, so a rolled-back transaction leaves nothing behind.

mod common;

use common::{at, kpi_file, open_at, TestApp};
use tideline_core::model::{EventType, ExecutionStatus, ImportKind, SnapshotType, StepResult};
use tideline_core::store::{accounts, events, playbook_executions, snapshots};

async fn two_accounts() -> (TestApp, i64, i64) {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    kpi_file(
        &file,
        &[
            ("Acme Corp", "Active Users", 400.0, 500.0, "2025-01"),
            ("Globex", "Active Users", 450.0, 500.0, "2025-01"),
        ],
    );
    t.import(&file, ImportKind::Kpi).await;
    t.app.process_events().await.expect("events");
    let acme = t.account_id("Acme Corp").await;
    let globex = t.account_id("Globex").await;
    (t, acme, globex)
}

#[tokio::test]
async fn accounts_are_found_by_name_key_or_external_id_and_read_with_their_profile() {
    let (t, acme, globex) = two_accounts().await;
    let mut conn = t.app.pool().acquire().await.expect("connection");
    assert_eq!(
        accounts::find_by_key_or_external_id(&mut conn, "acme corp", "nothing")
            .await
            .unwrap(),
        Some((acme, "Acme Corp".to_string()))
    );
    assert_eq!(
        accounts::by_id(&mut conn, globex).await.unwrap(),
        Some((globex, "Globex".into()))
    );
    assert_eq!(accounts::by_id(&mut conn, 999).await.unwrap(), None);
    let mut ids: Vec<i64> = accounts::identities(&mut conn, &[acme, globex, 999])
        .await
        .unwrap()
        .into_iter()
        .map(|(a, _)| a.id)
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![acme.min(globex), acme.max(globex)]);
    assert_eq!(accounts::count(&mut conn).await.unwrap(), 2);
}

#[tokio::test]
async fn events_are_recorded_read_in_order_and_marked_and_a_rollback_keeps_none() {
    let (t, acme, globex) = two_accounts().await;
    let mut tx = t.app.pool().begin().await.expect("tx");
    let n = events::record(
        &mut tx,
        EventType::AccountDataChanged,
        &[acme, globex],
        "test",
        "2025-01-15T10:00:00Z",
    )
    .await
    .unwrap();
    assert_eq!(n, 2);
    tx.rollback().await.expect("rollback");
    let mut conn = t.app.pool().acquire().await.expect("connection");
    assert_eq!(events::pending_count(&mut conn).await.unwrap(), 0);

    events::record(
        &mut conn,
        EventType::AccountDataChanged,
        &[globex, acme],
        "test",
        "2025-01-15T10:00:00Z",
    )
    .await
    .unwrap();
    assert_eq!(
        events::record(&mut conn, EventType::KpiDataUploaded, &[], "test", "x")
            .await
            .unwrap(),
        0
    );
    let pending = events::pending(&mut conn, 10).await.unwrap();
    assert_eq!(
        pending.iter().map(|e| e.account_id).collect::<Vec<_>>(),
        vec![globex, acme]
    );
    assert!(pending
        .iter()
        .all(|e| e.outcome == "pending" && e.event_type == "ACCOUNT_DATA_CHANGED"));
    let outcomes: Vec<_> = pending
        .iter()
        .map(|e| events::Outcome {
            event_id: e.event_id,
            outcome: "skipped",
            snapshot_id: None,
            cooldown_remaining_seconds: Some(120),
        })
        .collect();
    events::mark_handled(&mut conn, &outcomes, "2025-01-15T10:00:01Z")
        .await
        .unwrap();
    assert_eq!(events::pending_count(&mut conn).await.unwrap(), 0);
    let feed = events::activity(&mut conn, 2).await.unwrap();
    assert!(feed
        .iter()
        .all(|e| e.outcome == "skipped" && e.cooldown_remaining_seconds == Some(120)));
    assert_eq!(
        events::unsnapshotted_since(&mut conn, acme, "2025-01-15T09:00:00Z")
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn playbook_executions_are_started_updated_closed_and_listed_per_account() {
    let (t, acme, globex) = two_accounts().await;
    let mut conn = t.app.pool().acquire().await.expect("connection");
    let steps = vec![StepResult {
        title: "Call".into(),
        done: false,
        note: None,
        done_at: None,
    }];
    let first = playbook_executions::insert(
        &mut conn,
        acme,
        "voc_sprint",
        &steps,
        "2025-01-15T10:00:00Z",
    )
    .await
    .unwrap();
    let second = playbook_executions::insert(
        &mut conn,
        acme,
        "support_stabilizer",
        &steps,
        "2025-01-15T10:01:00Z",
    )
    .await
    .unwrap();
    playbook_executions::insert(
        &mut conn,
        globex,
        "voc_sprint",
        &steps,
        "2025-01-15T10:02:00Z",
    )
    .await
    .unwrap();
    let mut ticked = steps.clone();
    ticked[0].done = true;
    playbook_executions::set_steps(&mut conn, first, &ticked, "2025-01-15T10:03:00Z")
        .await
        .unwrap();
    playbook_executions::close(
        &mut conn,
        first,
        ExecutionStatus::Completed,
        "2025-01-15T10:04:00Z",
    )
    .await
    .unwrap();

    let row = playbook_executions::load(&mut conn, first).await.unwrap();
    assert_eq!(row.account_name, "Acme Corp");
    assert_eq!(row.status, ExecutionStatus::Completed);
    assert!(row.steps[0].done);
    assert_eq!(row.completed_at.as_deref(), Some("2025-01-15T10:04:00Z"));
    assert!(playbook_executions::load(&mut conn, 999).await.is_err());

    let acme_rows = playbook_executions::list(&mut conn, Some(acme), 10)
        .await
        .unwrap();
    assert_eq!(
        acme_rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second, first]
    );
    assert_eq!(
        playbook_executions::list(&mut conn, None, 10)
            .await
            .unwrap()
            .len(),
        3
    );
    let recent = playbook_executions::recent_of_accounts(&mut conn, &[acme, globex], 1)
        .await
        .unwrap();
    assert_eq!(recent.len(), 2);
    assert!(recent.iter().any(|r| r.id == second));
}

#[tokio::test]
async fn snapshots_are_stored_once_per_account_and_read_back_with_their_hash() {
    let (t, acme, globex) = two_accounts().await;
    let mut conn = t.app.pool().acquire().await.expect("connection");
    let before = snapshots::totals(&mut conn, "2025-01-15T00:00:00Z")
        .await
        .unwrap();
    let doc = t
        .app
        .latest_snapshot(acme)
        .await
        .unwrap()
        .expect("an event-driven snapshot")
        .content;
    let text = serde_json::to_string(&doc).unwrap();
    let rows = [
        snapshots::NewSnapshot {
            account_id: acme,
            snapshot_type: SnapshotType::Manual,
            trigger_event: "manual",
            content_json: &text,
            content_sha256: "not-checked-by-the-store",
            health_score: Some(80.0),
        },
        snapshots::NewSnapshot {
            account_id: globex,
            snapshot_type: SnapshotType::RagAuto,
            trigger_event: "rag",
            content_json: &text,
            content_sha256: "h2",
            health_score: None,
        },
    ];
    let ids = snapshots::insert_many(&mut conn, &rows, 1, "2025-01-15T11:00:00Z")
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    let acme_snap = snapshots::load(&mut conn, ids[&acme]).await.unwrap();
    assert_eq!(
        (acme_snap.account_id, acme_snap.snapshot_type),
        (acme, SnapshotType::Manual)
    );
    assert_eq!(acme_snap.content, doc);
    assert_eq!(
        snapshots::content_and_hash(&mut conn, ids[&globex])
            .await
            .unwrap(),
        (text.clone(), "h2".to_string())
    );
    assert_eq!(
        snapshots::newest(&mut conn, acme).await.unwrap(),
        Some((ids[&acme], "2025-01-15T11:00:00Z".into()))
    );
    let newest = snapshots::newest_contents(&mut conn, &[acme, globex])
        .await
        .unwrap();
    assert_eq!(newest[&globex].0, ids[&globex]);
    assert_eq!(
        snapshots::list(&mut conn, acme, 1).await.unwrap()[0].id,
        ids[&acme]
    );
    let after = snapshots::totals(&mut conn, "2025-01-15T11:00:00Z")
        .await
        .unwrap();
    assert_eq!(after.total, before.total + 2);
    assert_eq!(after.since, 2);
    assert_eq!(after.newest_at.as_deref(), Some("2025-01-15T11:00:00Z"));
}
