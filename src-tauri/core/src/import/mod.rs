//! Excel imports (PRODUCT.md §4): read a workbook safely, find its headers, parse rows, and apply them in one
//! transaction with the import's record and events, or preview the same as a dry run.

pub mod headers;
pub mod parse;
mod pipeline;
pub mod read_once;
mod undo;
pub mod values;
pub mod workbook;
pub mod write;
mod write_kpis;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::BulkWrite;
use crate::error::{Error, Result};
use crate::model::{
    FileProbe, ImportKind, ImportListItem, ImportProgress, ImportReport, Rejection,
};
use crate::{clock, store, Tideline};
pub use undo::{accounts_removed_notice, REMOVED_WITH_ACCOUNTS};
use write::WriteStage;

/// Receives progress while a file is read and written (the app streams it to the window).
pub type ProgressFn = Arc<dyn Fn(ImportProgress) + Send + Sync>;

/// How one run of the pipeline ended: its report (with a preview's rows to keep), or a restart.
enum Ran<T> {
    Done(Box<ImportReport>, Option<Kept<T>>),
    Restart,
}

/// A preview's parse: the file's SHA-256, the summary, the rows and the rejected rows.
type Kept<T> = (String, parse::ParseSummary, Vec<T>, Vec<Rejection>);

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
    /// Only the first [`headers::HEADER_SEARCH_ROWS`] rows of each sheet are parsed where the format allows (xlsx,
    /// xlsb), so a probe costs little even for a large workbook; the preview that follows is the file's one parse.
    pub async fn probe_file(&self, path: &Path) -> Result<FileProbe> {
        let owned = path.to_path_buf();
        let peek = tokio::task::spawn_blocking(move || {
            workbook::peek_workbook(
                &owned,
                &workbook::Limits::default(),
                headers::HEADER_SEARCH_ROWS,
            )
        })
        .await
        .map_err(|e| Error::FileUnreadable {
            file: file_name(path),
            reason: format!("the reader stopped unexpectedly ({e})"),
        })??;
        let kept: usize = peek.workbook.sheets.iter().map(|s| s.rows.len()).sum();
        if peek.whole && peek.rows_parsed > kept as u64 {
            // The whole file was parsed to look at its first rows (a format without a streaming reader).
            self.read_once().parse_started();
        }
        tracing::debug!(
            "{}: probed from {} parsed rows",
            peek.workbook.file,
            peek.rows_parsed
        );
        let wb = peek.workbook;
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
        if cancelled(&cancel) {
            return Err(Error::ImportCancelled {
                file: file_name(req.path),
            });
        }
        // Without a kind the headers decide, so the workbook is read whole first (and that read is the one
        // parsed).
        let (kind, wb) = match req.kind {
            Some(k) => (k, None),
            None => {
                self.read_once().parse_started();
                let wb = read(req.path, progress.clone(), &cancel).await?;
                let kind = headers::detect_kind(&wb.sheets).ok_or_else(|| Error::KindUnknown {
                    file: wb.file.clone(),
                })?;
                (kind, Some(wb))
            }
        };
        let mut report = match kind {
            ImportKind::Kpi => {
                self.import_rows::<parse::KpiRow>(req, kind, wb, progress.clone(), &cancel, started)
                    .await?
            }
            ImportKind::Profile => {
                self.import_rows::<parse::ProfileRow>(
                    req,
                    kind,
                    wb,
                    progress.clone(),
                    &cancel,
                    started,
                )
                .await?
            }
        };
        report.duration_ms = started.elapsed().as_millis() as u64;
        if let Some(p) = &progress {
            p(ImportProgress {
                file: report.file.clone(),
                stage: "done".into(),
                sheet: String::new(),
                rows_done: report.rows_read,
                rows_total: report.rows_read,
            });
        }
        Ok(report)
    }

    /// The rows of one kind through the pipeline: from the preview's kept rows when they are this file's, else
    /// from the file (streamed; read whole if streaming has to start over).
    async fn import_rows<T: pipeline::PipelineRow>(
        &self,
        req: &ImportRequest<'_>,
        kind: ImportKind,
        wb: Option<workbook::Workbook>,
        progress: Option<ProgressFn>,
        cancel: &Option<Arc<AtomicBool>>,
        started: Instant,
    ) -> Result<ImportReport> {
        let today = self.now().with_timezone(&chrono::Local).date_naive();
        let request = read_once::Request {
            path: std::fs::canonicalize(req.path).unwrap_or_else(|_| req.path.to_path_buf()),
            kind,
            account: req.account.map(str::to_string),
            today,
        };
        let mut source = match wb {
            Some(wb) => pipeline::Source::Workbook(wb),
            None => {
                let kept = if req.dry_run {
                    None
                } else {
                    let cache = Arc::clone(self.read_once());
                    let request = request.clone();
                    tokio::task::spawn_blocking(move || cache.take(&request))
                        .await
                        .ok()
                        .flatten()
                };
                match kept
                    .and_then(|k| Some((k.sha256, k.summary, T::from_kept(k.rows)?, k.rejected)))
                {
                    Some((sha256, summary, rows, rejected)) => {
                        tracing::info!(
                            "{}: using the preview's parsed rows (file unchanged)",
                            file_name(req.path)
                        );
                        pipeline::Source::Kept {
                            sha256,
                            summary,
                            rows,
                            rejected,
                        }
                    }
                    None => pipeline::Source::File {
                        path: req.path.to_path_buf(),
                        streaming: true,
                    },
                }
            }
        };
        // A preview keeps its rows for the import that may follow (small files only).
        let keep = req.dry_run && matches!(source, pipeline::Source::File { .. });
        let fingerprint = if keep {
            read_once::Fingerprint::of(req.path)
        } else {
            None
        };
        loop {
            if matches!(source, pipeline::Source::File { .. }) {
                self.read_once().parse_started();
            }
            let ran = self
                .run_pipeline::<T>(
                    req,
                    kind,
                    source,
                    today,
                    progress.clone(),
                    cancel,
                    keep,
                    started,
                )
                .await?;
            match ran {
                Ran::Done(report, kept) => {
                    if let (Some((sha256, summary, rows, rejected)), Some(fingerprint)) =
                        (kept, fingerprint)
                    {
                        self.read_once().keep(read_once::Kept {
                            request,
                            fingerprint,
                            sha256,
                            summary,
                            rows: T::into_kept(rows),
                            rejected,
                            at: Instant::now(),
                        });
                    } else if !req.dry_run {
                        self.read_once().forget();
                    }
                    return Ok(*report);
                }
                Ran::Restart => {
                    source = pipeline::Source::File {
                        path: req.path.to_path_buf(),
                        streaming: false,
                    }
                }
            }
        }
    }

    /// One run of the pipeline: the parse stage on its thread, the write stage here, in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn run_pipeline<T: pipeline::PipelineRow>(
        &self,
        req: &ImportRequest<'_>,
        kind: ImportKind,
        source: pipeline::Source<T>,
        today: chrono::NaiveDate,
        progress: Option<ProgressFn>,
        cancel: &Option<Arc<AtomicBool>>,
        keep: bool,
        started: Instant,
    ) -> Result<Ran<T>> {
        let file = file_name(req.path);
        let mut rx = pipeline::start(
            source,
            pipeline::ParseArgs {
                file: file.clone(),
                account: req.account.map(str::to_string),
                today,
                progress: progress.clone(),
            },
        );
        let write_progress = |sheet: &str, done: u32, total: u32| {
            if let Some(p) = &progress {
                p(ImportProgress {
                    file: file.clone(),
                    stage: "writing".into(),
                    sheet: sheet.into(),
                    rows_done: done,
                    rows_total: total,
                });
            }
        };
        let now_text = clock::to_db(self.now());
        let path_text = req.path.display().to_string();
        // The parse stage names the file's SHA-256 before anything else (or fails first).
        let sha256 = match pipeline::next(&mut rx, cancel, &file).await? {
            pipeline::Msg::Started { sha256 } => sha256,
            pipeline::Msg::End(Err(e)) => return Err(e),
            pipeline::Msg::Restart => return Ok(Ran::Restart),
            _ => return Err(Error::Internal("the parse stage did not start".into())),
        };
        let meta = write::ImportMeta {
            kind,
            file: &file,
            path: Some(&path_text),
            sha256: &sha256,
            now: &now_text,
            dry_run: req.dry_run,
            cancel: cancel.as_deref(),
            progress: Some(&write_progress),
        };
        let mut writer = T::Writer::default();
        let mut kept_rows: Vec<T> = Vec::new();
        let mut kept_rejected: Vec<Rejection> = Vec::new();
        let mut keeping = keep;
        // How long the write stage waited for the parse: near the whole import when the write keeps up.
        let mut waited = Duration::ZERO;
        // A preview only reads, so it takes no write lock. An import takes it once rows are parsed: a file
        // without a usable header fails without blocking anyone.
        let mut step = pipeline::next_step(&mut rx, cancel, &file, &mut waited).await?;
        match step {
            pipeline::Step::Restart => return Ok(Ran::Restart),
            pipeline::Step::Batch { .. } => write_progress("", 0, 0),
            pipeline::Step::End(_) => {}
        }
        let mut bulk = None;
        let mut tx = self.begin(req.dry_run, &mut bulk).await?;
        // On any error (a cancel included) the transaction is dropped, which rolls it back.
        let summary = loop {
            let (rows, rejected, rows_read) = match step {
                pipeline::Step::Restart => return Ok(Ran::Restart),
                pipeline::Step::End(summary) => break summary,
                pipeline::Step::Batch {
                    rows,
                    rejected,
                    rows_read,
                } => (rows, rejected, rows_read),
            };
            if keeping && kept_rows.len() + rows.len() > read_once::MAX_ROWS {
                keeping = false;
                kept_rows = Vec::new();
                kept_rejected = Vec::new();
            }
            if keeping {
                kept_rejected.extend(rejected.iter().cloned());
            }
            writer
                .batch(&mut tx, &meta, &rows, rejected, rows_read)
                .await?;
            if keeping {
                kept_rows.extend(rows);
            }
            step = pipeline::next_step(&mut rx, cancel, &file, &mut waited).await?;
        };
        let finishing = Instant::now();
        let mut report = writer.finish(&mut tx, &meta, &summary).await?;
        report.duration_ms = started.elapsed().as_millis() as u64;
        if req.dry_run {
            tx.rollback().await?;
        } else {
            write::finish_import(&mut tx, &report).await?;
            // The last point a cancel can stop the import: after this the data is in.
            if cancelled(cancel) {
                tx.rollback().await?;
                return Err(Error::ImportCancelled { file: report.file });
            }
            let committing = Instant::now();
            tx.commit().await?;
            crash_point_after_import_commit();
            if let Some(bulk) = bulk.take() {
                bulk.finish().await;
            }
            tracing::debug!(
                "{file}: the write stage waited {} ms for parsed rows; finishing took {} ms, the commit {} ms",
                waited.as_millis(),
                (committing - finishing).as_millis(),
                committing.elapsed().as_millis()
            );
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
        let kept = keeping.then_some((sha256, summary, kept_rows, kept_rejected));
        Ok(Ran::Done(Box::new(report), kept))
    }

    /// The import's transaction: a preview only reads; an import takes the write lock up front, on a connection
    /// that leaves the WAL checkpoint until after its commit (see [`BulkWrite`]).
    async fn begin<'a>(
        &self,
        dry_run: bool,
        bulk: &'a mut Option<BulkWrite>,
    ) -> Result<sqlx::Transaction<'a, sqlx::Sqlite>> {
        if dry_run {
            Ok(self.pool().begin().await?)
        } else {
            bulk.insert(BulkWrite::acquire(self.pool()).await?)
                .begin()
                .await
        }
    }

    /// How many times workbooks were parsed by this handle (a preview followed by its import counts one; a probe
    /// counts only when the file's format made it parse more than the first rows).
    pub fn parse_count(&self) -> u64 {
        self.read_once().parse_count()
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
