//! Counters of a webhook server, one per [`Outcome`].

use std::sync::atomic::{AtomicU64, Ordering};

use super::message::Outcome;

/// What a webhook server did with the requests it got so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookStats {
    /// Verified events handed on for dispatch (duplicates included: dedupe is the
    /// dispatcher's).
    pub delivered: u64,
    /// QQ callback-URL validations answered.
    pub validated: u64,
    /// Verified requests with nothing to dispatch.
    pub ignored: u64,
    /// Rejected: signature missing or wrong (401).
    pub bad_signature: u64,
    /// Rejected: timestamp outside the window (401).
    pub stale_timestamp: u64,
    /// Rejected: another bot's app id (401).
    pub wrong_app: u64,
    /// Rejected: malformed body (400).
    pub malformed: u64,
    /// Refused for now: dispatch queue full or closed (503).
    pub overloaded: u64,
    /// Rejected: body over the limit (413).
    pub too_large: u64,
    /// Rejected: not read within the request timeout (408).
    pub timed_out: u64,
    /// Rejected: not a POST (405) or not the configured path (404).
    pub not_routed: u64,
    /// Requests whose headers are read and whose answer is not written yet.
    pub in_flight: u64,
}

impl WebhookStats {
    /// Every request rejected with a 4xx status (not [`overloaded`](Self::overloaded): those
    /// were answered 503, to be sent again).
    pub fn rejected(&self) -> u64 {
        self.bad_signature
            + self.stale_timestamp
            + self.wrong_app
            + self.malformed
            + self.too_large
            + self.timed_out
            + self.not_routed
    }
}

/// The live counters behind [`WebhookStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    outcomes: [AtomicU64; 11],
    in_flight: AtomicU64,
}

impl Counters {
    fn slot(outcome: Outcome) -> usize {
        match outcome {
            Outcome::Delivered => 0,
            Outcome::Validated => 1,
            Outcome::Ignored => 2,
            Outcome::BadSignature => 3,
            Outcome::StaleTimestamp => 4,
            Outcome::WrongApp => 5,
            Outcome::Malformed => 6,
            Outcome::Overloaded => 7,
            Outcome::TooLarge => 8,
            Outcome::TimedOut => 9,
            Outcome::WrongMethod | Outcome::NotFound => 10,
        }
    }

    pub(crate) fn count(&self, outcome: Outcome) {
        self.outcomes[Self::slot(outcome)].fetch_add(1, Ordering::Relaxed);
    }

    /// A request's headers are read.
    pub(crate) fn begin(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// A request is answered with `outcome`.
    pub(crate) fn end(&self, outcome: Outcome) {
        self.count(outcome);
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> WebhookStats {
        let n = |i: usize| self.outcomes[i].load(Ordering::Relaxed);
        WebhookStats {
            delivered: n(0),
            validated: n(1),
            ignored: n(2),
            bad_signature: n(3),
            stale_timestamp: n(4),
            wrong_app: n(5),
            malformed: n(6),
            overloaded: n(7),
            too_large: n(8),
            timed_out: n(9),
            not_routed: n(10),
            in_flight: self.in_flight.load(Ordering::Relaxed),
        }
    }
}
