//! The request budget of a Bubble bot: one token bucket shared by every caller (Bubble limits
//! REST per bot, not per connection), plus a pause when the server answers 429.

use std::time::Duration;

use tokio::time::Instant;

/// A REST rate limit: `per_second` sustained, bursts up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateBudget {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Requests that may go at once after a quiet period.
    pub burst: u32,
}

impl Default for RateBudget {
    /// Bubble's documented HTTP API limit (limits.md): 5 requests/s, burst 10.
    fn default() -> Self {
        Self {
            per_second: 5.0,
            burst: 10,
        }
    }
}

/// Token bucket state; time comes in as `now`.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
    paused_until: Option<Instant>,
}

impl Bucket {
    pub(crate) fn new(budget: RateBudget, now: Instant) -> Self {
        let capacity = f64::from(budget.burst.max(1));
        Self {
            capacity,
            per_second: if budget.per_second.is_finite() && budget.per_second > 0.0 {
                budget.per_second
            } else {
                // A zero or invalid rate would stall forever: one per second is the floor.
                1.0
            },
            tokens: capacity,
            last: now,
            paused_until: None,
        }
    }

    /// Takes a token at `now`, or says how long to wait for one.
    pub(crate) fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        if let Some(until) = self.paused_until {
            if now < until {
                return Err(until - now);
            }
            self.paused_until = None;
        }
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / self.per_second,
            ))
        }
    }

    /// The server said 429: nobody sends before `until`, and the bucket restarts empty then.
    pub(crate) fn pause_until(&mut self, until: Instant) {
        self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
        self.tokens = 0.0;
        self.last = self.last.max(until);
    }
}

/// The shared budget: callers queue (FIFO, tokio's fair mutex) and sleep until a token is free.
#[derive(Debug)]
pub(crate) struct Budget {
    bucket: tokio::sync::Mutex<Bucket>,
}

impl Budget {
    pub(crate) fn new(budget: RateBudget) -> Self {
        Self {
            bucket: tokio::sync::Mutex::new(Bucket::new(budget, Instant::now())),
        }
    }

    /// Waits for a token.
    pub(crate) async fn acquire(&self) {
        // Holding the lock while sleeping keeps the queue in arrival order.
        let mut bucket = self.bucket.lock().await;
        while let Err(wait) = bucket.try_take(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    /// Pauses every caller for `after` (a 429's `retryAfter`).
    pub(crate) async fn pause(&self, after: Duration) {
        self.bucket.lock().await.pause_until(Instant::now() + after);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_rate_then_pause() {
        let t0 = Instant::now();
        let mut b = Bucket::new(
            RateBudget {
                per_second: 10.0,
                burst: 3,
            },
            t0,
        );
        assert!((0..3).all(|_| b.try_take(t0).is_ok()));
        assert_eq!(b.try_take(t0), Err(Duration::from_millis(100)));
        assert!(b.try_take(t0 + Duration::from_millis(100)).is_ok());
        let t1 = t0 + Duration::from_millis(100);
        b.pause_until(t1 + Duration::from_secs(2));
        assert_eq!(
            b.try_take(t1 + Duration::from_secs(1)),
            Err(Duration::from_secs(1))
        );
        // After the pause the bucket refills from empty.
        let t2 = t1 + Duration::from_secs(2);
        assert!(b.try_take(t2).is_err());
        assert!(b.try_take(t2 + Duration::from_millis(100)).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn shared_budget_spaces_callers() {
        let budget = std::sync::Arc::new(Budget::new(RateBudget {
            per_second: 5.0,
            burst: 2,
        }));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let budget = budget.clone();
            tasks.push(tokio::spawn(async move {
                budget.acquire().await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap() - start);
        }
        times.sort();
        // 2 at once, then one per 200 ms.
        assert_eq!(times[1], Duration::ZERO);
        assert_eq!(times[5], Duration::from_millis(800));
    }
}
