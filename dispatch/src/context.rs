//! What a handler gets besides its event: which bot it runs for, which delivery this is, and
//! the handles to act that the facade fills in: [`Context::call`] (an action) and
//! [`Context::reply`] (an answer to the event).

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::action::{ActionCall, ActionCallError, ActionCallErrorKind, ActionSink};
use crate::platform::{EventMeta, PlatformKind};
use crate::reply::{OutMessage, ReplyError, ReplyErrorKind, ReplyReceipt, ReplySink};

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

/// What a handler receives with its event. Cheap to clone (reference counts only).
#[derive(Clone)]
pub struct Context {
    bot: Arc<BotInfo>,
    event_type: EventName,
    event_id: Option<EventId>,
    seq: Option<u64>,
    raw: Option<Bytes>,
}

/// The event type of a context: one of the schema's (the dispatcher's contexts of known
/// event types: no reference count per event, decision 0089), or a shared name.
#[derive(Clone)]
pub(crate) enum EventName {
    Known(&'static str),
    Shared(Arc<str>),
}

impl EventName {
    fn as_str(&self) -> &str {
        match self {
            Self::Known(name) => name,
            Self::Shared(name) => name,
        }
    }
}

/// Where the event id is: a range of the raw frame (the common case: no copy), or its own text.
#[derive(Clone)]
pub(crate) enum EventId {
    InRaw(usize, usize),
    Owned(Arc<str>),
}

impl EventId {
    /// The event id `id` as a range of `raw` when it is a part of it (the common case: no
    /// copy), else its own text. `id` is UTF-8 (the platform's scan checked it): it is read as
    /// text only when asked for (an id that is not UTF-8 is left out).
    pub(crate) fn locate(raw: &Bytes, id: Option<&[u8]>) -> Option<Self> {
        let id = id?;
        // Address arithmetic only: is `id` a part of `raw`?
        let base = raw.as_ptr() as usize;
        let start = (id.as_ptr() as usize).wrapping_sub(base);
        if start <= raw.len() && raw.len() - start >= id.len() {
            Some(Self::InRaw(start, start + id.len()))
        } else {
            std::str::from_utf8(id)
                .ok()
                .map(|id| Self::Owned(Arc::from(id)))
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("bot", &self.bot)
            .field("event_type", &self.event_type())
            .field("event_id", &self.event_id())
            .field("seq", &self.seq)
            .field("raw", &self.raw.as_ref().map(Bytes::len))
            .finish()
    }
}

impl Context {
    /// A context for one delivery.
    pub fn new(bot: Arc<BotInfo>, meta: Arc<EventMeta>) -> Self {
        Self {
            bot,
            event_type: EventName::Shared(Arc::from(meta.event_type.as_str())),
            event_id: meta
                .event_id
                .as_deref()
                .map(|id| EventId::Owned(Arc::from(id))),
            seq: meta.seq,
            raw: None,
        }
    }

    /// The dispatcher's context of one event: nothing is copied. `event_id` is from
    /// [`EventId::locate`] on this `raw`.
    pub(crate) fn for_event(
        bot: Arc<BotInfo>,
        event_type: EventName,
        event_id: Option<EventId>,
        seq: Option<u64>,
        raw: Bytes,
    ) -> Self {
        Self {
            bot,
            event_type,
            event_id,
            seq,
            raw: Some(raw),
        }
    }

    /// This context carrying the raw frame of its event (what `ctx.reply` answers).
    #[must_use]
    pub fn with_raw(mut self, raw: Bytes) -> Self {
        // An id found in the previous frame would not be found in this one.
        if matches!(self.event_id, Some(EventId::InRaw(..))) {
            self.event_id = self.event_id().map(|id| EventId::Owned(Arc::from(id)));
        }
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
        self.event_type.as_str()
    }

    /// The platform's event id (QQ passive replies quote it as `event_id`).
    pub fn event_id(&self) -> Option<&str> {
        match self.event_id.as_ref()? {
            EventId::InRaw(start, end) => {
                let bytes = self.raw.as_ref()?.get(*start..*end)?;
                std::str::from_utf8(bytes).ok()
            }
            EventId::Owned(id) => Some(id),
        }
    }

    /// The sequence number of this delivery, where the platform has one.
    pub fn seq(&self) -> Option<u64> {
        self.seq
    }

    /// Calls an action on the platform through the facade's handle.
    ///
    /// Fails with [`ActionCallErrorKind::Unavailable`] when no handle is attached.
    pub async fn call(
        &self,
        name: impl Into<String>,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ActionCallError> {
        match &self.bot.actions {
            Some(sink) => {
                sink.call(ActionCall {
                    name: name.into(),
                    params,
                })
                .await
            }
            None => Err(ActionCallError::new(ActionCallErrorKind::Unavailable)),
        }
    }

    /// Answers the event being handled with `message` (a `&str`, a `String`, a
    /// `Vec<Element>`, an [`OutMessage`]): in the same channel, group or chat, as a passive
    /// reply to it where the platform has one.
    ///
    /// # Errors
    /// [`ReplyErrorKind::Unavailable`] without a reply handle, [`ReplyErrorKind::NoTarget`]
    /// when the event names no conversation, [`ReplyErrorKind::Unsupported`] for an element the
    /// platform cannot carry, and the platform's refusal or a transport failure. A message
    /// the platform accepted but holds for audit is no error: the receipt says so
    /// ([`ReplyReceipt::held_for_audit`], with the audit id).
    pub async fn reply(&self, message: impl Into<OutMessage>) -> Result<ReplyReceipt, ReplyError> {
        let message = message.into();
        let Some(sink) = self.bot().replies() else {
            return Err(ReplyError::new(ReplyErrorKind::Unavailable));
        };
        let Some(raw) = self.raw() else {
            return Err(ReplyError::no_target(format!(
                "the context of `{}` carries no event",
                self.event_type()
            )));
        };
        if message.is_empty() {
            return Err(ReplyError::new(ReplyErrorKind::Empty));
        }
        sink.reply(raw, message).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use botgate_proto::unified::Element;
    use futures_util::future::BoxFuture;
    use futures_util::FutureExt;

    use super::*;

    struct Recorder(Mutex<Vec<(Bytes, OutMessage)>>);

    impl ReplySink for Recorder {
        fn reply(
            &self,
            raw: &Bytes,
            message: OutMessage,
        ) -> BoxFuture<'static, Result<ReplyReceipt, ReplyError>> {
            self.0.lock().unwrap().push((raw.clone(), message.clone()));
            async { Ok(ReplyReceipt::new(PlatformKind::OneBot, Some("7".into()))) }.boxed()
        }
    }

    fn ctx(bot: BotInfo, raw: Option<&'static [u8]>) -> Context {
        let ctx = Context::new(Arc::new(bot), Arc::new(EventMeta::default()));
        match raw {
            Some(raw) => ctx.with_raw(Bytes::from_static(raw)),
            None => ctx,
        }
    }

    #[tokio::test]
    async fn reply_goes_to_the_sink_with_the_raw_event() {
        let sink = Arc::new(Recorder(Mutex::new(Vec::new())));
        let bot = BotInfo::new(PlatformKind::OneBot).with_replies(sink.clone());
        let receipt = ctx(bot, Some(b"{\"post_type\":\"message\"}"))
            .reply("pong")
            .await
            .unwrap();
        assert_eq!(receipt.message_id.as_deref(), Some("7"));
        let seen = sink.0.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(&seen[0].0[..], b"{\"post_type\":\"message\"}");
        assert_eq!(seen[0].1.elements(), [Element::text("pong")]);
    }

    #[tokio::test]
    async fn reply_errors_without_a_sink_an_event_or_content() {
        let e = ctx(BotInfo::new(PlatformKind::Qq), Some(b"{}"))
            .reply("x")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &ReplyErrorKind::Unavailable);

        let sink = Arc::new(Recorder(Mutex::new(Vec::new())));
        let bot = BotInfo::new(PlatformKind::Qq).with_replies(sink.clone());
        let e = ctx(bot.clone(), None).reply("x").await.unwrap_err();
        assert!(matches!(e.kind(), ReplyErrorKind::NoTarget { .. }), "{e}");
        let e = ctx(bot, Some(b"{}"))
            .reply(OutMessage::new())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &ReplyErrorKind::Empty);
        assert!(sink.0.lock().unwrap().is_empty());
    }
}
