//! The dedupe window: the last N delivery keys, oldest forgotten first.

use std::collections::{HashSet, VecDeque};

use crate::platform::DedupeKey;

/// A bounded set of recently seen keys (FIFO eviction).
#[derive(Debug)]
pub(crate) struct DedupeWindow {
    capacity: usize,
    seen: HashSet<DedupeKey>,
    order: VecDeque<DedupeKey>,
}

impl DedupeWindow {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Records `key`; `false` if it is already in the window (a resend).
    pub(crate) fn insert(&mut self, key: DedupeKey) -> bool {
        if self.capacity == 0 {
            return true;
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> DedupeKey {
        DedupeKey::new(s.as_bytes())
    }

    #[test]
    fn second_insert_of_a_key_is_a_duplicate() {
        let mut w = DedupeWindow::new(4);
        assert!(w.insert(k("a")));
        assert!(w.insert(k("b")));
        assert!(!w.insert(k("a")));
    }

    #[test]
    fn oldest_key_is_forgotten_past_capacity() {
        let mut w = DedupeWindow::new(2);
        assert!(w.insert(k("a")));
        assert!(w.insert(k("b")));
        assert!(w.insert(k("c")));
        assert!(!w.insert(k("c")));
        assert!(!w.insert(k("b")));
        assert!(w.insert(k("a")), "a was evicted by c");
    }

    #[test]
    fn zero_capacity_disables_dedupe() {
        let mut w = DedupeWindow::new(0);
        assert!(w.insert(k("a")));
        assert!(w.insert(k("a")));
    }

    #[test]
    fn parts_are_length_prefixed() {
        let a = DedupeKey::from_parts([b"ab".as_slice(), b"c".as_slice()]);
        let b = DedupeKey::from_parts([b"a".as_slice(), b"bc".as_slice()]);
        assert_ne!(a, b);
    }
}
