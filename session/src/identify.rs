//! Spacing of identifies across shards (QQ: at most `max_concurrency` per 5 s).
//!
//! Sans-IO: a session that is about to identify (it has its Hello) asks for a slot with
//! [`IdentifyQueue::reserve`] and gets back the instant at which it may send Identify; it holds
//! the Identify until then (heartbeating meanwhile). The slot is taken at Hello, not when the
//! connection is planned: connects take different times, and slots taken earlier let a slow
//! connect and a fast one put two Identifies closer than the window (decision 0046). Before
//! connecting, a session asks [`IdentifyQueue::earliest`] (which takes nothing) so that it does
//! not connect long before it could identify. A queue shared by several sessions (shards) is
//! shared by `Arc`; a queue shared by processes (Redis) implements the same trait.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Hands out identify slots.
pub trait IdentifyQueue: Send + Sync + std::fmt::Debug {
    /// Reserves the next slot at or after `now` and returns when it starts: the Identify is
    /// sent then, not before.
    fn reserve(&self, now: Instant) -> Instant;

    /// When the next slot at or after `now` would start, without reserving it: a hint for
    /// when to connect. The default is `now` (connect at once, wait at Hello if need be).
    fn earliest(&self, now: Instant) -> Instant {
        now
    }
}

/// An in-process queue: at most `max_concurrency` identifies in any `window`.
#[derive(Debug)]
pub struct LocalIdentifyQueue {
    max_concurrency: usize,
    window: Duration,
    granted: Mutex<VecDeque<Instant>>,
}

impl LocalIdentifyQueue {
    /// QQ's rule: `max_concurrency` (from `/gateway/bot`, at least 1) per 5 s.
    pub fn new(max_concurrency: u32) -> Self {
        Self::with_window(max_concurrency, Duration::from_secs(5))
    }

    /// A queue with a custom window.
    pub fn with_window(max_concurrency: u32, window: Duration) -> Self {
        let max_concurrency = usize::try_from(max_concurrency.max(1)).unwrap_or(1);
        Self {
            max_concurrency,
            window,
            granted: Mutex::new(VecDeque::with_capacity(max_concurrency)),
        }
    }
}

impl LocalIdentifyQueue {
    /// The next slot at or after `now`, given the slots granted so far (in order).
    fn next_slot(&self, granted: &VecDeque<Instant>, now: Instant) -> Instant {
        // The slots are handed out in order; the k-th most recent one bounds the next.
        if granted.len() >= self.max_concurrency {
            let oldest = granted
                .get(granted.len() - self.max_concurrency)
                .copied()
                .unwrap_or(now);
            now.max(oldest + self.window)
        } else {
            now.max(granted.back().copied().unwrap_or(now))
        }
    }
}

impl IdentifyQueue for LocalIdentifyQueue {
    fn earliest(&self, now: Instant) -> Instant {
        let granted = self.granted.lock().unwrap_or_else(|p| p.into_inner());
        self.next_slot(&granted, now)
    }

    fn reserve(&self, now: Instant) -> Instant {
        let mut granted = self.granted.lock().unwrap_or_else(|p| p.into_inner());
        let at = self.next_slot(&granted, now);
        granted.push_back(at);
        while granted.len() > self.max_concurrency {
            granted.pop_front();
        }
        at
    }
}

/// Another queue's slots within the day's identify budget of `/gateway/bot`
/// (`session_start_limit`: `remaining` identifies until `reset_after`): once the budget is
/// spent, slots start no sooner than the reset (an Identify over it would be refused). After
/// the reset the next period's length is unknown, so slots are no longer held back; a
/// resume takes no slot and never waits.
#[derive(Debug)]
pub struct BudgetedIdentifyQueue {
    inner: std::sync::Arc<dyn IdentifyQueue>,
    budget: Mutex<Budget>,
}

#[derive(Debug)]
struct Budget {
    remaining: u32,
    reset_at: Instant,
}

impl BudgetedIdentifyQueue {
    /// `inner`'s slots, at most `remaining` of them before `reset_at`.
    pub fn new(
        inner: std::sync::Arc<dyn IdentifyQueue>,
        remaining: u32,
        reset_at: Instant,
    ) -> Self {
        Self {
            inner,
            budget: Mutex::new(Budget {
                remaining,
                reset_at,
            }),
        }
    }

    /// The earliest start the budget allows at `now`.
    fn allowed_from(budget: &Budget, now: Instant) -> Instant {
        if budget.remaining == 0 {
            now.max(budget.reset_at)
        } else {
            now
        }
    }
}

impl IdentifyQueue for BudgetedIdentifyQueue {
    fn earliest(&self, now: Instant) -> Instant {
        let budget = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        self.inner.earliest(Self::allowed_from(&budget, now))
    }

    fn reserve(&self, now: Instant) -> Instant {
        let mut budget = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        let from = Self::allowed_from(&budget, now);
        if from > now {
            tracing::warn!(wait = ?from - now, "no identifies left before the limit resets: the Identify waits");
        }
        let at = self.inner.reserve(from);
        if at < budget.reset_at {
            budget.remaining = budget.remaining.saturating_sub(1);
        }
        at
    }
}

/// A queue that never waits (single shard, tests).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoIdentifyQueue;

impl IdentifyQueue for NoIdentifyQueue {
    fn reserve(&self, now: Instant) -> Instant {
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_identify_per_five_seconds_with_concurrency_one() {
        let q = LocalIdentifyQueue::new(1);
        let t0 = Instant::now();
        let slots: Vec<_> = (0..4).map(|_| q.reserve(t0) - t0).collect();
        assert_eq!(
            slots,
            vec![0, 5, 10, 15]
                .into_iter()
                .map(Duration::from_secs)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn max_concurrency_identifies_share_each_window() {
        let q = LocalIdentifyQueue::new(2);
        let t0 = Instant::now();
        let slots: Vec<_> = (0..5).map(|_| (q.reserve(t0) - t0).as_secs()).collect();
        assert_eq!(slots, vec![0, 0, 5, 5, 10]);
    }

    #[test]
    fn earliest_tells_the_next_slot_and_takes_none() {
        let q = LocalIdentifyQueue::new(1);
        let t0 = Instant::now();
        assert_eq!(q.earliest(t0), t0);
        assert_eq!(q.reserve(t0), t0);
        let next = t0 + Duration::from_secs(5);
        assert_eq!(q.earliest(t0), next);
        assert_eq!(q.earliest(t0), next, "asking again takes nothing");
        assert_eq!(q.reserve(t0), next);
        assert_eq!(NoIdentifyQueue.earliest(next), next);
    }

    #[test]
    fn a_spent_budget_holds_slots_until_the_reset_and_no_longer() {
        let t0 = Instant::now();
        let reset = t0 + Duration::from_secs(60);
        let inner: std::sync::Arc<dyn IdentifyQueue> =
            std::sync::Arc::new(LocalIdentifyQueue::new(2));
        let q = BudgetedIdentifyQueue::new(inner, 1, reset);
        assert_eq!(q.earliest(t0), t0);
        assert_eq!(q.reserve(t0), t0, "one identify left");
        assert_eq!(q.earliest(t0), reset, "spent: the next waits for the reset");
        assert_eq!(q.reserve(t0), reset);
        assert_eq!(
            q.reserve(t0),
            reset,
            "the inner queue's concurrency after the reset"
        );
        assert_eq!(q.reserve(t0), reset + Duration::from_secs(5));
        let none = BudgetedIdentifyQueue::new(std::sync::Arc::new(NoIdentifyQueue), 0, reset);
        assert_eq!(none.reserve(t0), reset);
        let after = reset + Duration::from_secs(1);
        assert_eq!(none.reserve(after), after, "past the reset nothing waits");
    }

    #[test]
    fn a_late_request_is_not_delayed() {
        let q = LocalIdentifyQueue::new(1);
        let t0 = Instant::now();
        q.reserve(t0);
        let later = t0 + Duration::from_secs(60);
        assert_eq!(q.reserve(later), later);
        assert_eq!(q.reserve(later), later + Duration::from_secs(5));
    }
}
