//! 128-bit fingerprints of dedupe keys (decision 0024): two independently seeded foldhash
//! quality hashers over the same bytes. A repeat is recognised by its fingerprint alone (a
//! false "seen already" needs a 128-bit collision), so a dedupe window holds 16 bytes per
//! event and a key is never copied or allocated.

use std::hash::{BuildHasher, Hasher};

/// The seeds of one owner's fingerprints (a session's, a dispatcher's), random per instance.
#[derive(Debug, Clone, Default)]
pub struct Fingerprints {
    a: foldhash::quality::RandomState,
    b: foldhash::quality::RandomState,
}

impl Fingerprints {
    /// A hasher for one fingerprint: feed the key, then take
    /// [`Fingerprinter::fingerprint`].
    pub fn hasher(&self) -> Fingerprinter {
        Fingerprinter {
            a: self.a.build_hasher(),
            b: self.b.build_hasher(),
        }
    }
}

/// Feeds every write to two independently seeded hashers: [`Fingerprinter::fingerprint`] is
/// their two results.
#[allow(missing_debug_implementations)] // foldhash's hashers have no `Debug`
pub struct Fingerprinter {
    a: foldhash::quality::FoldHasher<'static>,
    b: foldhash::quality::FoldHasher<'static>,
}

impl Fingerprinter {
    /// The fingerprint of what was fed.
    pub fn fingerprint(&self) -> u128 {
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

/// Hashes a fingerprint as its low 64 bits, which are a keyed hash already: the hasher of a
/// [`DedupeWindow`](crate::DedupeWindow) of fingerprints.
#[derive(Debug, Clone, Copy, Default)]
pub struct FingerprintState;

impl BuildHasher for FingerprintState {
    type Hasher = FingerprintHasher;

    fn build_hasher(&self) -> FingerprintHasher {
        FingerprintHasher(0)
    }
}

/// The hasher of [`FingerprintState`].
#[derive(Debug)]
pub struct FingerprintHasher(u64);

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

    use super::Fingerprints;

    #[test]
    fn fingerprints_tell_keys_apart_and_repeat_for_equal_keys() {
        let keys = Fingerprints::default();
        let print = |bytes: &[u8]| {
            let mut h = keys.hasher();
            h.write(bytes);
            h.fingerprint()
        };
        assert_eq!(print(b"AT_MESSAGE_CREATE:1"), print(b"AT_MESSAGE_CREATE:1"));
        assert_ne!(print(b"AT_MESSAGE_CREATE:1"), print(b"AT_MESSAGE_CREATE:2"));
        let other = Fingerprints::default();
        let mut h = other.hasher();
        h.write(b"AT_MESSAGE_CREATE:1");
        assert_ne!(
            h.fingerprint(),
            print(b"AT_MESSAGE_CREATE:1"),
            "seeded per owner"
        );
    }
}
