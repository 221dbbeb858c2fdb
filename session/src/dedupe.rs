//! A bounded window of recently seen keys: absorbs replays after a resume (and webhook retries)
//! without growing forever. The one window of the workspace: Bubble's session dedupes with it,
//! and the dispatcher (`botgate-dispatch`) dedupes deliveries and unified events with it.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, Hash, RandomState};

/// The default window: the last 4096 keys.
pub const DEFAULT_DEDUPE_WINDOW: usize = 4096;

/// Remembers the last `capacity` keys; the oldest is forgotten first.
///
/// A capacity of 0 remembers nothing: every key is new, so dedupe is off. (A window of one
/// key would still drop a key repeated back to back, which is not what "no window" means.)
///
/// `S` hashes the keys (std's SipHash by default); keys that are already keyed hashes of what
/// they stand for (the dispatcher's fingerprints) can use a cheaper one
/// ([`with_hasher`](Self::with_hasher)).
#[derive(Debug, Clone)]
pub struct DedupeWindow<K, S = RandomState> {
    capacity: usize,
    order: VecDeque<K>,
    seen: HashSet<K, S>,
}

impl<K: Hash + Eq + Clone> DedupeWindow<K> {
    /// A window holding at most `capacity` keys; 0 turns dedupe off.
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, RandomState::new())
    }
}

impl<K: Hash + Eq + Clone, S: BuildHasher> DedupeWindow<K, S> {
    /// A window holding at most `capacity` keys (0 turns dedupe off), hashed by `hasher`.
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self {
            capacity,
            order: VecDeque::new(),
            seen: HashSet::with_hasher(hasher),
        }
    }

    /// Records `key`; `true` if it was not in the window (first delivery), `false` for a repeat.
    pub fn insert(&mut self, key: K) -> bool {
        if self.capacity == 0 {
            return true;
        }
        // One hash for the check and the insert; the oldest key goes once the window is over.
        if !self.seen.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }

    /// Number of keys remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_inside_the_window_are_caught_and_old_keys_expire() {
        let mut w = DedupeWindow::new(3);
        assert!(w.insert(1));
        assert!(!w.insert(1));
        assert!(w.insert(2));
        assert!(w.insert(3));
        assert!(w.insert(4)); // evicts 1
        assert_eq!(w.len(), 3);
        assert!(w.insert(1));
        assert!(!w.insert(4));
    }

    #[test]
    fn zero_capacity_remembers_nothing() {
        let mut w = DedupeWindow::new(0);
        assert!(w.insert("a"));
        assert!(w.insert("a"));
        assert!(w.is_empty());
    }
}
