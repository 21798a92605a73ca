//! Read once: the rows of the last preview are kept, so an import committed right after its preview does not read
//! and parse the file again. They are used only when the file is the same (size, modification time and SHA-256)
//! and the import asks for the same kind, account and month; otherwise the file is read again.
//!
//! One preview is kept, of at most [`MAX_ROWS`] rows, for at most [`MAX_AGE`]: the cache never holds more than
//! one file's rows, and an abandoned preview does not keep them for long.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::parse::{KpiRow, ParseSummary, ProfileRow};
use crate::model::{ImportKind, Rejection};

/// Rows of a preview kept for its import (about 40 MiB of parsed KPI rows).
pub const MAX_ROWS: usize = 250_000;
/// How long a preview's rows are kept.
pub const MAX_AGE: Duration = Duration::from_secs(15 * 60);

/// What identifies a file's content without parsing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl Fingerprint {
    pub fn of(path: &Path) -> Option<Fingerprint> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Fingerprint {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// The SHA-256 of a file's bytes (lower-case hex), as the workbook reader computes it.
pub fn sha256_of(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(hex::encode(Sha256::digest(&bytes)))
}

/// A preview's parsed rows, of one kind.
pub enum Rows {
    Kpi(Vec<KpiRow>),
    Profile(Vec<ProfileRow>),
}

/// What a preview asked for: an import asking for something else reads the file again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub path: PathBuf,
    pub kind: ImportKind,
    pub account: Option<String>,
    pub today: NaiveDate,
}

/// A preview's parse, ready to be written.
pub struct Kept {
    pub request: Request,
    pub fingerprint: Fingerprint,
    pub sha256: String,
    pub summary: ParseSummary,
    pub rows: Rows,
    pub rejected: Vec<Rejection>,
    pub at: Instant,
}

/// The last preview's rows, and how many times workbooks were parsed (tests read it).
#[derive(Default)]
pub struct ReadOnce {
    kept: Mutex<Option<Kept>>,
    parses: AtomicU64,
}

impl ReadOnce {
    pub fn parse_started(&self) {
        self.parses.fetch_add(1, Ordering::Relaxed);
    }

    pub fn parse_count(&self) -> u64 {
        self.parses.load(Ordering::Relaxed)
    }

    pub fn keep(&self, kept: Kept) {
        if let Ok(mut slot) = self.kept.lock() {
            *slot = Some(kept);
        }
    }

    /// Forgets the kept rows of `path` (or any, when the file can't be named).
    pub fn forget(&self) {
        if let Ok(mut slot) = self.kept.lock() {
            *slot = None;
        }
    }

    /// Takes the kept rows when they were parsed for this request from this file as it is now. The size and
    /// modification time are compared first; the SHA-256 (a read of the file, no parse) only when they match.
    pub fn take(&self, request: &Request) -> Option<Kept> {
        let kept = {
            let mut slot = self.kept.lock().ok()?;
            match slot.as_ref() {
                Some(k) if k.request == *request => slot.take()?,
                _ => return None,
            }
        };
        if kept.at.elapsed() > MAX_AGE {
            return None;
        }
        if Fingerprint::of(&request.path).as_ref() != Some(&kept.fingerprint) {
            return None;
        }
        if sha256_of(&request.path).as_deref() != Some(kept.sha256.as_str()) {
            return None;
        }
        Some(kept)
    }
}
