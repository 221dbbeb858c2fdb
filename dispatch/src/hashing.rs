//! Hashing on the dispatch path (decision 0024): foldhash, seeded at random per dispatcher.
//!
//! - Route table and lane map: `FastState`. Route names are ours; lane ids are already keyed
//!   hashes of network-derived conversation ids, so nobody outside can aim them at one bucket.
//! - Lanes: a conversation is its 64-bit keyed hash (no key is copied or allocated per event);
//!   two conversations with equal hashes would only share a lane (serialised, still in order).
//! - Dedupe: a 128-bit fingerprint from two independently seeded quality hashers; a repeat is
//!   recognised by the fingerprint alone (a false "seen already" needs a 128-bit collision).

use std::hash::{BuildHasher, Hasher};

/// The keyed fast hasher of route tables and lane maps.
pub(crate) type FastState = foldhash::fast::RandomState;

/// Seeds of one dispatcher's lane ids and dedupe fingerprints.
#[derive(Debug, Clone, Default)]
pub(crate) struct Keys {
    lanes: foldhash::fast::RandomState,
    dedupe_a: foldhash::quality::RandomState,
    dedupe_b: foldhash::quality::RandomState,
}

impl Keys {
    /// A hasher for a lane id.
    pub(crate) fn lane(&self) -> impl Hasher {
        self.lanes.build_hasher()
    }

    /// A hasher for a dedupe fingerprint.
    pub(crate) fn dedupe(&self) -> Fingerprinter {
        Fingerprinter {
            a: self.dedupe_a.build_hasher(),
            b: self.dedupe_b.build_hasher(),
        }
    }
}

/// Feeds every write to two independently seeded hashers: [`Fingerprinter::fingerprint`] is
/// their two results.
pub(crate) struct Fingerprinter {
    a: foldhash::quality::FoldHasher<'static>,
    b: foldhash::quality::FoldHasher<'static>,
}

impl Fingerprinter {
    pub(crate) fn fingerprint(&self) -> u128 {
        (u128::from(self.a.finish()) << 64) | u128::from(self.b.finish())
    }
}

impl Hasher for Fingerprinter {
    fn finish(&self) -> u64 {
        self.a.finish()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.a.write(bytes);
        self.b.write(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.a.write_u8(i);
        self.b.write_u8(i);
    }

    fn write_u64(&mut self, i: u64) {
        self.a.write_u64(i);
        self.b.write_u64(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.a.write_usize(i);
        self.b.write_usize(i);
    }
}

/// Hashes a fingerprint as its low 64 bits: they are a keyed hash already.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FingerprintState;

impl BuildHasher for FingerprintState {
    type Hasher = FingerprintHasher;

    fn build_hasher(&self) -> FingerprintHasher {
        FingerprintHasher(0)
    }
}

pub(crate) struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not used by `u128` keys; anything else still hashes to something.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, i: u128) {
        self.0 = i as u64;
    }
}

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

    use super::Keys;

    #[test]
    fn fingerprints_tell_keys_apart_and_repeat_for_equal_keys() {
        let keys = Keys::default();
        let print = |bytes: &[u8]| {
            let mut h = keys.dedupe();
            h.write(bytes);
            h.fingerprint()
        };
        assert_eq!(print(b"AT_MESSAGE_CREATE:1"), print(b"AT_MESSAGE_CREATE:1"));
        assert_ne!(print(b"AT_MESSAGE_CREATE:1"), print(b"AT_MESSAGE_CREATE:2"));
        let other = Keys::default();
        let mut h = other.dedupe();
        h.write(b"AT_MESSAGE_CREATE:1");
        assert_ne!(
            h.fingerprint(),
            print(b"AT_MESSAGE_CREATE:1"),
            "seeded per dispatcher"
        );
    }
}
