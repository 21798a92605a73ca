//! Issue 12 number: health recalculation after importing one account's month into 10,000 accounts × 12 months
//! of KPIs (5 KPIs a month, 600,000 values): under 100 ms. Only the import's accounts and months are rescored.
//! The full run over the same data is timed once for comparison.
//!
//! Run: `cargo bench -p tideline-core --bench health -- --warm-up-time 1 --measurement-time 3`.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use rust_xlsxwriter::Workbook;
use tideline_core::import::ImportRequest;
use tideline_core::model::ImportKind;
use tideline_core::Tideline;

const ACCOUNTS: i64 = 10_000;
const KPIS: i64 = 5;
const MONTHS: i64 = 12;

/// One account's month (all its KPIs), with values offset so that each file scores differently.
fn one_month_file(path: &Path, offset: f64) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Account", "KPI", "Category", "Value", "Target", "Period"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for k in 0..KPIS {
        let r = (k + 1) as u32;
        ws.write_string(r, 0, "Account 4242").expect("cell");
        ws.write_string(r, 1, format!("KPI {k}")).expect("cell");
        ws.write_string(r, 2, "Product Usage").expect("cell");
        ws.write_number(r, 3, 20.0 + offset + k as f64)
            .expect("cell");
        ws.write_number(r, 4, 100.0).expect("cell");
        ws.write_string(r, 5, "2024-07").expect("cell");
    }
    wb.save(path).expect("save");
}

fn rescore_after_import(c: &mut Criterion) {
    let rt = common::runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [dir.path().join("low.xlsx"), dir.path().join("high.xlsx")];
    one_month_file(&files[0], 0.0);
    one_month_file(&files[1], 60.0);
    let app = rt.block_on(async {
        let app = Tideline::open(dir.path().join("data")).await.expect("open");
        common::seed_kpis(&app, "{}", ACCOUNTS, KPIS, MONTHS).await;
        let started = Instant::now();
        let full = app.calculate_health(None, None).await.expect("health");
        eprintln!(
            "full health run over {} accounts × {} months: {:?} ({} records)",
            full.accounts,
            full.periods,
            started.elapsed(),
            full.created
        );
        app
    });
    let turn = AtomicUsize::new(0);
    c.bench_function(
        "health/rescore_after_one_account_month_import_10k_x_12",
        |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let app = &app;
                let files = &files;
                let turn = &turn;
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        // Alternate the two files so every import changes the month and its score.
                        let file = &files[turn.fetch_add(1, Ordering::Relaxed) % 2];
                        let req = ImportRequest {
                            path: file,
                            kind: Some(ImportKind::Kpi),
                            account: None,
                            dry_run: false,
                        };
                        let report = app.import_file(&req, None).await.expect("import");
                        let id = report.import_id.expect("import id");
                        let started = Instant::now();
                        let run = app
                            .calculate_health_after_import(id)
                            .await
                            .expect("rescore");
                        total += started.elapsed();
                        assert_eq!((run.accounts, run.periods, run.updated), (1, 1, 1));
                    }
                    total
                }
            })
        },
    );
}

criterion_group!(benches, rescore_after_import);
criterion_main!(benches);
