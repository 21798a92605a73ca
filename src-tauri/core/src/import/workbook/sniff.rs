//! Sniffing: which format a file is, from its bytes (never from its extension), and words for what a file that
//! is not a spreadsheet probably is.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::ctx::Ctx;
use super::util::extension_of;
use crate::error::Result;

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// An OLE2 compound file: an .xls, or an encrypted OOXML workbook.
pub(super) fn is_ole(bytes: &[u8]) -> bool {
    bytes.starts_with(&OLE_MAGIC)
}

pub(super) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
}

pub(super) fn zip_kind(ctx: &Ctx, zip: &mut ZipArchive<Cursor<&[u8]>>) -> Result<ZipKind> {
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

pub(super) fn part_names(zip: &ZipArchive<Cursor<&[u8]>>) -> Vec<String> {
    zip.file_names_raw()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect()
}

/// Words for what a non-spreadsheet file probably is.
pub(super) fn describe_foreign(file: &str, bytes: &[u8]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_files_are_described() {
        assert!(describe_foreign("a.xlsx", b"%PDF-1.7").contains("named .xlsx but it is a PDF"));
        assert!(describe_foreign("a.csv", b"name,value\nx,1\n").contains("CSV"));
        assert!(describe_foreign("a.xls", b"<html><table>").contains("web page"));
        assert!(describe_foreign("a.bin", &[0u8, 1, 2, 3, 200]).contains("not a format"));
    }
}
