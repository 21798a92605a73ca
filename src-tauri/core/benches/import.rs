//! Issue 13: an import at the parsing floor. The KPI workbook of PRODUCT.md §7, written by rust_xlsxwriter
//! (accounts × 8 KPIs × 5 months), is parsed bare by calamine (`worksheet_range`, summing its cells) and imported
//! in full (read, parse, classify, write in one transaction; events left pending, as `import kpi --defer-events`)
//! in the same run; the ratio of the medians is printed. Goals: at most 1.6× (aim 1.3×) at 100,000 and
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
    group.bench_function("import", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let data = tempfile::tempdir().expect("data dir");
                let app = rt.block_on(Tideline::open(data.path())).expect("open");
                let file = file();
                let started = Instant::now();
                let report = rt
                    .block_on(app.import_file(
                        &ImportRequest {
                            path: file,
                            kind: Some(ImportKind::Kpi),
                            account: None,
                            dry_run: false,
                        },
                        None,
                    ))
                    .expect("import");
                let took = started.elapsed();
                assert_eq!(report.rows_imported as usize, rows);
                if let Ok(mut t) = import_times.lock() {
                    t.push(took);
                }
                total += took;
                rt.block_on(app.close());
            }
            total
        })
    });
    group.finish();
    let (parse, import) = (median(&parse_times), median(&import_times));
    if parse.is_zero() || import.is_zero() {
        return;
    }
    println!(
        "{group_name}: {rows} rows, calamine parse {:.3} s, import {:.3} s: ratio {:.2}x ({} cores)",
        parse.as_secs_f64(),
        import.as_secs_f64(),
        import.as_secs_f64() / parse.as_secs_f64().max(1e-9),
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

criterion_group!(benches, import_100k, import_1m);
criterion_main!(benches);
