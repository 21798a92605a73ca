//! .xlsb (written by Excel, from calamine's test suite), and a hostile row number past the limit.

use crate::support::{fixture, read_err, read_ok, rewrite_zip, row, sheet, text};
use tideline_core::import::workbook::{Cell, Limits};

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
