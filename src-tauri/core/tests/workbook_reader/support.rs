//! Helpers shared by the workbook reader tests: fixtures, expected cells of the basic workbook, reading with an
//! expected outcome, and zip surgery for building hostile files.

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook as XlsxWriter};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tideline_core::import::workbook::{read_workbook_bytes, Cell, Limits, Row, Sheet, Workbook};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

#[track_caller]
pub fn read_ok(name: &str, bytes: &[u8]) -> Workbook {
    match read_workbook_bytes(name, bytes, &Limits::default()) {
        Ok(wb) => wb,
        Err(e) => panic!("{name}: {e} ({})", e.code()),
    }
}

/// Reads and expects an error with this code whose message names the file; returns the message.
#[track_caller]
pub fn read_err(name: &str, bytes: &[u8], limits: &Limits, code: &str) -> String {
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

pub fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

pub fn date(y: i32, m: u32, d: u32) -> Cell {
    Cell::Date(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    )
}

pub fn row(number: u32, cells: Vec<(u32, Cell)>) -> Row {
    Row { number, cells }
}

pub fn sheet<'a>(wb: &'a Workbook, name: &str) -> &'a Sheet {
    wb.sheets
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// The workbook the .xls/.ods fixtures were converted from (`write_fixture_sources`).
pub fn basic_xlsx() -> Vec<u8> {
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

pub fn expected_kpis() -> Vec<Row> {
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

pub fn check_basic(wb: &Workbook) {
    check_basic_with(wb, expected_kpis());
}

pub fn check_basic_with(wb: &Workbook, kpis: Vec<Row>) {
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
pub fn xlsx_with_sheet_data(rows_xml: &str) -> Vec<u8> {
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
pub fn rewrite_zip(bytes: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
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

pub fn edit_part(bytes: &[u8], part: &str, f: impl Fn(String) -> String) -> Vec<u8> {
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
pub fn add_part(
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
pub fn lie_about_size(bytes: &mut [u8], name: &str, size: u32) {
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

pub fn time<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    eprintln!("{what}: {:.3} s", start.elapsed().as_secs_f64());
    out
}
