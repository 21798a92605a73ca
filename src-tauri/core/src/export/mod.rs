//! Getting data out: the Health table and an account's history as `.xlsx` (rust_xlsxwriter; real number and date
//! cells, frozen header, column widths), and snapshot evidence packs ([`evidence`]).

use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::error::{Error, Result};
use crate::model::{AccountQuery, AccountRow, ExportReport};
use crate::store;
use crate::Tideline;

pub mod evidence;

/// The Health table's columns, in order.
pub const ACCOUNT_COLUMNS: [&str; 17] = [
    "Account",
    "External ID",
    "Health",
    "Band",
    "Health period",
    "Trend (change)",
    "Trend (last scores)",
    "Owner",
    "Segment",
    "Industry",
    "Region",
    "ARR",
    "Employees",
    "Contract start",
    "Renewal date",
    "Last snapshot",
    "Snapshots",
];

fn xlsx_error(path: &Path, e: XlsxError) -> Error {
    if let XlsxError::IoError(io) = &e {
        return Error::write_failed(path, io);
    }
    Error::WriteFailed {
        file: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// `2025-01-31` (or the date part of a longer text) as an Excel date.
pub fn excel_date(text: &str) -> Option<ExcelDateTime> {
    let d = NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        u8::try_from(d.month()).ok()?,
        u8::try_from(d.day()).ok()?,
    )
    .ok()
}

/// A stored UTC time (`2025-01-15T10:00:30Z` and similar) as an Excel date-time.
pub fn excel_datetime(text: &str) -> Option<ExcelDateTime> {
    let t: NaiveDateTime = crate::clock::from_db(text)?.naive_utc();
    ExcelDateTime::from_ymd(
        u16::try_from(t.year()).ok()?,
        u8::try_from(t.month()).ok()?,
        u8::try_from(t.day()).ok()?,
    )
    .ok()?
    .and_hms(
        u16::try_from(t.hour()).ok()?,
        u8::try_from(t.minute()).ok()?,
        f64::from(t.second()),
    )
    .ok()
}

/// Writes cells of one sheet, turning optional values into blanks and texts that hold dates into dates.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    path: &'a Path,
    date: Format,
    datetime: Format,
    number: Format,
}

impl<'a> Sheet<'a> {
    fn new(
        ws: &'a mut Worksheet,
        path: &'a Path,
        headers: &[&str],
        widths: &[f64],
    ) -> Result<Self> {
        let bold = Format::new().set_bold();
        for (c, h) in headers.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, *h, &bold)
                .map_err(|e| xlsx_error(path, e))?;
            let w = widths.get(c).copied().unwrap_or(14.0);
            ws.set_column_width(col, w)
                .map_err(|e| xlsx_error(path, e))?;
        }
        ws.set_freeze_panes(1, 0).map_err(|e| xlsx_error(path, e))?;
        Ok(Sheet {
            ws,
            path,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            number: Format::new().set_num_format("#,##0.0##"),
        })
    }

    fn text(&mut self, r: u32, c: u16, v: Option<&str>) -> Result<()> {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            self.ws
                .write_string(r, c, v)
                .map_err(|e| xlsx_error(self.path, e))?;
        }
        Ok(())
    }

    fn num(&mut self, r: u32, c: u16, v: Option<f64>) -> Result<()> {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            self.ws
                .write_number_with_format(r, c, v, &self.number)
                .map_err(|e| xlsx_error(self.path, e))?;
        }
        Ok(())
    }

    fn date(&mut self, r: u32, c: u16, v: Option<&str>) -> Result<()> {
        match v.map(|t| (t, excel_date(t))) {
            Some((_, Some(d))) => self
                .ws
                .write_datetime_with_format(r, c, &d, &self.date)
                .map(|_| ())
                .map_err(|e| xlsx_error(self.path, e)),
            // A date the workbook held as free text stays text rather than being lost.
            Some((t, None)) => self.text(r, c, Some(t)),
            None => Ok(()),
        }
    }

    fn datetime(&mut self, r: u32, c: u16, v: Option<&str>) -> Result<()> {
        match v.map(|t| (t, excel_datetime(t))) {
            Some((_, Some(d))) => self
                .ws
                .write_datetime_with_format(r, c, &d, &self.datetime)
                .map(|_| ())
                .map_err(|e| xlsx_error(self.path, e)),
            Some((t, None)) => self.text(r, c, Some(t)),
            None => Ok(()),
        }
    }
}

/// Saves beside the destination then renames, so a failed export never leaves half a workbook under its name.
fn save(mut wb: Workbook, path: &Path, rows: u32) -> Result<ExportReport> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| Error::WriteFailed {
            file: path.display().to_string(),
            reason: "not a file name".into(),
        })?;
    let tmp = path.with_file_name(format!(".{name}.partial"));
    if let Err(e) = wb.save(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(xlsx_error(path, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::write_failed(path, &e)
    })?;
    let size_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(ExportReport {
        path: path.display().to_string(),
        rows,
        size_bytes,
    })
}

fn row_index(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

/// The change between the last two points of a trend.
pub fn trend_change(trend: &[f64]) -> Option<f64> {
    match trend {
        [.., a, b] => Some(b - a),
        _ => None,
    }
}

/// The rows of the Health table written as one sheet, in the order given.
pub fn write_accounts(path: &Path, rows: &[AccountRow]) -> Result<ExportReport> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Health").map_err(|e| xlsx_error(path, e))?;
    let widths = [
        32.0, 14.0, 9.0, 10.0, 13.0, 14.0, 30.0, 20.0, 14.0, 16.0, 14.0, 14.0, 11.0, 14.0, 14.0,
        17.0, 10.0,
    ];
    let mut s = Sheet::new(ws, path, &ACCOUNT_COLUMNS, &widths)?;
    for (i, a) in rows.iter().enumerate() {
        let r = row_index(i);
        let p = &a.profile;
        s.text(r, 0, Some(&a.name))?;
        s.text(r, 1, a.external_id.as_deref())?;
        s.num(r, 2, a.health_score)?;
        s.text(r, 3, a.band.map(|b| b.label()))?;
        s.text(r, 4, a.health_period.as_deref())?;
        s.num(r, 5, trend_change(&a.trend))?;
        let points = a
            .trend
            .iter()
            .map(|v| format!("{v:.1}"))
            .collect::<Vec<_>>()
            .join(" → ");
        s.text(r, 6, Some(&points))?;
        s.text(r, 7, p.owner.as_deref())?;
        s.text(r, 8, p.segment.as_deref())?;
        s.text(r, 9, p.industry.as_deref())?;
        s.text(r, 10, p.region.as_deref())?;
        s.num(r, 11, p.arr)?;
        s.num(r, 12, p.employees.map(|n| n as f64))?;
        s.date(r, 13, p.contract_start.as_deref())?;
        s.date(r, 14, p.renewal_date.as_deref())?;
        s.datetime(r, 15, a.last_snapshot_at.as_deref())?;
        s.num(r, 16, Some(a.snapshot_count as f64))?;
    }
    if !rows.is_empty() {
        let last = row_index(rows.len() - 1);
        s.ws.autofilter(0, 0, last, 16)
            .map_err(|e| xlsx_error(path, e))?;
    }
    save(wb, path, u32::try_from(rows.len()).unwrap_or(u32::MAX))
}

impl Tideline {
    /// The Health table as the user sees it (their search, filters and sort; every page) to `.xlsx`.
    #[tracing::instrument(skip(self), err, fields(dest = %dest.display()))]
    pub async fn export_accounts(&self, query: &AccountQuery, dest: &Path) -> Result<ExportReport> {
        let q = AccountQuery {
            offset: None,
            limit: Some(u32::MAX),
            ..query.clone()
        };
        let rows = self.query_accounts(&q).await?.rows;
        write_accounts(dest, &rows)
    }

    /// One account's snapshot timeline, health history and KPI history to `.xlsx` (three sheets).
    #[tracing::instrument(skip(self), err, fields(dest = %dest.display()))]
    pub async fn export_account(&self, account_id: i64, dest: &Path) -> Result<ExportReport> {
        let account = self.account_by_id(account_id).await?;
        let snaps = self.list_snapshots(account_id, u32::MAX).await?;
        let health = self.health_history(account_id).await?;
        let kpis = {
            let mut conn = self.pool().acquire().await?;
            store::kpi_values::history(&mut conn, account_id).await?
        };
        let mut wb = Workbook::new();
        let mut total = 0usize;

        let ws = wb.add_worksheet();
        ws.set_name("Snapshots").map_err(|e| xlsx_error(dest, e))?;
        ws.set_header(format!("&L{}", account.name.replace('&', "&&")));
        let mut s = Sheet::new(
            ws,
            dest,
            &[
                "Snapshot", "Taken at", "Type", "Trigger", "Health", "Changes",
            ],
            &[10.0, 17.0, 14.0, 24.0, 9.0, 70.0],
        )?;
        for (i, item) in snaps.iter().enumerate() {
            let r = row_index(i);
            s.num(r, 0, Some(item.id as f64))?;
            s.datetime(r, 1, Some(&item.created_at))?;
            s.text(r, 2, Some(item.snapshot_type.as_str()))?;
            s.text(r, 3, Some(&item.trigger_event))?;
            s.num(r, 4, item.health_score)?;
            s.text(r, 5, Some(&item.changes.join("; ")))?;
        }
        total += snaps.len();

        let ws = wb.add_worksheet();
        ws.set_name("Health history")
            .map_err(|e| xlsx_error(dest, e))?;
        let mut s = Sheet::new(
            ws,
            dest,
            &["Period", "Health", "Band", "Updated at"],
            &[12.0, 9.0, 10.0, 17.0],
        )?;
        for (i, h) in health.iter().enumerate() {
            let r = row_index(i);
            s.date(r, 0, Some(&h.period))?;
            s.num(r, 1, Some(h.score))?;
            s.text(r, 2, Some(h.band.label()))?;
            s.datetime(r, 3, Some(&h.updated_at))?;
        }
        total += health.len();

        let ws = wb.add_worksheet();
        ws.set_name("KPI history")
            .map_err(|e| xlsx_error(dest, e))?;
        let mut s = Sheet::new(
            ws,
            dest,
            &[
                "Period",
                "KPI",
                "Category",
                "Value",
                "Unit",
                "Target",
                "Direction",
                "Weight",
                "Import",
            ],
            &[12.0, 28.0, 20.0, 12.0, 8.0, 12.0, 10.0, 8.0, 8.0],
        )?;
        for (i, k) in kpis.iter().enumerate() {
            let r = row_index(i);
            s.date(r, 0, Some(&k.period))?;
            s.text(r, 1, Some(&k.kpi))?;
            s.text(r, 2, k.category.as_deref())?;
            s.num(r, 3, Some(k.value))?;
            s.text(r, 4, k.unit.as_deref())?;
            s.num(r, 5, k.target)?;
            s.text(r, 6, Some(&k.direction))?;
            s.num(r, 7, Some(k.weight))?;
            s.num(r, 8, k.import_id.map(|v| v as f64))?;
        }
        total += kpis.len();
        save(wb, dest, u32::try_from(total).unwrap_or(u32::MAX))
    }
}
