//! Files that are not what they claim, whatever the format: other documents, empty, truncated and encrypted
//! files, limits below the data, and the kept regression fixtures.

use crate::support::{basic_xlsx, fixture, fixtures_dir, read_err, read_ok};
use std::io::{Cursor, Write};
use std::path::PathBuf;
use tideline_core::import::workbook::{read_workbook_bytes, Limits};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

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
        if let Err(e) = crate::fuzz::check_streamed_and_peeked(&name, &bytes, &result) {
            panic!("{e}");
        }
    }
}
