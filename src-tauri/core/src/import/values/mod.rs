//! Turning cells into typed values the way Customer Success Managers type them: numbers with currency signs,
//! thousands separators, percents and k/M suffixes; months as dates, serials or text. Pure functions; every `Err`
//! is a reason a user can act on, quoting what was in the cell.
//!
//! One file per kind of value: `number` (amounts, percents, currencies), `date` (months and dates), `text` (names
//! and free text); `words` holds what their reasons share.

mod date;
mod number;
mod text;
mod words;

pub use date::cell_date;
pub use number::{cell_number, parse_number_text, ParsedNumber};
pub use text::cell_text;
