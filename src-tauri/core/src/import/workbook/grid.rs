//! xls and ods: dense grids, read after the pre-scans bounded them.

use std::io::Cursor;

use calamine::{Data, Ods, OdsError, Reader, Xls, XlsError};

use super::cells::{data_cell, formula_text, Counters, SheetBuilder, EXCEL_ERRORS};
use super::ctx::{calamine_reason, Ctx};
use super::sheet::{Cell, Sheet};
use super::util::thousands;
use crate::error::{Error, Result};

pub(super) fn read_xls(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
    let mut wb: Xls<Cursor<&[u8]>> = Xls::new(Cursor::new(bytes)).map_err(|e| xls_err(ctx, e))?;
    let names: Vec<String> = super::cells::worksheet_names(wb.sheets_metadata());
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        // Sheets with duplicate names collapse in calamine's map; the first wins here.
        if sheets.iter().any(|s: &Sheet| s.name == name) {
            continue;
        }
        let data = wb.worksheet_range(&name).map_err(|e| xls_err(ctx, e))?;
        let formulas = wb.worksheet_formula(&name).map_err(|e| xls_err(ctx, e))?;
        sheets.push(grid_sheet(ctx, counters, name, &data, &formulas, false)?);
    }
    Ok(sheets)
}

pub(super) fn read_ods(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
    let mut wb: Ods<Cursor<&[u8]>> = Ods::new(Cursor::new(bytes)).map_err(|e| ods_err(ctx, e))?;
    let names: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        if sheets.iter().any(|s: &Sheet| s.name == name) {
            continue;
        }
        let data = wb.worksheet_range(&name).map_err(|e| ods_err(ctx, e))?;
        let formulas = wb.worksheet_formula(&name).map_err(|e| ods_err(ctx, e))?;
        sheets.push(grid_sheet(ctx, counters, name, &data, &formulas, true)?);
    }
    Ok(sheets)
}

/// Builds sparse rows from calamine's grids: every filled value, plus formula cells with no value.
fn grid_sheet(
    ctx: &Ctx,
    counters: &mut Counters,
    name: String,
    data: &calamine::Range<Data>,
    formulas: &calamine::Range<String>,
    ods: bool,
) -> Result<Sheet> {
    let mut builder = SheetBuilder::new(name);
    let (r0, c0) = data.start().unwrap_or((0, 0));
    for (r, c, value) in data.used_cells() {
        let (row, col) = (r0.saturating_add(r as u32), c0.saturating_add(c as u32));
        ctx.check_pos(&builder.name, row, col)?;
        let Some(mut cell) = data_cell(ctx, counters, value)? else {
            continue;
        };
        if ods {
            // LibreOffice stores a formula's error result as the error's text.
            if let Cell::Text(t) = &cell {
                let has_formula = formulas
                    .get_value((row, col))
                    .is_some_and(|f| !f.is_empty());
                if has_formula && (EXCEL_ERRORS.contains(&t.as_str()) || t.starts_with("Err:")) {
                    cell = Cell::Error(t.clone());
                }
            }
        }
        counters.add_cell(ctx)?;
        builder.push(counters, row, col, cell);
    }
    let (f0r, f0c) = formulas.start().unwrap_or((0, 0));
    for (r, c, formula) in formulas.used_cells() {
        if formula.is_empty() {
            continue;
        }
        let (row, col) = (f0r.saturating_add(r as u32), f0c.saturating_add(c as u32));
        let has_value = data
            .get_value((row, col))
            .is_some_and(|v| !matches!(v, Data::Empty));
        if has_value {
            continue;
        }
        ctx.check_pos(&builder.name, row, col)?;
        counters.add_text(ctx, formula.len())?;
        counters.add_cell(ctx)?;
        builder.in_order = false;
        builder.push(
            counters,
            row,
            col,
            Cell::FormulaNoValue(formula_text(formula)),
        );
    }
    Ok(builder.finish())
}

fn xls_err(ctx: &Ctx, e: XlsError) -> Error {
    match e {
        XlsError::Password => ctx.encrypted(),
        e => ctx.unreadable(calamine_reason(&e)),
    }
}

fn ods_err(ctx: &Ctx, e: OdsError) -> Error {
    match e {
        OdsError::Password => ctx.encrypted(),
        OdsError::CellLimitExceeded { requested, max } => ctx.too_large(format!(
            "a sheet would need a grid of {} cells, more than the {} Tideline allows",
            thousands(requested as u64),
            thousands(max as u64)
        )),
        e => ctx.unreadable(calamine_reason(&e)),
    }
}
