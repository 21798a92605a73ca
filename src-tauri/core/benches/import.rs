//! PRODUCT.md §7 / issue 3: a 100,000-row KPI workbook (2,000 accounts × 10 KPIs × 5 months) imported end to
//! end — read, parsed, written in one transaction, and its 2,000 events handled — under 1.5 s; peak memory
//! under 300 MB. Run: `cargo bench -p tideline-core --bench import`.

mod common;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use tideline_core::import::ImportRequest;
use tideline_core::model::ImportKind;
use tideline_core::Tideline;

fn import_100k(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("kpis-100k.xlsx");
    tideline_core::sample::write_kpi_workbook(
        &file,
        &common::account_names(2000),
        10,
        &common::months(5),
    )
    .expect("workbook generated");
    let rt = common::runtime();
    let mut group = c.benchmark_group("import");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("kpi_100k_rows_2000_accounts_with_events", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let data = tempfile::tempdir().expect("data dir");
                let app = rt.block_on(Tideline::open(data.path())).expect("open");
                let started = Instant::now();
                rt.block_on(async {
                    let req = ImportRequest {
                        path: &file,
                        kind: Some(ImportKind::Kpi),
                        account: None,
                        dry_run: false,
                    };
                    let report = app.import_file(&req, None).await.expect("import");
                    assert_eq!(report.rows_imported, 100_000);
                    let events = app.process_events().await.expect("events");
                    assert_eq!(events.created.len(), 2000);
                });
                total += started.elapsed();
                rt.block_on(app.close());
            }
            total
        })
    });
    group.finish();
    if let Some(mib) = common::peak_rss_mib() {
        println!("peak resident memory of the benchmark process (workbook generation included): {mib:.0} MiB");
    }
}

criterion_group!(benches, import_100k);
criterion_main!(benches);
