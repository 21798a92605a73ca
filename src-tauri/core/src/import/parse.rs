//! Turning sheet rows into typed KPI and profile rows, rejecting (with sheet, row, column and reason) every row
//! that can't be used. Pure: no database here.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::headers::{self, Field, HeaderMap};
use super::values::{cell_date, cell_number, cell_text};
use super::workbook::{column_name, Cell, Row, Sheet, Workbook};
use crate::accounts::{clean_name, normalize_name};
use crate::error::{Error, Result};
use crate::model::{Direction, ImportKind, Profile, Rejection, SkippedSheet};

/// How an import row names its account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountKey {
    pub name: String,
    pub external_id: Option<String>,
    /// False when the row gave only an Account ID and `name` is that id: its name then binds nothing.
    pub named: bool,
}

impl AccountKey {
    pub fn name_key(&self) -> String {
        normalize_name(&self.name)
    }
}

/// Where a sheet keeps its account columns, so a row can be rejected later (once the database is consulted)
/// with the column and cell a user can find. Shared by every row of the sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetPlace {
    pub sheet: String,
    /// (0-based column, header title)
    pub account_col: Option<(u32, String)>,
    pub id_col: Option<(u32, String)>,
}

impl SheetPlace {
    fn of(sheet: &str, header: &HeaderMap) -> Arc<SheetPlace> {
        let col = |f: Field| {
            header
                .col(f)
                .map(|c| (c, header.title(f).unwrap_or("?").to_string()))
        };
        Arc::new(SheetPlace {
            sheet: sheet.to_string(),
            account_col: col(Field::Account),
            id_col: col(Field::AccountId),
        })
    }

    /// A rejection of `row` in the Account ID column (else the Account column), as the spreadsheet shows it.
    pub fn reject(&self, row: u32, id_column: bool, reason: &str) -> Rejection {
        let col = if id_column {
            self.id_col.as_ref().or(self.account_col.as_ref())
        } else {
            self.account_col.as_ref().or(self.id_col.as_ref())
        };
        let (cell, column) = match col {
            Some((c, title)) => (format!("cell {}{}: ", column_name(*c), row), title.clone()),
            None => (String::new(), "Account".to_string()),
        };
        Rejection {
            sheet: self.sheet.clone(),
            row,
            column,
            reason: format!("{cell}{reason}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiRow {
    pub row: u32,
    pub place: Arc<SheetPlace>,
    pub account: AccountKey,
    pub kpi_name: String,
    pub kpi_key: String,
    pub category: Option<String>,
    pub value: f64,
    pub unit: Option<String>,
    pub target: Option<f64>,
    pub direction: Direction,
    pub weight: f64,
    /// First day of the row's month.
    pub period: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRow {
    pub row: u32,
    pub place: Arc<SheetPlace>,
    pub account: AccountKey,
    /// Only the fields this row sets; a blank cell is `None` and leaves the stored value.
    pub patch: Profile,
}

#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub rejected: Vec<Rejection>,
    pub rows_read: u32,
    pub sheets: Vec<String>,
    pub skipped: Vec<SkippedSheet>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            rows: Vec::new(),
            rejected: Vec::new(),
            rows_read: 0,
            sheets: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

/// The first day of the month a date falls in: KPI periods are monthly.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day0(0).unwrap_or(d)
}

pub struct RowCtx<'a> {
    sheet: &'a str,
    row: &'a Row,
    header: &'a HeaderMap,
    place: &'a Arc<SheetPlace>,
}

impl RowCtx<'_> {
    fn cell(&self, f: Field) -> Option<&Cell> {
        self.header
            .col(f)
            .and_then(|c| self.row.get(c))
            .filter(|c| !is_blank(c))
    }

    fn reject(&self, f: Field, reason: impl Into<String>) -> Rejection {
        let col = self.header.col(f).unwrap_or(0);
        let title = self.header.title(f).unwrap_or("?");
        Rejection {
            sheet: self.sheet.to_string(),
            row: self.row.number,
            column: title.to_string(),
            reason: format!(
                "cell {}{}: {}",
                column_name(col),
                self.row.number,
                reason.into()
            ),
        }
    }

    fn text(&self, f: Field) -> std::result::Result<Option<String>, Rejection> {
        match self.cell(f) {
            None => Ok(None),
            Some(c) => match cell_text(c) {
                Ok(t) => Ok(Some(t.trim().to_string()).filter(|t| !t.is_empty())),
                Err(reason) => Err(self.reject(f, reason)),
            },
        }
    }

    fn number(
        &self,
        f: Field,
    ) -> std::result::Result<Option<super::values::ParsedNumber>, Rejection> {
        match self.cell(f) {
            None => Ok(None),
            Some(c) => cell_number(c)
                .map(Some)
                .map_err(|reason| self.reject(f, reason)),
        }
    }

    fn date(&self, f: Field) -> std::result::Result<Option<NaiveDate>, Rejection> {
        match self.cell(f) {
            None => Ok(None),
            Some(c) => cell_date(c)
                .map(Some)
                .map_err(|reason| self.reject(f, reason)),
        }
    }

    fn missing(&self, f: Field, what: &str) -> Rejection {
        self.reject(f, format!("{what} is empty"))
    }

    /// The row's account: the Account / Account ID columns, else the account chosen for the file.
    fn account(&self, fallback: Option<&str>) -> std::result::Result<AccountKey, Rejection> {
        let name = self.text(Field::Account)?;
        let external_id = self.text(Field::AccountId)?;
        match (name, external_id, fallback) {
            (Some(n), ext, _) => Ok(AccountKey {
                name: clean_name(&n),
                external_id: ext,
                named: true,
            }),
            (None, Some(ext), _) => Ok(AccountKey {
                name: ext.clone(),
                external_id: Some(ext),
                named: false,
            }),
            (None, None, Some(f)) => Ok(AccountKey {
                name: clean_name(f),
                external_id: None,
                named: true,
            }),
            (None, None, None) => Err(self.missing(Field::Account, "the account name")),
        }
    }

    /// True when none of the header's columns has a value in this row (a spacer or a footnote elsewhere).
    fn is_empty(&self) -> bool {
        self.header
            .fields
            .iter()
            .all(|(_, c, _)| self.row.get(*c).is_none_or(is_blank))
    }

    /// A repeat of the header row (tables pasted one under another).
    fn is_header_again(&self) -> bool {
        self.header.fields.iter().all(|(_, c, title)| {
            matches!(self.row.get(*c), Some(Cell::Text(t)) if t.trim().eq_ignore_ascii_case(title))
        })
    }
}

fn is_blank(c: &Cell) -> bool {
    matches!(c, Cell::Text(t) if t.trim().is_empty())
}

/// A category as written, or the shipped category it names in another case or spacing ("PRODUCT  usage" →
/// "Product Usage"), so its weight in Settings applies and its KPIs score together.
pub fn canonical_category(text: &str) -> String {
    let key = normalize_name(text);
    // The shipped names are single-spaced, so a case-insensitive compare with the normalised text suffices.
    crate::settings::DEFAULT_CATEGORY_WEIGHTS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&key))
        .map(|(name, _)| name.to_string())
        .unwrap_or_else(|| clean_name(text))
}

/// Guesses whether lower is better from a KPI's name, for files without a Direction column.
pub fn default_direction(kpi_name: &str) -> Direction {
    const LOWER: &[&str] = &[
        "churn",
        "ticket",
        "escalation",
        "response time",
        "resolution time",
        "time to",
        "backlog",
        "bug",
        "incident",
        "downtime",
        "outage",
        "cost",
        "days overdue",
        "overdue",
        "complaint",
        "defect",
        "latency",
        "error rate",
        "detractor",
    ];
    let n = kpi_name.to_lowercase();
    if LOWER.iter().any(|w| n.contains(w)) {
        Direction::Lower
    } else {
        Direction::Higher
    }
}

fn parse_direction(text: &str) -> Option<Direction> {
    match normalize_name(text).as_str() {
        "higher" | "higher is better" | "high" | "up" | "increase" | "max" | "maximise"
        | "maximize" | "↑" | "+" => Some(Direction::Higher),
        "lower" | "lower is better" | "low" | "down" | "decrease" | "min" | "minimise"
        | "minimize" | "↓" | "-" => Some(Direction::Lower),
        _ => None,
    }
}

/// Parses a workbook's rows as they are read: each sheet's header is looked for in its first
/// [`headers::HEADER_SEARCH_ROWS`] rows, then every later row becomes a typed row or a rejection. The rows are
/// collected in `rows` / `rejected` for the caller to take (in batches while streaming); [`SheetParser::finish`]
/// gives the sheets read and skipped, or the error of a workbook without a usable header.
pub struct SheetParser<T> {
    kind: ImportKind,
    file: String,
    fallback: Option<String>,
    default_period: NaiveDate,
    /// The sheet being read: its name, its first rows while its header is looked for, then its header.
    sheet: String,
    head: Vec<Row>,
    sheet_has_rows: bool,
    header: Option<(HeaderMap, Arc<SheetPlace>, bool)>,
    searching: bool,
    any_account_column: bool,
    memo: Memo,
    pub rows: Vec<T>,
    pub rejected: Vec<Rejection>,
    pub rows_read: u32,
    pub sheets: Vec<String>,
    pub skipped: Vec<SkippedSheet>,
}

/// A kind of row a [`SheetParser`] makes.
pub trait ParsedRow: Sized {
    const KIND: ImportKind;
    /// Whether the row is no data (a spacer, a repeated header).
    fn skip(ctx: &RowCtx<'_>) -> bool;
    fn parse(
        ctx: &RowCtx<'_>,
        fallback: Option<&str>,
        default_period: NaiveDate,
        memo: &mut Memo,
    ) -> std::result::Result<Self, Rejection>;
}

impl ParsedRow for KpiRow {
    const KIND: ImportKind = ImportKind::Kpi;

    fn skip(ctx: &RowCtx<'_>) -> bool {
        ctx.is_empty() || ctx.is_header_again()
    }

    fn parse(
        ctx: &RowCtx<'_>,
        fallback: Option<&str>,
        default_period: NaiveDate,
        memo: &mut Memo,
    ) -> std::result::Result<Self, Rejection> {
        kpi_row(ctx, fallback, default_period, memo)
    }
}

impl ParsedRow for ProfileRow {
    const KIND: ImportKind = ImportKind::Profile;

    fn skip(ctx: &RowCtx<'_>) -> bool {
        let custom_empty = ctx
            .header
            .other
            .iter()
            .all(|(c, _)| ctx.row.get(*c).is_none_or(is_blank));
        (ctx.is_empty() && custom_empty) || ctx.is_header_again()
    }

    fn parse(
        ctx: &RowCtx<'_>,
        _fallback: Option<&str>,
        _default_period: NaiveDate,
        _memo: &mut Memo,
    ) -> std::result::Result<Self, Rejection> {
        profile_row(ctx)
    }
}

impl<T: ParsedRow> SheetParser<T> {
    /// `fallback_account` is the account chosen in the UI / `--account` (KPI files); rows without a period
    /// belong to `today`'s month.
    pub fn new(file: &str, fallback_account: Option<&str>, today: NaiveDate) -> Self {
        SheetParser {
            kind: T::KIND,
            file: file.to_string(),
            fallback: fallback_account
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            default_period: month_of(today),
            sheet: String::new(),
            head: Vec::new(),
            sheet_has_rows: false,
            header: None,
            searching: false,
            any_account_column: false,
            memo: Memo::default(),
            rows: Vec::new(),
            rejected: Vec::new(),
            rows_read: 0,
            sheets: Vec::new(),
            skipped: Vec::new(),
        }
    }

    pub fn sheet(&mut self, name: &str) {
        self.sheet = name.to_string();
        self.head.clear();
        self.sheet_has_rows = false;
        self.header = None;
        self.searching = true;
        self.memo = Memo::default();
    }

    pub fn row(&mut self, row: &Row) {
        self.sheet_has_rows = true;
        if self.searching {
            if row.number <= headers::HEADER_SEARCH_ROWS {
                self.head.push(row.clone());
                return;
            }
            self.decide_header();
        }
        self.parse_row(row);
    }

    pub fn end_sheet(&mut self) {
        if self.searching {
            self.decide_header();
        }
        self.header = None;
    }

    /// Finds the sheet's header in its first rows, then parses the rows after it among them.
    fn decide_header(&mut self) {
        self.searching = false;
        let head = Sheet {
            name: std::mem::take(&mut self.sheet),
            rows: std::mem::take(&mut self.head),
        };
        match headers::find_header(&head, self.kind) {
            None => self.skipped.push(SkippedSheet {
                sheet: head.name.clone(),
                reason: if !self.sheet_has_rows {
                    "the sheet is empty".into()
                } else {
                    format!(
                        "no {} in its first {} rows",
                        headers::expected(self.kind),
                        headers::HEADER_SEARCH_ROWS
                    )
                },
            }),
            Some(header) => {
                self.sheets.push(head.name.clone());
                let has_account = header.has(Field::Account) || header.has(Field::AccountId);
                self.any_account_column |= has_account;
                let place = SheetPlace::of(&head.name, &header);
                let index = header.index;
                self.header = Some((header, place, !has_account));
                for row in &head.rows[index + 1..] {
                    self.parse_row_of(&head.name, row);
                }
            }
        }
        self.sheet = head.name;
    }

    fn parse_row(&mut self, row: &Row) {
        let name = std::mem::take(&mut self.sheet);
        self.parse_row_of(&name, row);
        self.sheet = name;
    }

    fn parse_row_of(&mut self, sheet: &str, row: &Row) {
        let Some((header, place, use_fallback)) = &self.header else {
            return;
        };
        let ctx = RowCtx {
            sheet,
            row,
            header,
            place,
        };
        if T::skip(&ctx) {
            return;
        }
        self.rows_read += 1;
        let fallback = if *use_fallback {
            self.fallback.as_deref()
        } else {
            None
        };
        match T::parse(&ctx, fallback, self.default_period, &mut self.memo) {
            Ok(r) => self.rows.push(r),
            Err(rej) => self.rejected.push(rej),
        }
    }

    /// The end of the workbook: the sheets read and skipped, or why nothing could be imported.
    pub fn finish(&mut self) -> Result<ParseSummary> {
        if self.sheets.is_empty() {
            let detail = if self.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " (sheets looked at: {})",
                    self.skipped
                        .iter()
                        .map(|s| s.sheet.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(Error::HeaderNotFound {
                file: self.file.clone(),
                expected: headers::expected(self.kind).into(),
                detail,
            });
        }
        if self.kind == ImportKind::Kpi && self.fallback.is_none() && !self.any_account_column {
            return Err(Error::AccountRequired {
                file: self.file.clone(),
            });
        }
        Ok(ParseSummary {
            rows_read: self.rows_read,
            sheets: self.sheets.clone(),
            skipped: self.skipped.clone(),
        })
    }

    /// Reads a whole workbook already in memory.
    pub fn parse_workbook(mut self, wb: &Workbook) -> Result<Parsed<T>> {
        for sheet in &wb.sheets {
            self.sheet(&sheet.name);
            for row in &sheet.rows {
                self.row(row);
            }
            self.end_sheet();
        }
        let summary = self.finish()?;
        Ok(Parsed {
            rows: self.rows,
            rejected: self.rejected,
            rows_read: summary.rows_read,
            sheets: summary.sheets,
            skipped: summary.skipped,
        })
    }
}

/// What a whole workbook's parse says beside its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseSummary {
    pub rows_read: u32,
    pub sheets: Vec<String>,
    pub skipped: Vec<SkippedSheet>,
}

/// KPI rows of every sheet with a KPI header. `fallback_account` is the account chosen in the UI / `--account`.
pub fn parse_kpis(
    wb: &Workbook,
    fallback_account: Option<&str>,
    today: NaiveDate,
) -> Result<Parsed<KpiRow>> {
    SheetParser::new(&wb.file, fallback_account, today).parse_workbook(wb)
}

/// Profile rows of every sheet with a profile header; unknown columns become custom fields.
pub fn parse_profiles(wb: &Workbook) -> Result<Parsed<ProfileRow>> {
    // Profiles have no period: the date is never used.
    SheetParser::new(&wb.file, None, NaiveDate::MIN).parse_workbook(wb)
}

/// The parsed form of the texts a sheet repeats row after row (an account's name over its KPIs, a KPI's name
/// over its months, a category, a unit): each is cleaned and normalised once, then reused while it repeats.
/// The raw Account and Account ID texts an account key was made from.
type AccountTexts = (Option<String>, Option<String>);

#[derive(Default)]
pub struct Memo {
    account: Option<(AccountTexts, AccountKey)>,
    kpi: Option<(String, (String, String, Direction))>,
    category: Option<(String, String)>,
    direction: Option<(String, Option<Direction>)>,
    unit: Option<(String, String)>,
}

/// `make(raw)`, or its last result when `raw` is the text it was last made from.
fn memo<T: Clone>(slot: &mut Option<(String, T)>, raw: &str, make: impl FnOnce(&str) -> T) -> T {
    if let Some((last, value)) = slot {
        if last == raw {
            return value.clone();
        }
    }
    let value = make(raw);
    *slot = Some((raw.to_string(), value.clone()));
    value
}

impl RowCtx<'_> {
    /// The cell's text as stored when it is a text cell, `Some(None)` when blank or absent, `None` for a cell of
    /// another type (which takes the general path).
    fn raw(&self, f: Field) -> Option<Option<&str>> {
        match self.cell(f) {
            None => Some(None),
            Some(Cell::Text(t)) => Some(Some(t.as_str())),
            Some(_) => None,
        }
    }
}

fn kpi_row(
    ctx: &RowCtx<'_>,
    fallback: Option<&str>,
    default_period: NaiveDate,
    memo_: &mut Memo,
) -> std::result::Result<KpiRow, Rejection> {
    let account = match (ctx.raw(Field::Account), ctx.raw(Field::AccountId)) {
        // A name or an id in text cells: the account doesn't depend on the fallback.
        (Some(name), Some(ext)) if name.is_some() || ext.is_some() => match &memo_.account {
            Some(((n, e), key)) if n.as_deref() == name && e.as_deref() == ext => key.clone(),
            _ => {
                let key = ctx.account(fallback)?;
                memo_.account = Some((
                    (name.map(str::to_string), ext.map(str::to_string)),
                    key.clone(),
                ));
                key
            }
        },
        _ => ctx.account(fallback)?,
    };
    let (kpi_name, kpi_key, guessed_direction) = match ctx.raw(Field::Kpi) {
        Some(Some(raw)) => memo(&mut memo_.kpi, raw, |raw| {
            let name = raw.trim();
            (
                clean_name(name),
                normalize_name(name),
                default_direction(name),
            )
        }),
        _ => {
            let name = ctx
                .text(Field::Kpi)?
                .ok_or_else(|| ctx.missing(Field::Kpi, "the KPI name"))?;
            (
                clean_name(&name),
                normalize_name(&name),
                default_direction(&name),
            )
        }
    };
    let value = ctx
        .number(Field::Value)?
        .ok_or_else(|| ctx.missing(Field::Value, "the value"))?;
    if !value.value.is_finite() {
        return Err(ctx.reject(Field::Value, "the value is not a finite number"));
    }
    let target = ctx.number(Field::Target)?;
    let weight = match ctx.number(Field::Weight)? {
        None => 1.0,
        Some(w) if w.value.is_finite() && w.value >= 0.0 => w.value,
        Some(_) => return Err(ctx.reject(Field::Weight, "a weight must be a number of 0 or more")),
    };
    let direction_text = match ctx.raw(Field::Direction) {
        Some(Some(raw)) => Some((
            raw.trim().to_string(),
            memo(&mut memo_.direction, raw, |raw| parse_direction(raw.trim())),
        )),
        Some(None) => None,
        None => ctx.text(Field::Direction)?.map(|t| {
            let parsed = parse_direction(&t);
            (t, parsed)
        }),
    };
    let direction = match direction_text {
        None => guessed_direction,
        Some((_, Some(d))) => d,
        Some((t, None)) => {
            return Err(ctx.reject(
                Field::Direction,
                format!("\"{t}\" is not a direction (use \"higher\" or \"lower\" is better)"),
            ))
        }
    };
    let period = ctx
        .date(Field::Period)?
        .map(month_of)
        .unwrap_or(default_period);
    let unit_text = match ctx.raw(Field::Unit) {
        Some(Some(raw)) => Some(memo(&mut memo_.unit, raw, |raw| raw.trim().to_string())),
        Some(None) => None,
        None => ctx.text(Field::Unit)?,
    };
    let unit = unit_text.or_else(|| {
        if value.is_percent {
            Some("%".to_string())
        } else {
            value.currency.clone()
        }
    });
    let category = match ctx.raw(Field::Category) {
        Some(Some(raw)) => Some(memo(&mut memo_.category, raw, |raw| {
            canonical_category(raw.trim())
        })),
        Some(None) => None,
        None => ctx.text(Field::Category)?.map(|c| canonical_category(&c)),
    };
    Ok(KpiRow {
        row: ctx.row.number,
        place: Arc::clone(ctx.place),
        account,
        kpi_key,
        kpi_name,
        category,
        value: value.value,
        unit,
        target: target.map(|t| t.value).filter(|t| t.is_finite()),
        direction,
        weight,
        period,
    })
}

fn profile_row(ctx: &RowCtx<'_>) -> std::result::Result<ProfileRow, Rejection> {
    let account = ctx.account(None)?;
    let iso = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let employees = match ctx.number(Field::Employees)? {
        None => None,
        Some(n) if n.value.is_finite() && n.value >= 0.0 && n.value < 1e12 => {
            Some(n.value.round() as i64)
        }
        Some(_) => {
            return Err(ctx.reject(
                Field::Employees,
                "the number of employees must be 0 or more",
            ))
        }
    };
    let arr = match ctx.number(Field::Arr)? {
        None => None,
        Some(n) if n.value.is_finite() => Some(n.value),
        Some(_) => return Err(ctx.reject(Field::Arr, "ARR is not a finite number")),
    };
    let mut custom = BTreeMap::new();
    for (col, title) in &ctx.header.other {
        let Some(cell) = ctx.row.get(*col).filter(|c| !is_blank(c)) else {
            continue;
        };
        match cell_text(cell) {
            Ok(t) if !t.trim().is_empty() => {
                custom.insert(title.trim().to_string(), t.trim().to_string());
            }
            Ok(_) => {}
            Err(reason) => {
                return Err(Rejection {
                    sheet: ctx.sheet.to_string(),
                    row: ctx.row.number,
                    column: title.clone(),
                    reason: format!("cell {}{}: {}", column_name(*col), ctx.row.number, reason),
                })
            }
        }
    }
    let patch = Profile {
        industry: ctx.text(Field::Industry)?,
        region: ctx.text(Field::Region)?,
        segment: ctx.text(Field::Segment)?,
        arr,
        contract_start: iso(ctx.date(Field::ContractStart)?),
        renewal_date: iso(ctx.date(Field::RenewalDate)?),
        owner: ctx.text(Field::Owner)?.map(|o| clean_name(&o)),
        employees,
        website: ctx.text(Field::Website)?,
        notes: ctx.text(Field::Notes)?,
        custom,
    };
    Ok(ProfileRow {
        row: ctx.row.number,
        place: Arc::clone(ctx.place),
        account,
        patch,
    })
}

/// Lays `patch` over `base`: set fields replace, blank ones keep what was stored.
pub fn merge_profile(base: &Profile, patch: &Profile) -> Profile {
    let mut p = base.clone();
    macro_rules! take {
        ($($f:ident),*) => { $( if patch.$f.is_some() { p.$f = patch.$f.clone(); } )* };
    }
    take!(
        industry,
        region,
        segment,
        arr,
        contract_start,
        renewal_date,
        owner,
        employees,
        website,
        notes
    );
    for (k, v) in &patch.custom {
        p.custom.insert(k.clone(), v.clone());
    }
    p
}
