//! `msg_seq` allocation: one counter per replied-to `msg_id` / `event_id`, so every reply to
//! the same message gets a new sequence number and a retry (which reuses the body) keeps its
//! own; QQ drops a second message with the same (`msg_id`, `msg_seq`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Passive replies are accepted for at most an hour (C2C); counters older than that are dropped.
const KEEP: Duration = Duration::from_secs(3600);
/// Prune when the table grows past this many keys: about 6 MiB at most, room for 18 replied-to
/// messages a second for the whole hour (at 4096 a busy bot lost live keys, and a later
/// reply restarted at 1 and was refused as a duplicate).
const PRUNE_AT: usize = 65_536;

/// The counters.
#[derive(Debug, Default)]
pub(crate) struct SeqTable {
    counters: HashMap<String, (u32, Instant)>,
}

impl SeqTable {
    /// The next `msg_seq` for replies to `key` (1, 2, ...).
    pub(crate) fn next(&mut self, key: &str, now: Instant) -> u32 {
        self.make_room(key, now);
        let entry = self.counters.entry(key.to_owned()).or_insert((0, now));
        entry.0 = entry.0.wrapping_add(1).max(1);
        entry.0
    }

    /// A reply to `key` sent with a `msg_seq` of the caller's own: later automatic ones
    /// continue after it instead of reusing it.
    pub(crate) fn used(&mut self, key: &str, seq: u32, now: Instant) {
        self.make_room(key, now);
        let entry = self.counters.entry(key.to_owned()).or_insert((0, now));
        entry.0 = entry.0.max(seq);
    }

    /// Before a new key goes in at [`PRUNE_AT`] keys: expired ones go; if more than three
    /// quarters are still live, the older half goes too, so the next full scan is thousands
    /// of keys away (not at the next key, as when only a few had expired).
    fn make_room(&mut self, key: &str, now: Instant) {
        if self.counters.len() < PRUNE_AT || self.counters.contains_key(key) {
            return;
        }
        self.counters
            .retain(|_, (_, first)| now.saturating_duration_since(*first) < KEEP);
        if self.counters.len() > PRUNE_AT / 4 * 3 {
            let mut ages: Vec<Instant> = self.counters.values().map(|(_, t)| *t).collect();
            ages.sort_unstable();
            if let Some(cut) = ages.get(ages.len() / 2).copied() {
                self.counters.retain(|_, (_, first)| *first > cut);
            }
        }
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

    #[test]
    fn a_seq_of_the_callers_own_is_not_reused() {
        let t0 = Instant::now();
        let mut t = SeqTable::default();
        t.used("m", 3, t0);
        assert_eq!(t.next("m", t0), 4);
        t.used("m", 2, t0);
        assert_eq!(t.next("m", t0), 5);
    }

    #[test]
    fn keys_of_the_callers_own_seqs_are_pruned_too_and_a_full_table_is_not_scanned_per_key() {
        let t0 = Instant::now();
        let mut t = SeqTable::default();
        for i in 0..(PRUNE_AT * 3) {
            t.used(&format!("k{i}"), 1, t0 + Duration::from_millis(i as u64));
        }
        assert!(t.counters.len() <= PRUNE_AT);
        // At the cap with one key expired: the prune frees far more than that one key.
        let mut t = SeqTable::default();
        for i in 0..PRUNE_AT {
            t.next(&format!("k{i}"), t0 + Duration::from_millis(i as u64 * 10));
        }
        let later = t0 + KEEP + Duration::from_millis(5);
        t.next("new", later);
        assert!(t.counters.len() <= PRUNE_AT / 2 + 1, "{}", t.counters.len());
    }
}
