//! File context: the file and limits every check needs, the errors that name the file, and the dense-grid rule.

use super::limits::{Limits, DENSE_CEILING, DENSE_FACTOR, DENSE_FLOOR, WORKBOOK_DENSE_FLOOR};
use super::sheet::column_name;
use super::util::{extension_of, human_bytes, thousands};
use crate::error::{Error, Result};

/// File context for messages and limits.
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) limits: &'a Limits,
}

impl Ctx<'_> {
    pub(super) fn unreadable(&self, reason: impl Into<String>) -> Error {
        Error::FileUnreadable {
            file: self.file.to_string(),
            reason: reason.into(),
        }
    }
    pub(super) fn not_spreadsheet(&self, reason: impl Into<String>) -> Error {
        Error::FileNotSpreadsheet {
            file: self.file.to_string(),
            reason: reason.into(),
        }
    }
    pub(super) fn too_large(&self, reason: impl Into<String>) -> Error {
        Error::FileTooLarge {
            file: self.file.to_string(),
            reason: reason.into(),
        }
    }
    pub(super) fn encrypted(&self) -> Error {
        Error::FileEncrypted {
            file: self.file.to_string(),
        }
    }
    pub(super) fn empty(&self) -> Error {
        Error::FileEmpty {
            file: self.file.to_string(),
        }
    }
    pub(super) fn extension(&self) -> String {
        extension_of(self.file)
    }

    /// A cell position (0-based) outside the sheet limits.
    pub(super) fn check_pos(&self, sheet: &str, row: u32, col: u32) -> Result<()> {
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

    pub(super) fn too_many_cells(&self) -> Error {
        self.too_large(format!(
            "the workbook holds more than {} filled cells, more than Tideline imports at once; split it into smaller \
             files",
            thousands(self.limits.max_cells)
        ))
    }

    pub(super) fn too_much_text(&self) -> Error {
        self.too_large(format!(
            "the text in its cells adds up to more than {}, more than Tideline imports at once",
            human_bytes(self.limits.max_inflated_bytes)
        ))
    }

    /// The dense-grid rule for xls/ods sheets.
    pub(super) fn check_grid(
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

    pub(super) fn check_workbook_grid(&self, total_area: u64, filled: u64) -> Result<()> {
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
pub(super) enum GridWhat {
    Cells,
    Declared,
}

pub(super) fn dense_allowed(filled: u64) -> u64 {
    DENSE_CEILING.min(DENSE_FLOOR.max(DENSE_FACTOR.saturating_mul(filled)))
}

pub(super) fn calamine_reason(e: &dyn std::fmt::Display) -> String {
    format!("the workbook is damaged or in a form Tideline can't read ({e})")
}
