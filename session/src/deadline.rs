//! Deadlines from waits that a peer or a caller chose: a Hello's `heartbeat_interval`, a
//! OneBot heartbeat's `interval`, a token's `expires_in`, a call's timeout. Any of them can be
//! as large as its type allows, and `Instant + Duration` panics on overflow (a caller's
//! `Duration::MAX` did, in the driver task).

use std::time::{Duration, Instant};

/// The longest wait a deadline stands for: a year. Longer waits (a peer's `u64::MAX`
/// interval, a caller's `Duration::MAX` for "no timeout") are taken as a year.
pub(crate) const LONGEST_WAIT: Duration = Duration::from_secs(365 * 24 * 3600);

/// `now + wait`, with `wait` at most [`LONGEST_WAIT`]; never panics.
pub(crate) fn later(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait.min(LONGEST_WAIT)).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_too_long_for_an_instant_is_a_year() {
        let now = Instant::now();
        assert_eq!(later(now, Duration::MAX), now + LONGEST_WAIT);
        assert_eq!(
            later(now, Duration::from_millis(u64::MAX)),
            now + LONGEST_WAIT
        );
        assert_eq!(
            later(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
    }
}
