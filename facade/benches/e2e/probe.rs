//! [`Probe`]: what the no-op handlers touch: a count, the time the last event arrived, and
//! (latency runs) when each event's handler was entered.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

pub struct Probe {
    expected: usize,
    count: AtomicUsize,
    base: Instant,
    /// Nanoseconds after `base` at which event number i + 1 entered its handler (0: never).
    entered: Vec<AtomicU64>,
    last: Mutex<Option<Instant>>,
    done: Notify,
}

impl Probe {
    /// `stamped`: record each event's entry time (by the event number in its message id).
    pub fn new(expected: usize, stamped: bool) -> Arc<Self> {
        let entered = if stamped {
            (0..expected).map(|_| AtomicU64::new(0)).collect()
        } else {
            Vec::new()
        };
        Arc::new(Self {
            expected,
            count: AtomicUsize::new(0),
            base: Instant::now(),
            entered,
            last: Mutex::new(None),
            done: Notify::new(),
        })
    }

    /// Called first thing in a handler; `id` is the event's message id when stamped.
    #[inline]
    pub fn hit(&self, id: Option<&str>) {
        if !self.entered.is_empty() {
            let now = self.base.elapsed().as_nanos() as u64;
            if let Some(slot) = id
                .and_then(botgate_sim::blast::event_number)
                .and_then(|n| self.entered.get((n as usize).wrapping_sub(1)))
            {
                slot.store(now.max(1), Ordering::Relaxed);
            }
        }
        if self.count.fetch_add(1, Ordering::Relaxed) + 1 == self.expected {
            *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            self.done.notify_one();
        }
    }

    /// Waits until every expected event was handled; the time the last one was.
    pub async fn all(&self, limit: Duration) -> Result<Instant, String> {
        if tokio::time::timeout(limit, self.done.notified())
            .await
            .is_err()
        {
            return Err(format!(
                "only {} of {} events handled within {limit:?}",
                self.count.load(Ordering::Relaxed),
                self.expected
            ));
        }
        let last = *self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.ok_or_else(|| "no last event".to_owned())
    }

    /// Latency of event i (0-based): from `written` to its handler's entry.
    pub fn latency(&self, i: usize, written: Instant) -> Option<Duration> {
        let entered = self.entered.get(i)?.load(Ordering::Relaxed);
        if entered == 0 {
            return None;
        }
        let written = written.checked_duration_since(self.base)?.as_nanos() as u64;
        Some(Duration::from_nanos(entered.saturating_sub(written)))
    }
}
