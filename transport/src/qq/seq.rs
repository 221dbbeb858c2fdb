//! `msg_seq` allocation: one counter per replied-to `msg_id` / `event_id`, so every reply to
//! the same message gets a new sequence number and a retry (which reuses the body) keeps its
//! own; QQ drops a second message with the same (`msg_id`, `msg_seq`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Passive replies are accepted for at most an hour (C2C); counters older than that are dropped.
const KEEP: Duration = Duration::from_secs(3600);
/// Prune when the table grows past this many keys.
const PRUNE_AT: usize = 4096;

/// The counters.
#[derive(Debug, Default)]
pub(crate) struct SeqTable {
    counters: HashMap<String, (u32, Instant)>,
}

impl SeqTable {
    /// The next `msg_seq` for replies to `key` (1, 2, ...).
    pub(crate) fn next(&mut self, key: &str, now: Instant) -> u32 {
        if self.counters.len() >= PRUNE_AT && !self.counters.contains_key(key) {
            self.counters
                .retain(|_, (_, first)| now.saturating_duration_since(*first) < KEEP);
            if self.counters.len() >= PRUNE_AT {
                // Still full of live keys: drop the oldest half rather than grow without bound.
                let mut ages: Vec<Instant> = self.counters.values().map(|(_, t)| *t).collect();
                ages.sort_unstable();
                if let Some(cut) = ages.get(ages.len() / 2).copied() {
                    self.counters.retain(|_, (_, first)| *first > cut);
                }
            }
        }
        let entry = self.counters.entry(key.to_owned()).or_insert((0, now));
        entry.0 = entry.0.wrapping_add(1).max(1);
        entry.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_key_and_stays_bounded() {
        let t0 = Instant::now();
        let mut t = SeqTable::default();
        assert_eq!(t.next("a", t0), 1);
        assert_eq!(t.next("a", t0), 2);
        assert_eq!(t.next("b", t0), 1);
        assert_eq!(t.next("a", t0), 3);
        for i in 0..(PRUNE_AT * 2) {
            t.next(&format!("k{i}"), t0 + Duration::from_millis(i as u64));
        }
        assert!(t.counters.len() <= PRUNE_AT);
        // An hour later old keys are gone and restart at 1.
        let later = t0 + KEEP + Duration::from_secs(10);
        for i in 0..PRUNE_AT {
            t.next(&format!("new{i}"), later);
        }
        assert_eq!(t.next("a", later), 1);
    }
}
