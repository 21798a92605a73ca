//! Issue 11 numbers:
//! - backup of a database with 10,000 accounts and 120,000 snapshots: under 5 s;
//! - export of the 10,000-account Health table to .xlsx: under 2 s.
//!
//! Run: `cargo bench -p tideline-core --bench data -- --warm-up-time 1 --measurement-time 3`.

mod common;

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use tideline_core::model::{AccountQuery, SnapshotType};
use tideline_core::Tideline;

const ACCOUNTS: i64 = 10_000;
const SNAPSHOTS_PER_ACCOUNT: i64 = 12;

/// 10,000 accounts with profiles and 5 KPIs × 12 months, health for all, and 12 snapshots each: one real
/// snapshot's document copied (snapshots are immutable, so copies by SQL are as large as real ones).
async fn seed(app: &Tideline) {
    let pool = app.pool();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) \
         INSERT INTO accounts (name, name_key, profile, created_at, updated_at) \
         SELECT 'Account ' || i, 'account ' || i, \
                json_object('owner', 'Owner ' || (i % 40), 'segment', 'Mid-market', 'arr', 50000 + i * 10, \
                            'renewal_date', date('2025-06-01', '+' || (i % 365) || ' days')), \
                '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z' FROM n",
    )
    .bind(ACCOUNTS)
    .execute(pool)
    .await
    .expect("accounts");
    sqlx::query(
        "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 4), \
                        m(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM m WHERE p < 11) \
         INSERT INTO kpi_values (account_id, kpi_name, kpi_key, category, value, unit, target, direction, weight, \
                                 period, updated_at) \
         SELECT a.id, 'KPI ' || k.j, 'kpi ' || k.j, \
                json_extract('[\"Product Usage\",\"Customer Sentiment\",\"Support\",\"Business Outcomes\",\"Relationship\"]', '$[' || k.j || ']'), \
                50 + ((a.id * 37 + k.j * 11 + m.p * 7) % 90), 'pts', 100, 'higher', 1, \
                date('2024-01-01', '+' || m.p || ' months'), '2025-01-01T00:00:00.000000Z' \
         FROM accounts a, k, m",
    )
    .execute(pool)
    .await
    .expect("kpis");
    app.calculate_health(None, None).await.expect("health");
    let real = app
        .create_snapshot(1, SnapshotType::Manual, None)
        .await
        .expect("snapshot");
    sqlx::query(
        "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < ?1) \
         INSERT INTO snapshots (account_id, snapshot_type, trigger_event, created_at, schema_version, content, \
                                content_sha256, health_score) \
         SELECT a.id, 'event_driven', 'kpi_data_uploaded', \
                strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || (s.x * 1000 + a.id) || ' seconds'), \
                r.schema_version, r.content, r.content_sha256, r.health_score \
         FROM accounts a, s, (SELECT * FROM snapshots WHERE id = ?2) r",
    )
    .bind(SNAPSHOTS_PER_ACCOUNT)
    .bind(real.id)
    .execute(pool)
    .await
    .expect("snapshots");
}

fn data(c: &mut Criterion) {
    let rt = common::runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let app = rt.block_on(async {
        let app = Tideline::open(dir.path().join("data")).await.expect("open");
        seed(&app).await;
        app
    });
    let snapshots: i64 = rt
        .block_on(sqlx::query_scalar("SELECT COUNT(*) FROM snapshots").fetch_one(app.pool()))
        .expect("count");
    assert!(snapshots > ACCOUNTS * SNAPSHOTS_PER_ACCOUNT);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out dir");

    let started = Instant::now();
    let info = rt
        .block_on(app.backup_to(&out.join("once.tideline-backup")))
        .expect("backup");
    println!(
        "backup of {ACCOUNTS} accounts / {snapshots} snapshots: {:.2} s, {:.1} MiB",
        started.elapsed().as_secs_f64(),
        info.size_bytes as f64 / 1048576.0
    );
    let started = Instant::now();
    let report = rt
        .block_on(app.export_accounts(&AccountQuery::default(), &out.join("once.xlsx")))
        .expect("export");
    assert_eq!(report.rows as i64, ACCOUNTS);
    println!(
        "export of the {ACCOUNTS}-account table: {:.2} s, {:.1} MiB",
        started.elapsed().as_secs_f64(),
        report.size_bytes as f64 / 1048576.0
    );

    let mut group = c.benchmark_group("data");
    group.sample_size(10);
    group.bench_function("backup_10k_accounts_120k_snapshots", |b| {
        b.to_async(&rt).iter(|| async {
            app.backup_to(&out.join("bench.tideline-backup"))
                .await
                .expect("backup")
        })
    });
    group.bench_function("export_10k_account_table", |b| {
        b.to_async(&rt).iter(|| async {
            app.export_accounts(&AccountQuery::default(), &out.join("bench.xlsx"))
                .await
                .expect("export")
        })
    });
    group.finish();
}

criterion_group!(benches, data);
criterion_main!(benches);
