//! xlsb: streaming.

use std::io::Cursor;

use calamine::{Reader, Xlsb, XlsbError};

use super::cells::{dataref_cell, Counters, SheetBuilder};
use super::ctx::{calamine_reason, Ctx};
use super::sheet::Sheet;
use crate::error::{Error, Result};

pub(super) fn read_xlsb(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
    let mut wb: Xlsb<Cursor<&[u8]>> =
        Xlsb::new(Cursor::new(bytes)).map_err(|e| xlsb_err(ctx, e))?;
    let names: Vec<String> = super::cells::worksheet_names(wb.sheets_metadata());
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let mut builder = SheetBuilder::new(name.clone());
        let mut reader = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| xlsb_err(ctx, e))?;
        while let Some(cell) = reader.next_cell().map_err(|e| xlsb_err(ctx, e))? {
            let (row, col) = cell.get_position();
            ctx.check_pos(&name, row, col)?;
            if let Some(value) = dataref_cell(ctx, counters, cell.get_value().clone())? {
                counters.add_cell(ctx)?;
                builder.push(counters, row, col, value);
            }
        }
        sheets.push(builder.finish());
    }
    Ok(sheets)
}

fn xlsb_err(ctx: &Ctx, e: XlsbError) -> Error {
    match e {
        XlsbError::Password => ctx.encrypted(),
        e => ctx.unreadable(calamine_reason(&e)),
    }
}
