//! xlsx / xlsm: streaming, with a second pass over a patched copy when calamine refuses an error value it doesn't
//! know.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use calamine::{DataRef, Reader, Xlsx, XlsxError, XlsxFormulaMetadata};
use zip::ZipArchive;

use super::cells::{dataref_cell, formula_text, CellTarget, Counters, Flow};
use super::ctx::{calamine_reason, Ctx};
use super::sheet::Cell;
use crate::error::{Error, Result};

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
    Done(Flow),
    /// calamine refused an error value it doesn't know (e.g. "#SPILL!"), failing the whole sheet.
    UnknownError(String),
}

/// Reads every worksheet into `target`. When `target` streams (it can't take back what it was given),
/// a workbook holding an error value calamine doesn't know gives [`Flow::Restart`]: read it collected.
pub(super) fn read_xlsx(
    ctx: &Ctx,
    bytes: &[u8],
    counters: &mut Counters,
    target: &mut dyn CellTarget,
    streaming: bool,
) -> Result<Flow> {
    let saved = (counters.cells, counters.text, counters.rows);
    let literal = match read_xlsx_pass(ctx, bytes, counters, target, false)? {
        XlsxPass::Done(flow) => return Ok(flow),
        XlsxPass::UnknownError(_) if streaming => return Ok(Flow::Restart),
        XlsxPass::UnknownError(literal) => literal,
    };
    // calamine 0.38 fails a whole sheet on a cell holding an error value it doesn't know (the dynamic-array
    // errors of Excel 365, such as #SPILL! and #CALC!). Read a copy whose sheets store those cells as text,
    // then turn the text back into Cell::Error.
    (counters.cells, counters.text, counters.rows) = saved;
    target.clear();
    let unknown = || {
        ctx.unreadable(format!(
            "it holds the error value {literal}, which Tideline can't read; fix or delete the formulas \
             showing it and import again"
        ))
    };
    let patched = patch_unknown_errors(ctx, bytes)?.ok_or_else(unknown)?;
    match read_xlsx_pass(ctx, &patched, counters, target, true)? {
        XlsxPass::Done(flow) => Ok(flow),
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
    target: &mut dyn CellTarget,
    patched: bool,
) -> Result<XlsxPass> {
    let mut wb: Xlsx<Cursor<&[u8]>> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_err(ctx, e))?;
    let names: Vec<String> = super::cells::worksheet_names(wb.sheets_metadata());
    for name in names {
        target.begin_sheet(&name)?;
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
                match target.push(counters, row, col, cell)? {
                    Flow::Restart => return Ok(XlsxPass::Done(Flow::Restart)),
                    Flow::NextSheet => break,
                    Flow::Continue => {}
                }
            }
        }
        target.end_sheet()?;
    }
    Ok(XlsxPass::Done(Flow::Continue))
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
