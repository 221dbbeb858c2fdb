//! The client's command budget: a token bucket that keeps room for heartbeats.
//!
//! Bubble allows 10 client messages per second with a burst of 20 and exempts heartbeats; QQ
//! closes with 4008 when payloads come too fast. Commands (subscribe, actions) wait for a token;
//! heartbeats either bypass the bucket or draw on a reserve that commands cannot touch, so a
//! burst of commands can never starve the heartbeat and get the connection declared dead.

use std::time::{Duration, Instant};

/// What is being sent: heartbeats have priority over commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendClass {
    /// A heartbeat (exempt, or drawing on the reserve).
    Heartbeat,
    /// Anything else the client sends.
    Command,
}

/// Rate limiter parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Bucket size.
    pub burst: u32,
    /// One token comes back every `per`.
    pub per: Duration,
    /// Tokens only heartbeats may take (0 when heartbeats are exempt).
    pub heartbeat_reserve: u32,
    /// Heartbeats do not count at all.
    pub heartbeats_exempt: bool,
}

impl RateLimitConfig {
    /// Bubble's documented budget: 10/s, burst 20, heartbeats exempt.
    pub fn bubble() -> Self {
        Self {
            burst: 20,
            per: Duration::from_millis(100),
            heartbeat_reserve: 0,
            heartbeats_exempt: true,
        }
    }

    /// A conservative QQ budget: 120 per 60 s, 2 kept for heartbeats.
    pub fn qq() -> Self {
        Self {
            burst: 120,
            per: Duration::from_millis(500),
            heartbeat_reserve: 2,
            heartbeats_exempt: false,
        }
    }
}

/// A token bucket with a heartbeat reserve and a temporary penalty (after the server said
/// "rate limited").
#[derive(Debug, Clone)]
pub struct RateLimiter {
    config: RateLimitConfig,
    tokens: u32,
    updated: Option<Instant>,
    penalty_until: Option<Instant>,
}

impl RateLimiter {
    /// A full bucket.
    pub fn new(config: RateLimitConfig) -> Self {
        Self {
            tokens: config.burst,
            config,
            updated: None,
            penalty_until: None,
        }
    }

    fn penalized(&self, now: Instant) -> bool {
        self.penalty_until.is_some_and(|until| now < until)
    }

    fn burst(&self, now: Instant) -> u32 {
        if self.penalized(now) {
            (self.config.burst / 2).max(1)
        } else {
            self.config.burst
        }
    }

    fn per(&self, now: Instant) -> Duration {
        if self.penalized(now) {
            self.config.per.saturating_mul(2)
        } else {
            self.config.per
        }
    }

    fn refill(&mut self, now: Instant) {
        let burst = self.burst(now);
        let per = self.per(now).max(Duration::from_nanos(1));
        let Some(updated) = self.updated else {
            self.updated = Some(now);
            self.tokens = self.tokens.min(burst);
            return;
        };
        let elapsed = now.saturating_duration_since(updated);
        let gained = elapsed.as_nanos() / per.as_nanos();
        let gained32 = u32::try_from(gained).unwrap_or(u32::MAX);
        self.tokens = self.tokens.saturating_add(gained32).min(burst);
        if self.tokens >= burst {
            self.updated = Some(now);
        } else {
            let used = per.saturating_mul(gained32);
            self.updated = Some(updated + used);
        }
    }

    fn floor_for(&self, class: SendClass) -> u32 {
        match class {
            SendClass::Heartbeat => 0,
            SendClass::Command => self.config.heartbeat_reserve,
        }
    }

    /// Takes a token for one message of `class` if one is available at `now`.
    pub fn try_acquire(&mut self, now: Instant, class: SendClass) -> bool {
        if class == SendClass::Heartbeat && self.config.heartbeats_exempt {
            return true;
        }
        self.refill(now);
        if self.tokens > self.floor_for(class) {
            self.tokens -= 1;
            true
        } else {
            false
        }
    }

    /// When a message of `class` could next be sent (`now` if at once).
    pub fn next_available(&mut self, now: Instant, class: SendClass) -> Instant {
        if class == SendClass::Heartbeat && self.config.heartbeats_exempt {
            return now;
        }
        self.refill(now);
        if self.tokens > self.floor_for(class) {
            return now;
        }
        let missing = self.floor_for(class) + 1 - self.tokens;
        let per = self.per(now);
        let base = self.updated.unwrap_or(now);
        (base + per.saturating_mul(missing)).max(now + Duration::from_millis(1))
    }

    /// The server reported a rate limit: halve the bucket and the rate until `now + for_`.
    pub fn penalize(&mut self, now: Instant, for_: Duration) {
        self.refill(now);
        self.penalty_until = Some(now + for_);
        self.tokens = self.tokens.min(self.burst(now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bubble_budget_allows_a_burst_of_twenty_then_ten_per_second() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(RateLimitConfig::bubble());
        let sent = (0..30)
            .filter(|_| r.try_acquire(t0, SendClass::Command))
            .count();
        assert_eq!(sent, 20);
        assert_eq!(
            r.next_available(t0, SendClass::Command),
            t0 + Duration::from_millis(100)
        );
        let t1 = t0 + Duration::from_secs(1);
        let sent = (0..30)
            .filter(|_| r.try_acquire(t1, SendClass::Command))
            .count();
        assert_eq!(sent, 10);
    }

    #[test]
    fn heartbeats_pass_an_empty_bucket_when_exempt() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(RateLimitConfig::bubble());
        while r.try_acquire(t0, SendClass::Command) {}
        assert!(r.try_acquire(t0, SendClass::Heartbeat));
    }

    #[test]
    fn commands_leave_the_reserve_to_heartbeats() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(RateLimitConfig {
            burst: 5,
            per: Duration::from_secs(1),
            heartbeat_reserve: 2,
            heartbeats_exempt: false,
        });
        let sent = (0..10)
            .filter(|_| r.try_acquire(t0, SendClass::Command))
            .count();
        assert_eq!(sent, 3);
        assert!(r.try_acquire(t0, SendClass::Heartbeat));
        assert!(r.try_acquire(t0, SendClass::Heartbeat));
        assert!(!r.try_acquire(t0, SendClass::Heartbeat));
    }

    #[test]
    fn penalty_halves_the_budget_for_a_while() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(RateLimitConfig::bubble());
        r.penalize(t0, Duration::from_secs(5));
        let sent = (0..30)
            .filter(|_| r.try_acquire(t0, SendClass::Command))
            .count();
        assert_eq!(sent, 10);
        let t1 = t0 + Duration::from_secs(1);
        let sent = (0..30)
            .filter(|_| r.try_acquire(t1, SendClass::Command))
            .count();
        assert_eq!(sent, 5);
        let t2 = t0 + Duration::from_secs(10);
        let sent = (0..30)
            .filter(|_| r.try_acquire(t2, SendClass::Command))
            .count();
        assert_eq!(sent, 20);
    }
}
