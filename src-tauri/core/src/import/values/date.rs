//! Months and dates from cells: Date cells, Excel serials, YYYYMM numbers and the ways people write a month as
//! text.
//!
//! Month-only inputs ("2025-01", "Jan 2025", "01/2025", Excel serial of a month's 1st) give the 1st of the month;
//! full dates are returned as they are (the caller turns them into a period). A full numeric date whose day and
//! month could be swapped ("01/02/2025") is refused as ambiguous rather than guessed; a bare year (2025, as a
//! number or text) is refused as not naming a month.

use chrono::{Datelike, NaiveDate};

use super::words::{
    bool_text, error_reason, format_number, formula_reason, is_space, shorten, trim_spaces,
};
use crate::import::workbook::Cell;

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2200;
/// Excel's last serial (9999-12-31).
const MAX_SERIAL: f64 = 2_958_465.0;
/// A period (month) or date from a cell: a Date cell; an Excel serial (45658 → 2025-01-01); YYYYMM (202501) or
/// YYYYMMDD numbers; text such as "2025-01", "2025-01-15", "2025/01", "01/2025", "Jan 2025", "January 2025",
/// "Jan-25", "15 Jan 2025", "15/01/2025" (unambiguous day/month only). Years must be within 1900..=2200.
pub fn cell_date(cell: &Cell) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => check_year(d.date(), || d.format("%Y-%m-%d").to_string()),
        Cell::Number(v) => number_date(*v),
        Cell::Text(t) => parse_date_text(t),
        Cell::Bool(b) => Err(format!("{} is a yes/no value, not a date", bool_text(*b))),
        Cell::Error(e) => Err(error_reason(e)),
        Cell::FormulaNoValue(f) => Err(formula_reason(f)),
    }
}

/// `shown` (the value as the user sees it) is only written out for the error.
fn check_year(d: NaiveDate, shown: impl FnOnce() -> String) -> Result<NaiveDate, String> {
    if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!(
            "\"{}\" is outside the years Tideline accepts ({MIN_YEAR}–{MAX_YEAR})",
            shorten(&shown())
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
    crate::clock::month_from_name(s.trim_end_matches('.'))
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
        check_year(date, || shown.to_string())
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

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

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
