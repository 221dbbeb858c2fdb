//! A token bucket for Bubble's client message limit (10 msg/s, burst 20, heartbeats exempt).

use std::time::Instant;

/// Token bucket; time comes in as `now` so tests drive it without a clock.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub(crate) fn new(per_second: f64, burst: u32, now: Instant) -> Self {
        let capacity = f64::from(burst.max(1));
        Self {
            capacity,
            per_second: per_second.max(0.0),
            tokens: capacity,
            last: now,
        }
    }

    /// How long until a token is available (zero when one is).
    pub(crate) fn wait_time(&self, now: Instant) -> std::time::Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        let tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        if tokens >= 1.0 || self.per_second <= 0.0 {
            std::time::Duration::ZERO
        } else {
            std::time::Duration::from_secs_f64((1.0 - tokens) / self.per_second)
        }
    }

    /// Takes one token if there is one.
    pub(crate) fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now.max(self.last);
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill_at_the_rate() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10.0, 20, t0);
        assert_eq!((0..25).filter(|_| b.try_take(t0)).count(), 20);
        assert!(!b.try_take(t0 + Duration::from_millis(50)));
        let wait = b.wait_time(t0 + Duration::from_millis(50));
        assert!(wait > Duration::from_millis(49) && wait < Duration::from_millis(51));
        assert!(b.try_take(t0 + Duration::from_millis(100)));
        assert!(!b.try_take(t0 + Duration::from_millis(100)));
        // A long pause refills to the burst, not beyond.
        let later = t0 + Duration::from_secs(60);
        assert_eq!((0..25).filter(|_| b.try_take(later)).count(), 20);
    }
}
