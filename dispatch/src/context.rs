//! What a handler gets besides its event: which bot it runs for, which delivery this is, and a
//! handle to act (send, call OneBot actions) that the facade fills in.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;

use crate::platform::{EventMeta, PlatformKind};
use crate::reply::ReplySink;

/// One request to the platform (a OneBot action, a QQ / Bubble REST send).
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The action name (`send_group_msg`, `send_message`, ...).
    pub name: String,
    /// Its parameters.
    pub params: serde_json::Value,
}

/// Why an action failed.
#[derive(Debug)]
pub struct ActionError {
    kind: ActionErrorKind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// What went wrong with an action.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActionErrorKind {
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

impl ActionError {
    /// A new error of this kind.
    pub fn new(kind: ActionErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// A new error of this kind with its underlying error.
    pub fn with_source(
        kind: ActionErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ActionErrorKind {
        &self.kind
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ActionErrorKind::Unavailable => f.write_str("no action handle attached to this bot"),
            ActionErrorKind::Rejected { code, message } => {
                write!(f, "action rejected ({code}): {message}")
            }
            ActionErrorKind::Transport => f.write_str("action got no answer"),
            ActionErrorKind::Malformed { reason } => write!(f, "malformed action: {reason}"),
        }
    }
}

impl StdError for ActionError {
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
    fn call(&self, action: Action) -> BoxFuture<'static, Result<serde_json::Value, ActionError>>;
}

/// The bot a dispatcher serves.
#[derive(Clone)]
pub struct BotInfo {
    platform: PlatformKind,
    self_id: Option<String>,
    app_id: Option<String>,
    actions: Option<Arc<dyn ActionSink>>,
    replies: Option<Arc<dyn ReplySink>>,
}

impl fmt::Debug for BotInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotInfo")
            .field("platform", &self.platform)
            .field("self_id", &self.self_id)
            .field("app_id", &self.app_id)
            .field("actions", &self.actions.as_ref().map(|_| "<sink>"))
            .field("replies", &self.replies.as_ref().map(|_| "<sink>"))
            .finish()
    }
}

impl BotInfo {
    /// A bot on `platform` with no identity and no action handle yet.
    pub fn new(platform: PlatformKind) -> Self {
        Self {
            platform,
            self_id: None,
            app_id: None,
            actions: None,
            replies: None,
        }
    }

    /// Sets the bot's own id on the platform (QQ: READY's `user.id`; OneBot: `self_id`).
    pub fn with_self_id(mut self, self_id: impl Into<String>) -> Self {
        self.self_id = Some(self_id.into());
        self
    }

    /// Sets the application id (QQ app id).
    pub fn with_app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Attaches the handle actions go through.
    pub fn with_actions(mut self, sink: Arc<dyn ActionSink>) -> Self {
        self.actions = Some(sink);
        self
    }

    /// Attaches the handle `ctx.reply(..)` goes through.
    pub fn with_replies(mut self, sink: Arc<dyn ReplySink>) -> Self {
        self.replies = Some(sink);
        self
    }

    /// The reply handle, if one is attached.
    pub fn replies(&self) -> Option<&Arc<dyn ReplySink>> {
        self.replies.as_ref()
    }

    /// The platform.
    pub fn platform(&self) -> PlatformKind {
        self.platform
    }

    /// The bot's own id, once known.
    pub fn self_id(&self) -> Option<&str> {
        self.self_id.as_deref()
    }

    /// The application id, if configured.
    pub fn app_id(&self) -> Option<&str> {
        self.app_id.as_deref()
    }
}

/// What a handler receives with its event. Cheap to clone (two `Arc`s and a `Bytes`).
#[derive(Debug, Clone)]
pub struct Context {
    bot: Arc<BotInfo>,
    meta: Arc<EventMeta>,
    raw: Option<Bytes>,
}

impl Context {
    /// A context for one delivery.
    pub fn new(bot: Arc<BotInfo>, meta: Arc<EventMeta>) -> Self {
        Self {
            bot,
            meta,
            raw: None,
        }
    }

    /// This context carrying the raw frame of its event (what `ctx.reply` answers).
    #[must_use]
    pub fn with_raw(mut self, raw: Bytes) -> Self {
        self.raw = Some(raw);
        self
    }

    /// The raw frame of the event being handled (QQ / Bubble gateway frame, OneBot event).
    pub fn raw(&self) -> Option<&Bytes> {
        self.raw.as_ref()
    }

    /// The bot this event was delivered to.
    pub fn bot(&self) -> &BotInfo {
        &self.bot
    }

    /// The platform.
    pub fn platform(&self) -> PlatformKind {
        self.bot.platform
    }

    /// The bot's own id, once known.
    pub fn self_id(&self) -> Option<&str> {
        self.bot.self_id()
    }

    /// The wire event type of this delivery.
    pub fn event_type(&self) -> &str {
        &self.meta.event_type
    }

    /// The platform's event id (QQ passive replies quote it as `event_id`).
    pub fn event_id(&self) -> Option<&str> {
        self.meta.event_id.as_deref()
    }

    /// The sequence number of this delivery, where the platform has one.
    pub fn seq(&self) -> Option<u64> {
        self.meta.seq
    }

    /// Calls an action on the platform through the facade's handle.
    ///
    /// Fails with [`ActionErrorKind::Unavailable`] when no handle is attached.
    pub async fn call(
        &self,
        name: impl Into<String>,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ActionError> {
        match &self.bot.actions {
            Some(sink) => {
                sink.call(Action {
                    name: name.into(),
                    params,
                })
                .await
            }
            None => Err(ActionError::new(ActionErrorKind::Unavailable)),
        }
    }
}
