//! Shared by the integration tests: a real database in a temporary folder, a clock the test moves, and
//! workbooks written with rust_xlsxwriter (a different library from the reader).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rust_xlsxwriter::Workbook;
use tideline_core::import::ImportRequest;
use tideline_core::model::{ImportKind, ImportReport};
use tideline_core::{ManualClock, Tideline};

pub struct TestApp {
    pub app: Tideline,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
}

/// 2025-01-15 at hh:mm:ss UTC (the seed note's day).
pub fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 15, h, m, s)
        .single()
        .expect("a valid time")
}

pub async fn open_at(t: DateTime<Utc>) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(t));
    let app = Tideline::open_with_clock(dir.path(), clock.clone())
        .await
        .expect("open");
    TestApp { app, clock, dir }
}

/// The newest snapshot of the account named `name`.
pub async fn latest_snapshot(app: &Tideline, name: &str) -> tideline_core::model::Snapshot {
    let id = app.find_account(name).await.expect("account").id;
    app.latest_snapshot(id)
        .await
        .expect("snapshot")
        .expect("a snapshot")
}

impl TestApp {
    pub fn set_time(&self, t: DateTime<Utc>) {
        self.clock.set(t);
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub async fn import(&self, path: &Path, kind: ImportKind) -> ImportReport {
        let req = ImportRequest {
            path,
            kind: Some(kind),
            account: None,
            dry_run: false,
        };
        self.app.import_file(&req, None).await.expect("import")
    }

    pub async fn account_id(&self, name: &str) -> i64 {
        self.app.find_account(name).await.expect("account").id
    }

    /// The newest snapshot of the account named `name`.
    pub async fn latest_snapshot(&self, name: &str) -> tideline_core::model::Snapshot {
        latest_snapshot(&self.app, name).await
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.app.pool())
            .await
            .expect("count")
    }
}

/// A cell to write: text, number, or nothing.
#[derive(Clone, Debug)]
pub enum C {
    S(&'static str),
    T(String),
    N(f64),
    E,
}

/// Writes one sheet per (name, rows) with rust_xlsxwriter.
pub fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<C>>)]) {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    C::S(s) => {
                        ws.write_string(r, c, *s).expect("write");
                    }
                    C::T(s) => {
                        ws.write_string(r, c, s).expect("write");
                    }
                    C::N(n) => {
                        ws.write_number(r, c, *n).expect("write");
                    }
                    C::E => {}
                }
            }
        }
    }
    wb.save(path).expect("save workbook");
}

/// A KPI workbook: one row per (account, kpi, value, target, period).
pub fn kpi_file(path: &Path, rows: &[(&str, &str, f64, f64, &str)]) {
    let mut data = vec![vec![
        C::S("Account"),
        C::S("KPI"),
        C::S("Category"),
        C::S("Value"),
        C::S("Target"),
        C::S("Period"),
    ]];
    for (account, kpi, value, target, period) in rows {
        data.push(vec![
            C::T(account.to_string()),
            C::T(kpi.to_string()),
            C::S("Product Usage"),
            C::N(*value),
            C::N(*target),
            C::T(period.to_string()),
        ]);
    }
    write_xlsx(path, &[("KPIs", data)]);
}

/// A profile workbook: (account, owner, arr).
pub fn profile_file(path: &Path, rows: &[(&str, &str, f64)]) {
    let mut data = vec![vec![
        C::S("Account Name"),
        C::S("CSM"),
        C::S("ARR"),
        C::S("Region"),
    ]];
    for (account, owner, arr) in rows {
        data.push(vec![
            C::T(account.to_string()),
            C::T(owner.to_string()),
            C::N(*arr),
            C::S("EMEA"),
        ]);
    }
    write_xlsx(path, &[("Customers", data)]);
}
