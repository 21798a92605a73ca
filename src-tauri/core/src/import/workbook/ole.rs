//! OLE2 / compound file (the .xls container): opened with the `cfb` crate, which refuses cyclic and dangling sector
//! chains, and rebuilt clean for calamine so that calamine parses exactly the Workbook stream the BIFF pre-scan
//! checked, whatever quirks the original container has.

use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use cfb::CompoundFile;

use super::ctx::Ctx;
use crate::error::{Error, Result};

/// The sectors of a real container are each read once while opening it and reading one stream; a container that
/// makes the reader go over the file twice lists sectors more often than the file holds them (calamine, and the
/// `cfb` crate before its own checks, would size the allocation table from that list).
const READ_PASSES: u64 = 2;
/// Room for the header (a 4096-byte-sector file pads it to a whole sector) and the stream reader's buffer.
const READ_SLACK: u64 = 64 * 1024;

/// One directory entry, as far as finding the workbook needs.
struct Entry {
    name: String,
    path: PathBuf,
    is_stream: bool,
    len: u64,
}

pub(super) struct OleFile {
    /// The Workbook (or Book) stream.
    pub workbook: Vec<u8>,
}

/// Opens the container, refuses encrypted OOXML and other Office documents, and returns the Workbook stream.
pub(super) fn inspect(ctx: &Ctx, bytes: &[u8]) -> Result<OleFile> {
    let damaged = |what: &str| {
        ctx.unreadable(format!(
            "the file is damaged: its Office container is broken ({what})"
        ))
    };
    if bytes.len() < 512 {
        return Err(damaged("the file is shorter than its header"));
    }
    let budget = (bytes.len() as u64)
        .saturating_mul(READ_PASSES)
        .saturating_add(READ_SLACK);
    let reader = Budgeted {
        inner: Cursor::new(bytes),
        left: budget,
    };
    let mut file = CompoundFile::open(reader).map_err(|e| {
        tracing::debug!(file = ctx.file, error = %e, "OLE2 container refused");
        damaged(container_fault(&e))
    })?;

    let entries: Vec<Entry> = file
        .walk()
        .map(|e| Entry {
            name: e.name().to_string(),
            path: e.path().to_path_buf(),
            is_stream: e.is_stream(),
            len: e.len(),
        })
        .collect();
    let has = |n: &str| entries.iter().any(|e| e.name.eq_ignore_ascii_case(n));
    if has("EncryptionInfo") || has("EncryptedPackage") {
        return Err(ctx.encrypted());
    }
    // calamine: get_stream("Workbook").or_else(|_| get_stream("Book")), by name wherever the stream is.
    let stream = |n: &str| {
        entries
            .iter()
            .find(|e| e.is_stream && e.name.eq_ignore_ascii_case(n))
    };
    let Some(workbook_entry) = stream("Workbook").or_else(|| stream("Book")) else {
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
    };
    let broken = |e: &io::Error| {
        tracing::debug!(file = ctx.file, error = %e, "OLE2 workbook stream refused");
        damaged("its workbook stream chain is broken")
    };
    // A stream lives in the file's sectors, so it can't be longer than the file.
    if workbook_entry.len > bytes.len() as u64 {
        return Err(damaged("its workbook stream chain is broken"));
    }
    let mut workbook = Vec::with_capacity(workbook_entry.len as usize);
    file.open_stream(&workbook_entry.path)
        .map_err(|e| broken(&e))?
        .read_to_end(&mut workbook)
        .map_err(|e| broken(&e))?;
    Ok(OleFile { workbook })
}

/// A fresh container holding only the Workbook stream, for calamine: it reads no other stream to list and read
/// sheets, and a container written by the `cfb` crate has none of the quirks a hostile one could use to make
/// calamine's own walk read something other than what the pre-scan checked.
pub(super) fn rebuild(ctx: &Ctx, ole: OleFile) -> Result<Vec<u8>> {
    let write = || -> io::Result<Vec<u8>> {
        // Version 3 (512-byte sectors): calamine refuses a version 4 file whose root has no mini stream, which is
        // what a Workbook stream of 4 KiB or more gives.
        let capacity = ole.workbook.len() + ole.workbook.len() / 64 + 4096;
        let mut out = CompoundFile::create_with_version(
            cfb::Version::V3,
            Cursor::new(Vec::with_capacity(capacity)),
        )?;
        out.create_stream("/Workbook")?.write_all(&ole.workbook)?;
        out.flush()?;
        Ok(out.into_inner().into_inner())
    };
    write().map_err(|e| Error::FileUnreadable {
        file: ctx.file.to_string(),
        reason: format!("the workbook is damaged (its Office container can't be rewritten: {e})"),
    })
}

/// Plain words for what the `cfb` crate found wrong (its messages name sectors and tables; the log keeps them).
fn container_fault(e: &io::Error) -> &'static str {
    if e.get_ref().is_some_and(|inner| inner.is::<OverBudget>()) {
        return "its allocation table lists more sectors than the file holds";
    }
    let m = e.to_string().to_ascii_lowercase();
    if e.kind() == io::ErrorKind::UnexpectedEof || m.contains("sector count is only") {
        "a sector lies past the end"
    } else if m.contains("too small") || m.contains("sector length") {
        "the file is shorter than its header"
    } else if m.contains("mini sector shift") {
        "unknown mini-sector size"
    } else if m.contains("sector shift") || m.contains("version") {
        "unknown sector size"
    } else if m.contains("difat") {
        "its allocation table chain is broken"
    } else if m.contains("minifat") || m.contains("mini sector") {
        "its mini allocation table chain is broken"
    } else if m.contains("directory chain") {
        "its directory chain is broken"
    } else if m.contains("root entry") {
        "its root directory is empty"
    } else if m.contains("directory") {
        "its directory is damaged"
    } else if m.contains("chain") || m.contains("pointed to twice") {
        "a sector chain loops"
    } else {
        "its allocation table is inconsistent"
    }
}

#[derive(Debug)]
struct OverBudget;

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the container was read past its size")
    }
}

impl std::error::Error for OverBudget {}

/// A reader that fails once it has given out `left` bytes: what the `cfb` crate allocates while opening a file
/// grows with what it reads, so this bounds memory by the file size.
struct Budgeted<'a> {
    inner: Cursor<&'a [u8]>,
    left: u64,
}

impl Read for Budgeted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            return Err(io::Error::other(OverBudget));
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

impl Seek for Budgeted<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::workbook::limits::Limits;

    fn ctx(limits: &Limits) -> Ctx<'_> {
        Ctx {
            file: "t.xls",
            limits,
        }
    }

    /// Both sizes of Workbook stream calamine reads differently (the mini stream below 4 KiB, sectors above)
    /// come back byte for byte from the rebuilt container.
    #[test]
    fn rebuilt_container_holds_the_same_stream() {
        let limits = Limits::default();
        for len in [100usize, 4095, 4096, 70_000] {
            let stream: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let bytes = rebuild(
                &ctx(&limits),
                OleFile {
                    workbook: stream.clone(),
                },
            )
            .unwrap();
            assert_eq!(
                inspect(&ctx(&limits), &bytes).unwrap().workbook,
                stream,
                "{len}"
            );
        }
    }

    #[test]
    fn faults_are_worded_plainly() {
        let over = io::Error::other(OverBudget);
        assert!(container_fault(&over).contains("more sectors than the file holds"));
        let cyclic = io::Error::new(
            io::ErrorKind::InvalidData,
            "Directory chain includes duplicate sector index 3",
        );
        assert_eq!(container_fault(&cyclic), "its directory chain is broken");
    }
}
