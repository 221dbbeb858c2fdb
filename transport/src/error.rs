//! The one error type of the transport crate: [`Error`] with a [`ErrorKind`] and an optional
//! source.

use std::fmt;
use std::time::Duration;

pub use crate::api_error::ApiError;

/// A boxed error source.
type Source = Box<dyn std::error::Error + Send + Sync>;

/// What went wrong in the transport layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The URL is not a valid `ws://` / `wss://` (or `http(s)://`) URL.
    #[error("invalid url: {reason}")]
    InvalidUrl {
        /// Why the URL was rejected.
        reason: String,
    },
    /// The TCP connection or the TLS handshake failed.
    #[error("connect failed")]
    Connect,
    /// TCP + TLS + WebSocket upgrade did not finish within the connect timeout.
    #[error("connect timed out after {after:?}")]
    ConnectTimeout {
        /// The timeout that expired.
        after: Duration,
    },
    /// The server answered the WebSocket upgrade with an HTTP status other than 101
    /// (401 / 403: wrong token; callers fail fast on [`Error::is_auth_failure`]).
    #[error("websocket upgrade rejected with HTTP {status}")]
    UpgradeRejected {
        /// The HTTP status of the answer.
        status: u16,
    },
    /// An incoming message or frame exceeded the configured size limit.
    #[error("message of {size} bytes exceeds the limit of {max} bytes")]
    MessageTooLarge {
        /// Size of the message (or frame) as announced or read so far.
        size: usize,
        /// The configured limit.
        max: usize,
    },
    /// Nothing was received for the configured idle (read) timeout.
    #[error("no frame received for {after:?}")]
    IdleTimeout {
        /// The idle timeout that expired.
        after: Duration,
    },
    /// The connection was reset or ended without a closing handshake.
    #[error("connection lost")]
    ConnectionLost,
    /// The peer violated the WebSocket protocol.
    #[error("websocket protocol error")]
    Protocol,
    /// The connection is already closed: nothing can be sent.
    #[error("connection already closed")]
    Closed,
    /// Binding the listener's socket failed.
    #[error("cannot bind {addr}")]
    Bind {
        /// The address that could not be bound.
        addr: String,
    },
    /// The listener's accept loop ended (its socket failed).
    #[error("listener closed")]
    ListenerClosed,
    /// An HTTP request answered with a non-success status.
    #[error("HTTP {status} from {endpoint}")]
    HttpStatus {
        /// The endpoint path, e.g. `/gateway/bot`.
        endpoint: String,
        /// The HTTP status.
        status: u16,
    },
    /// An HTTP request could not be sent or its answer not read (network, timeout).
    #[error("HTTP request to {endpoint} failed")]
    HttpRequest {
        /// The endpoint path.
        endpoint: String,
    },
    /// The body of an HTTP answer is not what the endpoint documents.
    #[error("unexpected answer from {endpoint}")]
    Decode {
        /// The endpoint path.
        endpoint: String,
    },
    /// The token endpoint answered without an access token (wrong app id or secret).
    #[error("token request rejected (code {code:?}): {message}")]
    TokenRejected {
        /// The platform's error code, if it sent one.
        code: Option<i64>,
        /// The platform's message.
        message: String,
    },
    /// Building the HTTP client failed (TLS setup).
    #[error("cannot build the HTTP client")]
    HttpClient,
    /// A platform REST API refused the request (any non-success answer after retries): the
    /// platform's code, message and trace id are in the [`ApiError`].
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request cannot be made as asked (e.g. an upload to a target that has none).
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// Why.
        reason: String,
    },
    /// A setting is unusable (a TLS certificate or key that does not load, an empty secret).
    #[error("invalid configuration: {reason}")]
    InvalidConfig {
        /// What and why.
        reason: String,
    },
}

impl ErrorKind {
    /// See [`Error::is_auth_failure`].
    pub fn is_auth_failure(&self) -> bool {
        match self {
            ErrorKind::UpgradeRejected { status } | ErrorKind::HttpStatus { status, .. } => {
                *status == 401 || *status == 403
            }
            ErrorKind::TokenRejected { .. } => true,
            ErrorKind::Api(api) => api.status == 401 || api.status == 403,
            _ => false,
        }
    }
}

/// A transport error: [`kind`](Error::kind) says what, [`source`](std::error::Error::source)
/// says why.
pub struct Error {
    kind: ErrorKind,
    source: Option<Source>,
}

impl Error {
    /// An error of `kind` without a source.
    pub fn new(kind: ErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// An error of `kind` caused by `source`.
    pub fn with_source(kind: ErrorKind, source: impl Into<Source>) -> Self {
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
    pub fn into_source(self) -> Option<Source> {
        self.source
    }

    /// The kind and the source.
    pub fn into_parts(self) -> (ErrorKind, Option<Source>) {
        (self.kind, self.source)
    }

    /// The kind and every cause under it on one line (`connect failed: <io error>: ...`), for
    /// a log line or a message to an operator: [`Display`](fmt::Display) shows the kind only,
    /// and "connect failed" alone does not tell a refused port from a DNS or TLS failure.
    pub fn report(&self) -> impl fmt::Display + '_ {
        Report(self)
    }

    /// True when the peer refused our credentials (HTTP 401 / 403 at the upgrade or on an
    /// HTTP endpoint, or a rejected token request): retrying with the same token is useless.
    pub fn is_auth_failure(&self) -> bool {
        self.kind.is_auth_failure()
    }

    /// The platform's answer, when a REST API refused the request.
    pub fn api(&self) -> Option<&ApiError> {
        match &self.kind {
            ErrorKind::Api(api) => Some(api.as_ref()),
            _ => None,
        }
    }

    /// The HTTP status carried by the error, if any.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            ErrorKind::UpgradeRejected { status } | ErrorKind::HttpStatus { status, .. } => {
                Some(*status)
            }
            ErrorKind::Api(api) => Some(api.status),
            _ => None,
        }
    }

    pub(crate) fn bind(addr: impl fmt::Display, source: std::io::Error) -> Self {
        Self::with_source(
            ErrorKind::Bind {
                addr: addr.to_string(),
            },
            source,
        )
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

/// See [`Error::report`].
struct Report<'a>(&'a Error);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.kind, f)?;
        let mut cause = std::error::Error::source(self.0);
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// The error for a credential that cannot go into the `Authorization` header.
pub(crate) fn invalid_authorization() -> Error {
    Error::new(ErrorKind::InvalidConfig {
        reason: "the credential is not a valid Authorization header value (a line break or \
                 control character in the token?)"
            .into(),
    })
}

/// A plain-text error source (e.g. a body snippet of an HTTP answer).
#[derive(Debug)]
pub(crate) struct Detail(pub(crate) String);

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Detail {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_failures_are_401_403_and_rejected_tokens() {
        assert!(Error::new(ErrorKind::UpgradeRejected { status: 401 }).is_auth_failure());
        assert!(Error::new(ErrorKind::HttpStatus {
            endpoint: "/gateway".into(),
            status: 403
        })
        .is_auth_failure());
        assert!(!Error::new(ErrorKind::UpgradeRejected { status: 404 }).is_auth_failure());
        assert!(!Error::new(ErrorKind::ConnectionLost).is_auth_failure());
        assert_eq!(
            Error::new(ErrorKind::UpgradeRejected { status: 401 }).status(),
            Some(401)
        );
    }

    #[test]
    fn the_report_names_every_cause() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = Error::with_source(ErrorKind::Connect, refused);
        assert_eq!(error.to_string(), "connect failed");
        assert_eq!(error.report().to_string(), "connect failed: refused");
        let bare = Error::new(ErrorKind::ConnectionLost);
        assert_eq!(bare.report().to_string(), "connection lost");
    }

    #[test]
    fn error_is_send_sync() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
    }
}
