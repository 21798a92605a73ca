//! Shared by the benchmarks: generated data and peak-memory reading.
#![allow(dead_code)]

use chrono::{Months, NaiveDate};

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
