//! OneBot actions: ids, responses and errors.

use bytes::Bytes;

/// Identifies one call (also its `echo` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId(pub u64);

/// A successful (`retcode` 0 or 1 / `status` ok or async) response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ActionResponse {
    /// `status` (`ok` or `async`).
    pub status: String,
    /// `retcode` (0, or 1 for async).
    pub retcode: i64,
    /// `data` (`Null` when absent).
    pub data: serde_json::Value,
    /// The whole response frame.
    pub raw: Bytes,
}

/// Why a OneBot action call (through the session or its driver) produced no successful response.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OneBotCallError {
    /// The implementation answered with a failure.
    #[error("action failed with retcode {retcode}: {message}")]
    Failed {
        /// `retcode` (1400, 1404, ... kept as sent).
        retcode: i64,
        /// The first non-empty of `wording`, `msg` and `message`, else empty.
        message: String,
        /// `status` as sent.
        status: String,
    },
    /// No response within the call's timeout.
    #[error("no response within the timeout")]
    Timeout,
    /// The connection dropped after the call was sent: it may or may not have run.
    #[error("connection lost before the response")]
    Disconnected,
    /// The session stopped (fatal error or `close()`) before the call was sent or answered.
    #[error("session stopped")]
    Stopped,
    /// The driver held `held` events read ahead of the response (its read-ahead cap,
    /// `DriverConfig::read_ahead`) and gave up waiting, so that the application can catch up
    /// on events: the call may have run.
    #[error("{held} events read ahead of the response without being taken; gave up waiting")]
    ReadAheadFull {
        /// Events the driver held when it gave up.
        held: usize,
    },
    /// The implementation answered ok, but its `data` could not be read (a lone surrogate
    /// escape is read as U+FFFD, so this is e.g. a number out of range): the action ran.
    #[error("the action answered ok, but its data could not be read: {reason}")]
    InvalidData {
        /// Why `data` could not be read.
        reason: String,
    },
    /// The params could not be encoded.
    #[error("params could not be encoded: {0}")]
    Encode(String),
}
