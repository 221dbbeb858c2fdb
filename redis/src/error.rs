//! [`Error`]: what a Redis backend call failed on.

/// A Redis backend call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a Redis URL (`redis://host:port/db`, `rediss://`, `unix://`).
    #[error("invalid Redis URL")]
    Url(#[source] redis::RedisError),
    /// A command failed (connection refused or lost, a script error, ...).
    #[error("Redis {op} failed")]
    Redis {
        /// What was being done (`save`, `reserve identify slot`, `renew lease`, ...).
        op: &'static str,
        /// The client's error.
        #[source]
        source: redis::RedisError,
    },
    /// No answer came in time.
    #[error("Redis {op}: no answer within {after:?}")]
    Timeout {
        /// What was awaited.
        op: &'static str,
        /// How long it was awaited.
        after: std::time::Duration,
    },
    /// A fenced write was refused: the shard's lease names another owner (or none), so this
    /// process may no longer write the shard's state.
    #[error("Redis {op} refused: the shard's lease is not held by {owner}")]
    Fenced {
        /// What was refused (`save`, `clear`).
        op: &'static str,
        /// This process's owner id.
        owner: String,
    },
    /// The event stream holds its `hard_max_len` entries and consumer groups still need the
    /// oldest of them (workers down or behind): the event was not appended. Nothing was
    /// dropped; publish it again once the workers catch up (decision 0088).
    #[error(
        "Redis stream {key} is full ({len} entries, hard_max_len {hard_max_len}) and consumer \
         groups still need the oldest: the event was not appended"
    )]
    StreamFull {
        /// The stream's key.
        key: String,
        /// Entries it holds.
        len: u64,
        /// Its [`EventStream::hard_max_len`](crate::EventStream::hard_max_len).
        hard_max_len: u64,
    },
    /// A stored value is not what botgate wrote.
    #[error("Redis {op}: stored value does not decode")]
    Decode {
        /// What was being read.
        op: &'static str,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    pub(crate) fn redis(op: &'static str) -> impl FnOnce(redis::RedisError) -> Self {
        move |source| Error::Redis { op, source }
    }
}
