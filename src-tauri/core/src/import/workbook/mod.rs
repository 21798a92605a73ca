//! Reading untrusted spreadsheet files (.xlsx, .xlsm, .xlsb, .xls, .ods) into sparse rows of plain cells.
//!
//! Every file a user drops is treated as hostile: whatever it claims, memory stays bounded by the cells it really
//! holds (and by [`Limits`]), no input makes the reader panic or hang, and a file that can't be read gets one clear
//! [`Error`] naming the file.
//!
//! # How a file is read
//!
//! 1. The format is sniffed from the bytes, never trusted from the extension: a zip is an xlsx/xlsm, xlsb or ods by
//!    the parts inside it; an OLE2 (compound file) container is an .xls, or an encrypted OOXML workbook when it holds
//!    `EncryptionInfo`/`EncryptedPackage` (→ [`Error::FileEncrypted`]). Anything else (a PDF, a CSV, an HTML page
//!    named .xls, random bytes) is [`Error::FileNotSpreadsheet`] with a reason; a 0-byte file is
//!    [`Error::FileEmpty`]. The extension is only used to word those messages.
//! 2. A pre-scan checks the container and the structures calamine would size its allocations from, *before*
//!    calamine sees the file (details per format below).
//! 3. calamine parses the file inside [`std::panic::catch_unwind`]; a panic becomes [`Error::FileUnreadable`]
//!    ("the workbook is damaged (the reader failed: …)"). calamine has panicked on malformed input before (slice
//!    indexing, arithmetic overflow in debug builds); that is caught. An allocation failure is *not* a panic (the
//!    process aborts), which is why the pre-scans below exist.
//! 4. Cells are collected sparsely: empty cells are absent, a row is only stored when it has a cell, so a sheet
//!    with a few cells and one far-off cell at `XFD1048576` is read as the two or three rows it really has.
//!
//! # What is protected, per format
//!
//! **All zip-based formats (xlsx/xlsm, xlsb, ods)**, before calamine opens the archive:
//! - more than [`MAX_ZIP_ENTRIES`] parts, two parts with the same name, or parts that overlap each other
//!   (`has_overlapping_files`) are refused;
//! - the sum of the *declared* uncompressed sizes must stay within `Limits::max_inflated_bytes`, and no part may
//!   declare a compression ratio above [`BOMB_RATIO`]:1 once it is over [`BOMB_MIN_BYTES`];
//! - declared sizes can lie (or be absent with data descriptors), so every part is then really inflated once,
//!   streaming into a sink through `Read::take(remaining budget + 1)`: the *real* total is capped by
//!   `max_inflated_bytes` and the real ratio is checked too. A part that fails to inflate, fails its CRC or is
//!   larger than it declares (the `zip` crate stops there) makes the file [`Error::FileUnreadable`]. Since calamine
//!   inflates the same bytes through the same crate, everything it reads is bounded.
//! - the text materialised from cells (shared strings are cloned once per cell that uses them, ODS values once per
//!   repeat) is capped at `max_inflated_bytes` in total, so a short string table can't be multiplied into gigabytes.
//!
//! **xlsx/xlsm**: sheets are streamed with `worksheet_cells_reader()` + `next_cell_with_formula_metadata()`; no
//! dense grid is ever built (`worksheet_range` is never called). A cell at row ≥ `max_rows` or column ≥ `max_cols`
//! (e.g. `<row r="1048577">`) is refused with [`Error::FileTooLarge`] naming the sheet; reading stops with
//! [`Error::FileTooLarge`] once the workbook holds more than `max_cells` non-empty cells. The shared-strings table's
//! `uniqueCount` is checked against the part's real size first, because calamine reserves that many strings up front
//! (a forged `uniqueCount="99999999999"` would otherwise abort the process). The metadata API is used for formulas
//! so a forged shared-formula index (`si="4000000000"`) can't make calamine size a vector from it; shared formulas
//! are expanded by this module only for formula cells that lack a cached value. calamine 0.38 fails a whole sheet
//! on an error value it doesn't know (Excel 365's `#SPILL!`, `#CALC!`, …); when that happens the sheets are read
//! again from a copy in which those cells are stored as text, and they come out as [`Cell::Error`].
//!
//! **xlsb**: streamed the same way (`XlsbCellsReader::next_cell`, row/column/cell caps as above). Before calamine
//! opens the archive, the record framing of `xl/workbook.bin`, `xl/styles.bin`, `xl/sharedStrings.bin` and
//! `xl/worksheets/*.bin` is walked: a record claiming more bytes than its part holds is refused (calamine sizes a
//! buffer from the claimed length before reading), a row header past `max_rows` is refused (calamine silently stops
//! reading the sheet there), and the defined names in `workbook.bin` are checked so that formula text built from
//! them stays within the text cap. The workbook part itself is refused above [`XLSB_WORKBOOK_PART_MAX`].
//!
//! **xls** (calamine has no streaming reader: `Xls::new` parses every sheet and builds each dense grid with
//! `Range::from_sparse`, after reserving `rows × cols` cells from the sheet's DIMENSIONS record). Before calamine
//! runs, this module:
//! - opens the OLE2 container with the `cfb` crate, which refuses cyclic and dangling sector chains (a cyclic FAT
//!   makes calamine loop, growing a buffer until the process dies), reading it through a budget of twice the file
//!   size so that a DIFAT listing more FAT sectors than the file holds is refused before the table is built; then
//!   hands calamine a clean container rebuilt around the Workbook stream alone, so calamine parses exactly the
//!   stream checked below, whatever quirks the original container has;
//! - walks the BIFF records of the `Workbook` stream as calamine does and, per sheet, computes the DIMENSIONS
//!   reservation and the bounding box of every cell and formula record; a sheet whose grid would be larger than
//!   `max(1,048,576, 4 × its filled cells)` (capped at 16,777,216 cells, the whole .xls grid) is refused with a
//!   message naming the sheet and the stray cell, as is a workbook whose grids add up past
//!   `max(4,194,304, 4 × filled cells)`. The small-sheet-with-one-far-off-cell case is therefore *refused with a
//!   clear error* for .xls (it can't be read sparsely without forking calamine);
//! - costs the shared strings each LABELSST cell clones, and bounds the text calamine builds for every formula
//!   (it inlines defined names and sheet names for each reference token, inserts up to 255 spaces per
//!   `PtgAttrSpace` token, and moves the text after an operand for every token, so building one formula's text is
//!   quadratic in its length): a formula whose text could exceed [`XLS_FORMULA_TEXT_MAX`] is refused as damaged,
//!   the bytes moved building all formula texts are capped (about 5–15 s of CPU at worst), and all formula and
//!   string text together must stay within `max_inflated_bytes`;
//! - detects `FILEPASS` (encrypted .xls → [`Error::FileEncrypted`]).
//!
//!   Not protected for .xls: calamine keeps every sheet's grid in memory at once and `worksheet_range` clones the
//!   one being read, so peak memory is about twice the (already bounded) grids, plus the file, its rebuilt copy and
//!   calamine's copy of the Workbook stream; memory is bounded by the caps above, not strictly by the filled cells.
//!
//! **ods** (no streaming reader either: `Ods::new` parses all of `content.xml`, expanding
//! `table:number-columns-repeated`/`number-rows-repeated`, and calamine's own cap is 100,000,000 cells). Before
//! calamine runs, `content.xml` is parsed once (while it is inflated for the size check) with the same XML reader
//! and settings as calamine, mirroring calamine's
//! algorithm, to compute for every sheet the cells calamine would push, the grid it would build, the filled cells
//! once repeats are expanded and the text it would clone (including `<text:s text:c="…"/>` space runs). The same
//! grid rule as .xls applies; filled cells count towards `max_cells`; data in a row past `max_rows` is refused
//! (calamine would silently drop it). A `content.xml` that ends inside a sheet or inside a cell comment is refused:
//! calamine loops forever on that input. Encrypted ODS (`manifest:encryption-data`) → [`Error::FileEncrypted`].
//!
//!   Not protected for .ods: as for .xls, calamine holds all sheets' grids and clones the one being read.
//!
//! Not protected anywhere: time. Inflating and parsing are linear in the (bounded) data, but a 512 MiB part still
//! takes seconds to inflate. Callers should run [`read_workbook`] off the UI thread.
//!
//! Measured on the 2-core dev machine (release build), a 100,000-row × 7-column workbook: .xlsx 0.31–0.34 s
//! (calamine's own `worksheet_range` on the same file: 0.29 s), the same as .ods 0.87 s (calamine alone 0.46 s:
//! the pre-scan parses `content.xml` too), 65,536 rows as .xls 0.08 s.

mod cells;
mod ctx;
mod grid;
mod limits;
mod ods_scan;
mod ole;
mod sheet;
mod sniff;
mod stream;
mod util;
mod xls_scan;
mod xlsb;
mod xlsx;
mod zip_scan;

pub use limits::{
    Limits, BOMB_MIN_BYTES, BOMB_RATIO, MAX_ZIP_ENTRIES, PROGRESS_EVERY_ROWS,
    XLSB_WORKBOOK_PART_MAX, XLS_FORMULA_TEXT_MAX,
};
pub use sheet::{column_name, Cell, Row, Sheet, Workbook};
pub use stream::{RowSink, Streamed};

use std::io::{Cursor, Read};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use sha2::{Digest, Sha256};
use zip::ZipArchive;

use crate::error::{Error, Result};

use cells::{Counters, Flow, SheetsCollector};
use ctx::Ctx;
use grid::{read_ods, read_xls};
use sniff::{describe_foreign, is_ole, is_zip, zip_kind, ZipKind};
use stream::RowStreamer;
use util::{human_bytes, io_reason, panic_message, thousands};
use xlsb::read_xlsb;
use xlsx::read_xlsx;

// ------------------------------------------------------------------------------------------------------------------
// Public interface
// ------------------------------------------------------------------------------------------------------------------

/// Reads a workbook file. The file name (without its folder) names the file in every error.
pub fn read_workbook(path: &Path, limits: &Limits) -> Result<Workbook> {
    read_workbook_with_progress(path, limits, &mut |_| {})
}

/// Same, from bytes already in memory (file_name is used for messages and for the format by extension when
/// sniffing fails).
pub fn read_workbook_bytes(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Workbook> {
    read_bytes(file_name, bytes, limits, &mut |_| {})
}

/// Progress callback variant: called with the number of rows read so far (all sheets together) when reading
/// starts, every [`PROGRESS_EVERY_ROWS`] rows, and once at the end.
pub fn read_workbook_with_progress(
    path: &Path,
    limits: &Limits,
    progress: &mut dyn FnMut(u32),
) -> Result<Workbook> {
    let (file, bytes) = read_file(path, limits)?;
    read_bytes(&file, &bytes, limits, progress)
}

/// Reads a workbook into `sink` row by row (see [`RowSink`]); with `streaming: false`, or for formats without a
/// streaming reader, the workbook is read whole first and then handed over. Same checks, limits and errors as
/// [`read_workbook_with_progress`], which the progress callback also follows.
pub fn stream_workbook(
    path: &Path,
    limits: &Limits,
    progress: &mut dyn FnMut(u32),
    sink: &mut dyn RowSink,
    streaming: bool,
) -> Result<Streamed> {
    let (file, bytes) = read_file(path, limits)?;
    stream_bytes(&file, &bytes, limits, progress, sink, streaming)
}

/// [`stream_workbook`] from bytes already in memory.
pub fn stream_workbook_bytes(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
    streaming: bool,
) -> Result<Streamed> {
    stream_bytes(file_name, bytes, limits, &mut |_| {}, sink, streaming)
}

/// The first rows of a workbook, for a quick look at a file (which kind it is, its header): each sheet's rows
/// numbered up to `rows`. xlsx and xlsb stop parsing a sheet there; the other formats have no streaming reader and
/// are parsed whole, then cut. What lies past those rows is not seen: a file whose later rows are damaged, too
/// large, or out of order (cells the whole read would merge into an early row) can peek fine and still fail, or
/// read slightly differently, when read whole.
pub fn peek_workbook(path: &Path, limits: &Limits, rows: u32) -> Result<Peek> {
    let (file, bytes) = read_file(path, limits)?;
    peek_workbook_bytes(&file, &bytes, limits, rows)
}

/// [`peek_workbook`] from bytes already in memory.
pub fn peek_workbook_bytes(file: &str, bytes: &[u8], limits: &Limits, rows: u32) -> Result<Peek> {
    let mut sink = PeekSink {
        rows,
        sheets: Vec::new(),
        sha256: String::new(),
        parsed: 0,
        last: 0,
        stopped_early: std::cell::Cell::new(false),
    };
    match stream_bytes(file, bytes, limits, &mut |_| {}, &mut sink, true)? {
        Streamed::Done => Ok(Peek {
            workbook: Workbook {
                file: file.to_string(),
                sha256: sink.sha256,
                sheets: sink.sheets,
            },
            rows_parsed: sink.parsed,
            whole: !sink.stopped_early.get(),
        }),
        // Rows out of order (or an error value calamine doesn't know): read whole, then cut.
        Streamed::Restart => {
            let mut workbook = read_bytes(file, bytes, limits, &mut |_| {})?;
            let mut parsed = 0;
            for sheet in &mut workbook.sheets {
                parsed += sheet.rows.len() as u64;
                sheet.rows.retain(|r| r.number <= rows);
            }
            Ok(Peek {
                workbook,
                rows_parsed: parsed,
                whole: true,
            })
        }
    }
}

/// What [`peek_workbook`] read.
#[derive(Debug)]
pub struct Peek {
    /// Each sheet with its first rows only.
    pub workbook: Workbook,
    /// How many rows were parsed to get them (all of them for a format read whole).
    pub rows_parsed: u64,
    /// Every row of the file was parsed: no sheet was cut short by the reader (a format without a streaming
    /// reader, a read that had to start over, or a file with no more rows than asked for).
    pub whole: bool,
}

struct PeekSink {
    rows: u32,
    sheets: Vec<Sheet>,
    sha256: String,
    parsed: u64,
    /// The number of the last row of the current sheet handed over.
    last: u32,
    /// The reader was told to skip the rest of a sheet (asked through `&self`, hence the cell).
    stopped_early: std::cell::Cell<bool>,
}

impl RowSink for PeekSink {
    fn start(&mut self, _file: &str, sha256: &str) -> Result<()> {
        self.sha256 = sha256.to_string();
        Ok(())
    }

    fn sheet(&mut self, name: &str) -> Result<()> {
        self.sheets.push(Sheet {
            name: name.to_string(),
            rows: Vec::new(),
        });
        self.last = 0;
        Ok(())
    }

    fn row(&mut self, row: Row) -> Result<()> {
        self.parsed += 1;
        self.last = row.number;
        if row.number <= self.rows {
            if let Some(sheet) = self.sheets.last_mut() {
                sheet.rows.push(row);
            }
        }
        Ok(())
    }

    fn end_sheet(&mut self) -> Result<()> {
        Ok(())
    }

    fn sheet_done(&self) -> bool {
        let done = self.last >= self.rows;
        if done {
            self.stopped_early.set(true);
        }
        done
    }
}

/// The file's name (without its folder, for messages) and its bytes, within the size limit.
fn read_file(path: &Path, limits: &Limits) -> Result<(String, Vec<u8>)> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    let unreadable = |reason: String| Error::FileUnreadable {
        file: file.clone(),
        reason,
    };
    let io_error = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::PermissionDenied => Error::FilePermissionDenied { file: file.clone() },
        _ => unreadable(io_reason(&e)),
    };
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if meta.is_dir() {
        return Err(unreadable("it is a folder, not a file".into()));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(Error::FileTooLarge {
            file: file.clone(),
            reason: format!(
                "the file is {}, more than the {} Tideline reads",
                human_bytes(meta.len()),
                human_bytes(limits.max_file_bytes)
            ),
        });
    }
    let f = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // take(): the file may grow between metadata() and read.
    f.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    Ok((file, bytes))
}

// ------------------------------------------------------------------------------------------------------------------
// Entry point shared by the public functions
// ------------------------------------------------------------------------------------------------------------------

/// The checks every read starts with; returns the file's SHA-256.
fn check_bytes(ctx: &Ctx, bytes: &[u8]) -> Result<String> {
    if bytes.is_empty() {
        return Err(ctx.empty());
    }
    if bytes.len() as u64 > ctx.limits.max_file_bytes {
        return Err(ctx.too_large(format!(
            "the file is {}, more than the {} Tideline reads",
            human_bytes(bytes.len() as u64),
            human_bytes(ctx.limits.max_file_bytes)
        )));
    }
    Ok(hex::encode(Sha256::digest(bytes)))
}

/// Runs a reader where a panic is caught and becomes an error naming the file.
fn catching<T>(ctx: &Ctx, read: impl FnOnce() -> Result<T>) -> Result<T> {
    match panic::catch_unwind(AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(payload) => Err(ctx.unreadable(format!(
            "the workbook is damaged (the reader failed: {})",
            panic_message(payload.as_ref())
        ))),
    }
}

fn read_bytes(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
    progress: &mut dyn FnMut(u32),
) -> Result<Workbook> {
    let ctx = Ctx { file, limits };
    let sha256 = check_bytes(&ctx, bytes)?;
    progress(0);
    let sheets = catching(&ctx, || {
        let mut counters = Counters::new(&mut *progress);
        let sheets = read_sheets(&ctx, bytes, &mut counters)?;
        counters.report_final();
        Ok(sheets)
    })?;
    if sheets.iter().all(|s| s.rows.is_empty()) {
        return Err(ctx.empty());
    }
    Ok(Workbook {
        file: file.to_string(),
        sha256,
        sheets,
    })
}

fn stream_bytes(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
    progress: &mut dyn FnMut(u32),
    sink: &mut dyn RowSink,
    streaming: bool,
) -> Result<Streamed> {
    let ctx = Ctx { file, limits };
    let sha256 = check_bytes(&ctx, bytes)?;
    sink.start(file, &sha256)?;
    progress(0);
    let rows = catching(&ctx, || {
        let mut counters = Counters::new(&mut *progress);
        let kind = if streaming && is_zip(bytes) {
            Some(check_zip(&ctx, bytes)?)
        } else {
            None
        };
        let rows = match kind {
            Some(kind @ (ZipKind::Xlsx | ZipKind::Xlsb)) => {
                let mut streamer = RowStreamer::new(&mut *sink);
                let flow = match kind {
                    ZipKind::Xlsx => read_xlsx(&ctx, bytes, &mut counters, &mut streamer, true)?,
                    _ => read_xlsb(&ctx, bytes, &mut counters, &mut streamer)?,
                };
                if flow == Flow::Restart {
                    return Ok(None);
                }
                streamer.rows
            }
            // No streaming reader: read whole, then handed over.
            Some(ZipKind::Ods) => replay(read_ods(&ctx, bytes, &mut counters)?, &mut *sink)?,
            None => replay(read_sheets(&ctx, bytes, &mut counters)?, &mut *sink)?,
        };
        counters.report_final();
        Ok(Some(rows))
    })?;
    match rows {
        None => Ok(Streamed::Restart),
        Some(0) => Err(ctx.empty()),
        Some(_) => Ok(Streamed::Done),
    }
}

/// Hands sheets read whole to a sink; returns the number of rows.
fn replay(sheets: Vec<Sheet>, sink: &mut dyn RowSink) -> Result<u64> {
    let mut rows = 0;
    for sheet in sheets {
        sink.sheet(&sheet.name)?;
        for row in sheet.rows {
            rows += 1;
            sink.row(row)?;
        }
        sink.end_sheet()?;
    }
    Ok(rows)
}

/// The zip container checks (see the module documentation); returns the workbook format inside.
fn check_zip(ctx: &Ctx, bytes: &[u8]) -> Result<ZipKind> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ctx.unreadable(format!(
            "the file is incomplete or damaged: its zip structure can't be read ({e}). If it was copied or \
             downloaded, try again"
        ))
    })?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(ctx.unreadable(format!(
            "the archive holds {} parts, far more than any workbook; it is not a real workbook",
            thousands(zip.len() as u64)
        )));
    }
    let kind = zip_kind(ctx, &mut zip)?;
    zip_scan::check(ctx, &mut zip, kind)?;
    Ok(kind)
}

fn read_sheets(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
    if is_ole(bytes) {
        let ole = ole::inspect(ctx, bytes)?;
        xls_scan::check(ctx, &ole.workbook)?;
        // calamine reads a clean copy, so it parses exactly the stream the scan checked.
        let clean = ole::rebuild(ctx, ole)?;
        return read_xls(ctx, &clean, counters);
    }
    if is_zip(bytes) {
        let kind = check_zip(ctx, bytes)?;
        let mut collector = SheetsCollector::default();
        match kind {
            ZipKind::Xlsx => {
                read_xlsx(ctx, bytes, counters, &mut collector, false)?;
            }
            ZipKind::Xlsb => {
                read_xlsb(ctx, bytes, counters, &mut collector)?;
            }
            ZipKind::Ods => return read_ods(ctx, bytes, counters),
        }
        return Ok(collector.sheets);
    }
    Err(ctx.not_spreadsheet(describe_foreign(ctx.file, bytes)))
}
