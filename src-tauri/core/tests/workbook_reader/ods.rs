//! .ods (converted by LibreOffice): the same cells as the .xlsx, and hostile content.xml (stray cells, repeats,
//! space runs, a truncated table).

use crate::support::{
    check_basic_with, edit_part, expected_kpis, fixture, read_err, read_ok, time,
};
use tideline_core::import::workbook::{read_workbook_bytes, Cell, Limits};

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

pub fn ods_with_rows(rows_xml: &str) -> Vec<u8> {
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
