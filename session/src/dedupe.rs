//! A bounded window of recently seen keys: absorbs replays after a resume (and webhook retries)
//! without growing forever.

use std::collections::{HashSet, VecDeque};
use std::hash::Hash;

/// The default window: the last 4096 keys.
pub const DEFAULT_DEDUPE_WINDOW: usize = 4096;

/// Remembers the last `capacity` keys; the oldest is forgotten first.
#[derive(Debug, Clone)]
pub struct DedupeWindow<K> {
    capacity: usize,
    order: VecDeque<K>,
    seen: HashSet<K>,
}

impl<K: Hash + Eq + Clone> DedupeWindow<K> {
    /// A window holding at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            order: VecDeque::new(),
            seen: HashSet::new(),
        }
    }

    /// Records `key`; `true` if it was not in the window (first delivery), `false` for a repeat.
    pub fn insert(&mut self, key: K) -> bool {
        if self.seen.contains(&key) {
            return false;
        }
        if self.order.len() >= self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(key.clone());
        self.order.push_back(key);
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
}
