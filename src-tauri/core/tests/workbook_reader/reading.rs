//! The reader's public interface, whatever the format: reading a path, progress, column letters.

use crate::support::basic_xlsx;
use rust_xlsxwriter::Workbook as XlsxWriter;
use tideline_core::import::workbook::{
    column_name, read_workbook, read_workbook_with_progress, Limits,
};

#[test]
fn reading_a_path_names_the_file_without_its_folder_and_hashes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Q1 KPIs.xlsx");
    let bytes = basic_xlsx();
    std::fs::write(&path, &bytes).unwrap();
    let wb = read_workbook(&path, &Limits::default()).unwrap();
    assert_eq!(wb.file, "Q1 KPIs.xlsx");
    use sha2::Digest;
    assert_eq!(wb.sha256, hex::encode(sha2::Sha256::digest(&bytes)));
    assert_eq!(wb.sha256.len(), 64);

    let missing = dir.path().join("gone.xlsx");
    let e = read_workbook(&missing, &Limits::default()).unwrap_err();
    assert_eq!(e.code(), "file_unreadable");
    assert!(e.to_string().starts_with("gone.xlsx: "), "{e}");

    let e = read_workbook(dir.path(), &Limits::default()).unwrap_err();
    assert_eq!(e.code(), "file_unreadable");

    let small = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let e = read_workbook(&path, &small).unwrap_err();
    assert_eq!(e.code(), "file_too_large", "{e}");
}

#[test]
fn progress_is_reported_while_reading() {
    let mut wb = XlsxWriter::new();
    let ws = wb.add_worksheet();
    for r in 0..2_500u32 {
        ws.write_number(r, 0, f64::from(r)).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.xlsx");
    std::fs::write(&path, wb.save_to_buffer().unwrap()).unwrap();
    let mut seen = Vec::new();
    let wb = read_workbook_with_progress(&path, &Limits::default(), &mut |n| seen.push(n)).unwrap();
    assert_eq!(wb.sheets[0].rows.len(), 2_500);
    assert_eq!(seen.first(), Some(&0));
    assert!(seen.contains(&1_000) && seen.contains(&2_000), "{seen:?}");
    assert_eq!(seen.last(), Some(&2_500));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn column_names_are_excel_letters() {
    assert_eq!(column_name(0), "A");
    assert_eq!(column_name(25), "Z");
    assert_eq!(column_name(26), "AA");
    assert_eq!(column_name(16_383), "XFD");
}
