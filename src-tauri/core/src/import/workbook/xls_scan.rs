//! XLS pre-scan: the BIFF records of the Workbook stream, mirroring calamine's xls.rs parse_workbook.

use super::ctx::{Ctx, GridWhat};
use super::limits::{FORMULA_WORK_MAX, XLS_FORMULA_TEXT_MAX};
use super::sheet::column_name;
use crate::error::Result;

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
