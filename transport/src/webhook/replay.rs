//! [`SeenSignatures`]: the QQ deliveries already taken, by signature, for as long as their
//! timestamp is inside the window. A captured signed delivery verifies again until its
//! timestamp leaves the window (300 s); the dispatcher's dedupe remembers only its last few
//! thousand event ids, which a busy bot passes in seconds.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

/// How many signatures are remembered at most (16 bytes each, twice): a bot taking more than
/// this many deliveries within one window forgets the oldest early.
pub(crate) const DEFAULT_CAPACITY: usize = 262_144;

/// See the module docs. Signatures are kept as keyed 64-bit hashes.
#[derive(Debug)]
pub(crate) struct SeenSignatures {
    inner: Mutex<Inner>,
    capacity: usize,
    hasher: RandomState,
}

#[derive(Debug, Default)]
struct Inner {
    /// (until, hash) in arrival order; `until` in Unix seconds.
    order: VecDeque<(u64, u64)>,
    hashes: HashSet<u64>,
}

impl SeenSignatures {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::default(),
            capacity: capacity.max(1),
            hasher: RandomState::new(),
        }
    }

    /// Takes `signature` until `until` (Unix seconds) if `hand_on` succeeds, unless it is
    /// taken already at `now`: `None` then, and `hand_on` does not run. `hand_on` runs under
    /// the lock, so a copy of the delivery arriving meanwhile waits for its outcome: taken if
    /// the delivery was handed on, free if not (its 503 makes QQ send it again, and that copy
    /// must get through). Claimed first and given back after a failure, a copy arriving in
    /// between was acknowledged as a replay of a delivery nobody queued. `hand_on` must not
    /// block (a `try_send`).
    pub(crate) fn take_with<T, E>(
        &self,
        signature: &str,
        now: u64,
        until: u64,
        hand_on: impl FnOnce() -> Result<T, E>,
    ) -> Option<Result<T, E>> {
        let hash = self.hash(signature);
        let mut inner = self.lock(now);
        if inner.hashes.contains(&hash) {
            return None;
        }
        let handed = hand_on();
        if handed.is_ok() {
            while inner.order.len() >= self.capacity {
                if let Some((_, old)) = inner.order.pop_front() {
                    inner.hashes.remove(&old);
                }
            }
            inner.hashes.insert(hash);
            inner.order.push_back((until, hash));
        }
        Some(handed)
    }

    fn hash(&self, signature: &str) -> u64 {
        // Hex of either case names the same signature.
        self.hasher
            .hash_one(signature.trim().to_ascii_lowercase().as_bytes())
    }

    /// The lock, with the signatures whose window ended before `now` forgotten.
    fn lock(&self, now: u64) -> std::sync::MutexGuard<'_, Inner> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(&(until, old)) = inner.order.front() {
            if until >= now {
                break;
            }
            inner.order.pop_front();
            inner.hashes.remove(&old);
        }
        inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl SeenSignatures {
        /// A delivery handed on: whether it was taken.
        fn claim(&self, signature: &str, now: u64, until: u64) -> bool {
            self.take_with(signature, now, until, || Ok::<(), ()>(()))
                .is_some()
        }

        /// A delivery the queue refused: whether it was free to try.
        fn refused(&self, signature: &str, now: u64, until: u64) -> bool {
            self.take_with(signature, now, until, || Err::<(), ()>(()))
                .is_some()
        }
    }

    #[test]
    fn a_signature_is_taken_once_while_its_window_lasts() {
        let seen = SeenSignatures::new(8);
        assert!(seen.claim("ab12", 100, 400));
        assert!(
            !seen.claim("AB12", 399, 400),
            "the same signature, in capitals"
        );
        assert!(seen.claim("cd34", 399, 700));
        // Its window is over: forgotten (its timestamp would be refused as stale anyway).
        assert!(seen.claim("ab12", 401, 700));
    }

    #[test]
    fn a_refused_delivery_is_not_taken() {
        let seen = SeenSignatures::new(8);
        assert!(seen.refused("ab12", 100, 400));
        assert!(
            seen.claim("ab12", 101, 400),
            "the retry of a refused delivery"
        );
        assert!(!seen.claim("ab12", 102, 400));
        assert!(!seen.refused("ab12", 103, 400), "taken: no second try");
    }

    #[test]
    fn a_retry_taken_after_a_refusal_is_not_forgotten_to_make_room() {
        let seen = SeenSignatures::new(2);
        assert!(seen.refused("a", 0, 300));
        assert!(seen.claim("a", 1, 300), "the retry of a refused delivery");
        assert!(seen.claim("b", 2, 300));
        assert!(!seen.claim("a", 3, 300), "a replay of the retry");
    }

    #[test]
    fn two_copies_claimed_at_once_are_taken_once() {
        let seen = std::sync::Arc::new(SeenSignatures::new(1024));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let seen = std::sync::Arc::clone(&seen);
                std::thread::spawn(move || seen.claim("same", 100, 400))
            })
            .collect();
        let taken = threads
            .into_iter()
            .map(|t| t.join().unwrap_or(false))
            .filter(|&won| won)
            .count();
        assert_eq!(taken, 1);
    }

    #[test]
    fn at_capacity_the_oldest_is_forgotten() {
        let seen = SeenSignatures::new(2);
        for s in ["a", "b", "c"] {
            assert!(seen.claim(s, 0, 300));
        }
        assert!(!seen.claim("c", 0, 300) && !seen.claim("b", 0, 300));
        assert!(seen.claim("a", 0, 300), "forgotten to make room");
    }
}
