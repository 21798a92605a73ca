//! What a read workbook looks like: sheets of sparse rows of plain cells, and Excel's column letters for
//! messages.

use chrono::NaiveDateTime;

/// One non-empty cell, as the spreadsheet holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text exactly as stored (not trimmed; callers trim). Never empty: an empty string is an absent cell.
    Text(String),
    /// Any number; integers become f64. Never NaN or infinite (those come out as `Error("#NUM!")`).
    Number(f64),
    Bool(bool),
    /// A cell formatted as a date/datetime, or an ISO date/datetime cell (ODS `office:date-value`, xlsx `t="d"`).
    /// A duration-formatted cell (`[h]:mm`) is a [`Cell::Number`] of days instead.
    Date(NaiveDateTime),
    /// An error value as Excel shows it: "#DIV/0!", "#N/A", "#REF!", … (ODS: LibreOffice's text, e.g. "Err:502").
    Error(String),
    /// A formula cell with no cached value; the string is the formula as Excel shows it, starting with "=".
    FormulaNoValue(String),
}

/// One row that has at least one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based row number as the spreadsheet shows it.
    pub number: u32,
    /// (0-based column, cell), sorted by column, one entry per column.
    pub cells: Vec<(u32, Cell)>,
}

impl Row {
    /// The cell in 0-based column `col`, if that cell is not empty.
    pub fn get(&self, col: u32) -> Option<&Cell> {
        self.cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .ok()
            .map(|i| &self.cells[i].1)
    }
}

/// One worksheet (chart sheets and macro sheets are left out; hidden worksheets are included).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// Non-empty rows only, in order of row number.
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub struct Workbook {
    /// File name (no folder), for messages.
    pub file: String,
    /// Lower-case hex SHA-256 of the file bytes.
    pub sha256: String,
    /// Worksheets in workbook order, including empty ones (at least one sheet has a row).
    pub sheets: Vec<Sheet>,
}

/// 0 → "A", 25 → "Z", 26 → "AA", 16383 → "XFD".
pub fn column_name(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::with_capacity(4);
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(column_name(16_383), "XFD");
        assert!(!column_name(u32::MAX).is_empty());
    }

    #[test]
    fn row_get_finds_by_column() {
        let row = Row {
            number: 1,
            cells: vec![(0, Cell::Number(1.0)), (5, Cell::Bool(true))],
        };
        assert_eq!(row.get(5), Some(&Cell::Bool(true)));
        assert_eq!(row.get(3), None);
    }
}
