//! xlsb: streaming.

use std::io::Cursor;

use calamine::{Reader, Xlsb, XlsbError};

use super::cells::{dataref_cell, CellTarget, Counters, Flow};
use super::ctx::{calamine_reason, Ctx};
use crate::error::{Error, Result};

pub(super) fn read_xlsb(
    ctx: &Ctx,
    bytes: &[u8],
    counters: &mut Counters,
    target: &mut dyn CellTarget,
) -> Result<Flow> {
    let mut wb: Xlsb<Cursor<&[u8]>> =
        Xlsb::new(Cursor::new(bytes)).map_err(|e| xlsb_err(ctx, e))?;
    let names: Vec<String> = super::cells::worksheet_names(wb.sheets_metadata());
    for name in names {
        target.begin_sheet(&name)?;
        let mut reader = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| xlsb_err(ctx, e))?;
        while let Some(cell) = reader.next_cell().map_err(|e| xlsb_err(ctx, e))? {
            let (row, col) = cell.get_position();
            ctx.check_pos(&name, row, col)?;
            if let Some(value) = dataref_cell(ctx, counters, cell.get_value().clone())? {
                counters.add_cell(ctx)?;
                match target.push(counters, row, col, value)? {
                    Flow::Restart => return Ok(Flow::Restart),
                    Flow::NextSheet => break,
                    Flow::Continue => {}
                }
            }
        }
        target.end_sheet()?;
    }
    Ok(Flow::Continue)
}

fn xlsb_err(ctx: &Ctx, e: XlsbError) -> Error {
    match e {
        XlsbError::Password => ctx.encrypted(),
        e => ctx.unreadable(calamine_reason(&e)),
    }
}
