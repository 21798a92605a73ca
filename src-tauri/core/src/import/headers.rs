//! Finding the header row (in a sheet's first 20 rows) and mapping its cells to known fields through aliases,
//! case- and spacing-insensitively. Columns that match nothing are kept: a profile keeps them as custom fields.

use super::workbook::{Cell, Sheet};
use crate::model::ImportKind;

/// How many rows from the top of a sheet may hold the header.
pub const HEADER_SEARCH_ROWS: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Account,
    AccountId,
    Kpi,
    Value,
    Category,
    Target,
    Unit,
    Period,
    Direction,
    Weight,
    Industry,
    Region,
    Segment,
    Arr,
    ContractStart,
    RenewalDate,
    Owner,
    Employees,
    Website,
    Notes,
}

const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::Account,
        &[
            "account",
            "account name",
            "customer",
            "customer name",
            "company",
            "company name",
            "client",
            "client name",
        ],
    ),
    (
        Field::AccountId,
        &[
            "account id",
            "customer id",
            "external id",
            "crm id",
            "account number",
            "client id",
        ],
    ),
    (
        Field::Kpi,
        &[
            "kpi",
            "kpi name",
            "metric",
            "metric name",
            "measure",
            "indicator",
        ],
    ),
    (
        Field::Value,
        &[
            "value",
            "actual",
            "actual value",
            "current value",
            "kpi value",
            "metric value",
            "result",
        ],
    ),
    (
        Field::Category,
        &[
            "category",
            "kpi category",
            "area",
            "pillar",
            "dimension",
            "group",
        ],
    ),
    (
        Field::Target,
        &["target", "goal", "target value", "benchmark", "threshold"],
    ),
    (Field::Unit, &["unit", "units", "uom", "unit of measure"]),
    (
        Field::Period,
        &[
            "period",
            "date",
            "month",
            "as of",
            "reporting period",
            "period date",
            "as of date",
        ],
    ),
    (
        Field::Direction,
        &[
            "direction",
            "better",
            "better when",
            "polarity",
            "good direction",
        ],
    ),
    (Field::Weight, &["weight", "kpi weight", "importance"]),
    (Field::Industry, &["industry", "sector", "vertical"]),
    (Field::Region, &["region", "geo", "geography", "territory"]),
    (
        Field::Segment,
        &[
            "segment",
            "tier",
            "customer tier",
            "customer segment",
            "plan",
        ],
    ),
    (
        Field::Arr,
        &[
            "arr",
            "annual recurring revenue",
            "arr usd",
            "acv",
            "contract value",
            "annual contract value",
        ],
    ),
    (
        Field::ContractStart,
        &[
            "contract start",
            "contract start date",
            "start date",
            "customer since",
        ],
    ),
    (
        Field::RenewalDate,
        &[
            "renewal date",
            "renewal",
            "contract end",
            "contract end date",
            "renews on",
            "renewal due",
        ],
    ),
    (
        Field::Owner,
        &[
            "csm",
            "owner",
            "account owner",
            "customer success manager",
            "csm name",
            "csm owner",
        ],
    ),
    (
        Field::Employees,
        &[
            "employees",
            "employee count",
            "headcount",
            "company size",
            "number of employees",
        ],
    ),
    (
        Field::Website,
        &["website", "url", "web site", "domain", "homepage"],
    ),
    (Field::Notes, &["notes", "note", "comments", "comment"]),
];

/// Lower case, `_`/`-`/`.` as spaces, no brackets or trailing `:`/`*`, single spaces: `"ARR (USD)*"` → `"arr usd"`.
pub fn normalize_header(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '_' | '-' | '.' | '/' => ' ',
            '(' | ')' | '[' | ']' | ':' | '*' | '#' => ' ',
            c => c,
        })
        .collect();
    cleaned
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn field_of(header: &str) -> Option<Field> {
    let h = normalize_header(header);
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(f, _)| *f)
}

/// The header of one sheet: where it is and which column holds which field.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderMap {
    /// Index into `Sheet::rows` of the header row.
    pub index: usize,
    /// Row number as the spreadsheet shows it.
    pub row_number: u32,
    pub fields: Vec<(Field, u32, String)>,
    /// Columns that are no known field: (column, header text as written).
    pub other: Vec<(u32, String)>,
}

impl HeaderMap {
    pub fn col(&self, f: Field) -> Option<u32> {
        self.fields
            .iter()
            .find(|(g, _, _)| *g == f)
            .map(|(_, c, _)| *c)
    }

    /// The header text as written in the file, for messages.
    pub fn title(&self, f: Field) -> Option<&str> {
        self.fields
            .iter()
            .find(|(g, _, _)| *g == f)
            .map(|(_, _, t)| t.as_str())
    }

    pub fn has(&self, f: Field) -> bool {
        self.col(f).is_some()
    }

    fn is_kpi(&self) -> bool {
        self.has(Field::Kpi) && self.has(Field::Value)
    }

    fn profile_fields(&self) -> usize {
        self.fields
            .iter()
            .filter(|(f, _, _)| is_profile_field(*f))
            .count()
    }

    fn is_profile(&self) -> bool {
        (self.has(Field::Account) || self.has(Field::AccountId)) && !self.is_kpi()
    }
}

fn is_profile_field(f: Field) -> bool {
    matches!(
        f,
        Field::Industry
            | Field::Region
            | Field::Segment
            | Field::Arr
            | Field::ContractStart
            | Field::RenewalDate
            | Field::Owner
            | Field::Employees
            | Field::Website
            | Field::Notes
    )
}

fn map_row(sheet: &Sheet, index: usize) -> HeaderMap {
    let row = &sheet.rows[index];
    let mut fields: Vec<(Field, u32, String)> = Vec::new();
    let mut other = Vec::new();
    for (col, cell) in &row.cells {
        let Cell::Text(text) = cell else { continue };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match field_of(text) {
            // The first column of a field wins; a second "Date" column is kept as data.
            Some(f) if !fields.iter().any(|(g, _, _)| *g == f) => {
                fields.push((f, *col, text.to_string()))
            }
            _ => other.push((*col, text.to_string())),
        }
    }
    HeaderMap {
        index,
        row_number: row.number,
        fields,
        other,
    }
}

/// The header row for `kind` in the sheet's first rows: the one with the most known fields.
pub fn find_header(sheet: &Sheet, kind: ImportKind) -> Option<HeaderMap> {
    candidates(sheet)
        .filter(|h| match kind {
            ImportKind::Kpi => h.is_kpi(),
            ImportKind::Profile => h.is_profile(),
        })
        .max_by_key(|h| (h.fields.len(), std::cmp::Reverse(h.index)))
}

fn candidates(sheet: &Sheet) -> impl Iterator<Item = HeaderMap> + '_ {
    sheet
        .rows
        .iter()
        .enumerate()
        .take_while(|(_, r)| r.number <= HEADER_SEARCH_ROWS)
        .map(move |(i, _)| map_row(sheet, i))
}

/// What the headers say a workbook is: KPI when any sheet has KPI + Value columns, profile when sheets have an
/// Account column and profile fields but none has KPI columns; `None` when unsure (both kinds, or neither).
pub fn detect_kind(sheets: &[Sheet]) -> Option<ImportKind> {
    let (mut kpi, mut profile) = (false, false);
    for sheet in sheets {
        for h in candidates(sheet) {
            if h.is_kpi() {
                kpi = true;
            } else if h.is_profile() && h.profile_fields() > 0 {
                profile = true;
            }
        }
    }
    match (kpi, profile) {
        (true, false) => Some(ImportKind::Kpi),
        (false, true) => Some(ImportKind::Profile),
        _ => None,
    }
}

/// What a header of `kind` must hold, for error messages.
pub fn expected(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Kpi => {
            "KPI header (KPI and Value columns, plus Account unless an account is chosen)"
        }
        ImportKind::Profile => "profile header (an Account column and profile fields)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_match_whatever_the_case_and_punctuation() {
        assert_eq!(field_of("Account Name"), Some(Field::Account));
        assert_eq!(field_of("  CUSTOMER "), Some(Field::Account));
        assert_eq!(field_of("Company"), Some(Field::Account));
        assert_eq!(field_of("KPI_Name"), Some(Field::Kpi));
        assert_eq!(field_of("Metric"), Some(Field::Kpi));
        assert_eq!(field_of("Actual"), Some(Field::Value));
        assert_eq!(field_of("ARR (USD)"), Some(Field::Arr));
        assert_eq!(field_of("Renewal Date*"), Some(Field::RenewalDate));
        assert_eq!(field_of("CSM"), Some(Field::Owner));
        assert_eq!(field_of("Favourite colour"), None);
    }
}
