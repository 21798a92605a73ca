//! Turning cells into typed values the way Customer Success Managers type them: numbers with currency signs,
//! thousands separators, percents and k/M suffixes; months as dates, serials or text. Pure functions; every `Err`
//! is a reason a user can act on, quoting what was in the cell.
//!
//! Decisions worth knowing:
//! - `,` is a thousands separator when every comma is followed by exactly three digits ("1,200", "1,200,000"),
//!   otherwise a single comma is a decimal comma ("12,5" → 12.5; "0,125" → 0.125). With both `,` and `.` the one
//!   that comes last is the decimal separator ("1.200,50" → 1200.5, "1,200.50" → 1200.5).
//! - A single `.` is always a decimal point ("€1.200" → 1.2); several dots in groups of three are thousands
//!   separators ("1.200.000" → 1,200,000). Spaces, no-break spaces and `'` also separate thousands.
//! - "85%" → 85.0 with `is_percent` set (the percent stays on the 0–100 scale). A Number cell formatted as a
//!   percent in Excel arrives as 0.85 (the stored value); the caller decides what that means.
//! - Suffixes: k/K = thousand, M/m/mm/MM/mn = million, B/b/bn/BN = billion. "(250)" and "250-" are negative.
//! - Dates: month-only inputs ("2025-01", "Jan 2025", "01/2025", Excel serial of a month's 1st) give the 1st of
//!   the month; full dates are returned as they are (the caller turns them into a period). A full numeric date
//!   whose day and month could be swapped ("01/02/2025") is refused as ambiguous rather than guessed; a bare year
//!   (2025, as a number or text) is refused as not naming a month.

use chrono::{Datelike, NaiveDate};

use super::workbook::Cell;

/// A number read from a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedNumber {
    pub value: f64,
    /// The text ended with "%": `value` is on the 0–100 scale ("85%" → 85.0).
    pub is_percent: bool,
    /// "$", "€", "£", "¥", "₹" as typed, or an ISO code ("USD", "EUR"; "US$" → "USD").
    pub currency: Option<String>,
}

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2200;
/// Excel's last serial (9999-12-31).
const MAX_SERIAL: f64 = 2_958_465.0;

/// Numbers as CSMs type them: `12`, `12.5`, `" 1,200 "`, `"$1,200"`, `"85%"`, `"1.2k"`, `"3.4M"`, `"(250)"`,
/// `"-5"`, `"1e3"`, `"USD 1,200"`, `"1 200,50 €"`.
pub fn parse_number_text(text: &str) -> Result<ParsedNumber, String> {
    let shown = shorten(text.trim());
    let not_a_number = || format!("\"{shown}\" is not a number");
    let mut s = trim_spaces(text);
    if s.is_empty() {
        return Err("the cell is blank, not a number".into());
    }
    let mut negative = false;
    let mut signed = false;
    let mut currency: Option<String> = None;
    let mut percent = false;
    let mut multiplier = 1.0f64;

    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        signed = true;
        s = trim_spaces(inner);
    }
    // Prefixes: a sign and a currency, in either order ("-$5", "$-5").
    loop {
        if let Some((neg, rest)) = strip_sign_prefix(s) {
            if signed {
                return Err(not_a_number());
            }
            negative = neg;
            signed = true;
            s = trim_spaces(rest);
        } else if let Some((cur, rest)) = strip_currency_prefix(s) {
            if currency.is_some() {
                return Err(not_a_number());
            }
            currency = Some(cur);
            s = trim_spaces(rest);
        } else {
            break;
        }
    }
    // Suffixes: percent, currency, multiplier, a trailing minus ("250-"), in any order.
    let mut multiplied = false;
    loop {
        if let Some(rest) = s.strip_suffix('%') {
            if percent {
                return Err(not_a_number());
            }
            percent = true;
            s = trim_spaces(rest);
        } else if let Some((cur, rest)) = strip_currency_suffix(s) {
            if currency.is_some() {
                return Err(not_a_number());
            }
            currency = Some(cur);
            s = trim_spaces(rest);
        } else if let Some((m, rest)) = strip_multiplier(s).filter(|_| !multiplied) {
            multiplier = m;
            multiplied = true;
            s = trim_spaces(rest);
        } else if let Some(rest) = s.strip_suffix(['-', '\u{2212}']).filter(|_| !signed) {
            negative = true;
            signed = true;
            s = trim_spaces(rest);
        } else {
            break;
        }
    }
    let magnitude = parse_plain(s).ok_or_else(not_a_number)?;
    let value = magnitude * multiplier;
    if !value.is_finite() {
        return Err(format!("\"{shown}\" is too large a number"));
    }
    let value = if negative { -value } else { value };
    Ok(ParsedNumber {
        value: if value == 0.0 { 0.0 } else { value },
        is_percent: percent,
        currency,
    })
}

/// A number from any cell: Number → its value; Text → [`parse_number_text`]; anything else → why not.
pub fn cell_number(cell: &Cell) -> Result<ParsedNumber, String> {
    match cell {
        Cell::Number(v) if v.is_finite() => Ok(ParsedNumber {
            value: *v,
            is_percent: false,
            currency: None,
        }),
        Cell::Number(_) => Err("the cell holds an invalid number".into()),
        Cell::Text(t) => parse_number_text(t),
        Cell::Bool(b) => Err(format!("{} is a yes/no value, not a number", bool_text(*b))),
        Cell::Date(d) => Err(format!(
            "the cell holds the date {}, not a number",
            d.format("%Y-%m-%d")
        )),
        Cell::Error(e) => Err(error_reason(e)),
        Cell::FormulaNoValue(f) => Err(formula_reason(f)),
    }
}

/// A period (month) or date from a cell: a Date cell; an Excel serial (45658 → 2025-01-01); YYYYMM (202501) or
/// YYYYMMDD numbers; text such as "2025-01", "2025-01-15", "2025/01", "01/2025", "Jan 2025", "January 2025",
/// "Jan-25", "15 Jan 2025", "15/01/2025" (unambiguous day/month only). Years must be within 1900..=2200.
pub fn cell_date(cell: &Cell) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => check_year(d.date(), &d.format("%Y-%m-%d").to_string()),
        Cell::Number(v) => number_date(*v),
        Cell::Text(t) => parse_date_text(t),
        Cell::Bool(b) => Err(format!("{} is a yes/no value, not a date", bool_text(*b))),
        Cell::Error(e) => Err(error_reason(e)),
        Cell::FormulaNoValue(f) => Err(formula_reason(f)),
    }
}

/// Plain text of a cell for names and free-text fields: text as stored (callers trim), numbers without a
/// trailing ".0" (at most 15 significant digits, as Excel shows them), TRUE/FALSE, dates as YYYY-MM-DD (with the
/// time when there is one). Errors and formulas without a value are refused with a reason.
pub fn cell_text(cell: &Cell) -> Result<String, String> {
    match cell {
        Cell::Text(t) => Ok(t.clone()),
        Cell::Number(v) => Ok(format_number(*v)),
        Cell::Bool(b) => Ok(bool_text(*b).to_string()),
        Cell::Date(d) => Ok(if d.time() == chrono::NaiveTime::MIN {
            d.format("%Y-%m-%d").to_string()
        } else {
            d.format("%Y-%m-%d %H:%M:%S").to_string()
        }),
        Cell::Error(e) => Err(error_reason(e)),
        Cell::FormulaNoValue(f) => Err(formula_reason(f)),
    }
}

// ------------------------------------------------------------------------------------------------------------------

fn bool_text(b: bool) -> &'static str {
    if b {
        "TRUE"
    } else {
        "FALSE"
    }
}

fn error_reason(e: &str) -> String {
    format!("the cell holds the error {e}")
}

fn formula_reason(f: &str) -> String {
    let f = if f.starts_with('=') {
        f.to_string()
    } else {
        format!("={f}")
    };
    format!(
        "formula {} has no calculated value; open and save the file in Excel",
        shorten(&f)
    )
}

/// Quotes stay readable: long cell text is cut.
fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{a0}' | '\u{202f}' | '\u{2007}' | '\u{2009}' | '\u{feff}'
        )
}

fn trim_spaces(s: &str) -> &str {
    s.trim_matches(is_space)
}

fn strip_sign_prefix(s: &str) -> Option<(bool, &str)> {
    if let Some(r) = s.strip_prefix('+') {
        Some((false, r))
    } else {
        s.strip_prefix(['-', '\u{2212}', '\u{2013}'])
            .map(|r| (true, r))
    }
}

const SYMBOLS: [(&str, &str); 13] = [
    ("US$", "USD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("$", "$"),
    ("€", "€"),
    ("£", "£"),
    ("¥", "¥"),
    ("₹", "₹"),
    ("₩", "₩"),
];

const ISO_CODES: [&str; 27] = [
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "INR", "CNY",
    "BRL", "MXN", "ZAR", "SGD", "HKD", "PLN", "CZK", "HUF", "ILS", "KRW", "TRY", "AED", "SAR",
    "RUB",
];

fn strip_currency_prefix(s: &str) -> Option<(String, &str)> {
    for (sym, name) in SYMBOLS {
        if let Some(rest) = s.strip_prefix(sym) {
            return Some((name.to_string(), rest));
        }
    }
    let code = s.get(..3)?;
    let iso = ISO_CODES.iter().find(|c| c.eq_ignore_ascii_case(code))?;
    let rest = &s[3..];
    // "USD 5", "USD5", "USD-5"; not "USDX".
    rest.chars()
        .next()
        .filter(|c| is_space(*c) || c.is_ascii_digit() || matches!(c, '-' | '+' | '.'))?;
    Some((iso.to_string(), rest))
}

fn strip_currency_suffix(s: &str) -> Option<(String, &str)> {
    for (sym, name) in SYMBOLS {
        if let Some(rest) = s.strip_suffix(sym) {
            return Some((name.to_string(), rest));
        }
    }
    let split = s.len().checked_sub(3)?;
    let code = s.get(split..)?;
    let iso = ISO_CODES.iter().find(|c| c.eq_ignore_ascii_case(code))?;
    let rest = &s[..split];
    rest.chars()
        .last()
        .filter(|c| is_space(*c) || c.is_ascii_digit() || *c == '.')?;
    Some((iso.to_string(), rest))
}

fn strip_multiplier(s: &str) -> Option<(f64, &str)> {
    const SUFFIXES: [(&str, f64); 12] = [
        ("mm", 1e6),
        ("MM", 1e6),
        ("mn", 1e6),
        ("Mn", 1e6),
        ("bn", 1e9),
        ("Bn", 1e9),
        ("BN", 1e9),
        ("k", 1e3),
        ("K", 1e3),
        ("M", 1e6),
        ("m", 1e6),
        ("B", 1e9),
    ];
    for (suffix, m) in SUFFIXES {
        if let Some(rest) = s.strip_suffix(suffix) {
            // Only right after the number ("1.2k", "3 M"), so words like "pk" or "Bm" aren't read as numbers.
            if rest
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_digit() || c == '.' || is_space(c))
            {
                return Some((m, rest));
            }
        }
    }
    if let Some(rest) = s.strip_suffix('b') {
        if rest.chars().last().is_some_and(|c| c.is_ascii_digit()) {
            return Some((1e9, rest));
        }
    }
    None
}

/// Digits with thousands separators, a decimal separator and an exponent; no signs, no letters.
fn parse_plain(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => {
            let exp = &s[i + 1..];
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            (&s[..i], Some(exp))
        }
        None => (s, None),
    };
    if mantissa.is_empty() || !mantissa.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // Every character is a digit or a separator.
    let group_space = |c: char| is_space(c) || c == '\'' || c == '\u{2019}';
    if !mantissa
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || group_space(c))
    {
        return None;
    }
    let dots = mantissa.matches('.').count();
    let commas = mantissa.matches(',').count();
    let decimal: Option<char> = match (dots, commas) {
        (0, 0) => None,
        (_, 0) if dots == 1 => Some('.'),
        (_, 0) => None, // "1.200.000": dots group thousands
        (0, 1) => {
            // One comma: thousands when exactly three digits follow and the integer part isn't just "0".
            let (int, frac) = mantissa.split_once(',')?;
            let int = int.trim_matches(group_space);
            if frac.len() == 3
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !int.is_empty()
                && int != "0"
            {
                None
            } else {
                Some(',')
            }
        }
        (0, _) => None, // "1,200,000"
        _ => {
            // Both: the last one is the decimal separator, and it appears once.
            let last = mantissa.rfind(['.', ','])?;
            let d = mantissa[last..].chars().next()?;
            if mantissa.matches(d).count() != 1 {
                return None;
            }
            Some(d)
        }
    };
    let (int_part, frac_part) = match decimal {
        Some(d) => mantissa.split_once(d)?,
        None => (mantissa, ""),
    };
    if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None; // separators after the decimal point
    }
    // The integer part: digit groups split by one kind of separator; first group 1–3 digits, then exactly 3.
    let mut sep_kind: Option<char> = None;
    let mut groups: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, c) in int_part.char_indices() {
        if c.is_ascii_digit() {
            continue;
        }
        let kind = if group_space(c) { ' ' } else { c };
        if sep_kind.is_some_and(|k| k != kind) {
            return None;
        }
        sep_kind = Some(kind);
        groups.push(&int_part[start..i]);
        start = i + c.len_utf8();
    }
    groups.push(&int_part[start..]);
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    let int_digits: String = groups.concat();
    if int_digits.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut normalized = if int_digits.is_empty() {
        "0".to_string()
    } else {
        int_digits
    };
    if !frac_part.is_empty() {
        normalized.push('.');
        normalized.push_str(frac_part);
    }
    if let Some(exp) = exponent {
        normalized.push('e');
        normalized.push_str(exp);
    }
    normalized.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return "#NUM!".into();
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let magnitude = v.abs().log10().floor() as i32 + 1;
    let decimals = 15 - magnitude;
    if !(0..=20).contains(&decimals) {
        return format!("{v:e}");
    }
    let s = format!("{v:.*}", decimals as usize);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Dates
// ------------------------------------------------------------------------------------------------------------------

fn check_year(d: NaiveDate, shown: &str) -> Result<NaiveDate, String> {
    if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!(
            "\"{}\" is outside the years Tideline accepts ({MIN_YEAR}–{MAX_YEAR})",
            shorten(shown)
        ))
    }
}

fn number_date(v: f64) -> Result<NaiveDate, String> {
    let shown = format_number(v);
    if !v.is_finite() || v < 1.0 {
        return Err(format!("the number {shown} is not a date"));
    }
    if v == v.trunc() {
        let n = v as u64;
        if (MIN_YEAR as u64..=MAX_YEAR as u64).contains(&n) {
            return Err(format!(
                "{n} is a year, not a month; write the period as {n}-01 (or a date)"
            ));
        }
        // YYYYMM and YYYYMMDD (outside the serial range of years 1900–2200 anyway).
        if (190_001..=220_012).contains(&n) {
            let (y, m) = ((n / 100) as i32, (n % 100) as u32);
            return NaiveDate::from_ymd_opt(y, m, 1)
                .ok_or_else(|| format!("\"{n}\" is not a real date"));
        }
        if (19_000_101..=22_001_231).contains(&n) {
            let (y, m, d) = (
                (n / 10_000) as i32,
                ((n / 100) % 100) as u32,
                (n % 100) as u32,
            );
            return NaiveDate::from_ymd_opt(y, m, d)
                .ok_or_else(|| format!("\"{n}\" is not a real date"));
        }
    }
    if v > MAX_SERIAL {
        return Err(format!("the number {shown} is not a date"));
    }
    let serial = v.floor() as i64;
    if serial == 60 {
        return Err(
            "the serial 60 is 29 February 1900, a day that didn't exist (an old Excel bug)".into(),
        );
    }
    // Excel's 1900 system counts the non-existent 1900-02-29, so serials from 61 on are one day "late".
    let base = if serial < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    };
    let date = base
        .and_then(|b| b.checked_add_signed(chrono::Duration::days(serial)))
        .ok_or_else(|| format!("the number {shown} is not a date"))?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(format!(
            "the number {shown} is not a date Tideline accepts (years {MIN_YEAR}–{MAX_YEAR})"
        ));
    }
    Ok(date)
}

fn month_from_name(s: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let s = s.trim_end_matches('.').to_lowercase();
    if s.len() < 3 {
        return None;
    }
    if s == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == s || (s.len() == 3 && m.starts_with(&s)))
        .map(|i| i as u32 + 1)
}

fn parse_date_text(text: &str) -> Result<NaiveDate, String> {
    let t = trim_spaces(text);
    let shown = shorten(t);
    let unknown = || {
        format!("\"{shown}\" is not a date Tideline understands; write it as 2025-01 (a month) or 2025-01-15")
    };
    let not_real = || format!("\"{shown}\" is not a real date");
    if t.is_empty() {
        return Err("the cell is blank, not a date".into());
    }
    // Drop a time part: "2025-01-15T10:00:00", "2025-01-15 10:00", "15/01/2025 09:30".
    let t = match t.find(['T', ' ']) {
        Some(i)
            if t[i + 1..].contains(':')
                && t[..i]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"-/.".contains(&b)) =>
        {
            &t[..i]
        }
        _ => t,
    };

    let make = |y: i32, m: u32, d: u32| -> Result<NaiveDate, String> {
        if !(1..=12).contains(&m) {
            return Err(not_real());
        }
        let date = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(not_real)?;
        check_year(date, &shown)
    };
    let year2 = |s: &str| -> Option<i32> {
        let n: i32 = s.parse().ok()?;
        match s.len() {
            4 => Some(n),
            2 => Some(2000 + n),
            _ => None,
        }
    };

    let tokens: Vec<&str> = t
        .split(|c: char| matches!(c, '-' | '/' | '.' | ',' | '\'') || is_space(c))
        .filter(|s| !s.is_empty())
        .collect();
    if tokens.is_empty() || tokens.len() > 3 {
        return Err(unknown());
    }
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());

    if tokens.iter().all(|s| numeric(s)) {
        let lens: Vec<usize> = tokens.iter().map(|s| s.len()).collect();
        let n = |i: usize| tokens[i].parse::<u32>().unwrap_or(0);
        return match lens.as_slice() {
            [4] => Err(format!(
                "{} is a year, not a month; write the period as {}-01 (or a date)",
                tokens[0], tokens[0]
            )),
            [6] => make(n(0) as i32 / 100, n(0) % 100, 1),
            [8] => make((n(0) / 10_000) as i32, (n(0) / 100) % 100, n(0) % 100),
            [4, 1 | 2] => make(n(0) as i32, n(1), 1),
            [4, 1 | 2, 1 | 2] => make(n(0) as i32, n(1), n(2)),
            [1 | 2, 4] => make(n(1) as i32, n(0), 1),
            [1 | 2, 1 | 2, 4] => {
                let (a, b, y) = (n(0), n(1), n(2) as i32);
                if a > 12 && b <= 12 {
                    make(y, b, a)
                } else if (b > 12 && a <= 12) || a == b {
                    make(y, a, b)
                } else if a > 12 && b > 12 {
                    Err(not_real())
                } else {
                    Err(format!(
                        "\"{shown}\" is ambiguous (day {a} of month {b}, or month {a} day {b}?); write it as \
                         {y}-{b:02}-{a:02} or {y}-{a:02}-{b:02}"
                    ))
                }
            }
            _ => Err(unknown()),
        };
    }

    // With a month name: "Jan 2025", "January 2025", "Jan-25", "2025 Jan", "15 Jan 2025", "Jan 15, 2025".
    let Some(mi) = tokens.iter().position(|s| month_from_name(s).is_some()) else {
        return Err(unknown());
    };
    let month = month_from_name(tokens[mi]).unwrap_or(0);
    let others: Vec<(usize, &str)> = tokens
        .iter()
        .copied()
        .enumerate()
        .filter(|(i, _)| *i != mi)
        .collect();
    if others.iter().any(|(_, s)| !numeric(s)) {
        return Err(unknown());
    }
    match others.as_slice() {
        [(_, y)] => {
            let year = year2(y).ok_or_else(unknown)?;
            make(year, month, 1)
        }
        [(_, a), (_, b)] => {
            // The 4-digit one is the year; with two short ones, the first is the day and the second the year
            // ("15-Jan-25", "Jan 15 25").
            let (day, year) = if a.len() == 4 {
                (b, year2(a))
            } else {
                (a, year2(b))
            };
            let year = year.ok_or_else(unknown)?;
            if day.len() > 2 {
                return Err(unknown());
            }
            make(year, month, day.parse().map_err(|_| unknown())?)
        }
        _ => Err(unknown()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;
    use proptest::prelude::*;

    fn num(s: &str) -> f64 {
        parse_number_text(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .value
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(num("12"), 12.0);
        assert_eq!(num("12.5"), 12.5);
        assert_eq!(num(" 12.5 "), 12.5);
        assert_eq!(num("-5"), -5.0);
        assert_eq!(num("+5"), 5.0);
        assert_eq!(num("−5"), -5.0);
        assert_eq!(num("1e3"), 1000.0);
        assert_eq!(num("2.5E-2"), 0.025);
        assert_eq!(num(".5"), 0.5);
        assert_eq!(num("5."), 5.0);
        assert_eq!(num("0"), 0.0);
        assert_eq!(num("-0"), 0.0);
    }

    #[test]
    fn thousands_and_decimal_separators() {
        assert_eq!(num(" 1,200 "), 1200.0);
        assert_eq!(num("1,200,000"), 1_200_000.0);
        assert_eq!(num("1,200.50"), 1200.5);
        assert_eq!(num("1.200,50"), 1200.5);
        assert_eq!(num("1.200.000"), 1_200_000.0);
        assert_eq!(num("12,5"), 12.5);
        assert_eq!(num("0,125"), 0.125);
        assert_eq!(num("1 200 000"), 1_200_000.0);
        assert_eq!(num("1\u{a0}200,5"), 1200.5);
        assert_eq!(num("1'200"), 1200.0);
        // A lone dot is a decimal point, even after a euro sign.
        assert_eq!(num("€1.200"), 1.2);
        assert!(parse_number_text("1,20,000").is_err());
        assert!(parse_number_text("1.2.3").is_err());
        assert!(parse_number_text("1,200.5,3").is_err());
        assert!(parse_number_text("12 34").is_err());
    }

    #[test]
    fn currency_percent_and_suffixes() {
        let p = parse_number_text("$1,200").unwrap();
        assert_eq!(
            (p.value, p.currency.as_deref(), p.is_percent),
            (1200.0, Some("$"), false)
        );
        let p = parse_number_text("85%").unwrap();
        assert_eq!((p.value, p.is_percent), (85.0, true));
        let p = parse_number_text("12.5 %").unwrap();
        assert_eq!((p.value, p.is_percent), (12.5, true));
        assert_eq!(num("1.2k"), 1200.0);
        assert_eq!(num("3.4M"), 3_400_000.0);
        assert_eq!(num("2bn"), 2e9);
        assert_eq!(num("$1.2M"), 1_200_000.0);
        assert_eq!(num("(250)"), -250.0);
        assert_eq!(num("($1,200)"), -1200.0);
        assert_eq!(num("250-"), -250.0);
        assert_eq!(num("-$5"), -5.0);
        assert_eq!(num("$-5"), -5.0);
        let p = parse_number_text("USD 1,200").unwrap();
        assert_eq!((p.value, p.currency.as_deref()), (1200.0, Some("USD")));
        let p = parse_number_text("1 200,50 €").unwrap();
        assert_eq!((p.value, p.currency.as_deref()), (1200.5, Some("€")));
        let p = parse_number_text("1,200 eur").unwrap();
        assert_eq!((p.value, p.currency.as_deref()), (1200.0, Some("EUR")));
        let p = parse_number_text("US$5").unwrap();
        assert_eq!(p.currency.as_deref(), Some("USD"));
        assert_eq!(
            parse_number_text("£3").unwrap().currency.as_deref(),
            Some("£")
        );
    }

    #[test]
    fn not_numbers_say_why() {
        assert_eq!(
            parse_number_text("abc").unwrap_err(),
            "\"abc\" is not a number"
        );
        assert_eq!(
            parse_number_text("  ").unwrap_err(),
            "the cell is blank, not a number"
        );
        for bad in [
            "12abc", "--5", "5%%", "$$5", "1e", "1e5000", "inf", "NaN", "0x10", "k", "%", "$",
            "(5", "1-2", "(-5)", "USDX 5", "12 pts", "1.2kk", "e5",
        ] {
            assert!(
                parse_number_text(bad).is_err(),
                "{bad} parsed as {:?}",
                parse_number_text(bad)
            );
        }
        let long = "x".repeat(100);
        assert!(parse_number_text(&long).unwrap_err().contains('…'));
    }

    #[test]
    fn numbers_from_cells() {
        assert_eq!(cell_number(&Cell::Number(3.5)).unwrap().value, 3.5);
        assert_eq!(
            cell_number(&Cell::Text("1,200".into())).unwrap().value,
            1200.0
        );
        assert_eq!(
            cell_number(&Cell::Bool(true)).unwrap_err(),
            "TRUE is a yes/no value, not a number"
        );
        assert_eq!(
            cell_number(&Cell::Error("#DIV/0!".into())).unwrap_err(),
            "the cell holds the error #DIV/0!"
        );
        assert_eq!(
            cell_number(&Cell::FormulaNoValue("=A1/B1".into())).unwrap_err(),
            "formula =A1/B1 has no calculated value; open and save the file in Excel"
        );
        let d = NaiveDateTime::parse_from_str("2025-01-15 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            cell_number(&Cell::Date(d)).unwrap_err(),
            "the cell holds the date 2025-01-15, not a number"
        );
    }

    #[test]
    fn dates_from_numbers() {
        assert_eq!(cell_date(&Cell::Number(45658.0)), Ok(date(2025, 1, 1)));
        assert_eq!(cell_date(&Cell::Number(45658.75)), Ok(date(2025, 1, 1)));
        assert_eq!(cell_date(&Cell::Number(1.0)), Ok(date(1900, 1, 1)));
        assert_eq!(cell_date(&Cell::Number(59.0)), Ok(date(1900, 2, 28)));
        assert_eq!(cell_date(&Cell::Number(61.0)), Ok(date(1900, 3, 1)));
        assert!(cell_date(&Cell::Number(60.0))
            .unwrap_err()
            .contains("29 February 1900"));
        assert_eq!(cell_date(&Cell::Number(202501.0)), Ok(date(2025, 1, 1)));
        assert_eq!(cell_date(&Cell::Number(20250115.0)), Ok(date(2025, 1, 15)));
        assert!(cell_date(&Cell::Number(2025.0))
            .unwrap_err()
            .contains("is a year"));
        assert!(cell_date(&Cell::Number(0.0)).is_err());
        assert!(cell_date(&Cell::Number(-3.0)).is_err());
        assert!(cell_date(&Cell::Number(2_958_466.0)).is_err());
        assert!(cell_date(&Cell::Number(2_000_000.0)).is_err()); // year 7375
        assert!(cell_date(&Cell::Number(202513.0))
            .unwrap_err()
            .contains("not a real date"));
    }

    #[test]
    fn dates_from_text() {
        let ok = |s: &str, y, m, d| {
            assert_eq!(cell_date(&Cell::Text(s.into())), Ok(date(y, m, d)), "{s}")
        };
        ok("2025-01", 2025, 1, 1);
        ok("2025-01-15", 2025, 1, 15);
        ok("2025/01", 2025, 1, 1);
        ok("2025.01.15", 2025, 1, 15);
        ok("01/2025", 2025, 1, 1);
        ok("1/2025", 2025, 1, 1);
        ok("Jan 2025", 2025, 1, 1);
        ok("January 2025", 2025, 1, 1);
        ok("january, 2025", 2025, 1, 1);
        ok("Jan-25", 2025, 1, 1);
        ok("Sept 2025", 2025, 9, 1);
        ok("2025 Mar", 2025, 3, 1);
        ok("15 Jan 2025", 2025, 1, 15);
        ok("15-Jan-25", 2025, 1, 15);
        ok("Jan 15, 2025", 2025, 1, 15);
        ok("15/01/2025", 2025, 1, 15);
        ok("01/15/2025", 2025, 1, 15);
        ok("05/05/2025", 2025, 5, 5);
        ok("202501", 2025, 1, 1);
        ok("2025-01-15T10:30:00", 2025, 1, 15);
        ok("2025-01-15 10:30", 2025, 1, 15);
        ok(" 2025-01 ", 2025, 1, 1);
        let err = |s: &str| cell_date(&Cell::Text(s.into())).unwrap_err();
        assert_eq!(err("2025-13"), "\"2025-13\" is not a real date");
        assert_eq!(err("2025-02-30"), "\"2025-02-30\" is not a real date");
        assert_eq!(err("Feb 30 2025"), "\"Feb 30 2025\" is not a real date");
        assert!(err("01/02/2025").contains("ambiguous"));
        assert!(err("2025").contains("is a year"));
        assert!(err("1800-01").contains("outside the years"));
        assert!(err("soon").contains("not a date Tideline understands"));
        assert!(err("Q1 2025").contains("not a date Tideline understands"));
        assert!(err("Janvier 2025").contains("not a date Tideline understands"));
    }

    #[test]
    fn dates_from_other_cells() {
        let dt = NaiveDateTime::parse_from_str("2025-03-04 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(cell_date(&Cell::Date(dt)), Ok(date(2025, 3, 4)));
        let old =
            NaiveDateTime::parse_from_str("1850-03-04 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert!(cell_date(&Cell::Date(old)).is_err());
        assert_eq!(
            cell_date(&Cell::Bool(false)).unwrap_err(),
            "FALSE is a yes/no value, not a date"
        );
        assert_eq!(
            cell_date(&Cell::Error("#N/A".into())).unwrap_err(),
            "the cell holds the error #N/A"
        );
        assert!(cell_date(&Cell::FormulaNoValue("=EDATE(A1,1)".into()))
            .unwrap_err()
            .contains("=EDATE(A1,1)"));
    }

    #[test]
    fn text_of_cells() {
        assert_eq!(cell_text(&Cell::Number(12.0)).unwrap(), "12");
        assert_eq!(cell_text(&Cell::Number(-3.0)).unwrap(), "-3");
        assert_eq!(cell_text(&Cell::Number(12.5)).unwrap(), "12.5");
        assert_eq!(cell_text(&Cell::Number(0.1 + 0.2)).unwrap(), "0.3");
        assert_eq!(
            cell_text(&Cell::Number(1234567890123.0)).unwrap(),
            "1234567890123"
        );
        assert_eq!(cell_text(&Cell::Number(1e20)).unwrap(), "1e20");
        assert_eq!(cell_text(&Cell::Number(0.000_001_5)).unwrap(), "0.0000015");
        assert_eq!(cell_text(&Cell::Bool(true)).unwrap(), "TRUE");
        assert_eq!(cell_text(&Cell::Text("  Acme ".into())).unwrap(), "  Acme ");
        let d = NaiveDateTime::parse_from_str("2025-01-15 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(cell_text(&Cell::Date(d)).unwrap(), "2025-01-15");
        let d = NaiveDateTime::parse_from_str("2025-01-15 08:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(cell_text(&Cell::Date(d)).unwrap(), "2025-01-15 08:30:00");
        assert_eq!(
            cell_text(&Cell::Error("#REF!".into())).unwrap_err(),
            "the cell holds the error #REF!"
        );
        assert!(cell_text(&Cell::FormulaNoValue("=A1".into())).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any text: no panic, and a success is a finite number.
        #[test]
        fn parse_number_never_panics(s in "\\PC{0,24}") {
            if let Ok(p) = parse_number_text(&s) {
                prop_assert!(p.value.is_finite());
            }
        }

        /// Number-like text: no panic.
        #[test]
        fn parse_number_numberlike(s in "[-+($€£ ]{0,2}[0-9.,' ]{0,12}(e[-+]?[0-9]{1,3})?[%kKMmb )]{0,2}") {
            let _ = parse_number_text(&s);
        }

        /// Formatting with thousands separators and parsing back gives the number.
        #[test]
        fn thousands_round_trip(n in 0u64..1_000_000_000_000u64, cents in 0u32..100) {
            let digits = n.to_string();
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 { grouped.push(','); }
                grouped.push(c);
            }
            let text = format!("${grouped}.{cents:02}");
            let parsed = parse_number_text(&text).unwrap();
            let expected = n as f64 + f64::from(cents) / 100.0;
            prop_assert!((parsed.value - expected).abs() <= expected * 1e-12, "{} → {}", text, parsed.value);
            prop_assert_eq!(parsed.currency.as_deref(), Some("$"));
        }

        /// Plain decimal text round-trips.
        #[test]
        fn decimal_round_trip(v in -1e12f64..1e12f64) {
            let text = format!("{v}");
            prop_assert_eq!(parse_number_text(&text).unwrap().value, if v == 0.0 { 0.0 } else { v });
        }

        /// cell_text of a number parses back to (about) the same number.
        #[test]
        fn cell_text_round_trip(v in -1e14f64..1e14f64) {
            let text = cell_text(&Cell::Number(v)).unwrap();
            let back = parse_number_text(&text).unwrap().value;
            prop_assert!((back - v).abs() <= v.abs() * 1e-14 + 1e-9, "{} → {} → {}", v, text, back);
        }

        /// Any text as a date: no panic; a success is within the accepted years.
        #[test]
        fn parse_date_never_panics(s in "\\PC{0,24}") {
            if let Ok(d) = cell_date(&Cell::Text(s)) {
                prop_assert!((MIN_YEAR..=MAX_YEAR).contains(&d.year()));
            }
        }

        /// Any number as a date: no panic; a success is within the accepted years.
        #[test]
        fn number_date_never_panics(v in proptest::num::f64::ANY) {
            if let Ok(d) = cell_date(&Cell::Number(v)) {
                prop_assert!((MIN_YEAR..=MAX_YEAR).contains(&d.year()));
            }
        }

        /// Every real month, written as YYYY-MM and as "Mon YYYY", gives its first day.
        #[test]
        fn months_round_trip(y in 1900i32..=2200, m in 1u32..=12) {
            let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
            prop_assert_eq!(cell_date(&Cell::Text(format!("{y}-{m:02}"))), Ok(first));
            prop_assert_eq!(cell_date(&Cell::Text(first.format("%b %Y").to_string())), Ok(first));
            prop_assert_eq!(cell_date(&Cell::Text(first.format("%B %Y").to_string())), Ok(first));
        }

        /// Serial numbers and dates agree with Excel's 1900 system from 1900-03-01 on (except 1900..=2200, which
        /// are read as bare years and refused).
        #[test]
        fn serials_round_trip(days in (61i64..1900).prop_union(2201i64..109_573)) {
            let d = cell_date(&Cell::Number(days as f64)).unwrap();
            let back = (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days();
            prop_assert_eq!(back, days);
        }
    }
}
