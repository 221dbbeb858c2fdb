//! The sim's error type.

use std::fmt;

/// What went wrong while starting or scripting a sim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}")]
    Bind {
        /// The address asked for.
        addr: String,
    },
    /// A URL (e.g. of a reverse-WS listener) is not usable.
    #[error("invalid url: {reason}")]
    InvalidUrl {
        /// Why.
        reason: String,
    },
    /// A webhook delivery could not be made (connection, TLS, a bad secret).
    #[error("webhook: {reason}")]
    Webhook {
        /// What failed.
        reason: String,
    },
    /// A blast client could not connect, upgrade or read all its frames.
    #[error("blast: {reason}")]
    Blast {
        /// What failed.
        reason: String,
    },
    /// A script line is not valid.
    #[error("script line {line}: {reason}")]
    Script {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// A sim error: [`kind`](Error::kind) plus the underlying cause.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self { kind, source }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}
