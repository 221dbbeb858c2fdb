//! A bounded window of recently seen keys: absorbs replays after a resume (and webhook retries)
//! without growing forever. The one window of the workspace: Bubble's session dedupes with it,
//! and the dispatcher (`botgate-dispatch`) dedupes deliveries and unified events with it.

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
///
/// The keys are kept in a ring in arrival order; an open-addressing index of 8-byte slots (the
/// key's hash and its place in the ring) finds them. An insert touches about two cache lines
/// at random, where a `HashSet` plus a queue touched four in twice the memory: under a flood
/// the window is evicted from the cache between events, and its misses were 3.7 % of a QQ
/// event's time (`perf`, issue 15).
#[derive(Debug, Clone)]
pub struct DedupeWindow<K, S = RandomState> {
    capacity: usize,
    hasher: S,
    /// The keys, in a ring once `capacity` are held: `ring[next]` is the oldest then.
    ring: Vec<K>,
    next: usize,
    /// Linear probing, a power of two at least twice as long as `ring` (empty before the
    /// first key): 0 is empty, else the low 32 bits of the key's hash above the key's place in
    /// `ring` plus one.
    slots: Vec<u64>,
}

impl<K: Hash + Eq + Clone> DedupeWindow<K> {
    /// A window holding at most `capacity` keys; 0 turns dedupe off.
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, RandomState::new())
    }
}

impl<K: Hash + Eq + Clone, S: BuildHasher> DedupeWindow<K, S> {
    /// A window holding at most `capacity` keys (0 turns dedupe off), hashed by `hasher`.
    /// Capacities beyond 2^31 keys are taken as 2^31 (a place in the ring fits 32 bits).
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.min(1 << 31);
        Self {
            capacity,
            hasher,
            ring: Vec::new(),
            next: 0,
            slots: Vec::new(),
        }
    }

    /// Inserts `key`: `true` if it was not in the window (it is now), `false` if it was (a
    /// replay).
    pub fn insert(&mut self, key: K) -> bool {
        if self.capacity == 0 {
            return true;
        }
        let hash = self.hasher.hash_one(&key) as u32;
        if self.contains(hash, &key) {
            return false;
        }
        let place = if self.ring.len() < self.capacity {
            if (self.ring.len() + 1) * 2 > self.slots.len() {
                // Grown with the ring (at most twice the capacity, rounded up to a power of
                // two): an idle session pays nothing.
                self.grow();
            }
            self.ring.push(key);
            self.ring.len() - 1
        } else {
            // Full: the oldest key leaves, and the new one takes its place in the ring.
            let place = self.next;
            self.next = (self.next + 1) % self.capacity;
            let Some(old) = self.ring.get_mut(place) else {
                return true;
            };
            let old = std::mem::replace(old, key);
            let old_hash = self.hasher.hash_one(&old) as u32;
            self.remove_slot(old_hash, place);
            place
        };
        let i = self.empty_slot(hash);
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = (u64::from(hash) << 32) | (place as u64 + 1);
        }
        true
    }

    /// Whether `key` (hashed to `hash`) is in the window.
    fn contains(&self, hash: u32, key: &K) -> bool {
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = hash as usize & mask;
        loop {
            match self.slots.get(i).copied() {
                Some(0) | None => return false,
                Some(slot) if (slot >> 32) as u32 == hash => {
                    let place = (slot as u32 as usize).wrapping_sub(1);
                    if self.ring.get(place) == Some(key) {
                        return true;
                    }
                }
                Some(_) => {}
            }
            i = (i + 1) & mask;
        }
    }

    /// The first empty slot on the probe path of `hash` (the index is never full: it holds at
    /// most half as many keys as slots).
    fn empty_slot(&self, hash: u32) -> usize {
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = hash as usize & mask;
        while self.slots.get(i).is_some_and(|s| *s != 0) {
            i = (i + 1) & mask;
        }
        i
    }

    /// Doubles the index (16 slots at first) and puts every key of the ring in it again.
    fn grow(&mut self) {
        self.slots = vec![0; (self.slots.len() * 2).max(16)];
        for place in 0..self.ring.len() {
            let Some(key) = self.ring.get(place) else {
                break;
            };
            let hash = self.hasher.hash_one(key) as u32;
            let i = self.empty_slot(hash);
            if let Some(slot) = self.slots.get_mut(i) {
                *slot = (u64::from(hash) << 32) | (place as u64 + 1);
            }
        }
    }

    /// Frees the slot of the key at `place` (hashed to `hash`), shifting back the slots after
    /// it that probed past it, so that every probe still ends at an empty slot.
    fn remove_slot(&mut self, hash: u32, place: usize) {
        let mask = self.slots.len() - 1;
        let wanted = place as u64 + 1;
        let mut hole = hash as usize & mask;
        loop {
            match self.slots.get(hole).copied() {
                Some(0) | None => return,
                Some(slot) if slot as u32 as u64 == wanted => break,
                Some(_) => hole = (hole + 1) & mask,
            }
        }
        let mut i = hole;
        loop {
            i = (i + 1) & mask;
            let slot = self.slots.get(i).copied().unwrap_or(0);
            if slot == 0 {
                break;
            }
            let home = (slot >> 32) as usize & mask;
            // `slot` may move to the hole if its home is not cyclically in (hole, i].
            if (i.wrapping_sub(home) & mask) >= (i.wrapping_sub(hole) & mask) {
                if let Some(h) = self.slots.get_mut(hole) {
                    *h = slot;
                }
                hole = i;
            }
        }
        if let Some(h) = self.slots.get_mut(hole) {
            *h = 0;
        }
    }

    /// Number of keys remembered.
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
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

    /// Hashes every key to one of `0..buckets`: long probe chains, equal tags.
    #[derive(Clone)]
    struct Clash(u64);

    struct ClashHasher(u64, u64);

    impl BuildHasher for Clash {
        type Hasher = ClashHasher;
        fn build_hasher(&self) -> ClashHasher {
            ClashHasher(self.0, 0)
        }
    }

    impl std::hash::Hasher for ClashHasher {
        fn finish(&self) -> u64 {
            self.1 % self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for b in bytes {
                self.1 = self.1.wrapping_mul(31).wrapping_add(u64::from(*b));
            }
        }
    }

    /// The window against the obvious one (a queue of the last `capacity` keys), on random
    /// sequences with many repeats, with a good hash and with one that sends every key to a
    /// few slots (so probes run long and removals shift slots back across the wrap).
    #[test]
    fn agrees_with_a_queue_of_the_last_keys() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..400 {
            let capacity = next(40) as usize;
            let keys = 1 + next(3 * capacity as u64 + 8);
            let buckets = 1 + next(6);
            let mut fast = DedupeWindow::with_hasher(capacity, RandomState::new());
            let mut clash = DedupeWindow::with_hasher(capacity, Clash(buckets));
            let mut model: std::collections::VecDeque<u64> = Default::default();
            for step in 0..500 {
                let key = next(keys);
                let fresh = capacity == 0 || !model.contains(&key);
                if fresh && capacity > 0 {
                    model.push_back(key);
                    if model.len() > capacity {
                        model.pop_front();
                    }
                }
                assert_eq!(
                    fast.insert(key),
                    fresh,
                    "round {round} step {step} key {key}"
                );
                assert_eq!(
                    clash.insert(key),
                    fresh,
                    "round {round} step {step} key {key}"
                );
                assert_eq!(fast.len(), model.len());
                assert_eq!(clash.len(), model.len());
            }
        }
    }

    #[test]
    fn u128_fingerprints_across_many_wraps_of_the_ring() {
        let key = |n: u128| n.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
        let mut w = DedupeWindow::with_hasher(1000, crate::FingerprintState);
        for n in 0..20_000u128 {
            assert!(w.insert(key(n)), "{n} is new");
            assert!(!w.insert(key(n)), "{n} is a repeat");
            if n >= 999 {
                // A repeat changes nothing: the oldest of the last 1000 is still there.
                assert!(!w.insert(key(n - 999)), "{n}: the last 1000 are remembered");
            }
        }
        assert_eq!(w.len(), 1000);
        assert!(
            w.insert(key(18_999)),
            "the one before the last 1000 is forgotten"
        );
    }
}
