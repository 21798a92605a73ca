//! Numbers as Customer Success Managers type them: currency signs, thousands separators, percents and k/M
//! suffixes, negative numbers in brackets.
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

use super::words::{bool_text, error_reason, formula_reason, is_space, shorten, trim_spaces};
use crate::import::workbook::Cell;

/// A number read from a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedNumber {
    pub value: f64,
    /// The text ended with "%": `value` is on the 0–100 scale ("85%" → 85.0).
    pub is_percent: bool,
    /// "$", "€", "£", "¥", "₹" as typed, or an ISO code ("USD", "EUR"; "US$" → "USD").
    pub currency: Option<String>,
}

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
    }
}
