//! ODS pre-scan: content.xml, mirroring calamine's ods.rs (parse_content / read_table / read_row / get_datatype /
//! get_range) to compute what calamine would allocate, without allocating it.

use std::io;

use quick_xml::events::Event;

use super::ctx::{dense_allowed, Ctx, GridWhat};
use super::limits::{ODS_MAX_COLUMNS, ODS_MAX_ROWS};
use super::sheet::column_name;
use super::util::{
    calamine_xml_reader, human_bytes, raw_attr, thousands, unescape_lossy, RawAttrs,
};
use crate::error::{Error, Result};

/// Simulates calamine's parse of `content.xml` (the whole part, streamed from `content`).
pub(super) fn check<R: io::BufRead>(ctx: &Ctx, content: R) -> Result<()> {
    let mut xml = calamine_xml_reader(content);
    let mut sim = Sim {
        ctx,
        buf: Vec::new(),
        row_buf: Vec::new(),
        cell_buf: Vec::new(),
    };
    let mut totals = Totals::default();
    loop {
        sim.buf.clear();
        let name = match xml.read_event_into(&mut sim.buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table" => {
                match raw_attr(e.attributes_raw(), "table:name") {
                    Ok(Some(v)) => unescape_lossy(v),
                    Ok(None) => continue,
                    Err(()) => return Ok(()), // calamine fails here, before allocating anything more
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => return Ok(()),
            Ok(_) => continue,
        };
        match sim.table(&mut xml, &name)? {
            Some(table) => table.check(ctx, &name, &mut totals)?,
            None => return Ok(()),
        }
    }
    totals.check(ctx)
}

#[derive(Default)]
struct Totals {
    area: u64,
    filled: u64,
    text: u64,
}

impl Totals {
    fn check(&self, ctx: &Ctx) -> Result<()> {
        ctx.check_workbook_grid(self.area, self.filled)
    }
}

/// Bounding box of non-default cells the way calamine's get_range computes it: rows from the first row
/// element with such a cell to the last one (repeats included), columns from the leftmost to the rightmost.
#[derive(Default)]
struct Grid {
    started: bool,
    rows_so_far: u64,
    rows: u64,
    col_min: u64,
    col_max: u64,
    last_row: u64,
}

impl Grid {
    fn add_row(&mut self, span: Option<(u64, u64)>, repeats: u64, first_row: u64) {
        match span {
            Some((first, last)) => {
                if !self.started {
                    self.started = true;
                    self.col_min = first;
                    self.col_max = last;
                }
                self.col_min = self.col_min.min(first);
                self.col_max = self.col_max.max(last);
                self.rows_so_far = self.rows_so_far.saturating_add(repeats);
                self.rows = self.rows_so_far;
                self.last_row = first_row.saturating_add(repeats.saturating_sub(1));
            }
            None if self.started => self.rows_so_far = self.rows_so_far.saturating_add(repeats),
            None => {}
        }
    }

    fn cols(&self) -> u64 {
        if self.started {
            self.col_max - self.col_min + 1
        } else {
            0
        }
    }

    fn area(&self) -> u64 {
        self.rows.saturating_mul(self.cols())
    }

    fn far(&self) -> Option<(u64, u64)> {
        self.started.then_some((self.last_row, self.col_max))
    }
}

#[derive(Default)]
struct Table {
    total_rows: u64,
    raw: u64,
    filled: u64,
    formulas: u64,
    text: u64,
    data: Grid,
    formula: Grid,
}

impl Table {
    fn check(&self, ctx: &Ctx, name: &str, totals: &mut Totals) -> Result<()> {
        totals.filled = totals.filled.saturating_add(self.filled);
        if totals.filled > ctx.limits.max_cells {
            return Err(ctx.too_many_cells());
        }
        totals.text = totals.text.saturating_add(self.text);
        if totals.text > ctx.limits.max_inflated_bytes {
            return Err(ctx.too_much_text());
        }
        let filled = self.filled.saturating_add(self.formulas);
        ctx.check_grid(
            name,
            GridWhat::Cells,
            self.data.rows,
            self.data.cols(),
            filled,
            self.data.far(),
        )?;
        ctx.check_grid(
            name,
            GridWhat::Cells,
            self.formula.rows,
            self.formula.cols(),
            filled,
            self.formula.far(),
        )?;
        // The cells calamine pushes before building the grid (one row element's width each, with the
        // interior empty cells of that row).
        if self.raw > dense_allowed(filled) {
            return Err(ctx.too_large(format!(
                "sheet \"{name}\" has rows {} cells wide in all but holds only {} filled cells; stray cells far \
                 to the right of the data would make Tideline build those whole rows. Delete them (or save the \
                 file as .xlsx) and import it again",
                thousands(self.raw),
                thousands(filled)
            )));
        }
        totals.area = totals
            .area
            .saturating_add(self.data.area())
            .saturating_add(self.formula.area())
            .saturating_add(self.raw);
        Ok(())
    }
}

struct RowStats {
    pushed: u64,
    data: Option<(u64, u64)>,
    formula: Option<(u64, u64)>,
    filled: u64,
    formulas: u64,
    text: u64,
}

enum Value {
    Empty,
    /// Non-empty; the number of text bytes it would clone.
    Set(u64),
}

struct CellInfo {
    value: Value,
    formula_len: u64,
    closed: bool,
}

struct Sim<'c, 'l> {
    ctx: &'c Ctx<'l>,
    buf: Vec<u8>,
    row_buf: Vec<u8>,
    cell_buf: Vec<u8>,
}

/// Ok(None): calamine fails at this point with an error (so allocates nothing further); stop simulating.
type Step<T> = Result<Option<T>>;

fn truncated(ctx: &Ctx, sheet: &str, inside: &str) -> Error {
    ctx.unreadable(format!(
        "the file is damaged: content.xml ends inside {inside} of sheet \"{sheet}\" (the file is truncated)"
    ))
}

impl Sim<'_, '_> {
    /// calamine's read_table.
    fn table<R: io::BufRead>(
        &mut self,
        xml: &mut quick_xml::Reader<R>,
        sheet: &str,
    ) -> Step<Table> {
        let mut t = Table::default();
        loop {
            self.buf.clear();
            match xml.read_event_into(&mut self.buf) {
                Ok(Event::Start(e)) if e.name().as_ref() == "table:table-row" => {
                    let declared: u64 =
                        match raw_attr(e.attributes_raw(), "table:number-rows-repeated") {
                            Ok(Some(v)) => match unescape_lossy(v).parse::<usize>() {
                                Ok(n) => n as u64,
                                Err(_) => return Ok(None),
                            },
                            Ok(None) => 1,
                            Err(()) => return Ok(None),
                        };
                    let capped = declared.min(ODS_MAX_ROWS.saturating_sub(t.total_rows));
                    let first_row = t.total_rows;
                    t.total_rows = t.total_rows.saturating_add(capped);
                    let Some(row) = self.row(xml, sheet)? else {
                        return Ok(None);
                    };
                    if row.data.is_some() || row.formula.is_some() {
                        let last_row = first_row.saturating_add(declared.max(1)) - 1;
                        if last_row >= u64::from(self.ctx.limits.max_rows) {
                            let row_no = first_row.max(u64::from(self.ctx.limits.max_rows)) + 1;
                            return Err(self.ctx.too_large(format!(
                                "sheet \"{sheet}\" has data in row {}, beyond the {} rows a sheet can have",
                                thousands(row_no),
                                thousands(u64::from(self.ctx.limits.max_rows))
                            )));
                        }
                    }
                    t.raw = t.raw.saturating_add(row.pushed);
                    t.filled = t.filled.saturating_add(row.filled.saturating_mul(capped));
                    t.formulas = t
                        .formulas
                        .saturating_add(row.formulas.saturating_mul(capped));
                    // Cloned once into the row's cells, then once per repeat by get_range.
                    t.text = t
                        .text
                        .saturating_add(row.text.saturating_mul(capped.saturating_add(1)));
                    if t.filled > self.ctx.limits.max_cells {
                        return Err(self.ctx.too_many_cells());
                    }
                    if t.text > self.ctx.limits.max_inflated_bytes {
                        return Err(self.ctx.too_much_text());
                    }
                    t.data.add_row(row.data, capped, first_row);
                    t.formula.add_row(row.formula, capped, first_row);
                }
                Ok(Event::End(e)) if e.name().as_ref() == "table:table" => return Ok(Some(t)),
                // calamine's read_table ignores Eof and loops forever: refuse.
                Ok(Event::Eof) => return Err(truncated(self.ctx, sheet, "the table")),
                Err(_) => return Ok(None),
                Ok(_) => {}
            }
        }
    }

    /// calamine's read_row.
    fn row<R: io::BufRead>(
        &mut self,
        xml: &mut quick_xml::Reader<R>,
        sheet: &str,
    ) -> Step<RowStats> {
        let Sim {
            ctx,
            row_buf,
            cell_buf,
            ..
        } = self;
        let mut r = RowStats {
            pushed: 0,
            data: None,
            formula: None,
            filled: 0,
            formulas: 0,
            text: 0,
        };
        let mut empty_repeats = 0u64;
        loop {
            row_buf.clear();
            let e = match xml.read_event_into(row_buf) {
                Ok(Event::Start(e))
                    if e.name().as_ref() == "table:table-cell"
                        || e.name().as_ref() == "table:covered-table-cell" =>
                {
                    e
                }
                Ok(Event::End(e)) if e.name().as_ref() == "table:table-row" => return Ok(Some(r)),
                // Anything else (text, other elements, Eof) is a mismatch error in calamine.
                _ => return Ok(None),
            };
            let repeats: u64 = match raw_attr(e.attributes_raw(), "table:number-columns-repeated") {
                Ok(Some(v)) => match v.parse::<usize>() {
                    Ok(n) => n as u64,
                    Err(_) => return Ok(None),
                },
                Ok(None) => 1,
                Err(()) => return Ok(None),
            };
            let Some(info) = cell(ctx, xml, cell_buf, sheet, e.attributes_raw())? else {
                return Ok(None);
            };
            let capped_empty = empty_repeats.min(ODS_MAX_COLUMNS.saturating_sub(r.pushed));
            r.pushed += capped_empty;
            empty_repeats = 0;
            let capped = repeats.min(ODS_MAX_COLUMNS.saturating_sub(r.pushed));
            let has_value = matches!(info.value, Value::Set(_));
            if !has_value && info.formula_len == 0 {
                empty_repeats = capped;
            } else if capped > 0 {
                let (first, last) = (r.pushed, r.pushed + capped - 1);
                if last >= u64::from(ctx.limits.max_cols) {
                    return Err(ctx.too_large(format!(
                        "sheet \"{sheet}\" has data in column {} (column number {}), beyond the {} columns a \
                         sheet can have",
                        column_name(last.min(u64::from(u32::MAX)) as u32),
                        thousands(last + 1),
                        thousands(u64::from(ctx.limits.max_cols))
                    )));
                }
                if let Value::Set(len) = info.value {
                    r.data = Some(
                        r.data
                            .map_or((first, last), |(a, b)| (a.min(first), b.max(last))),
                    );
                    r.filled += capped;
                    r.text = r.text.saturating_add(len.saturating_mul(capped));
                }
                if info.formula_len > 0 {
                    r.formula = Some(
                        r.formula
                            .map_or((first, last), |(a, b)| (a.min(first), b.max(last))),
                    );
                    r.formulas += capped;
                    r.text = r
                        .text
                        .saturating_add(info.formula_len.saturating_mul(capped));
                }
                r.pushed += capped;
            }
            if !info.closed {
                cell_buf.clear();
                if xml.read_to_end_into(e.name(), cell_buf).is_err() {
                    return Ok(None);
                }
            }
        }
    }
}

/// calamine's get_datatype.
fn cell<R: io::BufRead>(
    ctx: &Ctx,
    xml: &mut quick_xml::Reader<R>,
    cell_buf: &mut Vec<u8>,
    sheet: &str,
    attrs: &str,
) -> Step<CellInfo> {
    let mut is_string = false;
    let mut is_error = false;
    let mut is_value_set = false;
    let mut value = Value::Empty;
    let mut empty_string = false;
    let mut formula_len = 0u64;
    for attr in RawAttrs::new(attrs) {
        let Ok((key, v)) = attr else { return Ok(None) };
        match key {
            "office:value" if !is_value_set => {
                value = Value::Set(0);
                is_value_set = true;
            }
            "office:string-value" | "office:date-value" | "office:time-value" if !is_value_set => {
                value = Value::Set(v.len() as u64);
                empty_string = v.is_empty() && key == "office:string-value";
                is_value_set = true;
            }
            "office:boolean-value" if !is_value_set => {
                value = Value::Set(0);
                is_value_set = true;
            }
            "office:value-type" if !is_value_set => is_string = v == "string",
            "calcext:value-type" => is_error = v == "error",
            "table:formula" => formula_len = v.len() as u64,
            _ => {}
        }
    }
    if !((!is_value_set && is_string) || (is_error && empty_string)) {
        return Ok(Some(CellInfo {
            value,
            formula_len,
            closed: false,
        }));
    }
    // The element content defines the value: count what calamine would append.
    let cap = ctx.limits.max_inflated_bytes;
    let mut len = 0u64;
    loop {
        cell_buf.clear();
        match xml.read_event_into(cell_buf) {
            Ok(Event::Text(t)) => len = len.saturating_add(t.len() as u64),
            Ok(Event::GeneralRef(_)) => len = len.saturating_add(4),
            Ok(Event::End(e))
                if e.name().as_ref() == "table:table-cell"
                    || e.name().as_ref() == "table:covered-table-cell" =>
            {
                return Ok(Some(CellInfo {
                    value: Value::Set(len),
                    formula_len,
                    closed: true,
                }));
            }
            Ok(Event::Start(e)) if e.name().as_ref() == "office:annotation" => loop {
                cell_buf.clear();
                match xml.read_event_into(cell_buf) {
                    Ok(Event::End(e)) if e.name().as_ref() == "office:annotation" => break,
                    // calamine loops forever on Eof inside a comment: refuse.
                    Ok(Event::Eof) => return Err(truncated(ctx, sheet, "a cell comment")),
                    Err(_) => return Ok(None),
                    _ => {}
                }
            },
            Ok(Event::Start(e)) if e.name().as_ref() == "text:s" => {
                // calamine parses the count as an i32 (`for _ in 0..count`): up to 2 GiB of spaces per
                // run, none for a negative count, an error past i32::MAX.
                let count = match raw_attr(e.attributes_raw(), "text:c") {
                    Ok(Some(v)) => match unescape_lossy(v).parse::<i32>() {
                        Ok(n) => n.max(0) as u64,
                        Err(_) => return Ok(None),
                    },
                    Ok(None) => 1,
                    Err(()) => return Ok(None),
                };
                len = len.saturating_add(count);
            }
            Ok(Event::Start(e))
                if matches!(e.name().as_ref(), "text:p" | "text:tab" | "text:line-break") =>
            {
                len = len.saturating_add(1)
            }
            Ok(Event::Eof) | Err(_) => return Ok(None),
            _ => {}
        }
        if len > cap {
            return Err(ctx.too_large(format!(
                "a cell of sheet \"{sheet}\" would hold more than {} of text",
                human_bytes(cap)
            )));
        }
    }
}
