//! The facade's error type.

use std::error::Error as StdError;
use std::fmt;

/// Why a bot could not start or stopped for good.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A setting is invalid (a URL that does not parse, ...).
    Config {
        /// Which setting and why.
        what: String,
    },
    /// Fetching the QQ access token failed (wrong app id / secret, unreachable host).
    Token,
    /// Gateway discovery (`/gateway/bot`) failed.
    Gateway,
    /// The session gave up (authentication failed, a fatal close code, ...).
    Session,
    /// Binding the reverse-WS listener failed.
    Listen,
    /// Binding the webhook server failed.
    Webhook,
    /// The driver task ended unexpectedly.
    Driver,
    /// The session store could not be read at start.
    Store {
        /// The key of the session in the store.
        key: String,
    },
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self { kind, source: None }
    }

    pub(crate) fn with_source(
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

    /// The kind and the underlying error.
    pub fn into_parts(self) -> (ErrorKind, Option<Box<dyn StdError + Send + Sync>>) {
        (self.kind, self.source)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Config { what } => write!(f, "invalid configuration: {what}")?,
            ErrorKind::Token => f.write_str("fetching the QQ access token failed")?,
            ErrorKind::Gateway => f.write_str("gateway discovery failed")?,
            ErrorKind::Session => f.write_str("the session stopped")?,
            ErrorKind::Listen => f.write_str("the reverse-WS listener failed")?,
            ErrorKind::Webhook => f.write_str("the webhook server failed")?,
            ErrorKind::Driver => f.write_str("the session driver ended unexpectedly")?,
            ErrorKind::Store { key } => write!(f, "reading the session store failed (key {key})")?,
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn StdError + 'static))
    }
}

/// `text` as the URL of a WebSocket gateway (`ws://` or `wss://`); `what` names it in the
/// error. Another scheme is a configuration error at start: the driver would otherwise try
/// it again and again ("not ws or wss") and never stop. The error shows the URL without its
/// query values and user info (a OneBot URL may carry `?access_token=`).
pub(crate) fn websocket_url(text: &str, what: &str) -> Result<url::Url, Error> {
    let config = || ErrorKind::Config {
        what: format!("{what} {:?}", botgate_session::token::redact_url(text)),
    };
    let url: url::Url = text.parse().map_err(|e| Error::with_source(config(), e))?;
    botgate_transport::ws::uses_tls(&url).map_err(|e| Error::with_source(config(), e))?;
    Ok(url)
}
