//! The plain text of a cell, for names and free-text fields, written the way Excel shows the value.

use super::words::{bool_text, error_reason, format_number, formula_reason};
use crate::import::workbook::Cell;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::values::number::parse_number_text;
    use chrono::NaiveDateTime;
    use proptest::prelude::*;

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

        /// cell_text of a number parses back to (about) the same number.
        #[test]
        fn cell_text_round_trip(v in -1e14f64..1e14f64) {
            let text = cell_text(&Cell::Number(v)).unwrap();
            let back = parse_number_text(&text).unwrap().value;
            prop_assert!((back - v).abs() <= v.abs() * 1e-14 + 1e-9, "{} → {} → {}", v, text, back);
        }
    }
}
