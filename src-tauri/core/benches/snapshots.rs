//! Issue 4 / 5 numbers:
//! - creating a snapshot of an account with 200 KPIs and 24 months of trend: under 10 ms;
//! - handling 10,000 pending events for 2,000 accounts: under 10 s;
//! - calculating health for 10,000 accounts × 12 months of KPIs, with the resulting events handled: under 15 s.
//!
//! Run: `cargo bench -p tideline-core --bench snapshots`.

mod common;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use tideline_core::import::ImportRequest;
use tideline_core::model::{ImportKind, SnapshotType};
use tideline_core::Tideline;

/// Every seeded account has an owner and an ARR, as a real profile would.
const SNAPSHOT_PROFILE: &str = r#"{"owner":"Dana Whitfield","arr":120000}"#;

fn snapshot_create(c: &mut Criterion) {
    let rt = common::runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("one-account.xlsx");
    tideline_core::sample::write_kpi_workbook(
        &file,
        &["TechCorp Solutions".to_string()],
        200,
        &common::months(24),
    )
    .expect("workbook");
    let app = rt.block_on(async {
        let app = Tideline::open(dir.path().join("data")).await.expect("open");
        let req = ImportRequest {
            path: &file,
            kind: Some(ImportKind::Kpi),
            account: None,
            dry_run: false,
        };
        app.import_file(&req, None).await.expect("import");
        app.calculate_health(None, None).await.expect("health");
        app.process_events().await.expect("events");
        app
    });
    let id = rt
        .block_on(app.find_account("TechCorp Solutions"))
        .expect("account")
        .id;
    let snap = rt
        .block_on(app.create_snapshot(id, SnapshotType::Manual, None))
        .expect("snapshot");
    assert_eq!(snap.content.kpis.len(), 200);
    assert_eq!(
        snap.content.health.as_ref().map(|h| h.trend.len()),
        Some(24)
    );
    c.bench_function("snapshot/create_200_kpis_24_months", |b| {
        b.to_async(&rt).iter(|| async {
            app.create_snapshot(id, SnapshotType::Manual, None)
                .await
                .expect("snapshot")
        })
    });
}

fn events_10k(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = c.benchmark_group("events");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    group.bench_function("process_10000_events_2000_accounts", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("temp dir");
                let app = rt.block_on(async {
                    let app = Tideline::open(dir.path()).await.expect("open");
                    common::seed_kpis(&app, SNAPSHOT_PROFILE, 2000, 10, 3).await;
                    app.calculate_health(None, None).await.expect("health");
                    // Five events per account: 2,000 from the health run, 8,000 more as imports and playbooks would.
                    for source in ["import 1", "import 2", "playbook 1", "import 3"] {
                        sqlx::query(
                            "INSERT INTO events (event_type, trigger_event, account_id, source, created_at) \
                             SELECT 'KPI_DATA_UPLOADED', 'kpi_data_uploaded', id, ?, '2025-01-01T00:00:00.000000Z' \
                             FROM accounts",
                        )
                        .bind(source)
                        .execute(app.pool())
                        .await
                        .expect("events");
                    }
                    app
                });
                let started = Instant::now();
                let report = rt.block_on(app.process_events()).expect("process");
                total += started.elapsed();
                assert_eq!((report.processed, report.created.len()), (10_000, 2000));
                rt.block_on(app.close());
            }
            total
        })
    });
    group.finish();
}

fn health_10k(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = c.benchmark_group("health");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(120));
    group.bench_function("calculate_10000_accounts_12_months_with_events", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("temp dir");
                let app = rt.block_on(async {
                    let app = Tideline::open(dir.path()).await.expect("open");
                    common::seed_kpis(&app, SNAPSHOT_PROFILE, 10_000, 5, 12).await;
                    app
                });
                let started = Instant::now();
                rt.block_on(async {
                    let run = app.calculate_health(None, None).await.expect("health");
                    assert_eq!((run.accounts, run.created), (10_000, 120_000));
                    let events = app.process_events().await.expect("events");
                    assert_eq!(events.created.len(), 10_000);
                });
                total += started.elapsed();
                rt.block_on(app.close());
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, snapshot_create, events_10k, health_10k);
criterion_main!(benches);
