//! Blast: a sender that is never the bottleneck, for end-to-end benchmarks.
//!
//! [`Blast::new`] encodes N dispatch frames of one platform into WebSocket frames once (header
//! and payload, ready to write); a [`BlastServer`] speaks just enough of the platform's
//! handshake for a real client (QQ: Hello, Identify, READY; Bubble: Hello, BOT_READY; OneBot:
//! the lifecycle event), then writes the frames to each client in large batches straight to
//! the TCP socket, or one at a time at a fixed rate with the time each was written
//! ([`BlastConfig::pace`]). The client's heartbeats are acknowledged, Bubble subscriptions
//! confirmed and OneBot actions answered between batches. [`count`] is a client that only
//! counts frames: a blast against it measures the sender's ceiling.
//!
//! Events are AT_MESSAGE_CREATE (QQ), MESSAGE_CREATE (Bubble) and group messages (OneBot),
//! with Chinese text and emoji, over 64 conversations; event `i` carries the number `i + 1`
//! at the end of its message id ([`event_number`]), so a handler can say which frame it got.

mod count;
mod encode;
mod frames;
mod server;
mod ws;

pub use count::{count, CountReport};
pub use encode::Interrupted;
pub use server::{pace_wait, BlastConfig, BlastRun, BlastServer};

/// Which platform's frames and handshake a blast speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Platform {
    /// The QQ Bot gateway.
    Qq,
    /// The Bubble open gateway (the documented profile: no `s`, no resume).
    Bubble,
    /// OneBot v11 forward WebSocket.
    OneBot,
}

/// N dispatch frames of one platform, encoded once as WebSocket frames.
#[derive(Debug)]
pub struct Blast {
    platform: Platform,
    /// Every frame, header and payload, back to back.
    wire: Vec<u8>,
    /// End offset of each frame in `wire`.
    ends: Vec<usize>,
    payload_bytes: usize,
}

impl Blast {
    /// Encodes `n` events of `platform` (about 0.2 µs each; [`Blast::new_until`] can be
    /// stopped midway).
    pub fn new(platform: Platform, n: usize) -> Self {
        encode::encode(platform, n, || false)
    }

    /// The platform.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// Number of event frames.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are no event frames.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes on the wire (WebSocket headers included).
    pub fn wire_bytes(&self) -> usize {
        self.wire.len()
    }

    /// Bytes of JSON (payloads only).
    pub fn payload_bytes(&self) -> usize {
        self.payload_bytes
    }

    /// The JSON text of event `i`.
    pub fn payload(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let h = ws::header(&self.wire[start..end])?;
        std::str::from_utf8(&self.wire[start + h.len..end]).ok()
    }

    /// Frames `from..to`, as written.
    pub(crate) fn span(&self, from: usize, to: usize) -> &[u8] {
        let start = if from == 0 { 0 } else { self.ends[from - 1] };
        &self.wire[start..self.ends[to - 1]]
    }

    /// The frame after `from` at which a batch of about `bytes` bytes starts anew (at least
    /// one frame per batch).
    pub(crate) fn batch_end(&self, from: usize, bytes: usize) -> usize {
        let start = if from == 0 { 0 } else { self.ends[from - 1] };
        let limit = start.saturating_add(bytes);
        let to = self.ends.partition_point(|&end| end <= limit);
        to.max(from + 1).min(self.ends.len())
    }
}

/// The event number (1-based) at the end of a blast event's message id (QQ `d.id`, Bubble
/// `d.id`, OneBot `message_id`, or the unified message id made from them).
pub fn event_number(id: &str) -> Option<u64> {
    let digits = id.len() - id.bytes().rev().take_while(u8::is_ascii_digit).count();
    id.get(digits..)?.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn batches_end_on_frame_boundaries() {
        let blast = Blast::new(Platform::Bubble, 100);
        let mut from = 0;
        let mut seen = 0;
        while from < blast.len() {
            let to = blast.batch_end(from, 4096);
            assert!(to > from);
            let span = blast.span(from, to);
            assert!(span.len() <= 4096 || to == from + 1);
            seen += span.len();
            from = to;
        }
        assert_eq!(seen, blast.wire_bytes());
        assert!(blast.payload(99).unwrap().contains(r#""id":100,"#));
        assert_eq!(event_number("x00042"), Some(42));
        assert_eq!(event_number("abc"), None);
    }
}
