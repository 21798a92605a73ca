//! Time is injected so cooldown rules can be tested at 10:00, 10:02, 10:05, 10:06 exactly.

use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told to move (tests, benchmarks, reproducible sample data).
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Every timestamp is stored in one fixed-width UTC form, so text order is time order.
pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A month named in English, in full or by its first three letters ("Sept" too), in any case: 1–12.
pub fn month_from_name(word: &str) -> Option<u32> {
    if word.eq_ignore_ascii_case("sept") {
        return Some(9);
    }
    word.parse::<chrono::Month>()
        .ok()
        .map(|m| m.number_from_month())
}

/// "Nov" for 11.
pub fn month_short_name(month: u32) -> Option<&'static str> {
    let month = chrono::Month::try_from(u8::try_from(month).ok()?).ok()?;
    month.name().get(..3)
}

#[cfg(test)]
mod month_tests {
    use super::*;

    #[test]
    fn months_by_name() {
        assert_eq!(month_from_name("January"), Some(1));
        assert_eq!(month_from_name("jan"), Some(1));
        assert_eq!(month_from_name("SEPT"), Some(9));
        assert_eq!(month_from_name("sep"), Some(9));
        assert_eq!(month_from_name("december"), Some(12));
        assert_eq!(month_from_name("janu"), None);
        assert_eq!(month_from_name("ja"), None);
        assert_eq!(month_from_name("mayday"), None);
        assert_eq!(month_short_name(11), Some("Nov"));
        assert_eq!(month_short_name(0), None);
        assert_eq!(month_short_name(13), None);
    }
}
