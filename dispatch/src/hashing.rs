//! Hashing on the dispatch path (decision 0024): foldhash, seeded at random per dispatcher.
//!
//! - Route table and lane map: `FastState`. Route names are ours; lane ids are already keyed
//!   hashes of network-derived conversation ids, so nobody outside can aim them at one bucket.
//! - Lanes: a conversation is its 64-bit keyed hash (no key is copied or allocated per event);
//!   two conversations with equal hashes would only share a lane (serialised, still in order).
//! - Dedupe: the session crate's 128-bit fingerprints (`botgate_session::Fingerprints`).

use std::hash::{BuildHasher, Hasher};

use botgate_session::{Fingerprinter, Fingerprints};

/// The keyed fast hasher of route tables and lane maps.
pub(crate) type FastState = foldhash::fast::RandomState;

/// Seeds of one dispatcher's lane ids and dedupe fingerprints.
#[derive(Debug, Clone, Default)]
pub(crate) struct Keys {
    lanes: foldhash::fast::RandomState,
    dedupe: Fingerprints,
}

impl Keys {
    /// A hasher for a lane id.
    pub(crate) fn lane(&self) -> impl Hasher {
        self.lanes.build_hasher()
    }

    /// A hasher for a dedupe fingerprint.
    pub(crate) fn dedupe(&self) -> Fingerprinter {
        self.dedupe.hasher()
    }
}
