//! [`Fed`]: a hasher that keeps what it is fed, for tests of what a platform feeds to its
//! lane and dedupe hashes.

use std::hash::Hasher;

/// Keeps what it is fed.
#[derive(Default)]
pub(crate) struct Fed(pub(crate) Vec<u8>);

impl Hasher for Fed {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}
