//! Sample data, generated (not shipped as binary files): 36 accounts with profiles and 12 months of KPIs across
//! the five categories, written as real .xlsx workbooks with rust_xlsxwriter and imported through the same path
//! as a CSM's files. Also the workbook generator the benchmarks and tests use. Everything here is deterministic:
//! the same date gives byte-for-byte the same data.

use std::path::{Path, PathBuf};

use chrono::{Datelike, Months, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::error::{Error, Result};
use crate::import::ImportRequest;
use crate::model::{Direction, ImportKind, ImportReport};
use crate::Tideline;

pub const SAMPLE_ACCOUNTS: [&str; 36] = [
    "TechCorp Solutions",
    "Acme Corp",
    "Globex Industries",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Analytics",
    "Hooli Cloud",
    "Vandelay Imports",
    "Soylent Foods",
    "Cyberdyne Systems",
    "Tyrell Biotech",
    "Wonka Retail",
    "Oceanic Airlines",
    "Massive Dynamic",
    "Aperture Labs",
    "Blue Sun Energy",
    "Gringotts Finance",
    "Monarch Media",
    "Nakatomi Trading",
    "Pied Piper",
    "Prestige Worldwide",
    "Sterling Cooper",
    "Dunder Mifflin",
    "Bluth Development",
    "Los Pollos Hermanos",
    "Gekko Capital",
    "Virtucon",
    "Zorg Manufacturing",
    "Duff Beverages",
    "Krusty Brands",
    "Nimbus Software",
    "Northwind Traders",
    "Contoso Retail",
    "Fabrikam Robotics",
    "Tailspin Toys",
];

/// One KPI of the sample model: name, category, target, unit, direction.
struct SampleKpi(&'static str, &'static str, f64, &'static str, Direction);

const SAMPLE_KPIS: [SampleKpi; 11] = [
    SampleKpi(
        "Active Users",
        "Product Usage",
        500.0,
        "users",
        Direction::Higher,
    ),
    SampleKpi(
        "Feature Adoption",
        "Product Usage",
        60.0,
        "%",
        Direction::Higher,
    ),
    SampleKpi(
        "Weekly Logins per User",
        "Product Usage",
        4.0,
        "logins",
        Direction::Higher,
    ),
    SampleKpi("NPS", "Customer Sentiment", 40.0, "pts", Direction::Higher),
    SampleKpi("CSAT", "Customer Sentiment", 85.0, "%", Direction::Higher),
    SampleKpi("Open Tickets", "Support", 10.0, "tickets", Direction::Lower),
    SampleKpi(
        "Avg Resolution Time",
        "Support",
        24.0,
        "hours",
        Direction::Lower,
    ),
    SampleKpi(
        "ROI Achieved",
        "Business Outcomes",
        100.0,
        "%",
        Direction::Higher,
    ),
    SampleKpi(
        "Goals Met",
        "Business Outcomes",
        80.0,
        "%",
        Direction::Higher,
    ),
    SampleKpi(
        "Exec Meetings per Quarter",
        "Relationship",
        2.0,
        "meetings",
        Direction::Higher,
    ),
    SampleKpi(
        "Champion Engagement",
        "Relationship",
        8.0,
        "score",
        Direction::Higher,
    ),
];

const INDUSTRIES: [&str; 6] = [
    "Software",
    "Healthcare",
    "Manufacturing",
    "Financial Services",
    "Retail",
    "Logistics",
];
const REGIONS: [&str; 4] = ["North America", "EMEA", "APAC", "LATAM"];
const SEGMENTS: [&str; 3] = ["Enterprise", "Mid-Market", "SMB"];
const OWNERS: [&str; 4] = [
    "Dana Whitfield",
    "Marcus Lee",
    "Priya Raman",
    "Sofia Alvarez",
];

/// A deterministic value in [0, 1) for (a, b): a fixed integer hash, so the data needs no random generator.
fn unit(a: u64, b: u64) -> f64 {
    let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Internal(format!("writing a workbook: {e}"))
}

fn month_cell(d: NaiveDate) -> Result<ExcelDateTime> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, 1).map_err(xlsx_err)
}

/// The 12 months ending with `today`'s month, oldest first.
fn last_months(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let this_month = today.with_day(1).unwrap_or(today);
    (0..n)
        .rev()
        .filter_map(|back| this_month.checked_sub_months(Months::new(back)))
        .collect()
}

/// Writes a KPI workbook (Account, KPI, Category, Value, Target, Unit, Period, Direction) for the given
/// accounts. Each account has a steady level and a drift, so the set holds healthy, at-risk and critical accounts.
pub fn write_kpi_workbook(
    path: &Path,
    accounts: &[String],
    kpis_per_account: usize,
    months: &[NaiveDate],
) -> Result<()> {
    let mut wb = Workbook::new();
    let header = Format::new().set_bold();
    let month_fmt = Format::new().set_num_format("yyyy-mm");
    let ws = wb.add_worksheet();
    ws.set_name("KPIs").map_err(xlsx_err)?;
    for (c, h) in [
        "Account",
        "KPI",
        "Category",
        "Value",
        "Target",
        "Unit",
        "Period",
        "Direction",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &header)
            .map_err(xlsx_err)?;
    }
    let month_cells: Vec<ExcelDateTime> = months
        .iter()
        .map(|m| month_cell(*m))
        .collect::<Result<_>>()?;
    let mut row: u32 = 1;
    for (ai, account) in accounts.iter().enumerate() {
        let level = 0.35 + 0.9 * unit(ai as u64, 1);
        let drift = (unit(ai as u64, 2) - 0.5) * 0.06;
        for k in 0..kpis_per_account {
            let SampleKpi(base_name, category, target, kpi_unit, direction) =
                &SAMPLE_KPIS[k % SAMPLE_KPIS.len()];
            let name = if k < SAMPLE_KPIS.len() {
                base_name.to_string()
            } else {
                format!("{base_name} {}", k / SAMPLE_KPIS.len() + 1)
            };
            let kpi_level = level * (0.85 + 0.3 * unit(ai as u64, 100 + k as u64));
            for (mi, month) in month_cells.iter().enumerate() {
                let wiggle = 0.04 * (unit(ai as u64 * 1000 + k as u64, mi as u64) - 0.5);
                let reach = (kpi_level * (1.0 + drift * mi as f64) + wiggle).max(0.05);
                let value = match direction {
                    Direction::Higher => target * reach,
                    Direction::Lower => target / reach,
                };
                let value = (value * 10.0).round() / 10.0;
                ws.write_string(row, 0, account).map_err(xlsx_err)?;
                ws.write_string(row, 1, &name).map_err(xlsx_err)?;
                ws.write_string(row, 2, *category).map_err(xlsx_err)?;
                ws.write_number(row, 3, value).map_err(xlsx_err)?;
                ws.write_number(row, 4, *target).map_err(xlsx_err)?;
                ws.write_string(row, 5, *kpi_unit).map_err(xlsx_err)?;
                ws.write_datetime_with_format(row, 6, month, &month_fmt)
                    .map_err(xlsx_err)?;
                ws.write_string(row, 7, direction.as_str())
                    .map_err(xlsx_err)?;
                row += 1;
            }
        }
    }
    wb.save(path).map_err(xlsx_err)
}

/// Writes a customer-profile workbook for the given accounts (known fields plus two custom columns).
pub fn write_profile_workbook(path: &Path, accounts: &[String], today: NaiveDate) -> Result<()> {
    let mut wb = Workbook::new();
    let header = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("$#,##0");
    let ws = wb.add_worksheet();
    ws.set_name("Customers").map_err(xlsx_err)?;
    let headers = [
        "Account Name",
        "Industry",
        "Region",
        "Segment",
        "ARR",
        "Contract Start",
        "Renewal Date",
        "CSM",
        "Employees",
        "Website",
        "Notes",
        "Product Edition",
        "Executive Sponsor",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)
            .map_err(xlsx_err)?;
    }
    for (i, account) in accounts.iter().enumerate() {
        let r = i as u32 + 1;
        let u = |salt: u64| unit(i as u64, salt);
        let segment = SEGMENTS[(u(10) * 3.0) as usize % 3];
        let arr = match segment {
            "Enterprise" => 250_000.0 + (u(11) * 900_000.0).round(),
            "Mid-Market" => 60_000.0 + (u(11) * 180_000.0).round(),
            _ => 8_000.0 + (u(11) * 40_000.0).round(),
        };
        let start = today
            .checked_sub_months(Months::new(6 + (u(12) * 30.0) as u32))
            .unwrap_or(today);
        let renewal = today
            .checked_add_months(Months::new((u(13) * 11.0) as u32))
            .and_then(|d| d.checked_add_days(chrono::Days::new((u(14) * 27.0) as u64)))
            .unwrap_or(today);
        let slug: String = account
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let dt = |d: NaiveDate| {
            ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                .map_err(xlsx_err)
        };
        ws.write_string(r, 0, account).map_err(xlsx_err)?;
        ws.write_string(r, 1, INDUSTRIES[(u(15) * 6.0) as usize % 6])
            .map_err(xlsx_err)?;
        ws.write_string(r, 2, REGIONS[(u(16) * 4.0) as usize % 4])
            .map_err(xlsx_err)?;
        ws.write_string(r, 3, segment).map_err(xlsx_err)?;
        ws.write_number_with_format(r, 4, arr, &money)
            .map_err(xlsx_err)?;
        ws.write_datetime_with_format(r, 5, &dt(start)?, &date_fmt)
            .map_err(xlsx_err)?;
        ws.write_datetime_with_format(r, 6, &dt(renewal)?, &date_fmt)
            .map_err(xlsx_err)?;
        ws.write_string(r, 7, OWNERS[i % OWNERS.len()])
            .map_err(xlsx_err)?;
        ws.write_number(r, 8, (20.0 + u(17) * 4000.0).round())
            .map_err(xlsx_err)?;
        ws.write_string(r, 9, format!("https://{slug}.example"))
            .map_err(xlsx_err)?;
        if u(18) > 0.6 {
            ws.write_string(
                r,
                10,
                "Quarterly business review due; champion changed roles in spring.",
            )
            .map_err(xlsx_err)?;
        }
        ws.write_string(
            r,
            11,
            ["Starter", "Growth", "Scale"][(u(19) * 3.0) as usize % 3],
        )
        .map_err(xlsx_err)?;
        ws.write_string(
            r,
            12,
            ["VP Operations", "CTO", "COO", "Head of CX"][(u(20) * 4.0) as usize % 4],
        )
        .map_err(xlsx_err)?;
    }
    wb.save(path).map_err(xlsx_err)
}

/// The sample workbooks, written into `dir`.
pub struct SampleFiles {
    pub profiles: PathBuf,
    pub kpis: PathBuf,
}

pub fn write_sample(dir: &Path, today: NaiveDate) -> Result<SampleFiles> {
    std::fs::create_dir_all(dir).map_err(|e| Error::DataDir {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let accounts: Vec<String> = SAMPLE_ACCOUNTS.iter().map(|s| s.to_string()).collect();
    let files = SampleFiles {
        profiles: dir.join("sample-customer-profiles.xlsx"),
        kpis: dir.join("sample-kpis-12-months.xlsx"),
    };
    write_profile_workbook(&files.profiles, &accounts, today)?;
    write_kpi_workbook(
        &files.kpis,
        &accounts,
        SAMPLE_KPIS.len(),
        &last_months(today, 12),
    )?;
    Ok(files)
}

impl Tideline {
    /// Writes the sample workbooks into `<data dir>/samples/`, imports them (profiles, then KPIs) and calculates
    /// health scores: the first-run "Load sample data" and `tideline-cli sample load`.
    pub async fn load_sample(&self) -> Result<Vec<ImportReport>> {
        let today = self.now().date_naive();
        let dir = self.data_dir().join("samples");
        let files = tokio::task::spawn_blocking(move || write_sample(&dir, today))
            .await
            .map_err(|e| Error::Internal(format!("writing the sample workbooks: {e}")))??;
        let mut reports = Vec::new();
        for (path, kind) in [
            (&files.profiles, ImportKind::Profile),
            (&files.kpis, ImportKind::Kpi),
        ] {
            let req = ImportRequest {
                path,
                kind: Some(kind),
                account: None,
                dry_run: false,
            };
            reports.push(self.import_file(&req, None).await?);
        }
        self.calculate_health(None, None).await?;
        Ok(reports)
    }
}
