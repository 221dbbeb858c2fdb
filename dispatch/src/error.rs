//! What `on_error` receives: handler errors and panics, payloads that failed to decode, and the
//! connection incidents the session reports (reconnects, invalid sessions, transport errors).

use std::error::Error as StdError;
use std::fmt;

/// The error a handler returns; any error type converts into it with `?`.
pub type HandlerError = Box<dyn StdError + Send + Sync + 'static>;

/// A handler's error that says its event was **not handled**: return it (boxed, as any
/// [`HandlerError`]) when the event must be seen again, e.g. a gateway that could not hand it
/// on. The frame then never counts as handled in this session: the handled watermark
/// ([`Dispatcher::handled_seq`](crate::Dispatcher::handled_seq)) and a tracked input's
/// [`Completion`](crate::Completion) (called with `false`) stay below it, so the resume point
/// saved from them replays it after a restart. Other errors are reported and the event counts
/// as handled (it ran). It is reported to `on_error` like any handler error.
#[derive(Debug)]
pub struct NotHandled {
    source: HandlerError,
}

impl NotHandled {
    /// The event was not handled because of `source`.
    pub fn new(source: impl Into<HandlerError>) -> Self {
        Self {
            source: source.into(),
        }
    }

    /// Whether a handler's error is (or wraps, at its top) a [`NotHandled`].
    pub fn is(error: &HandlerError) -> bool {
        error.is::<NotHandled>()
    }
}

impl fmt::Display for NotHandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event not handled: {}", self.source)
    }
}

impl StdError for NotHandled {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// An incident reported to `on_error`. The bot goes on after every one of them.
#[derive(Debug)]
pub struct BotError {
    kind: BotErrorKind,
    source: Option<HandlerError>,
}

/// What happened, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BotErrorKind {
    /// A handler returned an error (the error is the source).
    Handler {
        /// The event type the handler was running for.
        event_type: String,
    },
    /// A handler panicked; the panic was caught and the dispatcher went on.
    Panic {
        /// The event type the handler was running for.
        event_type: String,
        /// The panic message, when it was a string.
        message: String,
    },
    /// The payload of a wanted event did not decode (the codec error is the source). The raw
    /// frame still reached `on_raw`.
    Decode {
        /// The event type of the frame.
        event_type: String,
    },
    /// The connection failed or was closed (reported by the session driver).
    Connection {
        /// What happened (close code and reason, transport error, ...).
        reason: String,
    },
    /// The session reconnects (server request, zombie connection, close code).
    Reconnect {
        /// Why.
        reason: String,
    },
    /// The server invalidated the session.
    InvalidSession {
        /// Whether the session can be resumed.
        resumable: bool,
    },
}

impl BotError {
    /// A new incident of this kind, without a source.
    pub fn new(kind: BotErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// A new incident of this kind with its underlying error.
    pub fn with_source(kind: BotErrorKind, source: impl Into<HandlerError>) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// What happened.
    pub fn kind(&self) -> &BotErrorKind {
        &self.kind
    }

    /// The event type involved, for handler, panic and decode incidents.
    pub fn event_type(&self) -> Option<&str> {
        match &self.kind {
            BotErrorKind::Handler { event_type }
            | BotErrorKind::Panic { event_type, .. }
            | BotErrorKind::Decode { event_type } => Some(event_type),
            _ => None,
        }
    }

    /// The underlying error, if any.
    pub fn into_source(self) -> Option<HandlerError> {
        self.source
    }

    /// The kind and the underlying error.
    pub fn into_parts(self) -> (BotErrorKind, Option<HandlerError>) {
        (self.kind, self.source)
    }
}

impl fmt::Display for BotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            BotErrorKind::Handler { event_type } => write!(f, "handler for {event_type} failed")?,
            BotErrorKind::Panic {
                event_type,
                message,
            } => write!(f, "handler for {event_type} panicked: {message}")?,
            BotErrorKind::Decode { event_type } => {
                write!(f, "payload of {event_type} did not decode")?
            }
            BotErrorKind::Connection { reason } => write!(f, "connection error: {reason}")?,
            BotErrorKind::Reconnect { reason } => write!(f, "reconnecting: {reason}")?,
            BotErrorKind::InvalidSession { resumable } => {
                write!(f, "session invalidated (resumable: {resumable})")?
            }
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl StdError for BotError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn StdError + 'static))
    }
}

/// The text of a caught panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}
