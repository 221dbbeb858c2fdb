//! Actions: one request to the platform from a handler (`ctx.call`), the handle the facade
//! sends it through, and why it failed.

use std::error::Error as StdError;
use std::fmt;

use futures_util::future::BoxFuture;

/// One request to the platform from a handler, made by [`Context::call`](crate::Context::call)
/// (a OneBot action, a QQ / Bubble REST send), whatever the platform.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionCall {
    /// The action name (`send_group_msg`, `send_message`, ...).
    pub name: String,
    /// Its parameters.
    pub params: serde_json::Value,
}

/// Why an [`ActionCall`] failed, as a handler sees it (the facade maps the session's and the
/// REST clients' errors onto [`ActionCallErrorKind`]).
#[derive(Debug)]
pub struct ActionCallError {
    kind: ActionCallErrorKind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// What went wrong with an [`ActionCall`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActionCallErrorKind {
    /// No action handle is attached to this bot (dispatch runs without a connection).
    Unavailable,
    /// The platform answered with a failure.
    Rejected {
        /// The platform's code (OneBot `retcode`, HTTP status, ...).
        code: i64,
        /// The platform's message.
        message: String,
    },
    /// The request did not get an answer (connection lost, timeout).
    Transport,
    /// The params did not serialise, or the answer's `data` did not decode into the typed
    /// result (`ctx.onebot()` helpers).
    Malformed {
        /// Which action and what failed.
        reason: String,
    },
}

impl ActionCallError {
    /// A new error of this kind.
    pub fn new(kind: ActionCallErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// A new error of this kind with its underlying error.
    pub fn with_source(
        kind: ActionCallErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ActionCallErrorKind {
        &self.kind
    }
}

impl fmt::Display for ActionCallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ActionCallErrorKind::Unavailable => {
                f.write_str("no action handle attached to this bot")
            }
            ActionCallErrorKind::Rejected { code, message } => {
                write!(f, "action rejected ({code}): {message}")
            }
            ActionCallErrorKind::Transport => f.write_str("action got no answer"),
            ActionCallErrorKind::Malformed { reason } => write!(f, "malformed action: {reason}"),
        }
    }
}

impl StdError for ActionCallError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn StdError + 'static))
    }
}

/// Where actions go: implemented by the facade (OneBot: a WS frame with `echo`, answered by the
/// matching response; QQ / Bubble: an HTTP request).
pub trait ActionSink: Send + Sync + 'static {
    /// Sends one action and resolves with the platform's `data`.
    fn call(
        &self,
        action: ActionCall,
    ) -> BoxFuture<'static, Result<serde_json::Value, ActionCallError>>;
}
