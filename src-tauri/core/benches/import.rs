//! Issue 13: an import at the parsing floor. The KPI workbook of PRODUCT.md §7, written by rust_xlsxwriter
//! (accounts × 8 KPIs × 5 months), is parsed bare by calamine (`worksheet_range`, summing its cells) and imported
//! in full (read, parse, classify, write in one transaction; events left pending, as `import kpi --defer-events`)
//! in the same run; the ratio of the medians is printed, and the median ratio of paired runs (each import sample
//! right after a bare parse of its own, so both see the same load). Goals: at most 1.6× (aim 1.3×) at 100,000 and
//! 1,000,000 rows.
//!
//! Run: `cargo bench -p tideline-core --bench import` (the 1,000,000-row group is slow: `-- import_1m` alone, or
//! `-- import_100k` to skip it).

mod common;

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx};
use criterion::{criterion_group, criterion_main, Criterion};
use tideline_core::import::ImportRequest;
use tideline_core::model::ImportKind;
use tideline_core::Tideline;

/// calamine alone: the whole sheet as a dense range, every cell touched.
fn bare_parse(file: &Path) -> f64 {
    let mut wb: Xlsx<_> = calamine::open_workbook(file).expect("workbook");
    let range = wb.worksheet_range("KPIs").expect("sheet");
    let mut sum = 0.0;
    for cell in range.used_cells() {
        sum += match cell.2 {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            Data::String(s) => s.len() as f64,
            Data::DateTime(d) => d.as_f64(),
            _ => 0.0,
        };
    }
    sum
}

fn median(times: &Mutex<Vec<Duration>>) -> Duration {
    let mut t = times.lock().map(|t| t.clone()).unwrap_or_default();
    t.sort();
    t.get(t.len() / 2).copied().unwrap_or_default()
}

fn parse_and_import(c: &mut Criterion, group_name: &str, accounts: usize, samples: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("{group_name}.xlsx"));
    // Written on first use: a group filtered out of the run costs nothing.
    let written = std::sync::OnceLock::new();
    let file = || {
        written.get_or_init(|| {
            tideline_core::sample::write_kpi_workbook(
                &path,
                &common::account_names(accounts),
                8,
                &common::months(5),
            )
            .expect("workbook generated");
            path.clone()
        })
    };
    let rows = accounts * 8 * 5;
    let rt = common::runtime();
    let parse_times = Mutex::new(Vec::new());
    let import_times = Mutex::new(Vec::new());
    // Each import sample is preceded by a bare parse of its own (not part of the sample): the ratio of each pair
    // is measured under the same load, which a machine doing other work changes between the groups.
    let paired_ratios = Mutex::new(Vec::new());
    let mut group = c.benchmark_group(group_name);
    group
        .sample_size(samples)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    group.bench_function("calamine_parse", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let file = file();
                let started = Instant::now();
                std::hint::black_box(bare_parse(file));
                let took = started.elapsed();
                if let Ok(mut t) = parse_times.lock() {
                    t.push(took);
                }
                total += took;
            }
            total
        })
    });
    // One run on a fresh database: the time of the import (or of its preview) alone.
    let timed = |dry_run: bool| {
        let data = tempfile::tempdir().expect("data dir");
        let app = rt.block_on(Tideline::open(data.path())).expect("open");
        let path = file();
        let started = Instant::now();
        let report = rt
            .block_on(app.import_file(
                &ImportRequest {
                    path,
                    kind: Some(ImportKind::Kpi),
                    account: None,
                    dry_run,
                },
                None,
            ))
            .expect("import");
        let took = started.elapsed();
        rt.block_on(app.close());
        (took, report)
    };
    // The preview (dry run) of a fresh database: the same read and parse, classified, nothing written.
    group.bench_function("preview", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (took, report) = timed(true);
                assert_eq!(report.rows_new as usize, rows);
                total += took;
            }
            total
        })
    });
    group.bench_function("import", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let file = file();
                let parse_started = Instant::now();
                std::hint::black_box(bare_parse(file));
                let parsed = parse_started.elapsed();
                let (took, report) = timed(false);
                assert_eq!(report.rows_imported as usize, rows);
                if let Ok(mut t) = import_times.lock() {
                    t.push(took);
                }
                if let Ok(mut r) = paired_ratios.lock() {
                    r.push(took.as_secs_f64() / parsed.as_secs_f64().max(1e-9));
                }
                total += took;
            }
            total
        })
    });
    group.finish();
    let (parse, import) = (median(&parse_times), median(&import_times));
    if parse.is_zero() || import.is_zero() {
        return;
    }
    let mut ratios = paired_ratios.lock().map(|r| r.clone()).unwrap_or_default();
    ratios.sort_by(f64::total_cmp);
    let paired = ratios.get(ratios.len() / 2).copied().unwrap_or_default();
    println!(
        "{group_name}: {rows} rows, calamine parse {:.3} s, import {:.3} s: ratio {:.2}x; paired runs ({}): median \
         ratio {paired:.2}x ({} cores)",
        parse.as_secs_f64(),
        import.as_secs_f64(),
        import.as_secs_f64() / parse.as_secs_f64().max(1e-9),
        ratios.len(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if let Some(mib) = common::peak_rss_mib() {
        println!("peak resident memory of the benchmark process so far: {mib:.0} MiB");
    }
}

fn import_100k(c: &mut Criterion) {
    parse_and_import(c, "import_100k", 2_500, 10);
}

fn import_1m(c: &mut Criterion) {
    parse_and_import(c, "import_1m", 25_000, 10);
}

/// A KPI workbook of `accounts` × 8 KPIs × 5 months whose values are shifted by `shift` (same keys, other values).
fn shifted_workbook(path: &Path, accounts: usize, shift: f64) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("KPIs").expect("sheet");
    for (c, h) in ["Account", "KPI", "Value", "Period"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let mut row = 1u32;
    for a in 0..accounts {
        for k in 0..8 {
            for m in 1..=5 {
                ws.write_string(row, 0, format!("Account {a:05}"))
                    .expect("cell");
                ws.write_string(row, 1, format!("KPI {k}")).expect("cell");
                ws.write_number(row, 2, row as f64 + shift).expect("cell");
                ws.write_string(row, 3, format!("2024-{m:02}"))
                    .expect("cell");
                row += 1;
            }
        }
    }
    wb.save(path).expect("saved");
}

/// Issue 11: undoing a 100,000-row import (every value it changed put back) under 2 s.
fn undo_100k(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (first, second) = (
        dir.path().join("first.xlsx"),
        dir.path().join("second.xlsx"),
    );
    let written = std::sync::OnceLock::new();
    let files = || {
        written.get_or_init(|| {
            shifted_workbook(&first, 2_500, 0.0);
            shifted_workbook(&second, 2_500, 0.5);
        })
    };
    let rt = common::runtime();
    let mut group = c.benchmark_group("undo_100k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("undo_import_changing_100k_values", |b| {
        b.iter_custom(|iters| {
            files();
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let data = tempfile::tempdir().expect("data dir");
                let app = rt.block_on(Tideline::open(data.path())).expect("open");
                let import = |path: &Path| {
                    let req = ImportRequest {
                        path,
                        kind: Some(ImportKind::Kpi),
                        account: None,
                        dry_run: false,
                    };
                    rt.block_on(app.import_file(&req, None)).expect("import")
                };
                import(&first);
                let second_report = import(&second);
                assert_eq!(second_report.rows_changed, 100_000);
                let started = Instant::now();
                let undo = rt
                    .block_on(app.undo_import(second_report.import_id.expect("id")))
                    .expect("undo");
                total += started.elapsed();
                assert_eq!(undo.values_restored, 100_000);
                rt.block_on(app.close());
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, import_100k, import_1m, undo_100k);
criterion_main!(benches);
