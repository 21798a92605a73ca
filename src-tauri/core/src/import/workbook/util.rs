//! Small helpers shared by the scanners and readers: a counting reader, calamine's XML reader settings and raw
//! attribute parsing, file extensions, and numbers and sizes worded for messages.

use std::borrow::Cow;
use std::io::{self, Read};
use std::path::Path;

use super::limits::MIB;

/// Counts the bytes read through it and remembers the first error (a reader that swallows errors, like an XML
/// parser, must not hide a damaged part).
pub(super) struct Counting<R> {
    inner: R,
    pub(super) count: u64,
    pub(super) error: Option<io::Error>,
}

impl<R> Counting<R> {
    pub(super) fn new(inner: R) -> Self {
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

/// calamine's raw attribute iteration (attrs.rs): `key="value"` pairs, no entity decoding.
pub(super) struct RawAttrs<'a> {
    raw: &'a str,
    pos: usize,
}

impl<'a> RawAttrs<'a> {
    pub(super) fn new(raw: &'a str) -> Self {
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
pub(super) fn raw_attr<'a>(raw: &'a str, key: &str) -> std::result::Result<Option<&'a str>, ()> {
    for attr in RawAttrs::new(raw) {
        let (k, v) = attr?;
        if k == key {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

pub(super) fn unescape_lossy(v: &str) -> String {
    quick_xml::escape::unescape(v)
        .map(Cow::into_owned)
        .unwrap_or_else(|_| v.to_string())
}

/// The leading run of digits (after an optional '+'), saturating: an upper bound of what calamine parses.
pub(super) fn leading_number(v: &str) -> u64 {
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

pub(super) fn extension_of(file: &str) -> String {
    Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown error".to_string()
    }
}

pub(super) fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "the file doesn't exist (it was moved or deleted)".into(),
        io::ErrorKind::PermissionDenied => {
            "Tideline isn't allowed to read it (check the file's permissions)".into()
        }
        _ => e.to_string(),
    }
}

/// 1048576 → "1,048,576".
pub(super) fn thousands(n: u64) -> String {
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

pub(super) fn human_bytes(n: u64) -> String {
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
    fn thousands_and_sizes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(human_bytes(512 * MIB), "512 MiB");
        assert_eq!(human_bytes(3 * 1024), "3 KiB");
    }

    #[test]
    fn raw_attrs_like_calamine() {
        let a: Vec<_> = RawAttrs::new(r#" a="1" b:c='x y'  d = "" "#).collect();
        assert_eq!(a, vec![Ok(("a", "1")), Ok(("b:c", "x y")), Ok(("d", ""))]);
        assert_eq!(raw_attr(" x", "x"), Err(()));
        assert_eq!(leading_number("+12x"), 12);
        assert_eq!(leading_number("99999999999999999999999"), u64::MAX);
    }
}
