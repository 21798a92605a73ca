//! The import pipeline (issue 13): rows streamed from the parse into the write in batches classify exactly as a
//! whole file would, repeated rows across batches included; and a preview followed by its import reads the file
//! once, unless the file changed in between.

mod common;

use common::{at, open_at, write_xlsx, TestApp, C};
use tideline_core::import::ImportRequest;
use tideline_core::model::{ImportKind, ImportReport};

fn kpi_rows(rows: impl IntoIterator<Item = (usize, f64)>) -> Vec<Vec<C>> {
    let mut data = vec![vec![
        C::S("Account"),
        C::S("KPI"),
        C::S("Value"),
        C::S("Period"),
    ]];
    for (i, value) in rows {
        data.push(vec![
            C::T(format!("Account {}", i % 100)),
            C::T(format!("KPI {}", i / 100)),
            C::N(value),
            C::S("2025-01"),
        ]);
    }
    data
}

async fn run(t: &TestApp, file: &std::path::Path, dry_run: bool) -> ImportReport {
    let req = ImportRequest {
        path: file,
        kind: Some(ImportKind::Kpi),
        account: None,
        dry_run,
    };
    t.app.import_file(&req, None).await.expect("import")
}

async fn value_of(t: &TestApp, i: usize) -> (f64, Option<i64>) {
    sqlx::query_as(
        "SELECT k.value, k.import_id FROM kpi_values k JOIN accounts a ON a.id = k.account_id \
         WHERE a.name = ? AND k.kpi_key = ?",
    )
    .bind(format!("Account {}", i % 100))
    .bind(format!("kpi {}", i / 100))
    .fetch_one(t.app.pool())
    .await
    .expect("value")
}

#[tokio::test]
async fn rows_repeated_across_write_batches_are_classified_against_the_value_stored_before_the_import(
) {
    let t = open_at(at(10, 0, 0)).await;
    let first = t.path("first.xlsx");
    write_xlsx(
        &first,
        &[("KPIs", kpi_rows((0..6000).map(|i| (i, i as f64))))],
    );
    let a = run(&t, &first, false).await;
    assert_eq!((a.rows_new, a.rows_imported), (6000, 6000));

    // Half the values change; after the first write batch (5,000 rows) come a row putting key 0 back to its
    // stored value, one changing the unchanged key 3000, and one repeating key 5999 as it is.
    let second = t.path("second.xlsx");
    let mut rows: Vec<(usize, f64)> = (0..6000)
        .map(|i| (i, if i < 3000 { i as f64 + 0.5 } else { i as f64 }))
        .collect();
    rows.extend([(0, 0.0), (3000, 99_999.0), (5999, 5999.0)]);
    write_xlsx(&second, &[("KPIs", kpi_rows(rows))]);

    let preview = run(&t, &second, true).await;
    let b = run(&t, &second, false).await;
    for r in [&preview, &b] {
        assert_eq!(
            (
                r.rows_read,
                r.rows_imported,
                r.rows_superseded,
                r.rows_new,
                r.rows_changed,
                r.rows_unchanged
            ),
            (6003, 6000, 3, 0, 3000, 3000)
        );
        let superseded: Vec<(u32, u32)> =
            r.superseded.iter().map(|s| (s.row, s.used_row)).collect();
        assert_eq!(superseded, vec![(2, 6002), (3002, 6003), (6001, 6004)]);
    }
    // Key 0 is as the first import left it, its import included; key 3000 has the later row's value.
    assert_eq!(value_of(&t, 0).await, (0.0, a.import_id));
    assert_eq!(value_of(&t, 1).await, (1.5, b.import_id));
    assert_eq!(value_of(&t, 3000).await, (99_999.0, b.import_id));
    assert_eq!(value_of(&t, 5999).await, (5999.0, a.import_id));
}

#[tokio::test]
async fn a_new_key_repeated_after_its_first_write_batch_takes_the_later_row() {
    let t = open_at(at(10, 0, 0)).await;
    // Nothing is stored: every key is new. Keys 0 and 1 come again after the first write batch (5,000 rows), by
    // then already written by this import, one with another value and one as it was.
    let file = t.path("new.xlsx");
    let mut rows: Vec<(usize, f64)> = (0..6000).map(|i| (i, i as f64)).collect();
    rows.extend([(0, 42.0), (1, 1.0)]);
    write_xlsx(&file, &[("KPIs", kpi_rows(rows))]);

    let r = run(&t, &file, false).await;
    assert_eq!(
        (
            r.rows_imported,
            r.rows_superseded,
            r.rows_new,
            r.rows_changed
        ),
        (6000, 2, 6000, 0)
    );
    assert_eq!(value_of(&t, 0).await, (42.0, r.import_id));
    assert_eq!(value_of(&t, 1).await, (1.0, r.import_id));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kpi_values")
        .fetch_one(t.app.pool())
        .await
        .expect("count");
    assert_eq!(stored, 6000);
}

#[tokio::test]
async fn a_preview_followed_by_its_import_parses_the_file_once() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    write_xlsx(
        &file,
        &[("KPIs", kpi_rows((0..12_000).map(|i| (i, i as f64))))],
    );
    let before = t.app.parse_count();
    let preview = run(&t, &file, true).await;
    let import = run(&t, &file, false).await;
    assert_eq!(
        t.app.parse_count() - before,
        1,
        "the import used the preview's rows"
    );
    assert_eq!(
        (import.rows_read, import.rows_new, import.sha256.clone()),
        (preview.rows_read, preview.rows_new, preview.sha256.clone())
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM kpi_values").await,
        12_000,
        "every row written"
    );
    assert_eq!(value_of(&t, 11_999).await.0, 11_999.0);

    // The kept rows were used up: importing again reads the file.
    let again = run(&t, &file, false).await;
    assert_eq!(t.app.parse_count() - before, 2);
    assert_eq!(again.rows_unchanged, 12_000);
}

#[tokio::test]
async fn a_dropped_file_is_probed_from_its_first_rows_and_parsed_once() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("dropped.xlsx");
    write_xlsx(
        &file,
        &[
            ("Notes", vec![vec![C::S("Exported from the CRM")]]),
            ("KPIs", kpi_rows((0..12_000).map(|i| (i, i as f64)))),
        ],
    );
    let before = t.app.parse_count();
    // The drop: probe (kind and sheets), preview, import.
    let probe = t.app.probe_file(&file).await.expect("probe");
    assert_eq!(probe.kind, Some(ImportKind::Kpi));
    assert!(!probe.needs_account);
    assert_eq!(probe.sheets, vec!["Notes".to_string(), "KPIs".to_string()]);
    run(&t, &file, true).await;
    let import = run(&t, &file, false).await;
    assert_eq!(
        t.app.parse_count() - before,
        1,
        "the probe read only the first rows, the import used the preview's rows"
    );
    assert_eq!(import.rows_new, 12_000);

    // The first rows of each sheet are all a probe parses: a KPI header below them is not seen, as an import
    // would not see it either.
    let late = t.path("late-header.xlsx");
    let mut rows: Vec<Vec<C>> = (0..25).map(|i| vec![C::T(format!("note {i}"))]).collect();
    rows.extend(kpi_rows((0..10).map(|i| (i, 1.0))));
    write_xlsx(&late, &[("KPIs", rows)]);
    let before = t.app.parse_count();
    assert_eq!(t.app.probe_file(&late).await.expect("probe").kind, None);
    assert_eq!(
        t.app.parse_count(),
        before,
        "the probe stopped after row 20"
    );
}

#[tokio::test]
async fn a_file_changed_between_preview_and_import_is_read_again() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    write_xlsx(&file, &[("KPIs", kpi_rows((0..300).map(|i| (i, 1.0))))]);
    let before = t.app.parse_count();
    let preview = run(&t, &file, true).await;
    assert_eq!(preview.rows_new, 300);
    // Saved again with other values (and one more row) after the preview.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write_xlsx(&file, &[("KPIs", kpi_rows((0..301).map(|i| (i, 2.0))))]);
    let import = run(&t, &file, false).await;
    assert_eq!(
        t.app.parse_count() - before,
        2,
        "the changed file was read again"
    );
    assert_eq!(import.rows_new, 301);
    assert_eq!(value_of(&t, 7).await.0, 2.0);

    // A preview for another account or kind is not reused either.
    let preview = run(&t, &file, true).await;
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: Some("Someone else"),
        dry_run: false,
    };
    let other = t.app.import_file(&req, None).await.expect("import");
    assert_eq!(t.app.parse_count() - before, 4);
    assert_eq!(other.rows_unchanged, preview.rows_unchanged);
}
