//! The caps a hostile file is held to: the public [`Limits`] a caller sets, and the fixed tunables behind the
//! pre-scans (documented in the module comment of `workbook`).

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

pub(super) const MIB: u64 = 1024 * 1024;
/// A zip with more parts than this is not a workbook anyone made by hand or with Excel.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// Deflate's best ratio is about 1030:1; real workbook parts stay far below.
pub const BOMB_RATIO: u64 = 1_000;
/// The ratio check applies to parts larger than this (tiny parts of repeated bytes compress very well).
pub const BOMB_MIN_BYTES: u64 = 16 * MIB;
/// A dense grid (xls/ods) may always be this many cells...
pub(super) const DENSE_FLOOR: u64 = 1 << 20;
/// ... or this many times the filled cells, whichever is more ...
pub(super) const DENSE_FACTOR: u64 = 4;
/// ... but never more than this (65,536 × 256, the whole .xls grid).
pub(super) const DENSE_CEILING: u64 = 1 << 24;
/// The grids of all sheets of a workbook together may be this many cells, or DENSE_FACTOR × filled cells.
pub(super) const WORKBOOK_DENSE_FLOOR: u64 = 1 << 22;
/// Excel caps a formula at 8,192 characters; no real formula's text comes near this.
pub const XLS_FORMULA_TEXT_MAX: u64 = 256 * 1024;
/// Bytes calamine may move building formula texts (xls cells, xlsb defined names), all formulas together: about
/// 5–15 s of CPU at worst. Real workbooks stay orders of magnitude below.
pub(super) const FORMULA_WORK_MAX: u64 = 50_000_000_000;
/// workbook.bin holds the sheet list and defined names; real ones are kilobytes.
pub const XLSB_WORKBOOK_PART_MAX: u64 = 64 * MIB;
/// How often the progress callback is called.
pub const PROGRESS_EVERY_ROWS: u32 = 1_000;

// calamine's own ODS caps (src/ods.rs), mirrored by the ODS pre-scan.
pub(super) const ODS_MAX_ROWS: u64 = 1_048_576;
pub(super) const ODS_MAX_COLUMNS: u64 = 16_384;
