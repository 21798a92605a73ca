//! Ignored by default: performance (measured, not asserted), fixture generation and replaying saved inputs.

use crate::support::{basic_xlsx, fixtures_dir, read_ok, time};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook as XlsxWriter};
use std::io::Cursor;
use std::path::PathBuf;
use std::time::Instant;
use tideline_core::import::workbook::{read_workbook_bytes, Limits};

/// `cargo test --release -p tideline-core --test workbook_reader -- --ignored --nocapture read_100k`
#[test]
#[ignore]
fn read_100k_rows_by_7_columns() {
    let mut wb = XlsxWriter::new();
    let ws = wb.add_worksheet();
    ws.set_name("KPIs").unwrap();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in [
        "Account", "KPI", "Category", "Value", "Target", "Unit", "Period",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=100_000u32 {
        ws.write_string(r, 0, format!("Account {}", r % 5_000))
            .unwrap();
        ws.write_string(
            r,
            1,
            ["NPS", "ARR", "Churn", "Logins", "Tickets"][r as usize % 5],
        )
        .unwrap();
        ws.write_string(r, 2, "Adoption").unwrap();
        ws.write_number(r, 3, f64::from(r) * 1.5).unwrap();
        ws.write_number(r, 4, 100.0).unwrap();
        ws.write_string(r, 5, "%").unwrap();
        ws.write_datetime_with_format(
            r,
            6,
            ExcelDateTime::from_ymd(2025, 1 + (r % 12) as u8, 1).unwrap(),
            &date_format,
        )
        .unwrap();
    }
    let bytes = time("write 100k x 7 with rust_xlsxwriter", || {
        wb.save_to_buffer().unwrap()
    });
    eprintln!("file: {} bytes", bytes.len());
    if let Ok(out) = std::env::var("TIDELINE_PERF_WRITE") {
        std::fs::write(out, &bytes).unwrap();
    }
    // For comparison: calamine alone, building the dense grid.
    time("calamine open + worksheet_range", || {
        use calamine::Reader;
        let mut x: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let range = x.worksheet_range("KPIs").unwrap();
        assert_eq!(range.height(), 100_001);
    });
    for _ in 0..3 {
        let wb = time("read_workbook_bytes 100k x 7", || {
            read_ok("big.xlsx", &bytes)
        });
        assert_eq!(wb.sheets[0].rows.len(), 100_001);
        assert_eq!(wb.sheets[0].rows[100_000].cells.len(), 7);
    }
}

/// Writes the .xlsx sources of the LibreOffice-converted fixtures (see tests/fixtures/README.md).
#[test]
#[ignore]
fn write_fixture_sources() {
    let dir = fixtures_dir().join("source");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("basic.xlsx"), basic_xlsx()).unwrap();
    for (name, far_row, far_col) in [
        ("stray-xls.xlsx", 65_535u32, 255u16),
        ("stray-ods.xlsx", 1_048_575, 16_383),
    ] {
        let mut wb = XlsxWriter::new();
        let ws = wb.add_worksheet();
        ws.set_name("KPIs").unwrap();
        for r in 0..3u32 {
            for c in 0..3u16 {
                ws.write_number(r, c, f64::from(r * 3 + u32::from(c)))
                    .unwrap();
            }
        }
        ws.write_string(far_row, far_col, "far").unwrap();
        std::fs::write(dir.join(name), wb.save_to_buffer().unwrap()).unwrap();
    }
}

/// Prints the outcome for every file in `TIDELINE_REPLAY_DIR` (e.g. inputs saved by a fuzz session).
#[test]
#[ignore]
fn replay_saved_inputs() {
    let Ok(dir) = std::env::var("TIDELINE_REPLAY_DIR") else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let start = Instant::now();
        let result = read_workbook_bytes(&name, &bytes, &Limits::default());
        let secs = start.elapsed().as_secs_f64();
        match result {
            Ok(wb) => eprintln!(
                "{name}: ok, {} sheets, {} rows, {secs:.3} s",
                wb.sheets.len(),
                wb.sheets.iter().map(|s| s.rows.len()).sum::<usize>()
            ),
            Err(e) => eprintln!("{name} ({} bytes): {} {e}", bytes.len(), e.code()),
        }
    }
}
