//! Counters of what the dispatcher did with each frame, for tests, metrics and `botgate listen`.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::lanes::EventCounts;

/// A snapshot of the dispatcher's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DispatchStats {
    /// Inputs passed to `dispatch`.
    pub frames: u64,
    /// Inputs without an event type (not events): only `on_raw` saw them.
    pub not_events: u64,
    /// Events nobody handles: dropped without decoding `d`.
    pub unhandled: u64,
    /// Resends dropped by the dedupe window (decoded first: they count in `decoded` too).
    pub duplicates: u64,
    /// Payloads decoded (successfully or not).
    pub decoded: u64,
    /// Payloads that failed to decode (reported to `on_error`).
    pub decode_errors: u64,
    /// Events queued for their handlers.
    pub accepted: u64,
    /// Handler invocations that returned `Ok`.
    pub handled: u64,
    /// Handler invocations that returned an error.
    pub handler_errors: u64,
    /// Handler invocations that panicked.
    pub panics: u64,
    /// `on_raw` invocations.
    pub raw: u64,
}

/// The dispatcher's counts. Every input that reaches the dispatch ends in exactly one of
/// `not_events`, `unhandled`, `duplicates`, `decode_errors`, `accepted` or one of the two
/// rare ends below, so `frames` and `decoded` are sums taken by the snapshot, not counts of
/// their own: a handled event costs two atomic increments fewer. A resend is dropped after
/// its decode (by the claim, decision 0089): `duplicates` count as decoded.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Inputs that ended while their raw handlers' job waited for room (the dispatcher
    /// closed). Counts as frames.
    pub(crate) raw_closed: AtomicU64,
    /// Decoded payloads not accepted: the dispatcher closed while the event waited for room.
    /// Counts as decoded.
    pub(crate) not_accepted: AtomicU64,
    pub(crate) not_events: AtomicU64,
    pub(crate) unhandled: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) decode_errors: AtomicU64,
    /// Accepted events but those run at once in the dispatching task (`EventCounts`).
    pub(crate) accepted: AtomicU64,
    /// Handler invocations that returned `Ok` but those of events run at once in the
    /// dispatching task (`EventCounts`).
    pub(crate) handled: AtomicU64,
    pub(crate) handler_errors: AtomicU64,
    pub(crate) panics: AtomicU64,
    pub(crate) raw: AtomicU64,
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    /// The counts, with those of the events run in the dispatching task (`inline`: kept under
    /// the lanes' lock, decision 0089).
    pub(crate) fn snapshot(&self, inline: EventCounts) -> DispatchStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let (not_events, unhandled, duplicates) = (
            get(&self.not_events),
            get(&self.unhandled),
            get(&self.duplicates),
        );
        let (decode_errors, accepted) = (
            get(&self.decode_errors),
            get(&self.accepted) + inline.accepted,
        );
        // A resend is decoded before the claim finds it in the dedupe window (decision 0089).
        let decoded = decode_errors + accepted + get(&self.not_accepted) + duplicates;
        DispatchStats {
            frames: not_events + unhandled + decoded + get(&self.raw_closed),
            not_events,
            unhandled,
            duplicates,
            decoded,
            decode_errors,
            accepted,
            handled: get(&self.handled) + inline.handled,
            handler_errors: get(&self.handler_errors),
            panics: get(&self.panics),
            raw: get(&self.raw),
        }
    }
}
