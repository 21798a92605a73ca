//! Reading a workbook row by row into a [`RowSink`], so a caller can use each row while the next ones are read and
//! memory stays bounded by what the sink keeps, not by the file.
//!
//! xlsx and xlsb are streamed straight from calamine's cell readers. The other formats have no streaming reader
//! (calamine builds their grids whole), so they are read as [`super::read_workbook`] reads them and then handed
//! over row by row. A streamed workbook whose cells come out of row order, or that holds an error value calamine
//! doesn't know (which needs a second pass over a patched copy), ends in [`Streamed::Restart`]: the rows given so
//! far were not the workbook's, and the caller reads it again with `streaming: false`.

use super::cells::{sort_row_cells, CellTarget, Counters, Flow};
use super::sheet::{Cell, Row};
use crate::error::Result;

/// Receives a workbook as it is read. An error from the sink stops the reading and is returned.
pub trait RowSink {
    /// The file is in memory and its SHA-256 known; no cell has been parsed yet.
    fn start(&mut self, file: &str, sha256: &str) -> Result<()>;
    fn sheet(&mut self, name: &str) -> Result<()>;
    /// The next non-empty row of the current sheet (row numbers increase within a sheet).
    fn row(&mut self, row: Row) -> Result<()>;
    fn end_sheet(&mut self) -> Result<()>;
    /// Whether the sink wants no more rows of the current sheet; asked before each later row is parsed. A streamed
    /// read then skips the rest of the sheet without parsing it (a workbook read whole still hands every row over).
    fn sheet_done(&self) -> bool {
        false
    }
    /// A row handed over earlier whose memory the reader may use again for the next row (its cells are dropped by
    /// the reader, on the thread that allocated them). A sink that keeps its rows has none.
    fn spare_row(&mut self) -> Option<Row> {
        None
    }
}

/// How a streamed read ended (errors aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streamed {
    Done,
    /// What the sink was given is not the workbook: read it again collected (`streaming: false`).
    Restart,
}

/// Hands rows to the sink once the next row starts: rows are complete when a later one begins.
pub(super) struct RowStreamer<'s> {
    sink: &'s mut dyn RowSink,
    pending: Option<Row>,
    /// The pending row got a cell at or left of an earlier one: sort it before handing it on.
    unsorted: bool,
    pub(super) rows: u64,
}

impl<'s> RowStreamer<'s> {
    pub(super) fn new(sink: &'s mut dyn RowSink) -> Self {
        RowStreamer {
            sink,
            pending: None,
            unsorted: false,
            rows: 0,
        }
    }

    fn flush(&mut self) -> Result<()> {
        if let Some(mut row) = self.pending.take() {
            if self.unsorted {
                sort_row_cells(&mut row.cells);
                self.unsorted = false;
            }
            self.rows += 1;
            self.sink.row(row)?;
        }
        Ok(())
    }
}

impl CellTarget for RowStreamer<'_> {
    fn begin_sheet(&mut self, name: &str) -> Result<()> {
        self.pending = None;
        self.sink.sheet(name)
    }

    fn push(&mut self, counters: &mut Counters, row: u32, col: u32, cell: Cell) -> Result<Flow> {
        let number = row.saturating_add(1);
        if let Some(last) = &mut self.pending {
            if last.number == number {
                if last.cells.last().is_some_and(|(c, _)| *c >= col) {
                    self.unsorted = true;
                }
                last.cells.push((col, cell));
                return Ok(Flow::Continue);
            }
            if number < last.number {
                return Ok(Flow::Restart);
            }
        }
        let capacity = self.pending.as_ref().map_or(4, |r| r.cells.len().max(1));
        self.flush()?;
        if self.sink.sheet_done() {
            return Ok(Flow::NextSheet);
        }
        let mut cells = match self.sink.spare_row() {
            Some(spare) => {
                let mut cells = spare.cells;
                cells.clear();
                cells
            }
            None => Vec::with_capacity(capacity),
        };
        cells.push((col, cell));
        self.pending = Some(Row { number, cells });
        counters.add_row();
        Ok(Flow::Continue)
    }

    fn end_sheet(&mut self) -> Result<()> {
        self.flush()?;
        self.sink.end_sheet()
    }

    fn clear(&mut self) {
        self.pending = None;
    }
}
