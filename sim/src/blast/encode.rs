//! A blast's frames encoded in chunks: millions of frames take seconds, and a caller (the
//! CLI's `sim --blast N`, on a stop signal) can end the encoding between two chunks.

use std::sync::atomic::{AtomicBool, Ordering};

use super::{frames, ws, Blast, Platform};

/// Frames encoded between two looks at the stop flag: about a millisecond of work.
const CHUNK: usize = 4096;

/// An encoding that its stop flag ended before all its frames were encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("blast encoding stopped after {encoded} of {of} frames")]
pub struct Interrupted {
    /// Frames encoded when it stopped.
    pub encoded: usize,
    /// Frames asked for.
    pub of: usize,
}

impl Blast {
    /// [`Blast::new`], looking at `stop` between chunks of frames: once it is set the encoding
    /// ends there, with how far it got.
    pub fn new_until(platform: Platform, n: usize, stop: &AtomicBool) -> Result<Self, Interrupted> {
        let blast = encode(platform, n, || stop.load(Ordering::Relaxed));
        if blast.len() < n {
            return Err(Interrupted {
                encoded: blast.len(),
                of: n,
            });
        }
        Ok(blast)
    }
}

/// Encodes `n` events of `platform`, or fewer if `stopped()` says so between two chunks.
pub(super) fn encode(platform: Platform, n: usize, stopped: impl Fn() -> bool) -> Blast {
    let mut wire = Vec::new();
    let mut ends = Vec::with_capacity(n.min(CHUNK));
    let mut text = String::with_capacity(1024);
    let mut payload_bytes = 0;
    while ends.len() < n && !stopped() {
        let to = n.min(ends.len().saturating_add(CHUNK));
        ends.reserve(to - ends.len());
        for i in ends.len()..to {
            text.clear();
            frames::event(platform, i as u64, &mut text);
            if wire.is_empty() {
                // Frames differ by a few digits: the first one's size, with room, fits them all.
                wire.reserve((text.len() + 4).saturating_mul(n));
            }
            payload_bytes += text.len();
            ws::push_server_frame(&mut wire, ws::TEXT, text.as_bytes());
            ends.push(wire.len());
        }
    }
    Blast {
        platform,
        wire,
        ends,
        payload_bytes,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn a_set_flag_ends_the_encoding_between_chunks() {
        let stop = AtomicBool::new(true);
        let none = Blast::new_until(Platform::Qq, 10, &stop).unwrap_err();
        assert_eq!(none, Interrupted { encoded: 0, of: 10 });
        // stopped after the first chunk
        let looks = Cell::new(0);
        let blast = encode(Platform::OneBot, CHUNK * 3, || {
            looks.set(looks.get() + 1);
            looks.get() > 1
        });
        assert_eq!(blast.len(), CHUNK);
        assert!(blast
            .payload(CHUNK - 1)
            .unwrap()
            .contains(&format!("第{CHUNK}条")));
        let all = Blast::new_until(Platform::Bubble, CHUNK + 1, &AtomicBool::new(false)).unwrap();
        assert_eq!(all.len(), CHUNK + 1);
        assert_eq!(
            all.wire_bytes(),
            Blast::new(Platform::Bubble, CHUNK + 1).wire_bytes()
        );
    }
}
