//! Helpers the workspace's tests share, so that each test file does not carry its own copy:
//!
//! - [`within`] / [`within_for`]: await something with a bound, and fail the test naming what
//!   it waited for (tests wait on events, never sleep);
//! - [`Seen`]: what handlers saw, in order, with an async wait on it;
//! - [`redis`]: the test Redis's URL (skip locally, fail in CI without one) and unique key
//!   prefixes.
//!
//! A dev-dependency only (`publish = false`).

#![deny(missing_docs)]

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

pub mod redis;

/// How long [`within`] waits: long enough for a slow CI machine, short enough that a hang
/// fails the test instead of the run.
pub const WAIT: Duration = Duration::from_secs(30);

/// `fut`'s output, or a panic naming `what` if it takes longer than [`WAIT`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    within_for(WAIT, what, fut).await
}

/// `fut`'s output, or a panic naming `what` if it takes longer than `limit`.
pub async fn within_for<T>(limit: Duration, what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(limit, fut).await {
        Ok(value) => value,
        Err(_) => panic!("timed out after {limit:?} waiting for {what}"),
    }
}

/// Values seen by handlers, in the order they were seen, with an async wait on them. Cheap to
/// clone: clones share the record.
#[derive(Debug)]
pub struct Seen<T>(Arc<watch::Sender<Vec<T>>>);

impl<T> Clone for Seen<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Default for Seen<T> {
    fn default() -> Self {
        Self(Arc::new(watch::channel(Vec::new()).0))
    }
}

impl<T: Clone> Seen<T> {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `value`.
    pub fn push(&self, value: T) {
        self.0.send_modify(|v| v.push(value));
    }

    /// Everything seen so far.
    pub fn now(&self) -> Vec<T> {
        self.0.borrow().clone()
    }

    /// How many values were seen so far.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// Whether nothing was seen yet.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    /// A receiver of the record, for a wait that handles its own timeout (e.g. to write a
    /// post-mortem before failing).
    pub fn subscribe(&self) -> watch::Receiver<Vec<T>> {
        self.0.subscribe()
    }

    /// Everything seen, once at least `n` values were (panics after [`WAIT`]).
    pub async fn wait_len(&self, n: usize) -> Vec<T> {
        self.wait_for(&format!("{n} handled events"), |v| v.len() >= n)
            .await
    }

    /// Everything seen, once `done` holds for it (panics after [`WAIT`], naming `what`).
    pub async fn wait_for(&self, what: &str, done: impl FnMut(&Vec<T>) -> bool) -> Vec<T> {
        self.wait_within(WAIT, what, done).await
    }

    /// Everything seen, once `done` holds for it (panics after `limit`, naming `what`).
    pub async fn wait_within(
        &self,
        limit: Duration,
        what: &str,
        done: impl FnMut(&Vec<T>) -> bool,
    ) -> Vec<T> {
        let mut rx = self.0.subscribe();
        let seen = match within_for(limit, what, rx.wait_for(done)).await {
            Ok(seen) => seen.clone(),
            // The sender lives in `self`, so the channel cannot close while we wait.
            Err(_) => unreachable!("the record outlives its waiters"),
        };
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wait_returns_what_was_seen_once_enough_was() {
        let seen = Seen::new();
        let writer = seen.clone();
        let task = tokio::spawn(async move {
            for i in 0..3 {
                writer.push(i);
                tokio::task::yield_now().await;
            }
        });
        assert_eq!(seen.wait_len(3).await, [0, 1, 2]);
        task.await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen.len(), 3);
        assert_eq!(
            seen.wait_for("an odd sum", |v| v.iter().sum::<i32>() % 2 == 1)
                .await
                .len(),
            3
        );
    }

    #[tokio::test]
    #[should_panic(expected = "timed out after 10ms waiting for nothing")]
    async fn a_wait_that_never_ends_fails_naming_what_it_waited_for() {
        within_for(
            Duration::from_millis(10),
            "nothing",
            std::future::pending::<()>(),
        )
        .await;
    }
}
