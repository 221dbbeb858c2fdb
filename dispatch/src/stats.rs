//! Counters of what the dispatcher did with each frame, for tests, metrics and `botgate listen`.

use std::sync::atomic::{AtomicU64, Ordering};

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
    /// Resends dropped by the dedupe window.
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

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) frames: AtomicU64,
    pub(crate) not_events: AtomicU64,
    pub(crate) unhandled: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) decoded: AtomicU64,
    pub(crate) decode_errors: AtomicU64,
    pub(crate) accepted: AtomicU64,
    pub(crate) handled: AtomicU64,
    pub(crate) handler_errors: AtomicU64,
    pub(crate) panics: AtomicU64,
    pub(crate) raw: AtomicU64,
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn snapshot(&self) -> DispatchStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        DispatchStats {
            frames: get(&self.frames),
            not_events: get(&self.not_events),
            unhandled: get(&self.unhandled),
            duplicates: get(&self.duplicates),
            decoded: get(&self.decoded),
            decode_errors: get(&self.decode_errors),
            accepted: get(&self.accepted),
            handled: get(&self.handled),
            handler_errors: get(&self.handler_errors),
            panics: get(&self.panics),
            raw: get(&self.raw),
        }
    }
}
