//! Excel imports (PRODUCT.md §4): read a workbook safely, find its headers, parse rows, and apply them in one
//! transaction with the import's record and events, or preview the same as a dry run.

pub mod headers;
pub mod parse;
pub mod values;
pub mod workbook;
pub mod write;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use sqlx::Row;

use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::model::{
    FileProbe, ImportKind, ImportListItem, ImportProgress, ImportReport, Rejection,
};
use crate::{clock, Tideline};

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

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a workbook on a blocking thread; a panic inside the reader becomes an error naming the file.
async fn read(path: &Path, progress: Option<ProgressFn>) -> Result<workbook::Workbook> {
    let owned = path.to_path_buf();
    let file = file_name(path);
    let task = tokio::task::spawn_blocking(move || {
        let limits = workbook::Limits::default();
        let name = file_name(&owned);
        match progress {
            Some(p) => workbook::read_workbook_with_progress(&owned, &limits, &mut |rows| {
                p(ImportProgress {
                    file: name.clone(),
                    stage: "reading".into(),
                    rows_done: rows,
                    rows_total: 0,
                })
            }),
            None => workbook::read_workbook(&owned, &limits),
        }
    });
    task.await.map_err(|e| Error::FileUnreadable {
        file,
        reason: format!("the reader stopped unexpectedly ({e})"),
    })?
}

impl Tideline {
    /// A quick look at a dropped or picked file: which kind it seems to be and whether it needs an account.
    pub async fn probe_file(&self, path: &Path) -> Result<FileProbe> {
        let wb = read(path, None).await?;
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
    #[tracing::instrument(skip(self, req, progress), err, fields(file = %req.path.display(), dry_run = req.dry_run))]
    pub async fn import_file(
        &self,
        req: &ImportRequest<'_>,
        progress: Option<ProgressFn>,
    ) -> Result<ImportReport> {
        let started = Instant::now();
        let wb = read(req.path, progress.clone()).await?;
        let kind = match req.kind {
            Some(k) => k,
            None => headers::detect_kind(&wb.sheets).ok_or_else(|| Error::KindUnknown {
                file: wb.file.clone(),
            })?,
        };
        let report_progress = |stage: &str, done: u32, total: u32| {
            if let Some(p) = &progress {
                p(ImportProgress {
                    file: wb.file.clone(),
                    stage: stage.into(),
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
        report_progress("writing", 0, parsed.rows_read());

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
        };
        let mut report = match &parsed {
            Parsed::Kpi(rows) => write::apply_kpis(&mut tx, &meta, rows).await?,
            Parsed::Profile(rows) => write::apply_profiles(&mut tx, &meta, rows).await?,
        };
        report.duration_ms = started.elapsed().as_millis() as u64;
        if req.dry_run {
            tx.rollback().await?;
        } else {
            write::finish_import(&mut tx, &report).await?;
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
        report_progress("done", report.rows_read, report.rows_read);
        Ok(report)
    }

    /// The import history, newest first.
    pub async fn list_imports(&self, limit: u32) -> Result<Vec<ImportListItem>> {
        let rows = sqlx::query(
            "SELECT id, kind, file_name, sha256, rows_read, rows_imported, rows_rejected, duration_ms, status, created_at \
             FROM imports ORDER BY id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let kind: String = r.get(1);
                Ok(ImportListItem {
                    id: r.get(0),
                    kind: ImportKind::parse(&kind)
                        .ok_or_else(|| Error::Corrupt(format!("import kind {kind}")))?,
                    file: r.get(2),
                    sha256: r.get(3),
                    rows_read: r.get::<i64, _>(4) as u32,
                    rows_imported: r.get::<i64, _>(5) as u32,
                    rows_rejected: r.get::<i64, _>(6) as u32,
                    duration_ms: r.get::<i64, _>(7) as u64,
                    status: r.get(8),
                    created_at: r.get(9),
                })
            })
            .collect()
    }

    /// A past import's full report, with every rejected row.
    pub async fn get_import(&self, id: i64) -> Result<ImportReport> {
        let text: String = sqlx::query_scalar("SELECT report FROM imports WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::ImportNotFound { id })?;
        let mut report: ImportReport = serde_json::from_str(&text)?;
        let rejected = sqlx::query(
            "SELECT sheet, row_number, column_name, reason FROM import_rejections WHERE import_id = ? ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        report.rejected = rejected
            .into_iter()
            .map(|r| Rejection {
                sheet: r.get(0),
                row: r.get::<i64, _>(1) as u32,
                column: r.get(2),
                reason: r.get(3),
            })
            .collect();
        Ok(report)
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
