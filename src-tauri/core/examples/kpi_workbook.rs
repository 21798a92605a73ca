//! Writes the benchmark's KPI workbook (accounts × 8 KPIs × 5 months, rust_xlsxwriter) for measuring the CLI:
//! `cargo run --release -p tideline-core --example kpi_workbook -- 25000 kpis-1m.xlsx`, then
//! `/usr/bin/time -v tideline-cli --data-dir DIR import kpi kpis-1m.xlsx --defer-events`.

use chrono::{Months, NaiveDate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let accounts: usize = args
        .next()
        .ok_or("usage: kpi_workbook ACCOUNTS FILE")?
        .parse()?;
    let file = args.next().ok_or("usage: kpi_workbook ACCOUNTS FILE")?;
    let names: Vec<String> = (0..accounts).map(|i| format!("Account {i:05}")).collect();
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("date")?;
    let months: Vec<NaiveDate> = (0..5)
        .filter_map(|i| start.checked_add_months(Months::new(i)))
        .collect();
    tideline_core::sample::write_kpi_workbook(std::path::Path::new(&file), &names, 8, &months)?;
    println!("{file}: {} rows", accounts * 8 * 5);
    Ok(())
}
