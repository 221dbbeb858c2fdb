//! The session crate's one error type: why a session gave up, or why a store failed.

use std::error::Error as StdError;
use std::fmt;
use std::path::PathBuf;

/// An error from a session state machine (always fatal for that session) or a [`SessionStore`].
///
/// [`SessionStore`]: crate::SessionStore
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The platform rejected the credentials (QQ 4004 twice or with a fixed token, Bubble 4004 or
    /// HTTP 401/403 at the upgrade, OneBot 401/403 or close 1008).
    AuthFailed {
        /// The WebSocket close code, if the rejection came as one.
        close_code: Option<u16>,
        /// The HTTP status of the upgrade, if the rejection came as one.
        http_status: Option<u16>,
    },
    /// The server closed the connection with a code after which retrying cannot help.
    FatalClose {
        /// The close code.
        code: u16,
        /// What the code means, from the platform's table.
        meaning: &'static str,
    },
    /// Too many connections in a row failed before the session became ready.
    TooManyFailures {
        /// Consecutive failed attempts.
        attempts: u32,
    },
    /// The connection cannot be made as configured (see [`ConnectFailure::Unusable`]).
    ///
    /// [`ConnectFailure::Unusable`]: crate::ConnectFailure::Unusable
    Unusable {
        /// What the transport said.
        reason: String,
    },
    /// A resume-state store could not be read or written.
    Store {
        /// The file involved, if any.
        path: Option<PathBuf>,
        /// What the store was doing (`load`, `save`, `rename`, `decode`).
        op: &'static str,
    },
}

impl Error {
    /// A new error of this kind, without a source.
    pub fn new(kind: ErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// A new error of this kind with the underlying error kept as its source.
    pub fn with_source(
        kind: ErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The underlying error, if any.
    pub fn into_source(self) -> Option<Box<dyn StdError + Send + Sync>> {
        self.source
    }

    /// The kind and the underlying error.
    pub fn into_parts(self) -> (ErrorKind, Option<Box<dyn StdError + Send + Sync>>) {
        (self.kind, self.source)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::AuthFailed {
                close_code,
                http_status,
            } => {
                write!(f, "authentication failed")?;
                if let Some(code) = close_code {
                    write!(f, " (close code {code})")?;
                }
                if let Some(status) = http_status {
                    write!(f, " (HTTP {status})")?;
                }
                Ok(())
            }
            ErrorKind::FatalClose { code, meaning } => {
                write!(
                    f,
                    "closed by the server with {code} ({meaning}); not retrying"
                )
            }
            ErrorKind::TooManyFailures { attempts } => {
                write!(
                    f,
                    "gave up after {attempts} connections failed before ready"
                )
            }
            ErrorKind::Unusable { reason } => {
                write!(f, "cannot connect as configured: {reason}; not retrying")
            }
            ErrorKind::Store { path, op } => {
                write!(f, "session store {op} failed")?;
                if let Some(path) = path {
                    write!(f, " for {}", path.display())?;
                }
                Ok(())
            }
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|e| &**e as &(dyn StdError + 'static))
    }
}
