//! OLE2 / compound file: mirrors calamine's cfb.rs (Cfb::new + get_stream) with every chain bounded.

use super::ctx::Ctx;
use crate::error::Result;

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
