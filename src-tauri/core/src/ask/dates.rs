//! Dates and ranges in a question, relative to today (the injected clock's day): "last month", "since March",
//! "over the last 6 months", "in Q3", "2026-05", "in May 2026", "last 30 days", "last quarter", "this year".
//! "since the last snapshot" is recognised here and resolved by the caller, who knows the snapshots.

use chrono::{Datelike, Months, NaiveDate};

use crate::model::AskPeriod;

/// A period found in a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodSpec {
    Range(NaiveDate, NaiveDate),
    SinceLastSnapshot,
}

fn month_of(word: &str) -> Option<u32> {
    crate::clock::month_from_name(word)
}

fn first_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)
}

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    first_of_month(y, m)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

fn month_range(y: i32, m: u32) -> Option<PeriodSpec> {
    Some(PeriodSpec::Range(
        first_of_month(y, m)?,
        last_of_month(y, m)?,
    ))
}

fn number(word: &str) -> Option<u32> {
    word.parse().ok().or(match word {
        "one" | "a" => Some(1),
        "two" => Some(2),
        "three" => Some(3),
        "four" => Some(4),
        "five" => Some(5),
        "six" => Some(6),
        "seven" => Some(7),
        "eight" => Some(8),
        "nine" => Some(9),
        "ten" => Some(10),
        "twelve" => Some(12),
        _ => None,
    })
}

fn year_of(word: Option<&String>) -> Option<i32> {
    word.and_then(|w| w.parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
}

/// The period a question names, if any. `words` are the question's lower-case words (see `matching::words`).
pub fn find(words: &[String], today: NaiveDate) -> Option<PeriodSpec> {
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let (ty, tm) = (today.year(), today.month());
    for i in 0..words.len() {
        // "since the last snapshot", "since my last snapshot"
        if w(i) == "since"
            && words[i + 1..]
                .iter()
                .take(3)
                .any(|x| x.starts_with("snapshot"))
        {
            return Some(PeriodSpec::SinceLastSnapshot);
        }
        // 2026-05 / 2026-05-14
        let word = w(i);
        if let Some((y, rest)) = word.split_once('-') {
            if let (Ok(y), Some(m)) = (
                y.parse::<i32>(),
                rest.get(..2).and_then(|m| m.parse::<u32>().ok()),
            ) {
                if rest.len() == 2 {
                    if let Some(p) = month_range(y, m) {
                        return Some(since_or_range(w(i.wrapping_sub(1)), p, today));
                    }
                } else if let Ok(d) = NaiveDate::parse_from_str(word, "%Y-%m-%d") {
                    return Some(if w(i.wrapping_sub(1)) == "since" {
                        PeriodSpec::Range(d, today)
                    } else {
                        PeriodSpec::Range(d, d)
                    });
                }
            }
        }
        // last/past N months|weeks|days|years
        if matches!(word, "last" | "past") {
            let (n, unit) = match number(w(i + 1)) {
                Some(n) => (n, w(i + 2)),
                None => (1, w(i + 1)),
            };
            let explicit = number(w(i + 1)).is_some();
            let unit = unit.trim_end_matches('s');
            let start = match unit {
                "month" if explicit => today.checked_sub_months(Months::new(n)),
                "month" => {
                    let p = today.checked_sub_months(Months::new(1))?;
                    return month_range(p.year(), p.month());
                }
                "quarter" if !explicit => {
                    let q = (tm - 1) / 3; // this quarter, 0-based
                    let (y, q) = if q == 0 { (ty - 1, 3) } else { (ty, q - 1) };
                    return Some(PeriodSpec::Range(
                        first_of_month(y, q * 3 + 1)?,
                        last_of_month(y, q * 3 + 3)?,
                    ));
                }
                "quarter" => today.checked_sub_months(Months::new(3 * n)),
                "week" => today.checked_sub_days(chrono::Days::new(7 * u64::from(n))),
                "day" => today.checked_sub_days(chrono::Days::new(u64::from(n))),
                "year" if !explicit => {
                    return Some(PeriodSpec::Range(
                        NaiveDate::from_ymd_opt(ty - 1, 1, 1)?,
                        NaiveDate::from_ymd_opt(ty - 1, 12, 31)?,
                    ))
                }
                "year" => today.checked_sub_months(Months::new(12 * n)),
                _ => None,
            };
            if let Some(s) = start {
                return Some(PeriodSpec::Range(s, today));
            }
        }
        if word == "this" {
            match w(i + 1) {
                "month" => return Some(PeriodSpec::Range(first_of_month(ty, tm)?, today)),
                "year" => {
                    return Some(PeriodSpec::Range(NaiveDate::from_ymd_opt(ty, 1, 1)?, today))
                }
                "quarter" => {
                    return Some(PeriodSpec::Range(
                        first_of_month(ty, (tm - 1) / 3 * 3 + 1)?,
                        today,
                    ))
                }
                _ => {}
            }
        }
        // Q3, Q3 2026
        if let Some(q) = word
            .strip_prefix('q')
            .and_then(|q| q.parse::<u32>().ok())
            .filter(|q| (1..=4).contains(q))
        {
            let y = year_of(words.get(i + 1)).unwrap_or(if q * 3 - 2 > tm { ty - 1 } else { ty });
            let p = PeriodSpec::Range(first_of_month(y, q * 3 - 2)?, last_of_month(y, q * 3)?);
            return Some(since_or_range(w(i.wrapping_sub(1)), p, today));
        }
        // since March, in May 2026, March 2026
        if let Some(m) = month_of(word) {
            // "may" is a month only where a date is expected.
            let prev = w(i.wrapping_sub(1));
            let year = year_of(words.get(i + 1));
            if word == "may"
                && year.is_none()
                && !matches!(prev, "in" | "since" | "of" | "during" | "from")
            {
                continue;
            }
            let y = year.unwrap_or(if m > tm { ty - 1 } else { ty });
            return Some(since_or_range(prev, month_range(y, m)?, today));
        }
    }
    None
}

fn since_or_range(prev: &str, p: PeriodSpec, today: NaiveDate) -> PeriodSpec {
    match (prev, p) {
        ("since" | "from", PeriodSpec::Range(from, _)) => PeriodSpec::Range(from, today),
        (_, p) => p,
    }
}

pub fn to_period(from: NaiveDate, to: NaiveDate) -> AskPeriod {
    AskPeriod {
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
    }
}

/// "Nov 2026" for a `YYYY-MM` or `YYYY-MM-DD` period, else the text as given.
pub fn month_label(period: &str) -> String {
    let mut parts = period.split('-');
    let (Some(y), Some(m)) = (
        parts.next(),
        parts.next().and_then(|m| m.parse::<usize>().ok()),
    ) else {
        return period.to_string();
    };
    match u32::try_from(m)
        .ok()
        .and_then(crate::clock::month_short_name)
    {
        Some(short) => format!("{short} {y}"),
        None => period.to_string(),
    }
}

/// "14 Nov 2026" for an RFC 3339 time or `YYYY-MM-DD` date.
pub fn day_label(t: &str) -> String {
    let d = t.get(..10).unwrap_or(t);
    match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
        Ok(d) => d.format("%-d %b %Y").to_string(),
        Err(_) => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ask::matching::words;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn range(q: &str) -> Option<(String, String)> {
        match find(&words(q), d("2026-11-20"))? {
            PeriodSpec::Range(a, b) => Some((a.to_string(), b.to_string())),
            PeriodSpec::SinceLastSnapshot => Some(("snapshot".into(), String::new())),
        }
    }

    #[test]
    fn relative_periods() {
        let r = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(
            range("what changed last month"),
            r("2026-10-01", "2026-10-31")
        );
        assert_eq!(range("since March"), r("2026-03-01", "2026-11-20"));
        assert_eq!(
            range("over the last 6 months"),
            r("2026-05-20", "2026-11-20")
        );
        assert_eq!(range("in Q3"), r("2026-07-01", "2026-09-30"));
        assert_eq!(range("in 2026-05"), r("2026-05-01", "2026-05-31"));
        assert_eq!(range("since December"), r("2025-12-01", "2026-11-20"));
        assert_eq!(range("since the last snapshot"), r("snapshot", ""));
        assert_eq!(range("what may change"), None);
        assert_eq!(range("in May"), r("2026-05-01", "2026-05-31"));
        assert_eq!(range("last quarter"), r("2026-07-01", "2026-09-30"));
    }

    #[test]
    fn labels() {
        assert_eq!(month_label("2026-11"), "Nov 2026");
        assert_eq!(month_label("2026-03-01"), "Mar 2026");
        assert_eq!(day_label("2026-11-05T10:00:00.000000Z"), "5 Nov 2026");
    }
}
