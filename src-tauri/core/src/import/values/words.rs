//! Words shared by the value parsers: how cell content is quoted in a reason (shortened text, TRUE/FALSE, numbers
//! as Excel shows them, errors and formulas without a value) and which characters count as spaces.

pub(super) fn bool_text(b: bool) -> &'static str {
    if b {
        "TRUE"
    } else {
        "FALSE"
    }
}

pub(super) fn error_reason(e: &str) -> String {
    format!("the cell holds the error {e}")
}

pub(super) fn formula_reason(f: &str) -> String {
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
pub(super) fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{a0}' | '\u{202f}' | '\u{2007}' | '\u{2009}' | '\u{feff}'
        )
}

pub(super) fn trim_spaces(s: &str) -> &str {
    s.trim_matches(is_space)
}
pub(super) fn format_number(v: f64) -> String {
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
