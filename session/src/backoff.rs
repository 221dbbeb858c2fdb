//! Reconnect backoff: full jitter over `base × 2^n` capped, a floor between attempts, reset only
//! after a session that stayed ready long enough.
//!
//! A connection that dies before it is ready counts as a failure, so "connect, closed at once"
//! cannot loop without delay (twilight's backoff resets on every connect and does).

use std::time::{Duration, Instant};

use crate::rng::Rng;

/// Backoff parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackoffConfig {
    /// Upper bound of the first window (`base × 2^0`).
    pub base: Duration,
    /// The largest window.
    pub cap: Duration,
    /// Minimum time between two connection attempts (Bubble: 1 s).
    pub floor: Duration,
    /// A ready session that lasted this long resets the failure count.
    pub stable_after: Duration,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            floor: Duration::from_secs(1),
            stable_after: Duration::from_secs(30),
        }
    }
}

/// The backoff state of one session.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    failures: u32,
    unready_failures: u32,
    last_attempt: Option<Instant>,
    ready_since: Option<Instant>,
}

impl Backoff {
    /// A fresh backoff (no failures yet).
    pub fn new(config: BackoffConfig) -> Self {
        Self {
            config,
            failures: 0,
            unready_failures: 0,
            last_attempt: None,
            ready_since: None,
        }
    }

    /// A connection attempt started (or failed to start) at `now`.
    pub fn on_attempt(&mut self, now: Instant) {
        self.last_attempt = Some(now);
        self.ready_since = None;
    }

    /// The session became ready at `now`.
    pub fn on_ready(&mut self, now: Instant) {
        self.ready_since = Some(now);
        self.unready_failures = 0;
    }

    /// The connection ended (or could not be made) at `now`; updates the failure counts.
    pub fn on_disconnect(&mut self, now: Instant) {
        match self.ready_since.take() {
            Some(since) if now.saturating_duration_since(since) >= self.config.stable_after => {
                self.failures = 0;
            }
            Some(_) => self.failures = self.failures.saturating_add(1),
            None => {
                self.failures = self.failures.saturating_add(1);
                self.unready_failures = self.unready_failures.saturating_add(1);
            }
        }
    }

    /// Consecutive failures that count for the window.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Consecutive connections that ended before becoming ready.
    pub fn unready_failures(&self) -> u32 {
        self.unready_failures
    }

    /// The current window: `base × 2^failures`, at most `cap`.
    pub fn window(&self) -> Duration {
        let factor = 1u32.checked_shl(self.failures.min(31)).unwrap_or(u32::MAX);
        self.config
            .base
            .checked_mul(factor)
            .unwrap_or(self.config.cap)
            .min(self.config.cap)
    }

    /// When the next attempt may start: `now` plus a random delay in `[0, window]` (at least
    /// `min_delay`), and never sooner than `floor` after the previous attempt.
    pub fn next_attempt(&self, now: Instant, rng: &mut Rng, min_delay: Duration) -> Instant {
        let delay = rng.duration_up_to(self.window()).max(min_delay);
        let at = now + delay;
        match self.last_attempt {
            Some(last) => at.max(last + self.config.floor),
            None => at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn window_doubles_per_failure_and_caps_at_sixty_seconds() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        let mut windows = Vec::new();
        for _ in 0..8 {
            windows.push(b.window().as_secs());
            b.on_attempt(t0);
            b.on_disconnect(t0);
        }
        assert_eq!(windows, vec![1, 2, 4, 8, 16, 32, 60, 60]);
        for _ in 0..100 {
            b.on_disconnect(t0);
        }
        assert_eq!(b.window(), secs(60));
    }

    #[test]
    fn delay_is_jittered_within_the_window_and_respects_the_floor() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        for _ in 0..3 {
            b.on_attempt(t0);
            b.on_disconnect(t0);
        }
        let mut rng = Rng::new(1);
        let mut min = secs(100);
        let mut max = Duration::ZERO;
        for _ in 0..500 {
            let d = b.next_attempt(t0, &mut rng, Duration::ZERO) - t0;
            min = min.min(d);
            max = max.max(d);
        }
        // window 8 s, floor 1 s after the attempt at t0
        assert!(min >= secs(1), "{min:?}");
        assert!(max <= secs(8), "{max:?}");
        assert!(max > secs(6), "jitter should use the whole window: {max:?}");
    }

    #[test]
    fn a_stable_session_resets_and_a_short_one_does_not() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        b.on_attempt(t0);
        b.on_disconnect(t0);
        b.on_attempt(t0);
        b.on_ready(t0);
        b.on_disconnect(t0 + secs(5));
        assert_eq!(b.failures(), 2);
        assert_eq!(b.unready_failures(), 0);
        b.on_attempt(t0 + secs(10));
        b.on_ready(t0 + secs(10));
        b.on_disconnect(t0 + secs(40));
        assert_eq!(b.failures(), 0);
        assert_eq!(b.window(), secs(1));
    }

    #[test]
    fn a_connection_dying_before_ready_counts_as_failure() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        for i in 0..3 {
            b.on_attempt(t0 + secs(i));
            b.on_disconnect(t0 + secs(i));
        }
        assert_eq!(b.failures(), 3);
        assert_eq!(b.unready_failures(), 3);
        assert_eq!(b.window(), secs(8));
    }

    #[test]
    fn min_delay_wins_over_a_short_draw() {
        let b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        let mut rng = Rng::new(3);
        assert!(b.next_attempt(t0, &mut rng, secs(5)) >= t0 + secs(5));
    }
}
