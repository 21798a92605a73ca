//! The cooldown rule: an event-driven snapshot is skipped while the account's newest snapshot (of any type) is
//! younger than the cooldown; at exactly the cooldown it is created.

use chrono::{DateTime, Utc};

/// Whole seconds left (rounded up) before an event may create a snapshot, or `None` when it may now.
pub fn remaining(
    newest: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    cooldown_seconds: u32,
) -> Option<u32> {
    let newest = newest?;
    let cooldown = chrono::Duration::seconds(i64::from(cooldown_seconds));
    let elapsed = now - newest;
    if elapsed >= cooldown {
        return None;
    }
    // A newest snapshot "in the future" (the clock moved back) still holds a full cooldown, no more.
    let left = (cooldown - elapsed.max(chrono::Duration::zero())).num_milliseconds();
    Some(u32::try_from((left + 999) / 1000).unwrap_or(cooldown_seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 15, h, m, s).unwrap()
    }

    #[test]
    fn seed_timeline_ten_o_clock() {
        let first = Some(at(10, 0, 0));
        assert_eq!(
            remaining(first, at(10, 2, 0), 300),
            Some(180),
            "10:02 is skipped with 180 s left"
        );
        assert_eq!(
            remaining(first, at(10, 5, 0), 300),
            None,
            "exactly at the cooldown a snapshot is created"
        );
        assert_eq!(remaining(first, at(10, 4, 59), 300), Some(1));
        assert_eq!(remaining(first, at(10, 6, 0), 300), None);
        assert_eq!(
            remaining(None, at(10, 0, 0), 300),
            None,
            "no snapshot yet: create"
        );
    }

    #[test]
    fn zero_cooldown_never_skips() {
        assert_eq!(remaining(Some(at(10, 0, 0)), at(10, 0, 0), 0), None);
    }

    #[test]
    fn a_future_snapshot_holds_at_most_one_cooldown() {
        assert_eq!(remaining(Some(at(10, 10, 0)), at(10, 0, 0), 300), Some(300));
    }
}
