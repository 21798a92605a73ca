//! Zip pre-scan: the container of every zip-based format, the sizes its parts really inflate to, and the
//! structures calamine sizes allocations from (xlsx shared strings, xlsb record framing and defined names, ODS
//! encryption and content.xml).

use std::collections::HashMap;
use std::io::{self, BufReader, Cursor, Read, Write};

use quick_xml::events::Event;
use zip::result::ZipError;
use zip::ZipArchive;

use super::ctx::Ctx;
use super::limits::{BOMB_MIN_BYTES, BOMB_RATIO, FORMULA_WORK_MAX, MIB, XLSB_WORKBOOK_PART_MAX};
use super::ods_scan;
use super::sniff::{part_names, ZipKind};
use super::util::{
    calamine_xml_reader, human_bytes, leading_number, thousands, Counting, RawAttrs,
};
use crate::error::{Error, Result};

pub(super) fn check(ctx: &Ctx, zip: &mut ZipArchive<Cursor<&[u8]>>, kind: ZipKind) -> Result<()> {
    let limit = ctx.limits.max_inflated_bytes;
    if zip.has_duplicate_names() {
        return Err(ctx
            .unreadable("it holds two zip parts with the same name, which no real workbook does"));
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
            io::copy(&mut counted, &mut io::sink()).map_err(|e| part_damaged(ctx, &name, &e))?;
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
                        self.head[self.head_len..self.head_len + k].copy_from_slice(&buf[i..i + k]);
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
