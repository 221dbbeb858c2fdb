//! [`Fault`]: what a sim can do wrong on demand.

use std::time::Duration;

/// A fault injected into every live connection of a sim (`inject`). Faults that make no sense
/// for a protocol are ignored by that sim (documented on each sim).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Stop answering heartbeats with ACKs (zombie connection) until [`Fault::ResumeAcks`].
    StopAcks,
    /// Answer heartbeats again.
    ResumeAcks,
    /// Send op 7 Reconnect.
    Reconnect,
    /// Send op 9 Invalid Session with `d: resumable`; `false` also forgets the session.
    InvalidSession {
        /// The `d` of op 9.
        resumable: bool,
    },
    /// Close with a close frame.
    Close {
        /// Close code (e.g. 4009).
        code: u16,
        /// Close reason.
        reason: String,
    },
    /// Stall the connection (no reads, no writes) for this long.
    Delay(Duration),
    /// Send the last dispatch (or OneBot event) again, unchanged (same `s` / ids).
    DuplicateLast,
    /// Ask the client to heartbeat now (server op 1).
    RequestHeartbeat,
}
