//! .xlsx / .xlsm: every kind of cell as written by rust_xlsxwriter, formulas and error values, and hostile sheets
//! (stray far-off cells, rows past the limit, forged or amplified shared strings).

use crate::support::{
    basic_xlsx, check_basic, edit_part, read_err, read_ok, row, text, time, xlsx_with_sheet_data,
};
use chrono::NaiveDateTime;
use rust_xlsxwriter::{Formula, Workbook as XlsxWriter};
use tideline_core::import::workbook::{read_workbook_bytes, Cell, Limits};

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
