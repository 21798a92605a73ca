//! The import pipeline: read → parse on a thread of its own, classify → write on the importing task, with a
//! bounded channel between the two. The database work overlaps the parse (on a machine with two cores the import
//! costs little more than the parse), and memory is bounded by the batches in the channel, not by the file.
//! The write stage runs in one transaction that is committed only after the last row, so an error anywhere in the
//! file (or a cancel) leaves nothing written.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sqlx::SqliteConnection;
use tokio::sync::mpsc;

use super::parse::{KpiRow, ParseSummary, ParsedRow, ProfileRow, SheetParser};
use super::read_once::Rows;
use super::workbook::{self, Row, RowSink, Streamed, Workbook};
use super::write::{apply_profiles, ImportMeta, WriteStage, WRITE_BATCH};
use super::write_kpis::KpiWriter;
use super::ProgressFn;
use crate::error::{Error, Result};
use crate::model::{ImportProgress, ImportReport, Rejection};

/// Batches in flight between the parse and the write: with [`WRITE_BATCH`] rows each, the memory the pipeline
/// holds whatever the size of the file.
const CHANNEL_BATCHES: usize = 4;

/// What the parse stage tells the write stage.
pub(super) enum Msg<T> {
    /// The file is in memory and this is its SHA-256; nothing is parsed yet.
    Started { sha256: String },
    /// Parsed rows in file order, the rows rejected beside them, and the rows read so far.
    Batch {
        rows: Vec<T>,
        rejected: Vec<Rejection>,
        rows_read: u32,
    },
    /// The workbook is parsed: what it held beside its rows, or why it can't be imported.
    End(Result<ParseSummary>),
    /// The rows sent were not the workbook's ([`Streamed::Restart`]): start again, reading it whole.
    Restart,
}

/// Where the parse stage takes its rows from.
pub(super) enum Source<T> {
    /// The file, streamed when its format allows (`streaming`).
    File { path: PathBuf, streaming: bool },
    /// A workbook already read whole (to detect its kind).
    Workbook(Workbook),
    /// A preview's rows (see `read_once`): nothing to parse.
    Kept {
        sha256: String,
        summary: ParseSummary,
        rows: Vec<T>,
        rejected: Vec<Rejection>,
    },
}

/// The parse stage: a [`RowSink`] that parses each row and sends full batches down the channel.
struct ParseSink<T> {
    parser: SheetParser<T>,
    tx: mpsc::Sender<Msg<T>>,
    file: String,
    /// Time spent waiting for room in the channel (the write stage behind).
    blocked: Duration,
}

impl<T: ParsedRow> ParseSink<T> {
    fn parse_row(&mut self, row: &Row) -> Result<()> {
        self.parser.row(row);
        if self.parser.rows.len() >= WRITE_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn send(&mut self, msg: Msg<T>) -> Result<()> {
        // The write stage stopped (an error or a cancel): stop reading. Its own error is the one reported.
        let sending = Instant::now();
        let sent = self.tx.blocking_send(msg);
        self.blocked += sending.elapsed();
        sent.map_err(|_| Error::ImportCancelled {
            file: self.file.clone(),
        })
    }

    fn flush(&mut self) -> Result<()> {
        if self.parser.rows.is_empty() && self.parser.rejected.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.parser.rows);
        let rejected = std::mem::take(&mut self.parser.rejected);
        self.send(Msg::Batch {
            rows,
            rejected,
            rows_read: self.parser.rows_read,
        })
    }
}

impl<T: ParsedRow> RowSink for ParseSink<T> {
    fn start(&mut self, _file: &str, sha256: &str) -> Result<()> {
        self.send(Msg::Started {
            sha256: sha256.to_string(),
        })
    }

    fn sheet(&mut self, name: &str) -> Result<()> {
        self.parser.sheet(name);
        Ok(())
    }

    fn row(&mut self, row: Row) -> Result<()> {
        self.parse_row(&row)
    }

    fn end_sheet(&mut self) -> Result<()> {
        self.parser.end_sheet();
        Ok(())
    }
}

/// What the parse stage needs besides its source.
pub(super) struct ParseArgs {
    pub file: String,
    pub account: Option<String>,
    pub today: NaiveDate,
    pub progress: Option<ProgressFn>,
}

/// Starts the parse stage on a blocking thread; its messages come out of the returned channel.
pub(super) fn start<T: ParsedRow + Send + 'static>(
    source: Source<T>,
    args: ParseArgs,
) -> mpsc::Receiver<Msg<T>> {
    let (tx, rx) = mpsc::channel(CHANNEL_BATCHES);
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let parser = SheetParser::new(&args.file, args.account.as_deref(), args.today);
        let mut sink = ParseSink {
            parser,
            tx,
            file: args.file.clone(),
            blocked: Duration::ZERO,
        };
        let outcome = match source {
            Source::File { path, streaming } => read_beside(
                path,
                streaming,
                args.file.clone(),
                args.progress.clone(),
                &mut sink,
            ),
            Source::Workbook(wb) => replay(&wb, &mut sink).map(|()| Streamed::Done),
            Source::Kept {
                sha256,
                summary,
                rows,
                rejected,
            } => {
                let _ = send_kept(&mut sink, sha256, summary, rows, rejected);
                return;
            }
        };
        let end = match outcome {
            Ok(Streamed::Done) => match sink.flush() {
                Ok(()) => Msg::End(sink.parser.finish()),
                Err(_) => return,
            },
            Ok(Streamed::Restart) => Msg::Restart,
            Err(e) => Msg::End(Err(e)),
        };
        tracing::debug!(
            "{}: read and parsed in {} ms, {} ms of it waiting for the write stage",
            args.file,
            started.elapsed().as_millis(),
            sink.blocked.as_millis()
        );
        let _ = sink.send(end);
    });
    rx
}

/// Rows per message from the read stage to the parse stage.
const RAW_BATCH: usize = 1_000;
/// Messages in flight between the two.
const RAW_CHANNEL: usize = 8;

/// What the read stage (calamine) hands the parse stage, in the order a [`RowSink`] receives it.
enum Raw {
    Started { sha256: String },
    Sheet(String),
    Rows(Vec<Row>),
    EndSheet,
    End(Result<Streamed>),
}

/// The read stage's sink: rows in batches down a bounded channel. The parse stage sends each batch back once
/// parsed, and the reader reuses its rows: their cells (most of them strings) are allocated and freed on the one
/// thread, which the allocator does far faster than freeing on the parse thread what the reader allocated.
struct ReadSink {
    tx: std::sync::mpsc::SyncSender<Raw>,
    rows: Vec<Row>,
    file: String,
    parsed: std::sync::mpsc::Receiver<Vec<Row>>,
    spares: Vec<Row>,
}

impl ReadSink {
    fn send(&mut self, msg: Raw) -> Result<()> {
        // The parse stage stopped (its own error, or the write stage's): stop reading.
        self.tx.send(msg).map_err(|_| Error::ImportCancelled {
            file: self.file.clone(),
        })
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(RAW_BATCH));
        self.send(Raw::Rows(rows))
    }
}

impl RowSink for ReadSink {
    fn start(&mut self, _file: &str, sha256: &str) -> Result<()> {
        self.send(Raw::Started {
            sha256: sha256.to_string(),
        })
    }

    fn sheet(&mut self, name: &str) -> Result<()> {
        self.send(Raw::Sheet(name.to_string()))
    }

    fn row(&mut self, row: Row) -> Result<()> {
        self.rows.push(row);
        if self.rows.len() >= RAW_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn end_sheet(&mut self) -> Result<()> {
        self.flush()?;
        self.send(Raw::EndSheet)
    }

    fn spare_row(&mut self) -> Option<Row> {
        if self.spares.is_empty() {
            self.spares = self.parsed.try_recv().ok()?;
        }
        self.spares.pop()
    }
}

/// Reads the file on a thread of its own (calamine's XML and inflate, most of an import's work) while this
/// thread turns its rows into typed rows for `sink`: on two cores the parse no longer waits behind the read.
fn read_beside<T: ParsedRow>(
    path: PathBuf,
    streaming: bool,
    file: String,
    progress: Option<ProgressFn>,
    sink: &mut ParseSink<T>,
) -> Result<Streamed> {
    let (tx, rx) = std::sync::mpsc::sync_channel(RAW_CHANNEL);
    let (parsed_tx, parsed_rx) = std::sync::mpsc::sync_channel::<Vec<Row>>(RAW_CHANNEL);
    let reader_file = file.clone();
    let spawned = std::thread::Builder::new()
        .name("tideline-read".into())
        .spawn(move || {
            let limits = workbook::Limits::default();
            let mut report = |rows: u32| {
                if let Some(p) = &progress {
                    p(ImportProgress {
                        file: reader_file.clone(),
                        stage: "reading".into(),
                        sheet: String::new(),
                        rows_done: rows,
                        rows_total: 0,
                    })
                }
            };
            let mut read_sink = ReadSink {
                tx: tx.clone(),
                rows: Vec::with_capacity(RAW_BATCH),
                file: reader_file.clone(),
                parsed: parsed_rx,
                spares: Vec::new(),
            };
            let outcome =
                workbook::stream_workbook(&path, &limits, &mut report, &mut read_sink, streaming);
            let _ = tx.send(Raw::End(outcome));
        });
    if let Err(e) = spawned {
        return Err(Error::FileUnreadable {
            file,
            reason: format!("the reader could not start ({e})"),
        });
    }
    // Dropping `rx` on an early return stops the reader at its next send.
    let parse = || -> Result<Option<Result<Streamed>>> {
        for msg in rx.iter() {
            match msg {
                Raw::Started { sha256 } => sink.start(&file, &sha256)?,
                Raw::Sheet(name) => sink.sheet(&name)?,
                Raw::Rows(rows) => {
                    for row in &rows {
                        sink.parse_row(row)?;
                    }
                    // Back to the reader for reuse; dropped here when the reader has enough or is gone.
                    let _ = parsed_tx.try_send(rows);
                }
                Raw::EndSheet => sink.end_sheet()?,
                Raw::End(outcome) => return Ok(Some(outcome)),
            }
        }
        Ok(None)
    };
    // A panic while parsing rows is an error naming the file, as one while reading them is.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)) {
        Ok(Ok(Some(outcome))) => outcome,
        Ok(Err(e)) => Err(e),
        Ok(Ok(None)) => Err(Error::FileUnreadable {
            file,
            reason: "the reader stopped unexpectedly".into(),
        }),
        Err(_) => Err(Error::FileUnreadable {
            file,
            reason: "the workbook is damaged (the parser failed)".into(),
        }),
    }
}

fn replay<T: ParsedRow>(wb: &Workbook, sink: &mut ParseSink<T>) -> Result<()> {
    sink.start(&wb.file, &wb.sha256)?;
    for sheet in &wb.sheets {
        sink.sheet(&sheet.name)?;
        for row in &sheet.rows {
            sink.parser.row(row);
            if sink.parser.rows.len() >= WRITE_BATCH {
                sink.flush()?;
            }
        }
        sink.end_sheet()?;
    }
    Ok(())
}

fn send_kept<T: ParsedRow>(
    sink: &mut ParseSink<T>,
    sha256: String,
    summary: ParseSummary,
    mut rows: Vec<T>,
    rejected: Vec<Rejection>,
) -> Result<()> {
    sink.send(Msg::Started { sha256 })?;
    let mut rejected = Some(rejected);
    let mut read = 0u32;
    while !rows.is_empty() || rejected.is_some() {
        let rest = rows.split_off(rows.len().min(WRITE_BATCH));
        let batch = std::mem::replace(&mut rows, rest);
        read += batch.len() as u32;
        sink.send(Msg::Batch {
            rows: batch,
            rejected: rejected.take().unwrap_or_default(),
            rows_read: read.min(summary.rows_read),
        })?;
    }
    sink.send(Msg::End(Ok(summary)))
}

/// The next message, or `ImportCancelled` as soon as the cancel flag is set (checked every 50 ms while waiting).
pub(super) async fn next<T>(
    rx: &mut mpsc::Receiver<Msg<T>>,
    cancel: &Option<Arc<AtomicBool>>,
    file: &str,
) -> Result<Msg<T>> {
    let cancelled = || cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed));
    let stopped = || Error::FileUnreadable {
        file: file.to_string(),
        reason: "the reader stopped unexpectedly".into(),
    };
    loop {
        if cancelled() {
            return Err(Error::ImportCancelled {
                file: file.to_string(),
            });
        }
        if cancel.is_none() {
            return rx.recv().await.ok_or_else(stopped);
        }
        tokio::select! {
            msg = rx.recv() => return msg.ok_or_else(stopped),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
}

/// What the write stage does next: write a batch, finish, or start over.
pub(super) enum Step<T> {
    Batch {
        rows: Vec<T>,
        rejected: Vec<Rejection>,
        rows_read: u32,
    },
    End(ParseSummary),
    Restart,
}

/// The parse stage's next batch or end (its error, if the file can't be imported); the time spent waiting for it is
/// added to `waited`.
pub(super) async fn next_step<T>(
    rx: &mut mpsc::Receiver<Msg<T>>,
    cancel: &Option<Arc<AtomicBool>>,
    file: &str,
    waited: &mut Duration,
) -> Result<Step<T>> {
    loop {
        let waiting = Instant::now();
        let msg = next(rx, cancel, file).await?;
        *waited += waiting.elapsed();
        return Ok(match msg {
            Msg::Started { .. } => continue,
            Msg::Restart => Step::Restart,
            Msg::End(summary) => Step::End(summary?),
            Msg::Batch {
                rows,
                rejected,
                rows_read,
            } => Step::Batch {
                rows,
                rejected,
                rows_read,
            },
        });
    }
}

/// Profiles are per account, so a profile file is small: its rows are gathered and applied at the end.
#[derive(Default)]
pub(super) struct ProfileWriter {
    rows: Vec<ProfileRow>,
    rejected: Vec<Rejection>,
}

impl WriteStage<ProfileRow> for ProfileWriter {
    async fn batch(
        &mut self,
        _conn: &mut SqliteConnection,
        meta: &ImportMeta<'_>,
        rows: &[ProfileRow],
        rejected: Vec<Rejection>,
        _rows_read: u32,
    ) -> Result<()> {
        meta.check_cancel()?;
        self.rows.extend_from_slice(rows);
        self.rejected.extend(rejected);
        Ok(())
    }

    async fn finish(
        self,
        conn: &mut SqliteConnection,
        meta: &ImportMeta<'_>,
        summary: &ParseSummary,
    ) -> Result<ImportReport> {
        apply_profiles(conn, meta, summary, &self.rows, self.rejected).await
    }
}

/// A kind of row the pipeline carries, with its write stage and its place in the read-once cache.
pub(super) trait PipelineRow: ParsedRow + Clone + Send + 'static {
    type Writer: WriteStage<Self> + Default;
    fn into_kept(rows: Vec<Self>) -> Rows;
    fn from_kept(rows: Rows) -> Option<Vec<Self>>;
}

impl PipelineRow for KpiRow {
    type Writer = KpiWriter;

    fn into_kept(rows: Vec<Self>) -> Rows {
        Rows::Kpi(rows)
    }

    fn from_kept(rows: Rows) -> Option<Vec<Self>> {
        match rows {
            Rows::Kpi(r) => Some(r),
            Rows::Profile(_) => None,
        }
    }
}

impl PipelineRow for ProfileRow {
    type Writer = ProfileWriter;

    fn into_kept(rows: Vec<Self>) -> Rows {
        Rows::Profile(rows)
    }

    fn from_kept(rows: Rows) -> Option<Vec<Self>> {
        match rows {
            Rows::Profile(r) => Some(r),
            Rows::Kpi(_) => None,
        }
    }
}
