//! `X-RateLimit-Reset` as a wait, for a 429 that names no `retryAfter` / `Retry-After`.
//! Bubble's limits.md shows it as a Unix time in seconds (`1735660800`), and the sim sends
//! it so: the wait is that time minus now (decision 0076).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long from `now` until the reset time `value` (Unix seconds, fractions allowed);
/// `None` when it does not parse or is not after `now` (the window reset already, or the
/// clocks disagree: the ordinary backoff then, not a hammering retry at once).
pub(crate) fn wait_until_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    // Checked all the way: a header value must not be able to panic the client.
    let since_epoch = Duration::try_from_secs_f64(secs).ok()?;
    let reset = UNIX_EPOCH.checked_add(since_epoch)?;
    reset
        .duration_since(now)
        .ok()
        .filter(|wait| !wait.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn a_reset_ahead_is_the_wait_until_it() {
        let now = at(1_735_660_798) + Duration::from_millis(500);
        assert_eq!(
            wait_until_reset("1735660800", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            wait_until_reset(" 1735660800.25 ", now),
            Some(Duration::from_millis(1750))
        );
        // an hour off is read as such: the retry policy bounds it like a `Retry-After`
        assert_eq!(
            wait_until_reset("1735664400", at(1_735_660_800)),
            Some(Duration::from_secs(3600))
        );
    }

    #[test]
    fn a_reset_now_or_past_or_unreadable_is_no_wait() {
        let now = at(1_735_660_800);
        for value in [
            "1735660800",
            "1735660700",
            "0",
            "-5",
            "NaN",
            "inf",
            "1e300",
            "",
            "soon",
            "Wed, 21 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(wait_until_reset(value, now), None, "{value:?}");
        }
    }
}
