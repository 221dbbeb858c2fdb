//! Reconnect backoff that matches what happened (decision 0002, "Backoff"):
//!
//! - a connection that was ready and made progress (delivered an event, or stayed ready for
//!   `stable_after`) ends the failure streak: the next attempt is immediate (the floor still
//!   applies), whatever ended it (op 7, a resumable close, a zombie, a TCP drop, op 9);
//! - a failure to connect, a connection that ends before ready, or a ready connection that ends
//!   without progress (a repeated fault with no event in between) extends the streak, and the
//!   delay is drawn with full jitter from `base × 2^(streak - 1)`, capped.
//!
//! A connection that dies before it is ready always counts, so "connect, closed at once" cannot
//! loop without delay; a healthy session the server drops comes back at once.

use std::time::{Duration, Instant};

use crate::rng::Rng;

/// Backoff parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackoffConfig {
    /// Upper bound of the first window (`base × 2^0`).
    pub base: Duration,
    /// The largest window.
    pub cap: Duration,
    /// Minimum time between two connection attempts (Bubble: 1 s; QQ and OneBot: none).
    pub floor: Duration,
    /// A ready connection that lasted this long made progress even if it delivered nothing.
    pub stable_after: Duration,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            floor: Duration::ZERO,
            stable_after: Duration::from_secs(5),
        }
    }
}

impl BackoffConfig {
    /// The defaults with a floor between attempts (Bubble requires 1 s).
    pub fn with_floor(floor: Duration) -> Self {
        Self {
            floor,
            ..Self::default()
        }
    }
}

/// The backoff state of one session.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    /// Consecutive connections (or attempts) that ended without progress.
    streak: u32,
    unready_failures: u32,
    last_attempt: Option<Instant>,
    ready_since: Option<Instant>,
    delivered: bool,
}

impl Backoff {
    /// A fresh backoff (no failures yet).
    pub fn new(config: BackoffConfig) -> Self {
        Self {
            config,
            streak: 0,
            unready_failures: 0,
            last_attempt: None,
            ready_since: None,
            delivered: false,
        }
    }

    /// A connection attempt started (or failed to start) at `now`.
    pub fn on_attempt(&mut self, now: Instant) {
        self.last_attempt = Some(now);
        self.ready_since = None;
        self.delivered = false;
    }

    /// The session became ready (or resumed) at `now`.
    pub fn on_ready(&mut self, now: Instant) {
        self.ready_since = Some(now);
        self.unready_failures = 0;
    }

    /// An event was delivered on the current connection: it made progress.
    pub fn on_delivered(&mut self) {
        self.delivered = true;
    }

    /// The connection ended (or could not be made) at `now`; updates the streak.
    pub fn on_disconnect(&mut self, now: Instant) {
        match self.ready_since.take() {
            Some(since)
                if self.delivered
                    || now.saturating_duration_since(since) >= self.config.stable_after =>
            {
                self.streak = 0;
            }
            Some(_) => self.streak = self.streak.saturating_add(1),
            None => {
                self.streak = self.streak.saturating_add(1);
                self.unready_failures = self.unready_failures.saturating_add(1);
            }
        }
        self.delivered = false;
    }

    /// Consecutive connections that ended without progress (0 after a healthy one).
    pub fn failures(&self) -> u32 {
        self.streak
    }

    /// Consecutive connections that ended before becoming ready.
    pub fn unready_failures(&self) -> u32 {
        self.unready_failures
    }

    /// The current window: zero after a healthy connection, else `base × 2^(streak - 1)`, at
    /// most `cap`.
    pub fn window(&self) -> Duration {
        let Some(n) = self.streak.checked_sub(1) else {
            return Duration::ZERO;
        };
        let factor = 1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX);
        self.config
            .base
            .checked_mul(factor)
            .unwrap_or(self.config.cap)
            .min(self.config.cap)
    }

    /// When the next attempt may start: `now` plus a random delay in `[0, window]` (at least
    /// `min_delay`), and never sooner than `floor` after the previous attempt.
    pub fn next_attempt(&self, now: Instant, rng: &mut Rng, min_delay: Duration) -> Instant {
        let window = self.window();
        let jitter = if window.is_zero() {
            Duration::ZERO
        } else {
            rng.duration_up_to(window)
        };
        let at = now + jitter.max(min_delay);
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

    /// One connection that became ready, delivered `events`, and ended `lasted` later.
    fn ready_connection(b: &mut Backoff, at: Instant, events: usize, lasted: Duration) {
        b.on_attempt(at);
        b.on_ready(at);
        for _ in 0..events {
            b.on_delivered();
        }
        b.on_disconnect(at + lasted);
    }

    fn failed_attempt(b: &mut Backoff, at: Instant) {
        b.on_attempt(at);
        b.on_disconnect(at);
    }

    #[test]
    fn window_is_zero_after_progress_then_doubles_per_failure_and_caps() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        ready_connection(&mut b, t0, 1, Duration::ZERO);
        let mut windows = vec![b.window().as_secs()];
        for _ in 0..8 {
            failed_attempt(&mut b, t0);
            windows.push(b.window().as_secs());
        }
        assert_eq!(windows, vec![0, 1, 2, 4, 8, 16, 32, 60, 60]);
        for _ in 0..100 {
            b.on_disconnect(t0);
        }
        assert_eq!(b.window(), secs(60));
    }

    #[test]
    fn a_ready_connection_that_delivered_reconnects_at_once_however_short() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        let mut rng = Rng::new(7);
        for i in 0..50 {
            let at = t0 + Duration::from_millis(i * 10);
            ready_connection(&mut b, at, 1, Duration::from_millis(5));
            let end = at + Duration::from_millis(5);
            assert_eq!(b.next_attempt(end, &mut rng, Duration::ZERO), end);
        }
        assert_eq!(b.failures(), 0);
    }

    #[test]
    fn a_quiet_but_stable_connection_counts_as_progress() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        failed_attempt(&mut b, t0);
        ready_connection(&mut b, t0, 0, secs(5));
        assert_eq!(b.failures(), 0);
        assert_eq!(b.window(), Duration::ZERO);
    }

    #[test]
    fn repeated_faults_with_no_event_in_between_grow_the_window() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        ready_connection(&mut b, t0, 3, secs(1));
        assert_eq!(b.window(), Duration::ZERO);
        ready_connection(&mut b, t0 + secs(1), 0, secs(1));
        assert_eq!((b.failures(), b.window()), (1, secs(1)));
        ready_connection(&mut b, t0 + secs(2), 0, secs(1));
        assert_eq!((b.failures(), b.window()), (2, secs(2)));
        assert_eq!(b.unready_failures(), 0);
        // one event resets it
        ready_connection(&mut b, t0 + secs(3), 1, secs(1));
        assert_eq!((b.failures(), b.window()), (0, Duration::ZERO));
    }

    #[test]
    fn a_connection_dying_before_ready_counts_as_failure() {
        let mut b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        for i in 0..3 {
            failed_attempt(&mut b, t0 + secs(i));
        }
        assert_eq!(b.failures(), 3);
        assert_eq!(b.unready_failures(), 3);
        assert_eq!(b.window(), secs(4));
        // events delivered before ready do not exist; delivered is cleared per attempt
        b.on_attempt(t0 + secs(4));
        b.on_delivered();
        b.on_disconnect(t0 + secs(4));
        assert_eq!(b.failures(), 4);
    }

    #[test]
    fn delay_is_jittered_within_the_window_and_respects_the_floor() {
        let mut b = Backoff::new(BackoffConfig::with_floor(secs(1)));
        let t0 = Instant::now();
        for _ in 0..4 {
            failed_attempt(&mut b, t0);
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
    fn the_floor_spaces_immediate_reconnects() {
        let mut b = Backoff::new(BackoffConfig::with_floor(secs(1)));
        let t0 = Instant::now();
        let mut rng = Rng::new(2);
        ready_connection(&mut b, t0, 1, Duration::from_millis(200));
        let end = t0 + Duration::from_millis(200);
        assert_eq!(b.next_attempt(end, &mut rng, Duration::ZERO), t0 + secs(1));
        assert_eq!(
            b.next_attempt(t0 + secs(3), &mut rng, Duration::ZERO),
            t0 + secs(3)
        );
    }

    #[test]
    fn min_delay_wins_over_a_short_draw() {
        let b = Backoff::new(BackoffConfig::default());
        let t0 = Instant::now();
        let mut rng = Rng::new(3);
        assert!(b.next_attempt(t0, &mut rng, secs(5)) >= t0 + secs(5));
    }
}
