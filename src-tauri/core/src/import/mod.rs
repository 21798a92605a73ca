//! Excel imports (PRODUCT.md §4): read a workbook safely, find its headers, parse rows, and apply them in one
//! transaction with the import's record and events, or preview the same as a dry run.

pub mod headers;
pub mod parse;
pub mod values;
pub mod workbook;
pub mod write;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::model::{FileProbe, ImportKind, ImportListItem, ImportProgress, ImportReport};
use crate::{clock, store, Tideline};

/// Receives progress while a file is read and written (the app streams it to the window).
pub type ProgressFn = Arc<dyn Fn(ImportProgress) + Send + Sync>;

/// A workbook's rows, parsed for one kind of import.
enum Parsed {
    Kpi(parse::Parsed<parse::KpiRow>),
    Profile(parse::Parsed<parse::ProfileRow>),
}

impl Parsed {
    fn rows_read(&self) -> u32 {
        match self {
            Parsed::Kpi(p) => p.rows_read,
            Parsed::Profile(p) => p.rows_read,
        }
    }
}

/// One import to run (or preview).
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    pub path: &'a Path,
    /// `None`: detect from the headers (an error asks the user when unsure).
    pub kind: Option<ImportKind>,
    /// The account a KPI file without an Account column belongs to.
    pub account: Option<&'a str>,
    pub dry_run: bool,
}

fn cancelled(cancel: &Option<Arc<AtomicBool>>) -> bool {
    cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a workbook on a blocking thread; a panic inside the reader becomes an error naming the file.
/// A cancel stops waiting for the reader at once (the reader thread finishes on its own and its result is
/// dropped); nothing has been written at that point.
async fn read(
    path: &Path,
    progress: Option<ProgressFn>,
    cancel: &Option<Arc<AtomicBool>>,
) -> Result<workbook::Workbook> {
    let owned = path.to_path_buf();
    let file = file_name(path);
    let mut task = tokio::task::spawn_blocking(move || {
        let limits = workbook::Limits::default();
        let name = file_name(&owned);
        match progress {
            Some(p) => workbook::read_workbook_with_progress(&owned, &limits, &mut |rows| {
                p(ImportProgress {
                    file: name.clone(),
                    stage: "reading".into(),
                    sheet: String::new(),
                    rows_done: rows,
                    rows_total: 0,
                })
            }),
            None => workbook::read_workbook(&owned, &limits),
        }
    });
    let joined = loop {
        if cancel.is_none() {
            break (&mut task).await;
        }
        if cancelled(cancel) {
            return Err(Error::ImportCancelled { file });
        }
        tokio::select! {
            joined = &mut task => break joined,
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    };
    joined.map_err(|e| Error::FileUnreadable {
        file,
        reason: format!("the reader stopped unexpectedly ({e})"),
    })?
}

impl Tideline {
    /// A quick look at a dropped or picked file: which kind it seems to be and whether it needs an account.
    pub async fn probe_file(&self, path: &Path) -> Result<FileProbe> {
        let wb = read(path, None, &None).await?;
        let kind = headers::detect_kind(&wb.sheets);
        let needs_account = kind == Some(ImportKind::Kpi)
            && wb
                .sheets
                .iter()
                .filter_map(|s| headers::find_header(s, ImportKind::Kpi))
                .all(|h| !h.has(headers::Field::Account) && !h.has(headers::Field::AccountId));
        Ok(FileProbe {
            file: wb.file.clone(),
            kind,
            needs_account,
            sheets: wb.sheets.iter().map(|s| s.name.clone()).collect(),
        })
    }

    /// Imports a workbook (or, with `dry_run`, reports what importing it would do and writes nothing).
    pub async fn import_file(
        &self,
        req: &ImportRequest<'_>,
        progress: Option<ProgressFn>,
    ) -> Result<ImportReport> {
        self.import_file_cancellable(req, progress, None).await
    }

    /// [`Tideline::import_file`] that stops with `ImportCancelled`, writing nothing, once `cancel` is set (from
    /// another task or thread). Checked while the file is read, between write batches and before the commit.
    #[tracing::instrument(skip(self, req, progress, cancel), err, fields(file = %req.path.display(), dry_run = req.dry_run))]
    pub async fn import_file_cancellable(
        &self,
        req: &ImportRequest<'_>,
        progress: Option<ProgressFn>,
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<ImportReport> {
        let started = Instant::now();
        let wb = read(req.path, progress.clone(), &cancel).await?;
        let kind = match req.kind {
            Some(k) => k,
            None => headers::detect_kind(&wb.sheets).ok_or_else(|| Error::KindUnknown {
                file: wb.file.clone(),
            })?,
        };
        let report_progress = |stage: &str, sheet: &str, done: u32, total: u32| {
            if let Some(p) = &progress {
                p(ImportProgress {
                    file: wb.file.clone(),
                    stage: stage.into(),
                    sheet: sheet.into(),
                    rows_done: done,
                    rows_total: total,
                });
            }
        };
        // Parsed before any lock is taken: a file that can't be used fails without blocking anyone, and the
        // write lock is held only for the database work. Rows without a period belong to the user's month.
        let today = self.now().with_timezone(&chrono::Local).date_naive();
        let parsed = match kind {
            ImportKind::Kpi => Parsed::Kpi(parse::parse_kpis(&wb, req.account, today)?),
            ImportKind::Profile => Parsed::Profile(parse::parse_profiles(&wb)?),
        };
        if cancelled(&cancel) {
            return Err(Error::ImportCancelled {
                file: wb.file.clone(),
            });
        }
        report_progress("writing", "", 0, parsed.rows_read());
        let write_progress =
            |sheet: &str, done: u32, total: u32| report_progress("writing", sheet, done, total);

        // A preview only reads, so it takes no write lock.
        let mut tx = if req.dry_run {
            self.pool().begin().await?
        } else {
            begin_write(self.pool()).await?
        };
        let now_text = clock::to_db(self.now());
        let path_text = req.path.display().to_string();
        let meta = write::ImportMeta {
            kind,
            file: &wb.file,
            path: Some(&path_text),
            sha256: &wb.sha256,
            now: &now_text,
            dry_run: req.dry_run,
            cancel: cancel.as_deref(),
            progress: Some(&write_progress),
        };
        // On any error (a cancel included) the transaction is dropped, which rolls it back.
        let mut report = match &parsed {
            Parsed::Kpi(rows) => write::apply_kpis(&mut tx, &meta, rows).await?,
            Parsed::Profile(rows) => write::apply_profiles(&mut tx, &meta, rows).await?,
        };
        report.duration_ms = started.elapsed().as_millis() as u64;
        if req.dry_run {
            tx.rollback().await?;
        } else {
            write::finish_import(&mut tx, &report).await?;
            // The last point a cancel can stop the import: after this the data is in.
            if cancelled(&cancel) {
                tx.rollback().await?;
                return Err(Error::ImportCancelled { file: report.file });
            }
            tx.commit().await?;
            crash_point_after_import_commit();
            if report.events > 0 {
                self.events_written();
            }
            tracing::info!(
                "Imported {} ({}): {} rows imported ({} new, {} changed, {} unchanged), {} rejected, {} accounts, {} events in {} ms",
                report.file,
                kind.as_str(),
                report.rows_imported,
                report.rows_new,
                report.rows_changed,
                report.rows_unchanged,
                report.rows_rejected,
                report.accounts.len(),
                report.events,
                report.duration_ms
            );
        }
        report_progress("done", "", report.rows_read, report.rows_read);
        Ok(report)
    }

    /// The import history, newest first.
    pub async fn list_imports(&self, limit: u32) -> Result<Vec<ImportListItem>> {
        let mut conn = self.pool().acquire().await?;
        store::imports::list(&mut conn, limit).await
    }

    /// A past import's full report, with every rejected row.
    pub async fn get_import(&self, id: i64) -> Result<ImportReport> {
        let mut conn = self.pool().acquire().await?;
        store::imports::load(&mut conn, id).await
    }
}

/// Test hook for the crash-recovery test: with `TIDELINE_CRASH_AFTER_IMPORT_COMMIT=1` the process dies right
/// after an import commits and before any snapshot is made, as a power cut or a kill would leave it.
fn crash_point_after_import_commit() {
    if std::env::var_os("TIDELINE_CRASH_AFTER_IMPORT_COMMIT").is_some_and(|v| v == "1") {
        tracing::warn!(
            "TIDELINE_CRASH_AFTER_IMPORT_COMMIT set: aborting after the import's commit"
        );
        std::process::abort();
    }
}
