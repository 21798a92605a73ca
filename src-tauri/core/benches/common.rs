//! Shared by the benchmarks: generated data and peak-memory reading.
#![allow(dead_code)]

use chrono::{Months, NaiveDate};
use tideline_core::Tideline;

pub fn months(n: u32) -> Vec<NaiveDate> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    (0..n)
        .filter_map(|i| start.checked_add_months(Months::new(i)))
        .collect()
}

pub fn account_names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("Account {i:05}")).collect()
}

/// The process's peak resident memory so far (VmHWM), in MiB, on Linux.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// `accounts` accounts (each with `profile`) and monthly KPI rows straight into the database (generated with SQL: the import path has its own
/// benchmark). Every KPI has a target, so every account gets a health score.
pub async fn seed_kpis(app: &Tideline, profile: &str, accounts: i64, kpis: i64, months: i64) {
    let pool = app.pool();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) \
         INSERT INTO accounts (name, name_key, profile, created_at, updated_at) \
         SELECT 'Account ' || i, 'account ' || i, ?2, \
                '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z' FROM n",
    )
    .bind(accounts)
    .bind(profile)
    .execute(pool)
    .await
    .expect("accounts");
    let categories = [
        "Product Usage",
        "Customer Sentiment",
        "Support",
        "Business Outcomes",
        "Relationship",
    ];
    sqlx::query(
        "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ?1 - 1), \
                        m(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM m WHERE p < ?2 - 1) \
         INSERT INTO kpi_values (account_id, kpi_name, kpi_key, category, value, unit, target, direction, weight, \
                                 period, updated_at) \
         SELECT a.id, 'KPI ' || k.j, 'kpi ' || k.j, json_extract(?3, '$[' || (k.j % 5) || ']'), \
                50 + ((a.id * 37 + k.j * 11 + m.p * 7) % 90), 'pts', 100, 'higher', 1, \
                date('2024-01-01', '+' || m.p || ' months'), '2025-01-01T00:00:00.000000Z' \
         FROM accounts a, k, m",
    )
    .bind(kpis)
    .bind(months)
    .bind(serde_json::to_string(&categories).expect("json"))
    .execute(pool)
    .await
    .expect("kpis");
}
