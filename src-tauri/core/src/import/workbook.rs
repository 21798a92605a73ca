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
//! - walks the OLE2 container exactly as calamine does, but with every sector chain bounded by the file size, so
//!   a cyclic FAT (which makes calamine loop, growing a buffer until the process dies) or a FAT listing more sectors
//!   than the file holds is refused;
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
//!   one being read, so peak memory is about twice the (already bounded) grids; memory is bounded by the caps above,
//!   not strictly by the filled cells.
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

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, BufReader, Cursor, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use calamine::{
    Data, DataRef, Ods, OdsError, Reader, SheetType, Xls, XlsError, Xlsb, XlsbError, Xlsx,
    XlsxError, XlsxFormulaMetadata,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use quick_xml::events::Event;
use sha2::{Digest, Sha256};
use zip::result::ZipError;
use zip::ZipArchive;

use crate::error::{Error, Result};

// ------------------------------------------------------------------------------------------------------------------
// Public interface
// ------------------------------------------------------------------------------------------------------------------

/// Caps checked BEFORE any dense structure is built, so memory is bounded by the cells a file really holds.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file accepted at all (default 256 MiB).
    pub max_file_bytes: u64,
    /// Largest total a zip-based file may inflate to, across all its parts (default 512 MiB). Also caps the text
    /// materialised from cells.
    pub max_inflated_bytes: u64,
    /// Rows a sheet may have (default 1,048,576, Excel's limit); a cell beyond is refused.
    pub max_rows: u32,
    /// Columns a sheet may have (default 16,384, Excel's limit: XFD); a cell beyond is refused.
    pub max_cols: u32,
    /// Non-empty cells a workbook may hold, all sheets together (default 20,000,000).
    pub max_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * MIB,
            max_inflated_bytes: 512 * MIB,
            max_rows: 1_048_576,
            max_cols: 16_384,
            max_cells: 20_000_000,
        }
    }
}

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

/// Reads a workbook file. The file name (without its folder) names the file in every error.
pub fn read_workbook(path: &Path, limits: &Limits) -> Result<Workbook> {
    read_workbook_with_progress(path, limits, &mut |_| {})
}

/// Same, from bytes already in memory (file_name is used for messages and for the format by extension when
/// sniffing fails).
pub fn read_workbook_bytes(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Workbook> {
    read_bytes(file_name, bytes, limits, &mut |_| {})
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

/// Progress callback variant: called with the number of rows read so far (all sheets together) when reading
/// starts, every [`PROGRESS_EVERY_ROWS`] rows, and once at the end.
pub fn read_workbook_with_progress(
    path: &Path,
    limits: &Limits,
    progress: &mut dyn FnMut(u32),
) -> Result<Workbook> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    let unreadable = |reason: String| Error::FileUnreadable {
        file: file.clone(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(io_reason(&e)))?;
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
    let f = std::fs::File::open(path).map_err(|e| unreadable(io_reason(&e)))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // take(): the file may grow between metadata() and read.
    f.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(io_reason(&e)))?;
    read_bytes(&file, &bytes, limits, progress)
}

// ------------------------------------------------------------------------------------------------------------------
// Tunables (documented in the module comment)
// ------------------------------------------------------------------------------------------------------------------

const MIB: u64 = 1024 * 1024;
/// A zip with more parts than this is not a workbook anyone made by hand or with Excel.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// Deflate's best ratio is about 1030:1; real workbook parts stay far below.
pub const BOMB_RATIO: u64 = 1_000;
/// The ratio check applies to parts larger than this (tiny parts of repeated bytes compress very well).
pub const BOMB_MIN_BYTES: u64 = 16 * MIB;
/// A dense grid (xls/ods) may always be this many cells...
const DENSE_FLOOR: u64 = 1 << 20;
/// ... or this many times the filled cells, whichever is more ...
const DENSE_FACTOR: u64 = 4;
/// ... but never more than this (65,536 × 256, the whole .xls grid).
const DENSE_CEILING: u64 = 1 << 24;
/// The grids of all sheets of a workbook together may be this many cells, or DENSE_FACTOR × filled cells.
const WORKBOOK_DENSE_FLOOR: u64 = 1 << 22;
/// Excel caps a formula at 8,192 characters; no real formula's text comes near this.
pub const XLS_FORMULA_TEXT_MAX: u64 = 256 * 1024;
/// Bytes calamine may move building formula texts (xls cells, xlsb defined names), all formulas together: about
/// 5–15 s of CPU at worst. Real workbooks stay orders of magnitude below.
const FORMULA_WORK_MAX: u64 = 50_000_000_000;
/// workbook.bin holds the sheet list and defined names; real ones are kilobytes.
pub const XLSB_WORKBOOK_PART_MAX: u64 = 64 * MIB;
/// How often the progress callback is called.
pub const PROGRESS_EVERY_ROWS: u32 = 1_000;

// calamine's own ODS caps (src/ods.rs), mirrored by the ODS pre-scan.
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

// ------------------------------------------------------------------------------------------------------------------
// Entry point shared by the public functions
// ------------------------------------------------------------------------------------------------------------------

fn read_bytes(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
    progress: &mut dyn FnMut(u32),
) -> Result<Workbook> {
    let ctx = Ctx { file, limits };
    if bytes.is_empty() {
        return Err(ctx.empty());
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ctx.too_large(format!(
            "the file is {}, more than the {} Tideline reads",
            human_bytes(bytes.len() as u64),
            human_bytes(limits.max_file_bytes)
        )));
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    progress(0);
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut counters = Counters::new(&mut *progress);
        let sheets = read_sheets(&ctx, bytes, &mut counters)?;
        counters.report_final();
        Ok::<_, Error>(sheets)
    }));
    let sheets = match outcome {
        Ok(result) => result?,
        Err(payload) => {
            return Err(ctx.unreadable(format!(
                "the workbook is damaged (the reader failed: {})",
                panic_message(payload.as_ref())
            )))
        }
    };
    if sheets.iter().all(|s| s.rows.is_empty()) {
        return Err(ctx.empty());
    }
    Ok(Workbook {
        file: file.to_string(),
        sha256,
        sheets,
    })
}

fn read_sheets(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
    if bytes.starts_with(&OLE_MAGIC) {
        let ole = ole::inspect(ctx, bytes)?;
        xls_scan::check(ctx, &ole.workbook)?;
        drop(ole);
        return read_xls(ctx, bytes, counters);
    }
    if is_zip(bytes) {
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
        drop(zip);
        return match kind {
            ZipKind::Xlsx => read_xlsx(ctx, bytes, counters),
            ZipKind::Xlsb => read_xlsb(ctx, bytes, counters),
            ZipKind::Ods => read_ods(ctx, bytes, counters),
        };
    }
    Err(ctx.not_spreadsheet(describe_foreign(ctx.file, bytes)))
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
}

/// File context for messages and limits.
struct Ctx<'a> {
    file: &'a str,
    limits: &'a Limits,
}

impl Ctx<'_> {
    fn unreadable(&self, reason: impl Into<String>) -> Error {
        Error::FileUnreadable {
            file: self.file.to_string(),
            reason: reason.into(),
        }
    }
    fn not_spreadsheet(&self, reason: impl Into<String>) -> Error {
        Error::FileNotSpreadsheet {
            file: self.file.to_string(),
            reason: reason.into(),
        }
    }
    fn too_large(&self, reason: impl Into<String>) -> Error {
        Error::FileTooLarge {
            file: self.file.to_string(),
            reason: reason.into(),
        }
    }
    fn encrypted(&self) -> Error {
        Error::FileEncrypted {
            file: self.file.to_string(),
        }
    }
    fn empty(&self) -> Error {
        Error::FileEmpty {
            file: self.file.to_string(),
        }
    }
    fn extension(&self) -> String {
        extension_of(self.file)
    }

    /// A cell position (0-based) outside the sheet limits.
    fn check_pos(&self, sheet: &str, row: u32, col: u32) -> Result<()> {
        if row >= self.limits.max_rows {
            return Err(self.too_large(format!(
                "sheet \"{sheet}\" has a cell in row {}, beyond the {} rows a sheet can have",
                thousands(u64::from(row) + 1),
                thousands(u64::from(self.limits.max_rows))
            )));
        }
        if col >= self.limits.max_cols {
            return Err(self.too_large(format!(
                "sheet \"{sheet}\" has a cell in column {} (column number {}), beyond the {} columns a sheet can \
                 have",
                column_name(col),
                thousands(u64::from(col) + 1),
                thousands(u64::from(self.limits.max_cols))
            )));
        }
        Ok(())
    }

    fn too_many_cells(&self) -> Error {
        self.too_large(format!(
            "the workbook holds more than {} filled cells, more than Tideline imports at once; split it into smaller \
             files",
            thousands(self.limits.max_cells)
        ))
    }

    fn too_much_text(&self) -> Error {
        self.too_large(format!(
            "the text in its cells adds up to more than {}, more than Tideline imports at once",
            human_bytes(self.limits.max_inflated_bytes)
        ))
    }

    /// The dense-grid rule for xls/ods sheets.
    fn check_grid(
        &self,
        sheet: &str,
        what: GridWhat,
        rows: u64,
        cols: u64,
        filled: u64,
        far: Option<(u64, u64)>,
    ) -> Result<()> {
        let area = rows.saturating_mul(cols);
        if area <= dense_allowed(filled) {
            return Ok(());
        }
        let far = far
            .map(|(r, c)| {
                format!(
                    " (the farthest is {}{})",
                    column_name(c.min(u64::from(u32::MAX)) as u32),
                    r + 1
                )
            })
            .unwrap_or_default();
        Err(self.too_large(match what {
            GridWhat::Cells => format!(
                "sheet \"{sheet}\" spans {} rows × {} columns ({} cells) but holds only {} filled cells{far}; a \
                 stray cell far from the data would make Tideline build that whole grid. Delete the stray cells (or \
                 save the file as .xlsx) and import it again",
                thousands(rows),
                thousands(cols),
                thousands(area),
                thousands(filled)
            ),
            GridWhat::Declared => format!(
                "sheet \"{sheet}\" declares a used range of {} rows × {} columns ({} cells) but holds only {} filled \
                 cells; the file is damaged or was written by a faulty program. Open it in Excel, save it as .xlsx \
                 and import that",
                thousands(rows),
                thousands(cols),
                thousands(area),
                thousands(filled)
            ),
        }))
    }

    fn check_workbook_grid(&self, total_area: u64, filled: u64) -> Result<()> {
        let allowed = WORKBOOK_DENSE_FLOOR.max(DENSE_FACTOR.saturating_mul(filled));
        if total_area > allowed {
            return Err(self.too_large(format!(
                "its sheets span {} cells in all but hold only {} filled cells; stray cells far from the data would \
                 make Tideline build those whole grids. Delete them (or save the file as .xlsx) and import it again",
                thousands(total_area),
                thousands(filled)
            )));
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum GridWhat {
    Cells,
    Declared,
}

fn dense_allowed(filled: u64) -> u64 {
    DENSE_CEILING.min(DENSE_FLOOR.max(DENSE_FACTOR.saturating_mul(filled)))
}

/// Running totals while reading: cells (for max_cells), text bytes (for the text cap), rows (for progress).
struct Counters<'p> {
    cells: u64,
    text: u64,
    rows: u32,
    progress: &'p mut dyn FnMut(u32),
}

impl<'p> Counters<'p> {
    fn new(progress: &'p mut dyn FnMut(u32)) -> Self {
        Counters {
            cells: 0,
            text: 0,
            rows: 0,
            progress,
        }
    }

    fn add_cell(&mut self, ctx: &Ctx) -> Result<()> {
        self.cells += 1;
        if self.cells > ctx.limits.max_cells {
            return Err(ctx.too_many_cells());
        }
        Ok(())
    }

    fn add_text(&mut self, ctx: &Ctx, bytes: usize) -> Result<()> {
        self.text = self.text.saturating_add(bytes as u64);
        if self.text > ctx.limits.max_inflated_bytes {
            return Err(ctx.too_much_text());
        }
        Ok(())
    }

    fn add_row(&mut self) {
        self.rows = self.rows.saturating_add(1);
        if self.rows.is_multiple_of(PROGRESS_EVERY_ROWS) {
            (self.progress)(self.rows);
        }
    }

    fn report_final(&mut self) {
        (self.progress)(self.rows);
    }
}

/// Collects cells into sparse rows. Cells normally arrive in row/column order; when they don't (odd writers, or
/// formula-only cells merged in afterwards) the rows are sorted and de-duplicated at the end (the later cell wins,
/// as in calamine's grids).
struct SheetBuilder {
    name: String,
    rows: Vec<Row>,
    in_order: bool,
}

impl SheetBuilder {
    fn new(name: String) -> Self {
        SheetBuilder {
            name,
            rows: Vec::new(),
            in_order: true,
        }
    }

    /// `row` is 0-based and already checked against the limits (so `row + 1` can't overflow).
    fn push(&mut self, counters: &mut Counters, row: u32, col: u32, cell: Cell) {
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

    fn finish(mut self) -> Sheet {
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
                // Reverse, then a stable sort: among cells of one column the one that came last is now first.
                row.cells.reverse();
                row.cells.sort_by_key(|(c, _)| *c);
                row.cells.dedup_by_key(|(c, _)| *c);
            }
            self.rows = merged;
        }
        Sheet {
            name: self.name,
            rows: self.rows,
        }
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Value conversion
// ------------------------------------------------------------------------------------------------------------------

const EXCEL_ERRORS: [&str; 8] = [
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
fn formula_text(f: &str) -> String {
    let f = f.strip_prefix("of:").unwrap_or(f);
    if f.starts_with('=') {
        f.to_string()
    } else {
        format!("={f}")
    }
}

fn calamine_reason(e: &dyn std::fmt::Display) -> String {
    format!("the workbook is damaged or in a form Tideline can't read ({e})")
}

fn xlsx_err(ctx: &Ctx, e: XlsxError) -> Error {
    match e {
        XlsxError::Password => ctx.encrypted(),
        XlsxError::CellError(v) => ctx.unreadable(format!(
            "it holds the error value {v}, which Tideline can't read; fix or delete the formulas showing it \
             and import again"
        )),
        e => ctx.unreadable(calamine_reason(&e)),
    }
}

fn xlsb_err(ctx: &Ctx, e: XlsbError) -> Error {
    match e {
        XlsbError::Password => ctx.encrypted(),
        e => ctx.unreadable(calamine_reason(&e)),
    }
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

// ------------------------------------------------------------------------------------------------------------------
// xlsx / xlsm: streaming
// ------------------------------------------------------------------------------------------------------------------

/// Error values newer than calamine's parser (dynamic arrays, data types, Python in Excel).
const NEWER_EXCEL_ERRORS: [&str; 10] = [
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#UNKNOWN!",
    "#BUSY!",
    "#GETTING_DATA",
    "#PYTHON!",
    "#EXTERNAL!",
];

enum XlsxPass {
    Done(Vec<Sheet>),
    /// calamine refused an error value it doesn't know (e.g. "#SPILL!"), failing the whole sheet.
    UnknownError(String),
}

fn read_xlsx(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
    let saved = (counters.cells, counters.text, counters.rows);
    let literal = match read_xlsx_pass(ctx, bytes, counters, false)? {
        XlsxPass::Done(sheets) => return Ok(sheets),
        XlsxPass::UnknownError(literal) => literal,
    };
    // calamine 0.38 fails a whole sheet on a cell holding an error value it doesn't know (the dynamic-array
    // errors of Excel 365, such as #SPILL! and #CALC!). Read a copy whose sheets store those cells as text,
    // then turn the text back into Cell::Error.
    (counters.cells, counters.text, counters.rows) = saved;
    let unknown = || {
        ctx.unreadable(format!(
            "it holds the error value {literal}, which Tideline can't read; fix or delete the formulas \
             showing it and import again"
        ))
    };
    let patched = patch_unknown_errors(ctx, bytes)?.ok_or_else(unknown)?;
    match read_xlsx_pass(ctx, &patched, counters, true)? {
        XlsxPass::Done(sheets) => Ok(sheets),
        XlsxPass::UnknownError(_) => Err(unknown()),
    }
}

/// A copy of the archive in which every worksheet cell `t="e"` holding an error value calamine doesn't know is
/// stored as `t="str"`. `None` when nothing needed changing.
fn patch_unknown_errors(ctx: &Ctx, bytes: &[u8]) -> Result<Option<Vec<u8>>> {
    use zip::write::SimpleFileOptions;
    let damaged = |e: &dyn std::fmt::Display| ctx.unreadable(format!("the file is damaged ({e})"));
    let mut zin = ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
    let mut zout = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    let mut changed = false;
    for i in 0..zin.len() {
        let name =
            String::from_utf8_lossy(zin.by_index_raw(i).map_err(|e| damaged(&e))?.name_raw())
                .into_owned();
        let lower = name.to_ascii_lowercase();
        let patched = if lower.starts_with("xl/worksheets/") && lower.ends_with(".xml") {
            let mut xml = String::new();
            let f = zin.by_index(i).map_err(|e| damaged(&e))?;
            f.take(ctx.limits.max_inflated_bytes)
                .read_to_string(&mut xml)
                .map_err(|e| damaged(&e))?;
            patch_error_cells(&xml)
        } else {
            None
        };
        match patched {
            Some(xml) => {
                changed = true;
                let options = SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .compression_level(Some(1));
                zout.start_file(name, options).map_err(|e| damaged(&e))?;
                zout.write_all(xml.as_bytes()).map_err(|e| damaged(&e))?;
            }
            None => zout
                .raw_copy_file(zin.by_index_raw(i).map_err(|e| damaged(&e))?)
                .map_err(|e| damaged(&e))?,
        }
    }
    if !changed {
        return Ok(None);
    }
    Ok(Some(zout.finish().map_err(|e| damaged(&e))?.into_inner()))
}

/// Rewrites `t="e"` to `t="str"` on cells whose `<v>` is not one of the seven error values calamine parses.
fn patch_error_cells(xml: &str) -> Option<String> {
    const KNOWN: [&str; 7] = [
        "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
    ];
    const ATTR: &str = " t=\"e\"";
    let mut out = String::with_capacity(xml.len() + 64);
    let mut rest = xml;
    let mut changed = false;
    while let Some(i) = rest.find(ATTR) {
        let after = &rest[i + ATTR.len()..];
        let cell = &after[..after.find("</c>").unwrap_or(after.len())];
        let value = cell
            .find("<v>")
            .and_then(|a| cell[a + 3..].find("</v>").map(|b| &cell[a + 3..a + 3 + b]));
        out.push_str(&rest[..i]);
        match value {
            Some(v) if !KNOWN.contains(&v) => {
                out.push_str(" t=\"str\"");
                changed = true;
            }
            _ => out.push_str(ATTR),
        }
        rest = after;
    }
    out.push_str(rest);
    changed.then_some(out)
}

fn read_xlsx_pass(
    ctx: &Ctx,
    bytes: &[u8],
    counters: &mut Counters,
    patched: bool,
) -> Result<XlsxPass> {
    let mut wb: Xlsx<Cursor<&[u8]>> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_err(ctx, e))?;
    let names: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let mut builder = SheetBuilder::new(name.clone());
        let mut reader = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| xlsx_err(ctx, e))?;
        // Shared-formula templates of this sheet: index → (formula, anchor position).
        let mut shared: HashMap<usize, (String, (u32, u32))> = HashMap::new();
        loop {
            let record = match reader.next_cell_with_formula_metadata() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(XlsxError::CellError(literal)) if !patched => {
                    return Ok(XlsxPass::UnknownError(literal))
                }
                Err(e) => return Err(xlsx_err(ctx, e)),
            };
            let (row, col) = record.pos;
            ctx.check_pos(&name, row, col)?;
            // A cached empty string (a formula that returned "") is a blank cell, not a missing value.
            let no_value = matches!(record.value, DataRef::Empty);
            let mut converted = dataref_cell(ctx, counters, record.value)?;
            if patched {
                if let Some(Cell::Text(t)) = &converted {
                    if NEWER_EXCEL_ERRORS.contains(&t.as_str()) {
                        converted = Some(Cell::Error(t.clone()));
                    }
                }
            }
            // Remember every shared-formula template, for the derived cells that may lack a value.
            if let Some(XlsxFormulaMetadata::Shared {
                shared_index,
                range,
                formula,
            }) = &record.formula
            {
                let start = range.map_or(record.pos, |r| r.start);
                shared.insert(*shared_index, (formula.clone(), start));
            }
            let cell = match converted {
                Some(cell) => Some(cell),
                None if !no_value => None,
                None => match record.formula {
                    None => None,
                    Some(XlsxFormulaMetadata::Normal { formula })
                    | Some(XlsxFormulaMetadata::Shared { formula, .. }) => {
                        counters.add_text(ctx, formula.len())?;
                        Some(Cell::FormulaNoValue(formula_text(&formula)))
                    }
                    Some(XlsxFormulaMetadata::SharedDerived { shared_index }) => {
                        match shared.get(&shared_index) {
                            Some((template, start)) => {
                                // Expanding can lengthen each reference ("A1" → "A1048576"): budget 4×.
                                counters.add_text(ctx, template.len().saturating_mul(4))?;
                                let expanded =
                                    calamine::expand_shared_formula(template, *start, record.pos)
                                        .unwrap_or_else(|_| template.clone());
                                Some(Cell::FormulaNoValue(formula_text(&expanded)))
                            }
                            None => Some(Cell::FormulaNoValue("=(shared formula)".into())),
                        }
                    }
                    Some(_) => None,
                },
            };
            if let Some(cell) = cell {
                counters.add_cell(ctx)?;
                builder.push(counters, row, col, cell);
            }
        }
        sheets.push(builder.finish());
    }
    Ok(XlsxPass::Done(sheets))
}

/// Converts a streamed value; `None` for an empty cell (including an empty string).
fn dataref_cell(ctx: &Ctx, counters: &mut Counters, value: DataRef<'_>) -> Result<Option<Cell>> {
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
fn data_cell(ctx: &Ctx, counters: &mut Counters, value: &Data) -> Result<Option<Cell>> {
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

// ------------------------------------------------------------------------------------------------------------------
// xlsb: streaming
// ------------------------------------------------------------------------------------------------------------------

fn read_xlsb(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
    let mut wb: Xlsb<Cursor<&[u8]>> =
        Xlsb::new(Cursor::new(bytes)).map_err(|e| xlsb_err(ctx, e))?;
    let names: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
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

// ------------------------------------------------------------------------------------------------------------------
// xls and ods: dense grids, read after the pre-scans bounded them
// ------------------------------------------------------------------------------------------------------------------

fn read_xls(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
    let mut wb: Xls<Cursor<&[u8]>> = Xls::new(Cursor::new(bytes)).map_err(|e| xls_err(ctx, e))?;
    let names: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
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

fn read_ods(ctx: &Ctx, bytes: &[u8], counters: &mut Counters) -> Result<Vec<Sheet>> {
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

// ------------------------------------------------------------------------------------------------------------------
// Sniffing
// ------------------------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
}

fn zip_kind(ctx: &Ctx, zip: &mut ZipArchive<Cursor<&[u8]>>) -> Result<ZipKind> {
    let names: Vec<String> = part_names(zip)
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("mimetype") {
        let mut head = Vec::new();
        if let Ok(f) = zip.by_name("mimetype") {
            let _ = f.take(128).read_to_end(&mut head);
        }
        if head.starts_with(ODS_MIMETYPE) {
            return Ok(ZipKind::Ods);
        }
        if let Some(kind) = head.strip_prefix(b"application/vnd.oasis.opendocument.") {
            let kind = String::from_utf8_lossy(kind);
            let what = match kind.split(['.', '-']).next().unwrap_or("") {
                "text" => "an OpenDocument text document (.odt)",
                "presentation" => "an OpenDocument presentation (.odp)",
                "graphics" => "an OpenDocument drawing (.odg)",
                _ => "an OpenDocument file that is not a spreadsheet",
            };
            return Err(ctx.not_spreadsheet(format!("it is {what}, not a spreadsheet")));
        }
    }
    if has("xl/workbook.bin") {
        return Ok(ZipKind::Xlsb);
    }
    if names.iter().any(|n| n.starts_with("word/")) {
        return Err(ctx.not_spreadsheet("it is a Word document (.docx), not a spreadsheet"));
    }
    if names.iter().any(|n| n.starts_with("ppt/")) {
        return Err(
            ctx.not_spreadsheet("it is a PowerPoint presentation (.pptx), not a spreadsheet")
        );
    }
    // calamine finds the workbook part through _rels/.rels, wherever it is.
    if has("[content_types].xml") || has("_rels/.rels") {
        return Ok(ZipKind::Xlsx);
    }
    if has("content.xml") && has("meta-inf/manifest.xml") {
        return Ok(ZipKind::Ods);
    }
    let ext = ctx.extension();
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods" | "xls") {
        return Err(ctx.unreadable(format!(
            "the file is named .{ext} and is a zip archive, but holds no workbook; it is damaged or not a \
             spreadsheet"
        )));
    }
    Err(ctx.not_spreadsheet("it is a zip archive with no workbook inside"))
}

fn part_names(zip: &ZipArchive<Cursor<&[u8]>>) -> Vec<String> {
    zip.file_names_raw()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect()
}

fn extension_of(file: &str) -> String {
    Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Words for what a non-spreadsheet file probably is.
fn describe_foreign(file: &str, bytes: &[u8]) -> String {
    let ext = extension_of(file);
    let head = &bytes[..bytes.len().min(4096)];
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    let what: Cow<str> = if head.starts_with(b"%PDF") {
        "it is a PDF document".into()
    } else if head.starts_with(b"\x89PNG")
        || head.starts_with(b"\xFF\xD8\xFF")
        || head.starts_with(b"GIF8")
    {
        "it is an image".into()
    } else if head.starts_with(b"{\\rtf") {
        "it is an RTF document".into()
    } else if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        "it is an Excel 2003 XML spreadsheet, which Tideline can't read; open it in Excel and save it as .xlsx".into()
    } else if lower.contains("<html")
        || lower.contains("<!doctype html")
        || lower.contains("<table")
    {
        "it is a web page (HTML), as some systems export under a spreadsheet name; open it in Excel and save it as \
         .xlsx"
            .into()
    } else if lower
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("<?xml")
    {
        "it is an XML file, not a workbook".into()
    } else if looks_like_text(head) {
        let first_line = lower.lines().next().unwrap_or("");
        if first_line.contains(',') || first_line.contains(';') || first_line.contains('\t') {
            "it is a text file (it looks like CSV); open it in Excel and save it as .xlsx".into()
        } else {
            "it is a plain text file".into()
        }
    } else {
        "its content is not a format Tideline reads (.xlsx, .xlsm, .xlsb, .xls or .ods)".into()
    };
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods") {
        format!("the file is named .{ext} but {what}")
    } else {
        what.into_owned()
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true; // UTF-16 text ("Unicode text" exports)
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut at the 4 KiB boundary is fine.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{feff}'))
}

// ------------------------------------------------------------------------------------------------------------------
// Zip pre-scan
// ------------------------------------------------------------------------------------------------------------------

mod zip_scan {
    use super::*;

    pub(super) fn check(
        ctx: &Ctx,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        kind: ZipKind,
    ) -> Result<()> {
        let limit = ctx.limits.max_inflated_bytes;
        if zip.has_duplicate_names() {
            return Err(ctx.unreadable(
                "it holds two zip parts with the same name, which no real workbook does",
            ));
        }
        let overlapping = zip
            .has_overlapping_files()
            .map_err(|e| zip_damaged(ctx, None, &e))?;
        if overlapping {
            return Err(ctx.unreadable(
                "its zip parts overlap each other (a trick zip bombs use); it is not a real workbook",
            ));
        }

        // 1. Declared sizes.
        let mut declared_total = 0u64;
        for i in 0..zip.len() {
            let f = zip
                .by_index_raw(i)
                .map_err(|e| zip_damaged(ctx, None, &e))?;
            declared_total = declared_total.saturating_add(f.size());
            check_ratio(
                ctx,
                &String::from_utf8_lossy(f.name_raw()),
                f.size(),
                f.compressed_size(),
            )?;
        }
        if declared_total > limit {
            return Err(ctx.too_large(format!(
                "its parts would expand to {}, more than the {} Tideline allows (a zip bomb or an enormous \
                 workbook)",
                human_bytes(declared_total),
                human_bytes(limit)
            )));
        }

        // 2. Real sizes: inflate every part once into a sink, never past the remaining budget.
        let mut total = 0u64;
        let mut ods_result: Option<Result<()>> = None;
        let mut sizes: HashMap<String, u64> = HashMap::new();
        for i in 0..zip.len() {
            let mut f = match zip.by_index(i) {
                Ok(f) => f,
                Err(ZipError::UnsupportedArchive(msg))
                    if msg.to_ascii_lowercase().contains("password") =>
                {
                    return Err(ctx.encrypted())
                }
                Err(e) => return Err(zip_damaged(ctx, None, &e)),
            };
            if f.is_dir() {
                continue;
            }
            let name = String::from_utf8_lossy(f.name_raw()).into_owned();
            let lower = name.to_ascii_lowercase();
            let compressed = f.compressed_size();
            let budget = limit - total;
            let mut walker = if kind == ZipKind::Xlsb {
                XlsbWalker::for_part(&lower, ctx.limits.max_rows)
            } else {
                None
            };
            let n = if kind == ZipKind::Ods && name == "content.xml" {
                // Simulate calamine's parse of the sheets while inflating (one pass instead of two). The
                // result is kept for after the encryption check: encrypted content is not XML.
                let mut counted = Counting::new((&mut f).take(budget + 1));
                ods_result = Some(ods_scan::check(ctx, BufReader::new(&mut counted)));
                io::copy(&mut counted, &mut io::sink())
                    .map_err(|e| part_damaged(ctx, &name, &e))?;
                if let Some(e) = counted.error {
                    return Err(part_damaged(ctx, &name, &e));
                }
                counted.count
            } else {
                match &mut walker {
                    Some(w) => io::copy(&mut (&mut f).take(budget + 1), w),
                    None => io::copy(&mut (&mut f).take(budget + 1), &mut io::sink()),
                }
                .map_err(|e| part_damaged(ctx, &name, &e))?
            };
            if n > budget {
                return Err(ctx.too_large(format!(
                    "its parts expand to more than {} (part {name} alone is past the limit): a zip bomb or an \
                     enormous workbook",
                    human_bytes(limit)
                )));
            }
            check_ratio(ctx, &name, n, compressed)?;
            if let Some(w) = walker {
                w.finish(ctx, &name)?;
            }
            total += n;
            sizes.insert(name, n);
        }

        // 3. Format-specific structures calamine sizes allocations from.
        match kind {
            ZipKind::Xlsx => {
                let parts: Vec<(String, u64)> = part_names(zip)
                    .into_iter()
                    .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
                    .map(|n| {
                        let size = sizes.get(&n).copied().unwrap_or(0);
                        (n, size)
                    })
                    .collect();
                for (name, size) in parts {
                    check_shared_strings(ctx, zip, &name, size)?;
                }
            }
            ZipKind::Xlsb => {
                let name = part_names(zip)
                    .into_iter()
                    .find(|n| n.eq_ignore_ascii_case("xl/workbook.bin"));
                if let Some(name) = name {
                    check_xlsb_workbook(ctx, zip, &name, sizes.get(&name).copied().unwrap_or(0))?;
                }
            }
            ZipKind::Ods => {
                if ods_encrypted(zip) {
                    return Err(ctx.encrypted());
                }
                if let Some(result) = ods_result {
                    result?;
                }
            }
        }
        Ok(())
    }

    fn check_ratio(ctx: &Ctx, name: &str, size: u64, compressed: u64) -> Result<()> {
        if size > BOMB_MIN_BYTES && size / compressed.max(1) > BOMB_RATIO {
            return Err(ctx.too_large(format!(
                "part {name} expands from {} to {} (over {}:1): a zip bomb, not a workbook",
                human_bytes(compressed),
                human_bytes(size),
                BOMB_RATIO
            )));
        }
        Ok(())
    }

    fn zip_damaged(ctx: &Ctx, name: Option<&str>, e: &ZipError) -> Error {
        match name {
            Some(n) => ctx.unreadable(format!("the file is damaged: part {n} can't be read ({e})")),
            None => ctx.unreadable(format!(
                "the file is damaged: its zip structure can't be read ({e})"
            )),
        }
    }

    fn part_damaged(ctx: &Ctx, name: &str, e: &io::Error) -> Error {
        ctx.unreadable(format!(
            "the file is damaged or incomplete: part {name} can't be unpacked ({e})"
        ))
    }

    pub(super) fn calamine_xml_reader<R: io::BufRead>(r: R) -> quick_xml::Reader<R> {
        // Same settings as calamine, so the events seen here are the events calamine sees.
        let mut xml = quick_xml::Reader::from_reader(r);
        let config = xml.config_mut();
        config.check_end_names = false;
        config.trim_text(false);
        config.check_comments = false;
        config.expand_empty_elements = true;
        xml
    }

    /// calamine reserves `uniqueCount` strings before reading any: the claim must fit the part's real size.
    fn check_shared_strings(
        ctx: &Ctx,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        name: &str,
        size: u64,
    ) -> Result<()> {
        let f = zip
            .by_name(name)
            .map_err(|e| zip_damaged(ctx, Some(name), &e))?;
        let mut xml = calamine_xml_reader(BufReader::new(f.take(size)));
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "sst" => {
                    for attr in RawAttrs::new(e.attributes_raw()) {
                        let Ok((key, value)) = attr else { break };
                        if key == "uniqueCount" || key.ends_with(":uniqueCount") {
                            let claimed = leading_number(value);
                            // Each <si> takes at least 5 bytes ("<si/>").
                            let room = (size / 5).max(65_536);
                            if claimed > room {
                                return Err(ctx.unreadable(format!(
                                    "the file is damaged: its shared-strings table claims {} strings but has room \
                                     for at most {}",
                                    thousands(claimed),
                                    thousands(room)
                                )));
                            }
                        }
                    }
                    return Ok(());
                }
                Ok(Event::Eof) | Err(_) => return Ok(()),
                _ => {}
            }
        }
    }

    fn ods_encrypted(zip: &mut ZipArchive<Cursor<&[u8]>>) -> bool {
        let Ok(f) = zip.by_name("META-INF/manifest.xml") else {
            return false;
        };
        let mut text = Vec::new();
        if f.take(16 * MIB).read_to_end(&mut text).is_err() {
            return false;
        }
        text.windows(b"encryption-data".len())
            .any(|w| w == b"encryption-data")
    }

    /// xlsb defined names: formula text inlines names and sheet names once per reference token. Bound it.
    fn check_xlsb_workbook(
        ctx: &Ctx,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        name: &str,
        size: u64,
    ) -> Result<()> {
        if size > XLSB_WORKBOOK_PART_MAX {
            return Err(ctx.unreadable(format!(
                "the file is damaged: its workbook part is {}, implausibly large",
                human_bytes(size)
            )));
        }
        let mut part = Vec::with_capacity(size as usize);
        zip.by_name(name)
            .map_err(|e| zip_damaged(ctx, Some(name), &e))?
            .take(size)
            .read_to_end(&mut part)
            .map_err(|e| part_damaged(ctx, name, &e))?;
        let mut max_name = 0u64; // bytes of the longest name seen (UTF-16 units × 3)
        let mut max_sheet = 0u64;
        let mut text = 0u64;
        let mut work = 0u64;
        let mut pos = 0usize;
        while let Some((typ, body)) = xlsb_record(&part, &mut pos) {
            match typ {
                // BrtBundleSh: sheet name is the last wide string
                0x009C => max_sheet = max_sheet.max(body.len() as u64 / 2 * 3),
                // BrtName: name (wide string at 9), then the formula
                0x0027 => {
                    if body.len() >= 13 {
                        let cch =
                            u64::from(u32::from_le_bytes([body[9], body[10], body[11], body[12]]));
                        max_name = max_name.max(cch.min(body.len() as u64) * 3);
                    }
                    let names = body
                        .iter()
                        .filter(|b| matches!(**b, 0x23 | 0x43 | 0x63))
                        .count() as u64;
                    let sheets = body
                        .iter()
                        .filter(|b| matches!(**b, 0x3a | 0x5a | 0x7a | 0x3b | 0x5b | 0x7b))
                        .count() as u64;
                    let bound = (body.len() as u64)
                        .saturating_mul(16)
                        .saturating_add(names.saturating_mul(max_name))
                        .saturating_add(sheets.saturating_mul(max_sheet));
                    text = text.saturating_add(bound);
                    work = work.saturating_add(bound.saturating_mul(body.len() as u64));
                }
                _ => {}
            }
        }
        if text > ctx.limits.max_inflated_bytes || work > FORMULA_WORK_MAX {
            return Err(ctx.unreadable(
                "the file is damaged: its defined names would expand to far more text than any workbook holds",
            ));
        }
        Ok(())
    }

    /// One xlsb record (calamine's framing: 1–2 byte type, 1–4 byte length).
    fn xlsb_record<'a>(part: &'a [u8], pos: &mut usize) -> Option<(u16, &'a [u8])> {
        let mut next = || {
            let b = *part.get(*pos)?;
            *pos += 1;
            Some(b)
        };
        let b = next()?;
        let typ = if b & 0x80 != 0 {
            u16::from(b & 0x7F) + (u16::from(next()? & 0x7F) << 7)
        } else {
            u16::from(b)
        };
        let mut b = next()?;
        let mut len = usize::from(b & 0x7F);
        for i in 1..4 {
            if b & 0x80 == 0 {
                break;
            }
            b = next()?;
            len += usize::from(b & 0x7F) << (7 * i);
        }
        let body = part.get(*pos..pos.checked_add(len)?)?;
        *pos += len;
        Some((typ, body))
    }

    /// Streams an xlsb part and checks its record framing (and, for sheets, the row numbers).
    pub(super) struct XlsbWalker {
        is_sheet: bool,
        max_rows: u32,
        state: WalkState,
        typ: u16,
        len: u64,
        len_bytes: u32,
        body_left: u64,
        head: [u8; 4],
        head_len: usize,
        bad_row: Option<u32>,
    }

    #[derive(PartialEq, Eq)]
    enum WalkState {
        Type,
        Type2,
        Len,
        Body,
    }

    impl XlsbWalker {
        fn for_part(lower: &str, max_rows: u32) -> Option<XlsbWalker> {
            let walk = lower == "xl/workbook.bin"
                || lower == "xl/styles.bin"
                || lower == "xl/sharedstrings.bin"
                || (lower.starts_with("xl/worksheets/") && lower.ends_with(".bin"));
            walk.then(|| XlsbWalker {
                is_sheet: lower.starts_with("xl/worksheets/"),
                max_rows,
                state: WalkState::Type,
                typ: 0,
                len: 0,
                len_bytes: 0,
                body_left: 0,
                head: [0; 4],
                head_len: 0,
                bad_row: None,
            })
        }

        fn start_body(&mut self) {
            self.body_left = self.len;
            self.head_len = 0;
            self.state = WalkState::Body;
            if self.len == 0 {
                self.end_record();
            }
        }

        fn end_record(&mut self) {
            if self.is_sheet && self.typ == 0 && self.head_len == 4 && self.bad_row.is_none() {
                let row = u32::from_le_bytes(self.head);
                if row >= self.max_rows {
                    self.bad_row = Some(row);
                }
            }
            self.state = WalkState::Type;
        }

        fn finish(self, ctx: &Ctx, part: &str) -> Result<()> {
            if let Some(row) = self.bad_row {
                return Err(ctx.too_large(format!(
                    "the worksheet stored as {part} has a row numbered {}, beyond the {} rows a sheet can have",
                    thousands(u64::from(row) + 1),
                    thousands(u64::from(self.max_rows))
                )));
            }
            if self.state != WalkState::Type {
                return Err(ctx.unreadable(format!(
                    "the file is damaged: part {part} ends in the middle of a record"
                )));
            }
            Ok(())
        }
    }

    impl Write for XlsbWalker {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut i = 0;
            while i < buf.len() {
                match self.state {
                    WalkState::Type => {
                        let b = buf[i];
                        i += 1;
                        self.typ = u16::from(b & 0x7F);
                        if b & 0x80 != 0 {
                            self.state = WalkState::Type2;
                        } else {
                            self.state = WalkState::Len;
                            self.len = 0;
                            self.len_bytes = 0;
                        }
                    }
                    WalkState::Type2 => {
                        self.typ += u16::from(buf[i] & 0x7F) << 7;
                        i += 1;
                        self.state = WalkState::Len;
                        self.len = 0;
                        self.len_bytes = 0;
                    }
                    WalkState::Len => {
                        let b = buf[i];
                        i += 1;
                        self.len += u64::from(b & 0x7F) << (7 * self.len_bytes);
                        self.len_bytes += 1;
                        if b & 0x80 == 0 || self.len_bytes == 4 {
                            self.start_body();
                        }
                    }
                    WalkState::Body => {
                        let n = (buf.len() - i).min(self.body_left.min(usize::MAX as u64) as usize);
                        if self.head_len < 4 {
                            let k = n.min(4 - self.head_len);
                            self.head[self.head_len..self.head_len + k]
                                .copy_from_slice(&buf[i..i + k]);
                            self.head_len += k;
                        }
                        i += n;
                        self.body_left -= n as u64;
                        if self.body_left == 0 {
                            self.end_record();
                        }
                    }
                }
            }
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}

// ------------------------------------------------------------------------------------------------------------------
// ODS pre-scan: content.xml, mirroring calamine's ods.rs (parse_content / read_table / read_row / get_datatype /
// get_range) to compute what calamine would allocate, without allocating it.
// ------------------------------------------------------------------------------------------------------------------

mod ods_scan {
    use super::zip_scan::calamine_xml_reader;
    use super::*;

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
                    Ok(Event::End(e)) if e.name().as_ref() == "table:table-row" => {
                        return Ok(Some(r))
                    }
                    // Anything else (text, other elements, Eof) is a mismatch error in calamine.
                    _ => return Ok(None),
                };
                let repeats: u64 =
                    match raw_attr(e.attributes_raw(), "table:number-columns-repeated") {
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
                "office:string-value" | "office:date-value" | "office:time-value"
                    if !is_value_set =>
                {
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
}

// ------------------------------------------------------------------------------------------------------------------
// OLE2 / compound file: mirrors calamine's cfb.rs (Cfb::new + get_stream) with every chain bounded
// ------------------------------------------------------------------------------------------------------------------

mod ole {
    use super::*;

    const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
    const DIFSECT: u32 = 0xFFFF_FFFC;
    const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

    pub(super) struct OleFile {
        /// The Workbook (or Book) stream, as calamine will read it.
        pub workbook: Vec<u8>,
    }

    struct Dir {
        name: String,
        start: u32,
        len: u64,
    }

    struct Sectors<'a> {
        data: &'a [u8],
        size: usize,
        maxid: u64,
    }

    impl<'a> Sectors<'a> {
        fn get(&self, id: u32) -> Option<&'a [u8]> {
            if u64::from(id) > self.maxid {
                return None;
            }
            let start = id as usize * self.size;
            if start > self.data.len() {
                return None; // calamine panics on this one
            }
            Some(&self.data[start..(start + self.size).min(self.data.len())])
        }

        /// A chain, stopping like calamine (ENDOFCHAIN or `len` bytes), refusing cycles and dangling ids.
        fn chain(&self, start: u32, fats: &[u32], len: u64) -> Option<Vec<u8>> {
            let mut out = Vec::new();
            let mut id = start;
            let mut steps = 0u64;
            while id != ENDOFCHAIN {
                steps += 1;
                if steps > self.maxid + 2 {
                    return None; // a cycle: calamine would loop until memory runs out
                }
                let sector = self.get(id)?;
                let remaining = len.saturating_sub(out.len() as u64);
                let take = (sector.len() as u64).min(remaining) as usize;
                out.extend_from_slice(&sector[..take]);
                if out.len() as u64 >= len {
                    break;
                }
                id = *fats.get(id as usize)?;
            }
            Some(out)
        }
    }

    fn u16_at(b: &[u8], at: usize) -> u16 {
        b.get(at..at + 2)
            .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        b.get(at..at + 4)
            .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn u64_at(b: &[u8], at: usize) -> u64 {
        b.get(at..at + 8)
            .map_or(0, |s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])))
    }

    fn to_u32(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    pub(super) fn inspect(ctx: &Ctx, bytes: &[u8]) -> Result<OleFile> {
        let damaged = |what: &str| {
            ctx.unreadable(format!(
                "the file is damaged: its Office container is broken ({what})"
            ))
        };
        if bytes.len() < 512 {
            return Err(damaged("the file is shorter than its header"));
        }
        let version = u16_at(bytes, 26);
        let sector_size: usize = match u16_at(bytes, 30) {
            0x0009 => 512,
            0x000C if bytes.len() >= 4096 => 4096,
            _ => return Err(damaged("unknown sector size")),
        };
        if u16_at(bytes, 32) != 0x0006 {
            return Err(damaged("unknown mini-sector size"));
        }
        let dir_start = u32_at(bytes, 48);
        let mini_fat_start = u32_at(bytes, 60);
        let mini_fat_len = u64::from(u32_at(bytes, 64));
        let difat_start = u32_at(bytes, 68);
        let mut difat: Vec<u32> = to_u32(&bytes[76..512]).collect();
        let sectors = Sectors {
            data: &bytes[sector_size..],
            size: sector_size,
            maxid: (bytes.len() / sector_size) as u64,
        };

        // DIFAT chain (calamine bounds this one itself).
        let mut id = difat_start;
        let mut n = 0u64;
        while id < RESERVED_SECTORS {
            n += 1;
            if n > sectors.maxid + 1 {
                return Err(damaged("its allocation table chain loops"));
            }
            difat.extend(to_u32(
                sectors
                    .get(id)
                    .ok_or_else(|| damaged("a sector lies past the end"))?,
            ));
            id = difat
                .pop()
                .ok_or_else(|| damaged("empty allocation table"))?;
        }
        let fat_ids: Vec<u32> = difat.into_iter().filter(|id| *id < DIFSECT).collect();
        if fat_ids.len() as u64 > sectors.maxid + 1 {
            return Err(damaged(
                "its allocation table lists more sectors than the file holds",
            ));
        }
        let mut fats = Vec::new();
        for id in fat_ids {
            fats.extend(to_u32(
                sectors
                    .get(id)
                    .ok_or_else(|| damaged("a sector lies past the end"))?,
            ));
        }

        let dir_bytes = sectors
            .chain(dir_start, &fats, u64::MAX)
            .ok_or_else(|| damaged("its directory chain is broken"))?;
        let dirs: Vec<Dir> = dir_bytes
            .chunks(128)
            .filter(|c| c.len() == 128)
            .map(|c| {
                let units: Vec<u16> = c[..64]
                    .chunks_exact(2)
                    .map(|p| u16::from_le_bytes([p[0], p[1]]))
                    .collect();
                let mut name = String::from_utf16_lossy(&units);
                if let Some(end) = name.find('\0') {
                    name.truncate(end);
                }
                let len = if sector_size == 512 {
                    u64::from(u32_at(c, 120))
                } else {
                    u64_at(c, 120)
                };
                Dir {
                    name,
                    start: u32_at(c, 116),
                    len,
                }
            })
            .collect();
        if dirs.is_empty() || (version != 3 && dirs[0].start == ENDOFCHAIN) {
            return Err(damaged("its root directory is empty"));
        }
        let has = |n: &str| dirs.iter().any(|d| d.name.eq_ignore_ascii_case(n));
        if has("EncryptionInfo") || has("EncryptedPackage") {
            return Err(ctx.encrypted());
        }

        let (ministream, minifats) = if mini_fat_len > 0 {
            let ministream = sectors
                .chain(dirs[0].start, &fats, dirs[0].len)
                .ok_or_else(|| damaged("its mini-stream chain is broken"))?;
            let minifat = sectors
                .chain(mini_fat_start, &fats, mini_fat_len * sector_size as u64)
                .ok_or_else(|| damaged("its mini allocation table chain is broken"))?;
            (ministream, to_u32(&minifat).collect::<Vec<u32>>())
        } else {
            (Vec::new(), Vec::new())
        };

        let stream = |name: &str| -> Option<Result<Vec<u8>>> {
            let d = dirs.iter().find(|d| d.name.eq_ignore_ascii_case(name))?;
            Some(if d.len < 4096 {
                let mini = Sectors {
                    data: &ministream,
                    size: 64,
                    maxid: sectors.maxid * 8,
                };
                mini.chain(d.start, &minifats, d.len)
                    .ok_or_else(|| damaged("its workbook stream chain is broken"))
            } else {
                sectors
                    .chain(d.start, &fats, d.len)
                    .ok_or_else(|| damaged("its workbook stream chain is broken"))
            })
        };
        // calamine: get_stream("Workbook").or_else(|_| get_stream("Book")). A Workbook stream whose chain is
        // broken is refused outright (calamine might loop on it rather than fail over to "Book").
        let workbook = match stream("Workbook").or_else(|| stream("Book")) {
            Some(w) => w?,
            None => {
                let what = if has("WordDocument") {
                    "it is an old Word document (.doc), not a spreadsheet"
                } else if has("PowerPoint Document") {
                    "it is an old PowerPoint presentation (.ppt), not a spreadsheet"
                } else if has("__properties_version1.0") {
                    "it is an Outlook message (.msg), not a spreadsheet"
                } else {
                    "it is an Office file with no workbook inside"
                };
                return Err(ctx.not_spreadsheet(what));
            }
        };
        Ok(OleFile { workbook })
    }
}

// ------------------------------------------------------------------------------------------------------------------
// XLS pre-scan: the BIFF records of the Workbook stream, mirroring calamine's xls.rs parse_workbook
// ------------------------------------------------------------------------------------------------------------------

mod xls_scan {
    use super::*;

    struct Record<'a> {
        typ: u16,
        data: &'a [u8],
        cont: Vec<&'a [u8]>,
    }

    /// calamine's RecordIter (CONTINUE records appended).
    struct Records<'a> {
        stream: &'a [u8],
    }

    fn u16_at(b: &[u8], at: usize) -> Option<u16> {
        b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
    }

    fn u32_at(b: &[u8], at: usize) -> Option<u32> {
        b.get(at..at + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    impl<'a> Iterator for Records<'a> {
        type Item = Record<'a>;
        fn next(&mut self) -> Option<Record<'a>> {
            if self.stream.len() < 4 {
                return None;
            }
            let typ = u16_at(self.stream, 0)?;
            let len = usize::from(u16_at(self.stream, 2)?);
            if self.stream.len() < len + 4 {
                return None;
            }
            let (rec, next) = self.stream.split_at(len + 4);
            self.stream = next;
            let mut cont = Vec::new();
            if next.len() > 4 && u16_at(next, 0) == Some(0x003C) {
                while self.stream.len() > 4 && u16_at(self.stream, 0) == Some(0x003C) {
                    let len = usize::from(u16_at(self.stream, 2)?);
                    if self.stream.len() < len + 4 {
                        return None;
                    }
                    let (c, rest) = self.stream.split_at(len + 4);
                    cont.push(&c[4..]);
                    self.stream = rest;
                }
            }
            Some(Record {
                typ,
                data: &rec[4..],
                cont,
            })
        }
    }

    /// Bytes each shared string will take once decoded (3 bytes per UTF-16 unit at most), and an upper bound on
    /// how many strings calamine can read from the record (each takes at least 3 bytes).
    fn sst_costs(r: &Record) -> (Vec<u64>, u64) {
        struct Cur<'a> {
            parts: Vec<&'a [u8]>,
            part: usize,
            pos: usize,
        }
        impl Cur<'_> {
            fn left(&self) -> usize {
                self.parts
                    .get(self.part)
                    .map_or(0, |p| p.len().saturating_sub(self.pos))
            }
            fn byte(&mut self) -> Option<u8> {
                while self.left() == 0 {
                    if self.part >= self.parts.len() {
                        return None;
                    }
                    self.part += 1;
                    self.pos = 0;
                }
                let b = self.parts[self.part][self.pos];
                self.pos += 1;
                Some(b)
            }
            fn skip(&mut self, mut n: u64) -> Option<()> {
                while n > 0 {
                    let k = (self.left() as u64).min(n);
                    if k == 0 {
                        if self.part >= self.parts.len() {
                            return None;
                        }
                        self.part += 1;
                        self.pos = 0;
                        continue;
                    }
                    self.pos += k as usize;
                    n -= k;
                }
                Some(())
            }
            fn next_part(&mut self) -> bool {
                self.part += 1;
                self.pos = 0;
                self.part < self.parts.len()
            }
        }
        let mut parts = vec![r.data];
        parts.extend(r.cont.iter().copied());
        let max_count = parts.iter().map(|p| p.len() as u64).sum::<u64>() / 3;
        let mut cur = Cur {
            parts,
            part: 0,
            pos: 8,
        };
        let mut costs = Vec::new();
        'strings: while let Some(lo) = cur.byte() {
            let Some(hi) = cur.byte() else { break };
            let cch = usize::from(u16::from_le_bytes([lo, hi]));
            let Some(flags) = cur.byte() else { break };
            let mut wide = flags & 0x01 != 0;
            let runs = if flags & 0x08 != 0 {
                let (Some(a), Some(b)) = (cur.byte(), cur.byte()) else {
                    break;
                };
                u64::from(u16::from_le_bytes([a, b]))
            } else {
                0
            };
            let ext = if flags & 0x04 != 0 {
                let mut v = [0u8; 4];
                for b in &mut v {
                    let Some(x) = cur.byte() else { break 'strings };
                    *b = x;
                }
                u64::from(u32::from_le_bytes(v))
            } else {
                0
            };
            let mut left = cch;
            while left > 0 {
                let per = if wide { 2 } else { 1 };
                let n = left.min(cur.left() / per);
                cur.pos += n * per;
                left -= n;
                if left > 0 {
                    if !cur.next_part() {
                        costs.push(3 * cch as u64);
                        break 'strings;
                    }
                    let Some(f) = cur.byte() else { break 'strings };
                    wide = f & 0x01 != 0;
                }
            }
            costs.push(3 * cch as u64);
            if cur.skip(4 * runs).is_none() || cur.skip(ext).is_none() {
                break;
            }
        }
        (costs, max_count)
    }

    #[derive(Default)]
    struct Bbox {
        n: u64,
        rmin: u32,
        rmax: u32,
        cmin: u32,
        cmax: u32,
    }

    impl Bbox {
        fn add(&mut self, row: u32, col_first: u32, col_last: u32, count: u64) {
            if self.n == 0 {
                (self.rmin, self.rmax, self.cmin, self.cmax) = (row, row, col_first, col_last);
            } else {
                self.rmin = self.rmin.min(row);
                self.rmax = self.rmax.max(row);
                self.cmin = self.cmin.min(col_first);
                self.cmax = self.cmax.max(col_last);
            }
            self.n += count;
        }
        fn rows(&self) -> u64 {
            if self.n == 0 {
                0
            } else {
                u64::from(self.rmax - self.rmin) + 1
            }
        }
        fn cols(&self) -> u64 {
            if self.n == 0 {
                0
            } else {
                u64::from(self.cmax - self.cmin) + 1
            }
        }
        fn far(&self) -> Option<(u64, u64)> {
            (self.n > 0).then(|| (u64::from(self.rmax), u64::from(self.cmax)))
        }
    }

    fn sheet_name(data: &[u8]) -> String {
        // BoundSheet8: lbPlyPos(4) hsState(1) dt(1) then a ShortXLUnicodeString (cch, flags, chars).
        let Some(&cch) = data.get(6) else {
            return "?".into();
        };
        let cch = usize::from(cch);
        match data.get(7) {
            Some(&flags) if flags & 0x01 != 0 => {
                let units: Vec<u16> = data
                    .get(8..)
                    .unwrap_or(&[])
                    .chunks_exact(2)
                    .take(cch)
                    .map(|p| u16::from_le_bytes([p[0], p[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            Some(&0) => data
                .get(8..)
                .unwrap_or(&[])
                .iter()
                .take(cch)
                .map(|b| char::from(*b))
                .collect(),
            // BIFF5: 8-bit characters right after cch.
            _ => data
                .get(7..)
                .unwrap_or(&[])
                .iter()
                .take(cch)
                .map(|b| char::from(*b))
                .collect(),
        }
    }

    pub(super) fn check(ctx: &Ctx, stream: &[u8]) -> Result<()> {
        let mut sheets: Vec<(usize, String)> = Vec::new();
        let mut sst: Vec<u64> = Vec::new();
        let mut sst_max = 0u64;
        let mut max_name = 0u64;
        for r in (Records { stream }) {
            match r.typ {
                0x002F if u16_at(r.data, 0).is_some_and(|v| v != 0) => return Err(ctx.encrypted()),
                0x0085 => {
                    let Some(pos) = u32_at(r.data, 0) else {
                        continue;
                    };
                    sheets.push((pos as usize, sheet_name(r.data)));
                }
                0x00FC => (sst, sst_max) = sst_costs(&r),
                // Lbl: name length in characters at byte 3.
                0x0018 => max_name = max_name.max(u64::from(*r.data.get(3).unwrap_or(&0)) * 3),
                0x000A => break,
                _ => {}
            }
        }
        let max_sheet = sheets
            .iter()
            .map(|(_, n)| n.len() as u64)
            .max()
            .unwrap_or(0)
            .max(255 * 3);
        let unknown_sst = 3 * 65_535u64;

        let mut text = 0u64;
        let mut work = 0u64;
        let mut filled_total = 0u64;
        let mut area_total = 0u64;
        for (pos, name) in &sheets {
            let Some(sh) = stream.get(*pos..) else {
                continue;
            };
            let mut data = Bbox::default();
            let mut formulas = Bbox::default();
            let mut declared: Option<(u64, u64)> = None;
            let mut fmla_pos = (0u32, 0u32);
            let mut seen_bof = false;
            let mut depth = 0usize;
            for r in (Records { stream: sh }) {
                if depth > 0 {
                    match r.typ {
                        0x0809 => depth += 1,
                        0x000A => depth -= 1,
                        _ => {}
                    }
                    continue;
                }
                let d = r.data;
                let pos = || Some((u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?)));
                match r.typ {
                    0x0809 => {
                        if seen_bof {
                            depth += 1;
                        } else {
                            seen_bof = true;
                        }
                    }
                    0x0200 => {
                        // DIMENSIONS, computed as calamine does (wrapping like a release build).
                        let (rf, rl, mut cf, cl) = match d.len() {
                            10 => (
                                u32::from(u16_at(d, 0).unwrap_or(0)),
                                u32::from(u16_at(d, 2).unwrap_or(0)),
                                u32::from(u16_at(d, 4).unwrap_or(0)),
                                u32::from(u16_at(d, 6).unwrap_or(0)),
                            ),
                            14 | 16 => (
                                u32_at(d, 0).unwrap_or(0),
                                u32_at(d, 4).unwrap_or(0),
                                u32::from(u16_at(d, 8).unwrap_or(0)),
                                u32::from(u16_at(d, 10).unwrap_or(0)),
                            ),
                            _ => continue,
                        };
                        if 0xFF < cf || cl < cf {
                            cf = 0;
                        }
                        let (start, end) = if rl >= 1 && cl >= 1 {
                            ((rf, cf), (rl - 1, cl - 1))
                        } else {
                            ((rf, cf), (rf, cf))
                        };
                        let rows = u64::from(end.0.wrapping_sub(start.0).wrapping_add(1));
                        let cols = u64::from(end.1.wrapping_sub(start.1).wrapping_add(1));
                        let (rows, cols) = if rows == 0 || cols == 0 {
                            (u64::MAX, u64::MAX)
                        } else {
                            (rows, cols)
                        };
                        let prev = declared.map_or(0, |(r, c)| r.saturating_mul(c));
                        if rows.saturating_mul(cols) > prev {
                            declared = Some((rows, cols));
                        }
                    }
                    0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E => {
                        if let Some((row, col)) = pos() {
                            data.add(row, col, col, 1);
                        }
                    }
                    0x0207 => data.add(fmla_pos.0, fmla_pos.1, fmla_pos.1, 1),
                    0x00FD => {
                        if let (Some((row, col)), Some(i)) = (pos(), u32_at(d, 6)) {
                            // Past the strings this scan decoded but within what calamine might: assume the longest.
                            let cost = match sst.get(i as usize) {
                                Some(c) => Some(*c),
                                None => (u64::from(i) < sst_max).then_some(unknown_sst),
                            };
                            if let Some(cost) = cost {
                                text = text.saturating_add(cost);
                                data.add(row, col, col, 1);
                            }
                        }
                    }
                    // MULRK: row, first column, 6 bytes per cell, last column.
                    0x00BD if d.len() >= 6 => {
                        if let (Some(row), Some(first)) = (u16_at(d, 0), u16_at(d, 2)) {
                            let n = ((d.len() - 6) / 6) as u32;
                            if n > 0 {
                                let first = u32::from(first);
                                data.add(u32::from(row), first, first + n - 1, u64::from(n));
                            }
                        }
                    }
                    0x0006 => {
                        if d.len() < 20 {
                            continue;
                        }
                        let Some((row, col)) = pos() else { continue };
                        fmla_pos = (row, col);
                        data.add(row, col, col, 1);
                        formulas.add(row, col, col, 1);
                        let (bound, cost) = formula_cost(&d[20..], max_name, max_sheet);
                        if bound > XLS_FORMULA_TEXT_MAX {
                            return Err(ctx.unreadable(format!(
                                "the file is damaged: the formula in {}{} of sheet \"{name}\" is far longer than \
                                 Excel allows",
                                column_name(col),
                                row + 1
                            )));
                        }
                        // calamine builds the grid of formula texts, and worksheet_formula clones it.
                        text = text.saturating_add(bound.saturating_mul(2));
                        work = work.saturating_add(cost);
                        if work > FORMULA_WORK_MAX {
                            return Err(ctx.too_large(
                                "its formulas are too many and too long for Tideline to read from an .xls file; \
                                 save it as .xlsx and import that",
                            ));
                        }
                    }
                    0x000A => break,
                    _ => {}
                }
            }
            let filled = data.n;
            filled_total = filled_total.saturating_add(filled);
            if filled_total > ctx.limits.max_cells {
                return Err(ctx.too_many_cells());
            }
            // The cells first: when a stray cell is the reason, the message can point at it.
            ctx.check_grid(
                name,
                GridWhat::Cells,
                data.rows(),
                data.cols(),
                filled,
                data.far(),
            )?;
            ctx.check_grid(
                name,
                GridWhat::Cells,
                formulas.rows(),
                formulas.cols(),
                formulas.n,
                formulas.far(),
            )?;
            if let Some((rows, cols)) = declared {
                ctx.check_grid(name, GridWhat::Declared, rows, cols, filled, None)?;
            }
            area_total = area_total
                .saturating_add(data.rows().saturating_mul(data.cols()))
                .saturating_add(formulas.rows().saturating_mul(formulas.cols()));
        }
        ctx.check_workbook_grid(area_total, filled_total)?;
        if text > ctx.limits.max_inflated_bytes {
            return Err(ctx.too_much_text());
        }
        Ok(())
    }

    /// Upper bounds on the text calamine builds from a formula's tokens and on the bytes it moves doing so.
    ///
    /// Every byte is assumed to be able to start a token: 16 bytes of text per byte, plus the longest defined name
    /// or sheet name for each byte that could be a name or 3-D reference token, plus the spaces of every possible
    /// PtgAttrSpace (up to 255 each). calamine's formula builder moves the text after an operand for each token
    /// (`String::insert`, `split_off`), so the work is bounded by (tokens + inserted spaces) × text.
    fn formula_cost(rgce_with_len: &[u8], max_name: u64, max_sheet: u64) -> (u64, u64) {
        let cce = usize::from(u16_at(rgce_with_len, 0).unwrap_or(0));
        let all = rgce_with_len.get(2..).unwrap_or(&[]);
        let rgce = all.get(..cce).unwrap_or(all);
        let mut text = 16 * rgce.len() as u64 + 64;
        let mut spaces = 0u64;
        for (i, b) in rgce.iter().enumerate() {
            match b {
                0x23 | 0x43 | 0x63 => text = text.saturating_add(max_name),
                0x3a | 0x5a | 0x7a | 0x3b | 0x5b | 0x7b => text = text.saturating_add(max_sheet),
                0x19 if matches!(rgce.get(i + 1), Some(0x40 | 0x41)) => {
                    spaces += u64::from(*rgce.get(i + 3).unwrap_or(&0xFF))
                }
                _ => {}
            }
        }
        let text = text.saturating_add(spaces);
        (text, (rgce.len() as u64 + spaces).saturating_mul(text))
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------------------------------

/// Counts the bytes read through it and remembers the first error (a reader that swallows errors, like an XML
/// parser, must not hide a damaged part).
struct Counting<R> {
    inner: R,
    count: u64,
    error: Option<io::Error>,
}

impl<R> Counting<R> {
    fn new(inner: R) -> Self {
        Counting {
            inner,
            count: 0,
            error: None,
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.count += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let copy = io::Error::new(e.kind(), e.to_string());
                self.error.get_or_insert(e);
                Err(copy)
            }
        }
    }
}

/// calamine's raw attribute iteration (attrs.rs): `key="value"` pairs, no entity decoding.
struct RawAttrs<'a> {
    raw: &'a str,
    pos: usize,
}

impl<'a> RawAttrs<'a> {
    fn new(raw: &'a str) -> Self {
        RawAttrs { raw, pos: 0 }
    }
}

impl<'a> Iterator for RawAttrs<'a> {
    type Item = std::result::Result<(&'a str, &'a str), ()>;
    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.raw.as_bytes();
        let len = bytes.len();
        let mut pos = self.pos;
        while pos < len && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            self.pos = pos;
            return None;
        }
        let key_start = pos;
        while pos < len && bytes[pos] != b'=' {
            pos += 1;
        }
        if pos >= len {
            self.pos = len;
            return Some(Err(()));
        }
        let key = self.raw[key_start..pos].trim_end();
        pos += 1;
        while pos < len && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match bytes.get(pos) {
            Some(q @ (b'"' | b'\'')) => *q,
            _ => {
                self.pos = len;
                return Some(Err(()));
            }
        };
        pos += 1;
        let start = pos;
        while pos < len && bytes[pos] != quote {
            pos += 1;
        }
        let value = &self.raw[start..pos];
        if pos < len {
            pos += 1;
        }
        self.pos = pos;
        Some(Ok((key, value)))
    }
}

/// The first attribute with exactly this key (Err on a malformed attribute before it, like calamine).
fn raw_attr<'a>(raw: &'a str, key: &str) -> std::result::Result<Option<&'a str>, ()> {
    for attr in RawAttrs::new(raw) {
        let (k, v) = attr?;
        if k == key {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

fn unescape_lossy(v: &str) -> String {
    quick_xml::escape::unescape(v)
        .map(Cow::into_owned)
        .unwrap_or_else(|_| v.to_string())
}

/// The leading run of digits (after an optional '+'), saturating: an upper bound of what calamine parses.
fn leading_number(v: &str) -> u64 {
    let v = v.trim_start().trim_start_matches('+');
    let mut n = 0u64;
    for b in v.bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    n
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown error".to_string()
    }
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "the file doesn't exist (it was moved or deleted)".into(),
        io::ErrorKind::PermissionDenied => {
            "Tideline isn't allowed to read it (check the file's permissions)".into()
        }
        _ => e.to_string(),
    }
}

/// 1048576 → "1,048,576".
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn human_bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    if n >= 1024 * MIB {
        format!("{:.1} GiB", n as f64 / (1024 * MIB) as f64)
    } else if n >= MIB {
        let v = n as f64 / MIB as f64;
        if n.is_multiple_of(MIB) {
            format!("{} MiB", n / MIB)
        } else {
            format!("{v:.1} MiB")
        }
    } else if n >= KIB {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
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
    fn thousands_and_sizes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(human_bytes(512 * MIB), "512 MiB");
        assert_eq!(human_bytes(3 * 1024), "3 KiB");
    }

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

    #[test]
    fn raw_attrs_like_calamine() {
        let a: Vec<_> = RawAttrs::new(r#" a="1" b:c='x y'  d = "" "#).collect();
        assert_eq!(a, vec![Ok(("a", "1")), Ok(("b:c", "x y")), Ok(("d", ""))]);
        assert_eq!(raw_attr(" x", "x"), Err(()));
        assert_eq!(leading_number("+12x"), 12);
        assert_eq!(leading_number("99999999999999999999999"), u64::MAX);
    }

    #[test]
    fn foreign_files_are_described() {
        assert!(describe_foreign("a.xlsx", b"%PDF-1.7").contains("named .xlsx but it is a PDF"));
        assert!(describe_foreign("a.csv", b"name,value\nx,1\n").contains("CSV"));
        assert!(describe_foreign("a.xls", b"<html><table>").contains("web page"));
        assert!(describe_foreign("a.bin", &[0u8, 1, 2, 3, 200]).contains("not a format"));
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
