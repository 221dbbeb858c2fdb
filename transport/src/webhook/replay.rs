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

    /// Takes `signature` until `until` (Unix seconds) unless it is taken already at `now`;
    /// `false` then. One locked step: of two copies of a delivery arriving at once, one is
    /// taken.
    pub(crate) fn claim(&self, signature: &str, now: u64, until: u64) -> bool {
        let hash = self.hash(signature);
        let mut inner = self.lock(now);
        if inner.hashes.contains(&hash) {
            return false;
        }
        while inner.order.len() >= self.capacity {
            if let Some((_, old)) = inner.order.pop_front() {
                inner.hashes.remove(&old);
            }
        }
        inner.hashes.insert(hash);
        inner.order.push_back((until, hash));
        true
    }

    /// Gives back a claim whose delivery was not handed on (refused with 503: QQ sends it
    /// again, and that copy must get through).
    pub(crate) fn release(&self, signature: &str, now: u64) {
        let hash = self.hash(signature);
        let mut inner = self.lock(now);
        inner.hashes.remove(&hash);
        // Its place in the arrival order goes too (the newest, near the back: it was just
        // claimed): left there, making room later would drop it and with it the retry's own
        // claim, and a replay of the retry would get through.
        if let Some(at) = inner.order.iter().rposition(|&(_, h)| h == hash) {
            inner.order.remove(at);
        }
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
    fn a_released_claim_can_be_taken_again() {
        let seen = SeenSignatures::new(8);
        assert!(seen.claim("ab12", 100, 400));
        seen.release("ab12", 100);
        assert!(
            seen.claim("ab12", 101, 400),
            "the retry of a refused delivery"
        );
        assert!(!seen.claim("ab12", 102, 400));
    }

    #[test]
    fn a_claim_taken_again_after_a_release_is_not_forgotten_to_make_room() {
        let seen = SeenSignatures::new(2);
        assert!(seen.claim("a", 0, 300));
        seen.release("a", 0);
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
