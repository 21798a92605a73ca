//! The workbook reader (`tideline_core::import::workbook`) against real files written by *other* programs than the
//! reader (rust_xlsxwriter here; LibreOffice for the .xls/.ods fixtures; Excel for the .xlsb and encrypted
//! fixtures, taken from calamine's test suite), hostile files built in the tests, regression fixtures, and a
//! proptest fuzz harness that mutates valid files.
//!
//! Fixtures: `tests/fixtures/README.md` says where each file comes from and how to regenerate it.
//! Fuzzing: `TIDELINE_FUZZ_CASES=20000 cargo test --release -p tideline-core --test workbook_reader fuzz` runs a
//! longer session; with `TIDELINE_FUZZ_SAVE=<dir>` every input that made calamine panic (caught, reported as
//! "the reader failed") is written to `<dir>` for keeping under `tests/fixtures/hostile/`.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook as XlsxWriter};
use tideline_core::import::workbook::{
    column_name, read_workbook, read_workbook_bytes, read_workbook_with_progress, Cell, Limits,
    Row, Workbook,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

// ------------------------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------------------------

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

#[track_caller]
fn read_ok(name: &str, bytes: &[u8]) -> Workbook {
    match read_workbook_bytes(name, bytes, &Limits::default()) {
        Ok(wb) => wb,
        Err(e) => panic!("{name}: {e} ({})", e.code()),
    }
}

/// Reads and expects an error with this code whose message names the file; returns the message.
#[track_caller]
fn read_err(name: &str, bytes: &[u8], limits: &Limits, code: &str) -> String {
    match read_workbook_bytes(name, bytes, limits) {
        Ok(wb) => panic!(
            "{name}: expected {code}, but it read {} sheets",
            wb.sheets.len()
        ),
        Err(e) => {
            let message = e.to_string();
            assert_eq!(e.code(), code, "{name}: {message}");
            assert!(
                message.starts_with(&format!("{name}: ")),
                "the message names the file: {message}"
            );
            message
        }
    }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn date(y: i32, m: u32, d: u32) -> Cell {
    Cell::Date(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    )
}

fn row(number: u32, cells: Vec<(u32, Cell)>) -> Row {
    Row { number, cells }
}

fn sheet<'a>(wb: &'a Workbook, name: &str) -> &'a tideline_core::import::workbook::Sheet {
    wb.sheets
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// The workbook the .xls/.ods fixtures were converted from (`write_fixture_sources`).
fn basic_xlsx() -> Vec<u8> {
    let mut wb = XlsxWriter::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.set_name("KPIs").unwrap();
    for (c, h) in ["Account", "KPI", "Value", "Date", "Active", "Note"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Acme").unwrap();
    ws.write_string(1, 1, "NPS").unwrap();
    ws.write_number(1, 2, 42.0).unwrap();
    ws.write_datetime_with_format(
        1,
        3,
        ExcelDateTime::from_ymd(2025, 1, 15).unwrap(),
        &date_format,
    )
    .unwrap();
    ws.write_boolean(1, 4, true).unwrap();
    ws.write_string(2, 0, "Globex").unwrap();
    ws.write_string(2, 1, "ARR").unwrap();
    ws.write_number(2, 2, 1200.5).unwrap();
    ws.write_datetime_with_format(
        2,
        3,
        ExcelDateTime::from_ymd(2025, 2, 1).unwrap(),
        &date_format,
    )
    .unwrap();
    ws.write_boolean(2, 4, false).unwrap();
    ws.write_string(2, 5, " padded ").unwrap();
    // Row 4 is empty.
    ws.write_string(4, 0, "Initech").unwrap();
    ws.write_string(4, 1, "Churn").unwrap();
    ws.write_formula(4, 2, Formula::new("=C2*2").set_result("84"))
        .unwrap();
    ws.write_formula(4, 5, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    ws.write_string(5, 0, "x").unwrap();
    ws.write_number(5, 7, 7.0).unwrap();
    let empty = wb.add_worksheet();
    empty.set_name("Empty").unwrap();
    let profiles = wb.add_worksheet();
    profiles.set_name("Profiles").unwrap();
    profiles.write_string(0, 0, "Account").unwrap();
    profiles.write_string(0, 1, "Region").unwrap();
    profiles.write_string(1, 0, "Acme").unwrap();
    profiles.write_string(1, 1, "EMEA").unwrap();
    wb.save_to_buffer().unwrap()
}

fn expected_kpis() -> Vec<Row> {
    vec![
        row(
            1,
            vec![
                (0, text("Account")),
                (1, text("KPI")),
                (2, text("Value")),
                (3, text("Date")),
                (4, text("Active")),
                (5, text("Note")),
            ],
        ),
        row(
            2,
            vec![
                (0, text("Acme")),
                (1, text("NPS")),
                (2, Cell::Number(42.0)),
                (3, date(2025, 1, 15)),
                (4, Cell::Bool(true)),
            ],
        ),
        row(
            3,
            vec![
                (0, text("Globex")),
                (1, text("ARR")),
                (2, Cell::Number(1200.5)),
                (3, date(2025, 2, 1)),
                (4, Cell::Bool(false)),
                (5, text(" padded ")),
            ],
        ),
        row(
            5,
            vec![
                (0, text("Initech")),
                (1, text("Churn")),
                (2, Cell::Number(84.0)),
                (5, Cell::Error("#DIV/0!".into())),
            ],
        ),
        row(6, vec![(0, text("x")), (7, Cell::Number(7.0))]),
    ]
}

fn check_basic(wb: &Workbook) {
    check_basic_with(wb, expected_kpis());
}

fn check_basic_with(wb: &Workbook, kpis: Vec<Row>) {
    let names: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["KPIs", "Empty", "Profiles"]);
    assert_eq!(sheet(wb, "KPIs").rows, kpis);
    assert!(sheet(wb, "Empty").rows.is_empty());
    assert_eq!(
        sheet(wb, "Profiles").rows,
        vec![
            row(1, vec![(0, text("Account")), (1, text("Region"))]),
            row(2, vec![(0, text("Acme")), (1, text("EMEA"))])
        ]
    );
}

/// A workbook with one sheet "KPIs" whose `<sheetData>` is replaced by `rows_xml`.
fn xlsx_with_sheet_data(rows_xml: &str) -> Vec<u8> {
    let mut wb = XlsxWriter::new();
    let ws = wb.add_worksheet();
    ws.set_name("KPIs").unwrap();
    ws.write_string(0, 0, "placeholder").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    edit_part(&bytes, "xl/worksheets/sheet1.xml", |xml| {
        let start = xml.find("<sheetData>").expect("sheetData") + "<sheetData>".len();
        let end = xml.find("</sheetData>").expect("/sheetData");
        format!("{}{}{}", &xml[..start], rows_xml, &xml[end..])
    })
}

/// Re-zips `bytes`, letting `edit` change any part (all parts are rewritten with valid CRCs).
fn rewrite_zip(bytes: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut zin = ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut zout = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        if f.is_dir() {
            zout.add_directory(name, SimpleFileOptions::default())
                .unwrap();
            continue;
        }
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        let data = edit(&name, data);
        let method = if name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        zout.start_file(
            name,
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        zout.write_all(&data).unwrap();
    }
    zout.finish().unwrap().into_inner()
}

fn edit_part(bytes: &[u8], part: &str, f: impl Fn(String) -> String) -> Vec<u8> {
    let mut found = false;
    let out = rewrite_zip(bytes, |name, data| {
        if name == part {
            found = true;
            f(String::from_utf8(data).expect("utf-8 part")).into_bytes()
        } else {
            data
        }
    });
    assert!(found, "no part {part}");
    out
}

/// Appends a part to a zip.
fn add_part(
    bytes: &[u8],
    name: &str,
    write: impl FnOnce(&mut ZipWriter<Cursor<Vec<u8>>>),
) -> Vec<u8> {
    let zin = ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut zout = ZipWriter::new_append(Cursor::new(bytes.to_vec())).unwrap();
    drop(zin);
    zout.start_file(
        name,
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated),
    )
    .unwrap();
    write(&mut zout);
    zout.finish().unwrap().into_inner()
}

/// Rewrites the declared uncompressed size of `name` in its local header and central directory entry.
fn lie_about_size(bytes: &mut [u8], name: &str, size: u32) {
    let name = name.as_bytes();
    let mut patched = 0;
    for i in 0..bytes.len().saturating_sub(46) {
        if bytes[i..].starts_with(b"PK\x03\x04") {
            let n = u16::from_le_bytes([bytes[i + 26], bytes[i + 27]]) as usize;
            if bytes.get(i + 30..i + 30 + n) == Some(name) {
                bytes[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
        } else if bytes[i..].starts_with(b"PK\x01\x02") {
            let n = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            if bytes.get(i + 46..i + 46 + n) == Some(name) {
                bytes[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
        }
    }
    assert_eq!(patched, 2, "local header and central directory entry");
}

fn time<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    eprintln!("{what}: {:.3} s", start.elapsed().as_secs_f64());
    out
}

// ------------------------------------------------------------------------------------------------------------------
// Reading real files
// ------------------------------------------------------------------------------------------------------------------

#[test]
fn xlsx_written_by_rust_xlsxwriter_reads_every_kind_of_cell() {
    let bytes = basic_xlsx();
    let wb = read_ok("kpis.xlsx", &bytes);
    assert_eq!(wb.file, "kpis.xlsx");
    check_basic(&wb);
    // Same bytes under an .xlsm name: the format comes from the content.
    check_basic(&read_ok("kpis.xlsm", &bytes));
    check_basic(&read_ok("kpis.csv", &bytes));
}

#[test]
fn xls_converted_by_libreoffice_reads_the_same_cells() {
    let wb = read_ok("basic.xls", &fixture("basic.xls"));
    check_basic(&wb);
}

#[test]
fn ods_converted_by_libreoffice_reads_the_same_cells() {
    let wb = read_ok("basic.ods", &fixture("basic.ods"));
    // LibreOffice turned the xlsx booleans into =TRUE()/=FALSE() formulas of type float when converting.
    let mut kpis = expected_kpis();
    kpis[1].cells[4].1 = Cell::Number(1.0);
    kpis[2].cells[4].1 = Cell::Number(0.0);
    check_basic_with(&wb, kpis);
}

#[test]
fn xlsb_written_by_excel_reads() {
    // calamine's tests/issues.xlsb (Excel): sheet "issue2" is [1, a], [2, b], [3, c].
    let wb = read_ok("issues.xlsb", &fixture("calamine-issues.xlsb"));
    assert_eq!(
        sheet(&wb, "issue2").rows,
        vec![
            row(1, vec![(0, Cell::Number(1.0)), (1, text("a"))]),
            row(2, vec![(0, Cell::Number(2.0)), (1, text("b"))]),
            row(3, vec![(0, Cell::Number(3.0)), (1, text("c"))]),
        ]
    );
    assert!(wb.sheets.len() > 1);
}

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

#[test]
fn formula_without_cached_value_is_formula_no_value() {
    let mut wb = XlsxWriter::new();
    let ws = wb.add_worksheet();
    ws.set_name("KPIs").unwrap();
    ws.write_number(0, 0, 4.0).unwrap();
    ws.write_number(0, 1, 0.0).unwrap();
    ws.write_formula(0, 2, "=A1/B1").unwrap();
    ws.write_formula(0, 3, Formula::new("=A1*2").set_result("8"))
        .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    // rust_xlsxwriter stores "0" as the result of a formula without one; Excel-less generators (openpyxl, many
    // exports) write no <v> at all. Remove the C1 one to get that.
    let bytes = edit_part(&bytes, "xl/worksheets/sheet1.xml", |xml| {
        assert!(xml.contains("<f>A1/B1</f><v>0</v>"), "{xml}");
        xml.replace("<f>A1/B1</f><v>0</v>", "<f>A1/B1</f>")
    });
    let wb = read_ok("formulas.xlsx", &bytes);
    assert_eq!(
        wb.sheets[0].rows,
        vec![row(
            1,
            vec![
                (0, Cell::Number(4.0)),
                (1, Cell::Number(0.0)),
                (2, Cell::FormulaNoValue("=A1/B1".into())),
                (3, Cell::Number(8.0)),
            ]
        )]
    );
}

#[test]
fn formula_returning_an_empty_string_is_a_blank_cell() {
    let bytes = xlsx_with_sheet_data(
        r#"<row r="1"><c r="A1" t="str"><f>IF(1=2,"x","")</f><v></v></c><c r="B1"><v>5</v></c></row>"#,
    );
    let wb = read_ok("blank.xlsx", &bytes);
    assert_eq!(
        wb.sheets[0].rows,
        vec![row(1, vec![(1, Cell::Number(5.0))])]
    );
}

#[test]
fn shared_formulas_without_values_are_expanded_per_cell() {
    let bytes = xlsx_with_sheet_data(concat!(
        r#"<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f></c></row>"#,
        r#"<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/></c></row>"#,
        r#"<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row>"#,
        // A derived cell pointing at a forged, huge shared index with no anchor: no huge allocation.
        r#"<row r="4"><c r="B4"><f t="shared" si="4000000000"/></c></row>"#,
    ));
    let wb = read_ok("shared.xlsx", &bytes);
    assert_eq!(
        wb.sheets[0].rows,
        vec![
            row(
                1,
                vec![
                    (0, Cell::Number(1.0)),
                    (1, Cell::FormulaNoValue("=A1*2".into()))
                ]
            ),
            row(
                2,
                vec![
                    (0, Cell::Number(2.0)),
                    (1, Cell::FormulaNoValue("=A2*2".into()))
                ]
            ),
            row(3, vec![(0, Cell::Number(3.0)), (1, Cell::Number(6.0))]),
            row(
                4,
                vec![(1, Cell::FormulaNoValue("=(shared formula)".into()))]
            ),
        ]
    );
}

#[test]
fn error_values_come_out_as_excel_shows_them() {
    let bytes = xlsx_with_sheet_data(concat!(
        r#"<row r="1"><c r="A1" t="e"><v>#N/A</v></c><c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c>"#,
        r#"<c r="C1" t="e"><v>#REF!</v></c><c r="D1"><v>NaN</v></c></row>"#,
    ));
    let wb = read_ok("errors.xlsx", &bytes);
    assert_eq!(
        wb.sheets[0].rows,
        vec![row(
            1,
            vec![
                (0, Cell::Error("#N/A".into())),
                (1, Cell::Error("#DIV/0!".into())),
                (2, Cell::Error("#REF!".into())),
                (3, Cell::Error("#NUM!".into())),
            ]
        )]
    );
}

#[test]
fn newer_excel_error_values_do_not_fail_the_workbook() {
    // calamine 0.38 refuses a whole sheet on #SPILL!, #CALC! and the other dynamic-array errors.
    let bytes = xlsx_with_sheet_data(concat!(
        r#"<row r="1"><c r="A1" t="e"><f>FILTER(D1:D2,D1:D2&gt;5)</f><v>#CALC!</v></c>"#,
        r#"<c r="B1" t="e"><v>#SPILL!</v></c><c r="C1" t="e"><v>#N/A</v></c><c r="D1"><v>3</v></c></row>"#,
        r#"<row r="2"><c r="A2" t="str"><v>#SPILL!</v></c></row>"#,
    ));
    let wb = read_ok("dynamic.xlsx", &bytes);
    assert_eq!(
        wb.sheets[0].rows,
        vec![
            row(
                1,
                vec![
                    (0, Cell::Error("#CALC!".into())),
                    (1, Cell::Error("#SPILL!".into())),
                    (2, Cell::Error("#N/A".into())),
                    (3, Cell::Number(3.0)),
                ]
            ),
            // In a sheet that needed the rewrite, a text cell reading exactly "#SPILL!" is taken as that error.
            row(2, vec![(0, Cell::Error("#SPILL!".into()))]),
        ]
    );
}

#[test]
fn iso_dates_inline_strings_and_durations() {
    let bytes = xlsx_with_sheet_data(concat!(
        r#"<row r="1"><c r="A1" t="d"><v>2025-01-15T10:30:00</v></c><c r="B1" t="inlineStr"><is><t>hi</t></is></c>"#,
        r#"<c r="C1" t="d"><v>not a date</v></c><c r="D1" t="inlineStr"><is><t></t></is></c></row>"#,
    ));
    let wb = read_ok("iso.xlsx", &bytes);
    let dt = NaiveDateTime::parse_from_str("2025-01-15 10:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
    assert_eq!(
        wb.sheets[0].rows,
        vec![row(
            1,
            vec![
                (0, Cell::Date(dt)),
                (1, text("hi")),
                (2, text("not a date"))
            ]
        )]
    );
}

#[test]
fn rows_and_cells_out_of_order_are_sorted_and_deduplicated() {
    let bytes = xlsx_with_sheet_data(concat!(
        r#"<row r="3"><c r="B3"><v>2</v></c><c r="A3"><v>1</v></c></row>"#,
        r#"<row r="1"><c r="A1"><v>5</v></c></row>"#,
        r#"<row r="3"><c r="B3"><v>9</v></c></row>"#,
    ));
    let wb = read_ok("order.xlsx", &bytes);
    assert_eq!(
        wb.sheets[0].rows,
        vec![
            row(1, vec![(0, Cell::Number(5.0))]),
            row(3, vec![(0, Cell::Number(1.0)), (1, Cell::Number(9.0))])
        ]
    );
}

// ------------------------------------------------------------------------------------------------------------------
// Hostile and broken files
// ------------------------------------------------------------------------------------------------------------------

#[test]
fn hostile_text_file_renamed_xlsx_is_not_a_spreadsheet() {
    let m = read_err(
        "kpis.xlsx",
        b"Account,KPI,Value\nAcme,NPS,42\n",
        &Limits::default(),
        "file_not_spreadsheet",
    );
    assert!(m.contains("named .xlsx") && m.contains("CSV"), "{m}");
}

#[test]
fn hostile_other_documents_are_described() {
    let l = Limits::default();
    assert!(read_err("a.xlsx", b"%PDF-1.7\n%...", &l, "file_not_spreadsheet").contains("PDF"));
    assert!(read_err(
        "a.xls",
        b"<html><body><table><tr><td>1</td></tr></table>",
        &l,
        "file_not_spreadsheet"
    )
    .contains("web page"));
    assert!(read_err(
        "a.xls",
        b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">",
        &l,
        "file_not_spreadsheet"
    )
    .contains("Excel 2003 XML"));
    assert!(read_err(
        "a.bin",
        &[0x00, 0x9F, 0x92, 0x96, 0xFF, 0x01],
        &l,
        "file_not_spreadsheet"
    )
    .contains("not a format Tideline reads"));
    // A Word document in a zip.
    let mut docx = ZipWriter::new(Cursor::new(Vec::new()));
    docx.start_file("[Content_Types].xml", SimpleFileOptions::default())
        .unwrap();
    docx.write_all(b"<Types/>").unwrap();
    docx.start_file("word/document.xml", SimpleFileOptions::default())
        .unwrap();
    docx.write_all(b"<w:document/>").unwrap();
    let docx = docx.finish().unwrap().into_inner();
    assert!(read_err("report.xlsx", &docx, &l, "file_not_spreadsheet").contains("Word document"));
    // A zip with nothing of a workbook in it, named .xlsx.
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("readme.txt", SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"hello").unwrap();
    let z = z.finish().unwrap().into_inner();
    read_err("data.xlsx", &z, &l, "file_unreadable");
    read_err("data.zip", &z, &l, "file_not_spreadsheet");
}

#[test]
fn hostile_zero_byte_file_is_empty() {
    read_err("empty.xlsx", b"", &Limits::default(), "file_empty");
}

#[test]
fn hostile_truncated_xlsx_is_unreadable() {
    let bytes = basic_xlsx();
    let m = read_err(
        "half.xlsx",
        &bytes[..bytes.len() / 2],
        &Limits::default(),
        "file_unreadable",
    );
    assert!(m.contains("incomplete or damaged"), "{m}");
    // Cut anywhere: never a panic, always an error.
    for cut in (0..bytes.len()).step_by(97) {
        assert!(
            read_workbook_bytes("cut.xlsx", &bytes[..cut], &Limits::default()).is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn hostile_truncated_xls_and_ods_are_errors() {
    for name in ["basic.xls", "basic.ods"] {
        let bytes = fixture(name);
        let full = read_ok(name, &bytes);
        for cut in (0..bytes.len()).step_by(211) {
            // An .xls whose unused tail sectors are cut can still read in full; anything else is an error.
            match read_workbook_bytes(name, &bytes[..cut], &Limits::default()) {
                Err(e) => assert!(e.code().starts_with("file_"), "{name} cut at {cut}: {e}"),
                Ok(wb) => assert_eq!(
                    wb.sheets, full.sheets,
                    "{name} cut at {cut} read differently"
                ),
            }
        }
    }
}

#[test]
fn hostile_encrypted_ooxml_is_encrypted() {
    // Excel's password-protected .xlsx: an OLE2 container with EncryptionInfo + EncryptedPackage.
    let m = read_err(
        "secret.xlsx",
        &fixture("hostile/encrypted-excel.xlsx"),
        &Limits::default(),
        "file_encrypted",
    );
    assert!(m.contains("encrypted or password-protected"), "{m}");
    read_err(
        "secret.xlsb",
        &fixture("hostile/encrypted-excel.xlsb"),
        &Limits::default(),
        "file_encrypted",
    );
    read_err(
        "secret.ods",
        &fixture("hostile/encrypted-libreoffice.ods"),
        &Limits::default(),
        "file_encrypted",
    );
}

#[test]
fn hostile_zip_bomb_is_refused_by_its_declared_size() {
    const ZEROS: usize = 200 << 20;
    let bytes = add_part(&basic_xlsx(), "xl/media/image1.png", |z| {
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..(ZEROS >> 20) {
            z.write_all(&chunk).unwrap();
        }
    });
    assert!(
        bytes.len() < 1 << 20,
        "the bomb itself is small: {} bytes",
        bytes.len()
    );
    let limits = Limits {
        max_inflated_bytes: 10 << 20,
        ..Limits::default()
    };
    let m = time("zip bomb, declared size", || {
        read_err("bomb.xlsx", &bytes, &limits, "file_too_large")
    });
    assert!(m.contains("expand"), "{m}");
    // With the default 512 MiB limit the 200 MiB part passes the size caps but not the ratio cap.
    let m = read_err("bomb.xlsx", &bytes, &Limits::default(), "file_too_large");
    assert!(m.contains("zip bomb"), "{m}");
}

#[test]
fn hostile_zip_bomb_with_lying_sizes_is_capped_while_inflating() {
    let mut bytes = add_part(&basic_xlsx(), "xl/worksheets/sheet9.xml", |z| {
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..64 {
            z.write_all(&chunk).unwrap();
        }
    });
    lie_about_size(&mut bytes, "xl/worksheets/sheet9.xml", 1_000);
    let limits = Limits {
        max_inflated_bytes: 10 << 20,
        ..Limits::default()
    };
    let r = time("zip bomb, lying sizes", || {
        read_workbook_bytes("liar.xlsx", &bytes, &limits)
    });
    let e = r.expect_err("refused");
    eprintln!("{e}");
    assert!(
        matches!(e.code(), "file_too_large" | "file_unreadable"),
        "{e}"
    );
    assert!(e.to_string().starts_with("liar.xlsx: "), "{e}");
}

#[test]
fn hostile_overlapping_zip_entries_are_refused() {
    let bytes = rewrite_zip(&basic_xlsx(), |_, d| d);
    let mut z = ZipWriter::new_append(Cursor::new(bytes)).unwrap();
    z.shallow_copy_file("xl/worksheets/sheet1.xml", "xl/worksheets/sheet4.xml")
        .unwrap();
    let bytes = z.finish().unwrap().into_inner();
    let m = read_err(
        "overlap.xlsx",
        &bytes,
        &Limits::default(),
        "file_unreadable",
    );
    assert!(m.contains("overlap"), "{m}");
}

#[test]
fn hostile_too_many_zip_parts_are_refused() {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..10_001 {
        z.start_file(
            format!("xl/p{i}.xml"),
            SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
        )
        .unwrap();
    }
    let bytes = z.finish().unwrap().into_inner();
    let m = read_err("many.xlsx", &bytes, &Limits::default(), "file_unreadable");
    assert!(m.contains("parts"), "{m}");
}

#[test]
fn hostile_stray_cell_at_xfd1048576_reads_as_the_small_sheet_it_is() {
    let mut wb = XlsxWriter::new();
    let ws = wb.add_worksheet();
    ws.set_name("KPIs").unwrap();
    for r in 0..3u32 {
        for c in 0..3u16 {
            ws.write_number(r, c, f64::from(r * 3 + u32::from(c)))
                .unwrap();
        }
    }
    ws.write(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let wb = time("stray cell at XFD1048576", || read_ok("stray.xlsx", &bytes));
    let rows = &wb.sheets[0].rows;
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3], row(1_048_576, vec![(16_383, text("x"))]));
    assert_eq!(rows[0].cells.len(), 3);
}

#[test]
fn hostile_row_beyond_1048576_is_refused_naming_the_sheet() {
    let bytes = xlsx_with_sheet_data(concat!(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Account</t></is></c></row>"#,
        r#"<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>"#,
    ));
    let m = read_err("rows.xlsx", &bytes, &Limits::default(), "file_too_large");
    assert!(
        m.contains("sheet \"KPIs\"") && m.contains("1,048,577") && m.contains("1,048,576"),
        "{m}"
    );
    // A row element without a cell reference in its cells: the row number still counts.
    let bytes = xlsx_with_sheet_data(r#"<row r="1048578"><c><v>1</v></c></row>"#);
    read_err("rows.xlsx", &bytes, &Limits::default(), "file_too_large");
    // A column past XFD.
    let bytes = xlsx_with_sheet_data(r#"<row r="1"><c r="XFE1"><v>1</v></c></row>"#);
    let m = read_err("cols.xlsx", &bytes, &Limits::default(), "file_too_large");
    assert!(m.contains("column XFE"), "{m}");
}

#[test]
fn hostile_limits_below_the_data_are_refused() {
    let bytes = basic_xlsx();
    let m = read_err(
        "kpis.xlsx",
        &bytes,
        &Limits {
            max_rows: 3,
            ..Limits::default()
        },
        "file_too_large",
    );
    assert!(m.contains("sheet \"KPIs\"") && m.contains("row 5"), "{m}");
    let m = read_err(
        "kpis.xlsx",
        &bytes,
        &Limits {
            max_cols: 6,
            ..Limits::default()
        },
        "file_too_large",
    );
    assert!(m.contains("column H"), "{m}");
    let m = read_err(
        "kpis.xlsx",
        &bytes,
        &Limits {
            max_cells: 10,
            ..Limits::default()
        },
        "file_too_large",
    );
    assert!(m.contains("10 filled cells"), "{m}");
    for name in ["basic.xls", "basic.ods"] {
        read_err(
            name,
            &fixture(name),
            &Limits {
                max_cells: 10,
                ..Limits::default()
            },
            "file_too_large",
        );
        read_err(
            name,
            &fixture(name),
            &Limits {
                max_rows: 3,
                ..Limits::default()
            },
            "file_too_large",
        );
    }
}

#[test]
fn hostile_workbook_with_only_empty_sheets_is_empty() {
    let mut wb = XlsxWriter::new();
    wb.add_worksheet();
    wb.add_worksheet().set_name("Also empty").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let m = read_err("blank.xlsx", &bytes, &Limits::default(), "file_empty");
    assert!(m.contains("no data"), "{m}");
    // Only empty strings and styled blanks are still empty.
    let bytes = xlsx_with_sheet_data(
        r#"<row r="1"><c r="A1" s="0"/><c r="B1" t="inlineStr"><is><t></t></is></c></row>"#,
    );
    read_err("blank.xlsx", &bytes, &Limits::default(), "file_empty");
}

#[test]
fn hostile_forged_shared_strings_count_is_refused() {
    let mut wb = XlsxWriter::new();
    wb.add_worksheet().write_string(0, 0, "hello").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let bytes = edit_part(&bytes, "xl/sharedStrings.xml", |xml| {
        let start = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        // calamine would reserve this many strings (2.4 TB) before reading one: the process would abort.
        format!("{}99999999999{}", &xml[..start], &xml[end..])
    });
    let m = read_err("sst.xlsx", &bytes, &Limits::default(), "file_unreadable");
    assert!(
        m.contains("shared-strings table claims 99,999,999,999 strings"),
        "{m}"
    );
}

#[test]
fn hostile_shared_string_amplification_is_refused() {
    let long = "x".repeat(10_000);
    let mut wb = XlsxWriter::new();
    let ws = wb.add_worksheet();
    for r in 0..2_000u32 {
        ws.write_string(r, 0, &long).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    let limits = Limits {
        max_inflated_bytes: 10 << 20,
        ..Limits::default()
    };
    let m = read_err("amplified.xlsx", &bytes, &limits, "file_too_large");
    assert!(m.contains("text in its cells"), "{m}");
    assert_eq!(
        read_ok("amplified.xlsx", &bytes).sheets[0].rows.len(),
        2_000
    );
}

#[test]
fn hostile_xls_stray_cell_is_refused_with_a_clear_error() {
    // LibreOffice wrote this .xls from tests/fixtures/source/stray-xls.xlsx: A1:C3 plus one cell at IV65536.
    let m = time("xls stray cell", || {
        read_err(
            "stray.xls",
            &fixture("stray.xls"),
            &Limits::default(),
            "file_too_large",
        )
    });
    assert!(
        m.contains("sheet \"KPIs\"") && m.contains("IV65536") && m.contains("stray"),
        "{m}"
    );
}

/// Offset of the first BIFF record of this type and length in an .xls file (small fixtures keep the Workbook
/// stream in one run of sectors).
fn find_record(bytes: &[u8], typ: u16, len: u16) -> usize {
    let mut pat = typ.to_le_bytes().to_vec();
    pat.extend(len.to_le_bytes());
    bytes
        .windows(4)
        .position(|w| w == pat.as_slice())
        .expect("record")
}

#[test]
fn hostile_xls_forged_dimensions_are_refused() {
    let mut bytes = fixture("basic.xls");
    let at = find_record(&bytes, 0x0200, 14);
    // rwMac: the sheet claims 268 million rows; calamine would reserve rows × cols cells up front.
    bytes[at + 8..at + 12].copy_from_slice(&0x0FFF_FFFFu32.to_le_bytes());
    let m = read_err("dims.xls", &bytes, &Limits::default(), "file_too_large");
    assert!(m.contains("declares a used range"), "{m}");
}

#[test]
fn hostile_xls_cyclic_allocation_table_is_refused() {
    let mut bytes = fixture("basic.xls");
    assert_eq!(
        u16::from_le_bytes([bytes[30], bytes[31]]),
        9,
        "512-byte sectors"
    );
    let fat_sector = u32::from_le_bytes(bytes[76..80].try_into().unwrap()) as usize;
    let dir_start = u32::from_le_bytes(bytes[48..52].try_into().unwrap()) as usize;
    // The directory chain points at itself: calamine reads it with no length limit and would loop forever,
    // growing a buffer until the process dies.
    let entry = 512 + fat_sector * 512 + dir_start * 4;
    bytes[entry..entry + 4].copy_from_slice(&(dir_start as u32).to_le_bytes());
    let m = time("xls FAT cycle", || {
        read_err("cycle.xls", &bytes, &Limits::default(), "file_unreadable")
    });
    assert!(m.contains("chain"), "{m}");
}

#[test]
fn hostile_xls_encrypted_is_encrypted() {
    // A FILEPASS record in the globals: flip an unused record into one right after BOF.
    let mut bytes = fixture("basic.xls");
    let bof = find_record(&bytes, 0x0809, 16);
    let next = bof + 4 + 16;
    // Overwrite the record that follows BOF with a FILEPASS of the same length (RC4, non-zero wEncryptionType).
    let len = u16::from_le_bytes([bytes[next + 2], bytes[next + 3]]) as usize;
    assert!(len >= 2);
    bytes[next..next + 2].copy_from_slice(&0x002Fu16.to_le_bytes());
    bytes[next + 4..next + 6].copy_from_slice(&1u16.to_le_bytes());
    read_err("locked.xls", &bytes, &Limits::default(), "file_encrypted");
}

#[test]
fn hostile_ods_stray_cell_is_refused_with_a_clear_error() {
    // LibreOffice wrote this from tests/fixtures/source/stray-ods.xlsx: A1:C3 plus one cell at XFD1048576.
    let m = time("ods stray cell", || {
        read_err(
            "stray.ods",
            &fixture("stray.ods"),
            &Limits::default(),
            "file_too_large",
        )
    });
    assert!(m.contains("sheet \"KPIs\"") && m.contains("stray"), "{m}");
}

fn ods_with_rows(rows_xml: &str) -> Vec<u8> {
    edit_part(&fixture("basic.ods"), "content.xml", |xml| {
        // Insert rows after the first row of the first table (LibreOffice ends a table with filler rows down
        // to row 1,048,576, so rows appended at the end would be past the sheet's last row).
        let end = xml.find("</table:table-row>").expect("a row") + "</table:table-row>".len();
        format!("{}{}{}", &xml[..end], rows_xml, &xml[end..])
    })
}

#[test]
fn hostile_ods_repeated_cells_are_counted_before_calamine_expands_them() {
    // One small row claiming 16,384 filled columns, repeated a million times: 17 billion cells.
    let bomb = ods_with_rows(
        r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#,
    );
    let m = time("ods repeat bomb", || {
        read_err("bomb.ods", &bomb, &Limits::default(), "file_too_large")
    });
    assert!(m.contains("filled cells"), "{m}");
    // Rows of 16,384 filled cells each, without row repeats: calamine pushes every cell.
    let row = r#"<table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#;
    let wide = ods_with_rows(&row.repeat(2_000));
    read_err("wide.ods", &wide, &Limits::default(), "file_too_large");
    // A long string cloned into every repeated cell.
    let text_bomb = ods_with_rows(&format!(
        r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell office:value-type="string" office:string-value="{}" table:number-columns-repeated="1000"/></table:table-row>"#,
        "y".repeat(10_000)
    ));
    let m = read_err("text.ods", &text_bomb, &Limits::default(), "file_too_large");
    assert!(m.contains("text"), "{m}");
}

#[test]
fn hostile_ods_space_run_is_refused() {
    let bytes = edit_part(&fixture("basic.ods"), "content.xml", |xml| {
        assert!(xml.contains("<text:p>Acme</text:p>"), "{xml}");
        xml.replacen(
            "<text:p>Acme</text:p>",
            // calamine pushes 2 billion spaces one by one, then clones the string: the process dies.
            r#"<text:p>Acme<text:s text:c="2000000000"/></text:p>"#,
            1,
        )
    });
    let m = read_err("spaces.ods", &bytes, &Limits::default(), "file_too_large");
    assert!(m.contains("of text"), "{m}");
}

#[test]
fn hostile_ods_truncated_inside_a_table_does_not_hang() {
    // content.xml cut right after a row, inside the first table: calamine's read_table loops forever on that.
    let bytes = edit_part(&fixture("basic.ods"), "content.xml", |xml| {
        let cut = xml.find("</table:table-row>").unwrap() + "</table:table-row>".len();
        xml[..cut].to_string()
    });
    let m = time("ods truncated table", || {
        read_err("cut.ods", &bytes, &Limits::default(), "file_unreadable")
    });
    assert!(m.contains("truncated"), "{m}");
    // ... and inside a cell comment.
    let bytes = edit_part(&fixture("basic.ods"), "content.xml", |xml| {
        let at = xml.find("<text:p>Acme</text:p>").unwrap();
        format!(
            "{}<text:p>Acme</text:p><office:annotation><text:p>note",
            &xml[..at]
        )
    });
    let r = time("ods truncated comment", || {
        read_workbook_bytes("cut.ods", &bytes, &Limits::default())
    });
    assert_eq!(r.expect_err("refused").code(), "file_unreadable");
}

/// xlsb records: (offset of the record, type, body range).
fn xlsb_records(part: &[u8]) -> Vec<(u16, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < part.len() {
        let b = part[pos];
        pos += 1;
        let typ = if b & 0x80 != 0 {
            let t = u16::from(b & 0x7F) + (u16::from(part[pos] & 0x7F) << 7);
            pos += 1;
            t
        } else {
            u16::from(b)
        };
        let mut len = 0usize;
        for i in 0..4 {
            let b = part[pos];
            pos += 1;
            len += usize::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                break;
            }
        }
        out.push((typ, pos..pos + len));
        pos += len;
    }
    out
}

#[test]
fn hostile_xlsb_row_beyond_the_limit_is_refused() {
    let bytes = rewrite_zip(&fixture("calamine-issues.xlsb"), |name, mut data| {
        if name.starts_with("xl/worksheets/") && name.ends_with(".bin") {
            if let Some((_, body)) = xlsb_records(&data).into_iter().find(|(t, _)| *t == 0) {
                // calamine silently stops reading a sheet at a row header past 0x100000.
                data[body.start..body.start + 4].copy_from_slice(&0x0020_0000u32.to_le_bytes());
            }
        }
        data
    });
    let m = read_err("rows.xlsb", &bytes, &Limits::default(), "file_too_large");
    assert!(m.contains("2,097,153"), "{m}");
}

/// Every kept hostile fixture: the reader answers (no panic, no abort, no hang) with the expected outcome.
#[test]
fn hostile_regression_fixtures() {
    let expected: &[(&str, Option<&str>)] = &[
        ("encrypted-excel.xlsx", Some("file_encrypted")),
        ("encrypted-excel.xlsb", Some("file_encrypted")),
        ("encrypted-libreoffice.ods", Some("file_encrypted")),
        // calamine's own regression files for past panics (issue #666, PtgExp with a truncated operand).
        ("calamine-issue-666-panic.xlsb", None),
        ("calamine-ptgexp-truncated-operand.xls", None),
        // Inputs from the fuzz harness that made calamine 0.38 panic (slice/index out of bounds); the panic is
        // caught and the file reported as damaged. One file per panic site:
        ("fuzz-xls-formula-slice.xls", Some("file_unreadable")), // xls.rs:1531, formula rgce length
        ("fuzz-xls-sheet-offset.xls", Some("file_unreadable")), // xls.rs:633, BoundSheet offset past the stream
        ("fuzz-xls-formula-token.xls", Some("file_unreadable")), // xls.rs:1584, formula token operand
        ("fuzz-xls-short-record.xls", Some("file_unreadable")), // utils.rs:43, read_u16 on a short record
        (
            "fuzz-xlsb-missing-relationship.xlsb",
            Some("file_unreadable"),
        ), // xlsb/mod.rs:312
        ("fuzz-xlsb-string-index.xlsb", Some("file_unreadable")), // xlsb/cells_reader.rs:151
        ("fuzz-xlsb-name-formula.xlsb", Some("file_unreadable")), // xlsb/mod.rs:848, defined-name formula
        ("fuzz-xlsb-workbook-record.xlsb", Some("file_unreadable")), // xlsb/mod.rs:275, workbook record
        // Arithmetic overflow in calamine's cell-reference parsing: a caught panic in debug builds (overflow
        // checks), wrapping arithmetic in release builds; either way an answer, never a crash.
        ("fuzz-xlsx-row-overflow.xlsx", None), // xlsx/mod.rs:3112, row number × 10
        ("fuzz-xlsx-dimension-underflow.xlsx", None), // xlsx/mod.rs:3048, <dimension ref="B2:A1">
    ];
    let dir = fixtures_dir().join("hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= expected.len());
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "README.md" {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() < 100 * 1024, "{name} is a small file");
        let result = read_workbook_bytes(&name, &bytes, &Limits::default());
        match (
            expected
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, c)| *c),
            &result,
        ) {
            (Some(code), Err(e)) => assert_eq!(e.code(), code, "{name}: {e}"),
            (Some(code), Ok(_)) => panic!("{name}: expected {code}, read it"),
            (None, Err(e)) => {
                assert!(e.code().starts_with("file_"), "{name}: {e}");
                assert!(e.to_string().starts_with(&format!("{name}: ")), "{e}");
            }
            (None, Ok(_)) => {}
        }
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Fuzzing: mutate valid files, assert the reader answers Ok or Err without panicking.
// ------------------------------------------------------------------------------------------------------------------

/// Values that hit size and index fields.
const EXTREMES: [u32; 10] = [
    0,
    1,
    0x7F,
    0xFF,
    0xFFFF,
    0x1_0000,
    0x10_0000,
    0x7FFF_FFFF,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
];
const NUMBERS: [&str; 10] = [
    "0",
    "-1",
    "65536",
    "1048577",
    "16385",
    "4294967295",
    "4294967296",
    "99999999999999999999",
    "1e308",
    "XFD1048577",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: u32,
        bit: u8,
    },
    Byte {
        at: u32,
        value: u8,
    },
    Extreme {
        at: u32,
        wide: bool,
        which: u8,
    },
    Truncate {
        at: u32,
    },
    Delete {
        at: u32,
        len: u16,
    },
    Splice {
        from: u32,
        to: u32,
        len: u16,
    },
    Insert {
        at: u32,
        bytes: Vec<u8>,
    },
    /// Replace the n-th run of ASCII digits with an extreme number (for XML parts).
    Number {
        nth: u16,
        which: u8,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<u32>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        2 => (any::<u32>(), any::<u8>()).prop_map(|(at, value)| Mutation::Byte { at, value }),
        2 => (any::<u32>(), any::<bool>(), 0u8..10).prop_map(|(at, wide, which)| Mutation::Extreme { at, wide, which }),
        1 => any::<u32>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<u32>(), 1u16..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => (any::<u32>(), any::<u32>(), 1u16..256).prop_map(|(from, to, len)| Mutation::Splice { from, to, len }),
        1 => (any::<u32>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        3 => (any::<u16>(), 0u8..10).prop_map(|(nth, which)| Mutation::Number { nth, which }),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    if data.is_empty() {
        return;
    }
    let n = data.len();
    let at = |x: u32| x as usize % n;
    match m {
        Mutation::Flip { at: a, bit } => data[at(*a)] ^= 1 << bit,
        Mutation::Byte { at: a, value } => data[at(*a)] = *value,
        Mutation::Extreme { at: a, wide, which } => {
            let v = EXTREMES[*which as usize % EXTREMES.len()].to_le_bytes();
            let w = if *wide { 4 } else { 2 };
            let start = at(*a).min(n.saturating_sub(w));
            let end = (start + w).min(n);
            data[start..end].copy_from_slice(&v[..end - start]);
        }
        Mutation::Truncate { at: a } => data.truncate(at(*a)),
        Mutation::Delete { at: a, len } => {
            let start = at(*a);
            let end = (start + *len as usize).min(n);
            data.drain(start..end);
        }
        Mutation::Splice { from, to, len } => {
            let from = at(*from);
            let chunk: Vec<u8> = data[from..(from + *len as usize).min(n)].to_vec();
            let to = at(*to);
            data.splice(to..to, chunk);
        }
        Mutation::Insert { at: a, bytes } => {
            let a = at(*a);
            data.splice(a..a, bytes.iter().copied());
        }
        Mutation::Number { nth, which } => {
            let runs: Vec<(usize, usize)> = {
                let mut v = Vec::new();
                let mut i = 0;
                while i < n {
                    if data[i].is_ascii_digit() {
                        let s = i;
                        while i < n && data[i].is_ascii_digit() {
                            i += 1;
                        }
                        v.push((s, i));
                    } else {
                        i += 1;
                    }
                }
                v
            };
            if let Some(&(s, e)) = runs.get(*nth as usize % runs.len().max(1)) {
                let value = NUMBERS[*which as usize % NUMBERS.len()].as_bytes();
                data.splice(s..e, value.iter().copied());
            }
        }
    }
}

fn fuzz_cases(default: u32) -> u32 {
    std::env::var("TIDELINE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fuzz_config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: fuzz_cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Reads a mutated file; any outcome but a panic is fine. Errors must be file errors naming the file. Inputs that
/// made calamine panic (caught) are saved when TIDELINE_FUZZ_SAVE is set.
fn check_answer(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let result = std::panic::catch_unwind(|| read_workbook_bytes(name, bytes, &Limits::default()));
    let result = match result {
        Ok(r) => r,
        Err(_) => {
            return Err(TestCaseError::fail(format!(
                "{name}: the reader panicked ({} bytes)",
                bytes.len()
            )))
        }
    };
    if let Err(e) = &result {
        prop_assert!(
            e.code().starts_with("file_"),
            "{}: unexpected error {}",
            name,
            e
        );
        prop_assert!(e.to_string().starts_with(&format!("{name}: ")), "{}", e);
        if e.to_string().contains("the reader failed") {
            if let Ok(dir) = std::env::var("TIDELINE_FUZZ_SAVE") {
                use sha2::Digest;
                let hash = hex::encode(sha2::Sha256::digest(bytes));
                let ext = Path::new(name)
                    .extension()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(
                    Path::new(&dir).join(format!("crash-{}.{ext}", &hash[..16])),
                    bytes,
                );
                eprintln!("caught a reader panic: {e}");
            }
        }
    }
    Ok(())
}

fn seed_xlsx() -> &'static [u8] {
    static SEED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SEED.get_or_init(basic_xlsx)
}

fn seed(name: &'static str) -> &'static [u8] {
    static SEEDS: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<&'static str, &'static [u8]>>,
    > = std::sync::OnceLock::new();
    let map = SEEDS.get_or_init(Default::default);
    let mut map = map.lock().unwrap();
    map.entry(name)
        .or_insert_with(|| Box::leak(fixture(name).into_boxed_slice()))
}

/// Mutates one part of a zip-based workbook (chosen by index) and re-zips it with valid CRCs, so the mutation
/// reaches calamine's parsers rather than stopping at the zip layer.
fn mutate_part(bytes: &[u8], pick: u32, mutations: &[Mutation]) -> Vec<u8> {
    let parts: Vec<String> = {
        let z = ZipArchive::new(Cursor::new(bytes)).unwrap();
        z.file_names_raw()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .filter(|n| !n.ends_with('/'))
            .collect()
    };
    // Favour the parts calamine parses.
    let interesting: Vec<&String> = parts
        .iter()
        .filter(|n| {
            n.ends_with(".xml") || n.ends_with(".bin") || n.ends_with(".rels") || *n == "mimetype"
        })
        .collect();
    let target = interesting[pick as usize % interesting.len()].clone();
    rewrite_zip(bytes, |name, mut data| {
        if name == target {
            for m in mutations {
                apply(&mut data, m);
            }
        }
        data
    })
}

proptest! {
    #![proptest_config(fuzz_config(64))]

    #[test]
    fn fuzz_xlsx_container_bytes(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut bytes = seed_xlsx().to_vec();
        for m in &mutations { apply(&mut bytes, m); }
        check_answer("fuzz.xlsx", &bytes)?;
    }

    #[test]
    fn fuzz_xlsx_parts(pick in any::<u32>(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate_part(seed_xlsx(), pick, &mutations);
        check_answer("fuzz.xlsx", &bytes)?;
    }

    #[test]
    fn fuzz_ods_parts(pick in any::<u32>(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate_part(seed("basic.ods"), pick, &mutations);
        check_answer("fuzz.ods", &bytes)?;
    }

    #[test]
    fn fuzz_xlsb_parts(pick in any::<u32>(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate_part(seed("calamine-issues.xlsb"), pick, &mutations);
        check_answer("fuzz.xlsb", &bytes)?;
    }

    #[test]
    fn fuzz_xls_bytes(mutations in proptest::collection::vec(mutation(), 1..8)) {
        let mut bytes = seed("basic.xls").to_vec();
        for m in &mutations { apply(&mut bytes, m); }
        check_answer("fuzz.xls", &bytes)?;
    }

    #[test]
    fn fuzz_ods_container_bytes(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut bytes = seed("basic.ods").to_vec();
        for m in &mutations { apply(&mut bytes, m); }
        check_answer("fuzz.ods", &bytes)?;
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Performance (measured, not asserted) and fixture generation
// ------------------------------------------------------------------------------------------------------------------

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
