//! Cells: calamine's values converted to [`Cell`]s, collected into sparse rows, with the running totals (cells,
//! text, rows) the limits and the progress callback need.

use calamine::{Data, DataRef};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::ctx::Ctx;
use super::limits::PROGRESS_EVERY_ROWS;
use super::sheet::{Cell, Row, Sheet};
use crate::error::Result;

/// Running totals while reading: cells (for max_cells), text bytes (for the text cap), rows (for progress).
pub(super) struct Counters<'p> {
    pub(super) cells: u64,
    pub(super) text: u64,
    pub(super) rows: u32,
    progress: &'p mut dyn FnMut(u32),
}

impl<'p> Counters<'p> {
    pub(super) fn new(progress: &'p mut dyn FnMut(u32)) -> Self {
        Counters {
            cells: 0,
            text: 0,
            rows: 0,
            progress,
        }
    }

    pub(super) fn add_cell(&mut self, ctx: &Ctx) -> Result<()> {
        self.cells += 1;
        if self.cells > ctx.limits.max_cells {
            return Err(ctx.too_many_cells());
        }
        Ok(())
    }

    pub(super) fn add_text(&mut self, ctx: &Ctx, bytes: usize) -> Result<()> {
        self.text = self.text.saturating_add(bytes as u64);
        if self.text > ctx.limits.max_inflated_bytes {
            return Err(ctx.too_much_text());
        }
        Ok(())
    }

    pub(super) fn add_row(&mut self) {
        self.rows = self.rows.saturating_add(1);
        if self.rows.is_multiple_of(PROGRESS_EVERY_ROWS) {
            (self.progress)(self.rows);
        }
    }

    pub(super) fn report_final(&mut self) {
        (self.progress)(self.rows);
    }
}

/// Collects cells into sparse rows. Cells normally arrive in row/column order; when they don't (odd writers, or
/// formula-only cells merged in afterwards) the rows are sorted and de-duplicated at the end (the later cell wins,
/// as in calamine's grids).
pub(super) struct SheetBuilder {
    pub(super) name: String,
    rows: Vec<Row>,
    pub(super) in_order: bool,
}

impl SheetBuilder {
    pub(super) fn new(name: String) -> Self {
        SheetBuilder {
            name,
            rows: Vec::new(),
            in_order: true,
        }
    }

    /// `row` is 0-based and already checked against the limits (so `row + 1` can't overflow).
    pub(super) fn push(&mut self, counters: &mut Counters, row: u32, col: u32, cell: Cell) {
        let number = row.saturating_add(1);
        if let Some(last) = self.rows.last_mut() {
            if last.number == number {
                if last.cells.last().is_some_and(|(c, _)| *c >= col) {
                    self.in_order = false;
                }
                last.cells.push((col, cell));
                return;
            }
            if number < last.number {
                self.in_order = false;
            }
        }
        let capacity = self.rows.last().map_or(4, |r| r.cells.len().max(1));
        let mut cells = Vec::with_capacity(capacity);
        cells.push((col, cell));
        self.rows.push(Row { number, cells });
        counters.add_row();
    }

    pub(super) fn finish(mut self) -> Sheet {
        if !self.in_order {
            self.rows.sort_by_key(|r| r.number);
            let mut merged: Vec<Row> = Vec::with_capacity(self.rows.len());
            for row in self.rows {
                match merged.last_mut() {
                    Some(last) if last.number == row.number => last.cells.extend(row.cells),
                    _ => merged.push(row),
                }
            }
            for row in &mut merged {
                sort_row_cells(&mut row.cells);
            }
            self.rows = merged;
        }
        Sheet {
            name: self.name,
            rows: self.rows,
        }
    }
}

/// Whether a reader goes on after a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    Continue,
    /// The cells came in an order a streamed read can't honour (a row after a later one): read the file again,
    /// collected.
    Restart,
    /// The target has what it wants of this sheet: skip its remaining cells and go on with the next sheet.
    NextSheet,
}

/// Where the streaming readers (xlsx, xlsb) put their cells: collected into sheets ([`SheetsCollector`]), or
/// handed on row by row (`stream::RowStreamer`).
pub(super) trait CellTarget {
    fn begin_sheet(&mut self, name: &str) -> Result<()>;
    /// `row` is 0-based and already checked against the limits.
    fn push(&mut self, counters: &mut Counters, row: u32, col: u32, cell: Cell) -> Result<Flow>;
    fn end_sheet(&mut self) -> Result<()>;
    /// Forgets what was read, before the workbook is read again (a collecting target only: a streaming one
    /// restarts instead).
    fn clear(&mut self);
}

/// Collects whole sheets, as [`super::read_workbook`] returns them.
#[derive(Default)]
pub(super) struct SheetsCollector {
    pub(super) sheets: Vec<Sheet>,
    current: Option<SheetBuilder>,
}

impl CellTarget for SheetsCollector {
    fn begin_sheet(&mut self, name: &str) -> Result<()> {
        self.current = Some(SheetBuilder::new(name.to_string()));
        Ok(())
    }

    fn push(&mut self, counters: &mut Counters, row: u32, col: u32, cell: Cell) -> Result<Flow> {
        if let Some(b) = &mut self.current {
            b.push(counters, row, col, cell);
        }
        Ok(Flow::Continue)
    }

    fn end_sheet(&mut self) -> Result<()> {
        if let Some(b) = self.current.take() {
            self.sheets.push(b.finish());
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.sheets.clear();
        self.current = None;
    }
}

/// Puts a row's cells in column order, the later of two cells in one column winning (as calamine's grids do).
pub(super) fn sort_row_cells(cells: &mut Vec<(u32, Cell)>) {
    // Reverse, then a stable sort: among cells of one column the one that came last is now first.
    cells.reverse();
    cells.sort_by_key(|(c, _)| *c);
    cells.dedup_by_key(|(c, _)| *c);
}

pub(super) const EXCEL_ERRORS: [&str; 8] = [
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#GETTING_DATA",
];

fn number_cell(v: f64) -> Cell {
    if v.is_finite() {
        Cell::Number(v)
    } else {
        Cell::Error("#NUM!".into())
    }
}

fn datetime_cell(dt: &calamine::ExcelDateTime) -> Cell {
    let v = dt.as_f64();
    if dt.is_duration() || !v.is_finite() {
        return number_cell(v);
    }
    // Excel's serial range (0 = 1899-12-30 … 2958465 = 9999-12-31); outside it Excel shows #####.
    // as_datetime() panics on values chrono can't represent, so it is only called inside the range.
    if !(-1.0..2_958_466.0).contains(&v) {
        return Cell::Number(v);
    }
    match dt.as_datetime() {
        Some(d) => Cell::Date(d),
        None => Cell::Number(v),
    }
}

fn iso_datetime_cell(s: String) -> Option<Cell> {
    if s.trim().is_empty() {
        return None;
    }
    Some(match parse_iso_datetime(&s) {
        Some(d) => Cell::Date(d),
        None => Cell::Text(s),
    })
}

fn iso_duration_cell(s: String) -> Option<Cell> {
    if s.trim().is_empty() {
        return None;
    }
    Some(match parse_iso_duration_days(&s) {
        Some(days) => number_cell(days),
        None => Cell::Text(s),
    })
}

/// "2025-01-15", "2025-01-15T10:30:00", "2025-01-15 10:30:00.5", with an optional trailing "Z".
pub(crate) fn parse_iso_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::MIN));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

/// ISO 8601 durations as ODS writes them ("PT01H30M00S", "P1DT2H"), in days (Excel's unit for times).
pub(crate) fn parse_iso_duration_days(s: &str) -> Option<f64> {
    let s = s.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let mut rest = s.strip_prefix('P')?;
    let mut seconds = 0.0f64;
    let mut in_time = false;
    let mut any = false;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('T') {
            in_time = true;
            rest = r;
            continue;
        }
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
        if end == 0 {
            return None;
        }
        let n: f64 = rest[..end].replace(',', ".").parse().ok()?;
        let unit = rest[end..].chars().next()?;
        seconds += n * match (unit, in_time) {
            ('Y', false) => 365.0 * 86_400.0,
            ('M', false) => 30.0 * 86_400.0,
            ('W', false) => 7.0 * 86_400.0,
            ('D', false) => 86_400.0,
            ('H', true) => 3_600.0,
            ('M', true) => 60.0,
            ('S', true) => 1.0,
            _ => return None,
        };
        any = true;
        rest = &rest[end + unit.len_utf8()..];
    }
    if !any {
        return None;
    }
    let days = seconds / 86_400.0;
    Some(if negative { -days } else { days })
}

/// Formula text as Excel shows it: with a leading "="; LibreOffice's "of:" namespace prefix removed.
/// The names of a workbook's worksheets (chart and macro sheets are left out), in order.
pub(super) fn worksheet_names(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

pub(super) fn formula_text(f: &str) -> String {
    let f = f.strip_prefix("of:").unwrap_or(f);
    if f.starts_with('=') {
        f.to_string()
    } else {
        format!("={f}")
    }
}

/// Converts a streamed value; `None` for an empty cell (including an empty string).
pub(super) fn dataref_cell(
    ctx: &Ctx,
    counters: &mut Counters,
    value: DataRef<'_>,
) -> Result<Option<Cell>> {
    Ok(match value {
        DataRef::Empty => None,
        DataRef::Int(i) => Some(Cell::Number(i as f64)),
        DataRef::Float(f) => Some(number_cell(f)),
        DataRef::Bool(b) => Some(Cell::Bool(b)),
        DataRef::String(s) => {
            if s.is_empty() {
                None
            } else {
                counters.add_text(ctx, s.len())?;
                Some(Cell::Text(s))
            }
        }
        DataRef::SharedString(s) => {
            if s.is_empty() {
                None
            } else {
                counters.add_text(ctx, s.len())?;
                Some(Cell::Text(s.to_owned()))
            }
        }
        DataRef::DateTime(dt) => Some(datetime_cell(&dt)),
        DataRef::DateTimeIso(s) => {
            counters.add_text(ctx, s.len())?;
            iso_datetime_cell(s)
        }
        DataRef::DurationIso(s) => iso_duration_cell(s),
        DataRef::Error(e) => Some(Cell::Error(e.to_string())),
    })
}

/// Same for owned values (xls, ods grids).
pub(super) fn data_cell(ctx: &Ctx, counters: &mut Counters, value: &Data) -> Result<Option<Cell>> {
    Ok(match value {
        Data::Empty => None,
        Data::Int(i) => Some(Cell::Number(*i as f64)),
        Data::Float(f) => Some(number_cell(*f)),
        Data::Bool(b) => Some(Cell::Bool(*b)),
        Data::String(s) => {
            if s.is_empty() {
                None
            } else {
                counters.add_text(ctx, s.len())?;
                Some(Cell::Text(s.clone()))
            }
        }
        Data::DateTime(dt) => Some(datetime_cell(dt)),
        Data::DateTimeIso(s) => iso_datetime_cell(s.clone()),
        Data::DurationIso(s) => iso_duration_cell(s.clone()),
        Data::Error(e) => Some(Cell::Error(e.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_values() {
        assert_eq!(
            parse_iso_datetime("2025-01-15"),
            NaiveDate::from_ymd_opt(2025, 1, 15).map(|d| d.and_time(NaiveTime::MIN))
        );
        assert!(parse_iso_datetime("2025-01-15T10:30:00").is_some());
        assert!(parse_iso_datetime("2025-02-30").is_none());
        assert_eq!(parse_iso_duration_days("PT12H"), Some(0.5));
        assert_eq!(parse_iso_duration_days("PT01H30M00S"), Some(1.5 / 24.0));
        assert_eq!(parse_iso_duration_days("P1DT6H"), Some(1.25));
        assert_eq!(parse_iso_duration_days("P"), None);
        assert_eq!(parse_iso_duration_days("PT5X"), None);
    }
}
