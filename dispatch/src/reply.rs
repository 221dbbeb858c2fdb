//! `ctx.reply(message)`: one answer to the event being handled, whatever the platform.
//!
//! A handler builds an [`OutMessage`] from unified [`Element`]s (text, at, image, face,
//! reply-to, markdown, ...) and calls [`Context::reply`](crate::Context::reply). The context carries the raw frame of
//! the event it was made for; the facade's [`ReplySink`] (attached with
//! [`BotInfo::with_replies`](crate::BotInfo::with_replies)) reads where the event came from out
//! of it, maps the elements to the platform's format and sends the answer, filling in the
//! passive-reply ids (QQ `msg_id` / `event_id`, OneBot `reply` segment, Bubble `replyToId`).
//! An element the platform cannot carry fails the reply with
//! [`ReplyErrorKind::Unsupported`]; nothing is dropped silently (decision 0008).

use std::error::Error as StdError;
use std::fmt;

use botgate_proto::unified::Element;
use bytes::Bytes;
use futures_util::future::BoxFuture;

use crate::platform::PlatformKind;

/// A message to send, as platform-neutral elements.
///
/// Built from a `&str` / `String` (one text element), a `Vec<Element>`, one [`Element`], or
/// with the builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutMessage {
    elements: Vec<Element>,
}

impl OutMessage {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// This message with `element` appended.
    #[must_use]
    pub fn with(mut self, element: Element) -> Self {
        self.elements.push(element);
        self
    }

    /// This message with a text element appended.
    #[must_use]
    pub fn text(self, text: impl Into<botgate_proto::Text>) -> Self {
        self.with(Element::text(text))
    }

    /// Appends `element`.
    pub fn push(&mut self, element: Element) {
        self.elements.push(element);
    }

    /// The elements, in order.
    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// The elements, owned.
    pub fn into_elements(self) -> Vec<Element> {
        self.elements
    }

    /// Whether there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }
}

impl From<&str> for OutMessage {
    fn from(text: &str) -> Self {
        Self::new().text(text)
    }
}

impl From<String> for OutMessage {
    fn from(text: String) -> Self {
        Self::new().text(text)
    }
}

impl From<Element> for OutMessage {
    fn from(element: Element) -> Self {
        Self::new().with(element)
    }
}

impl From<Vec<Element>> for OutMessage {
    fn from(elements: Vec<Element>) -> Self {
        Self { elements }
    }
}

impl FromIterator<Element> for OutMessage {
    fn from_iter<I: IntoIterator<Item = Element>>(iter: I) -> Self {
        Self {
            elements: iter.into_iter().collect(),
        }
    }
}

/// What a sent reply became on the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplyReceipt {
    /// The platform.
    pub platform: PlatformKind,
    /// The new message's id, as a string (QQ id, Bubble / OneBot integer in decimal), when the
    /// platform answered one (for a message held for audit, only when the answer to the send
    /// named one too).
    pub message_id: Option<String>,
    /// The audit id when the platform accepted the message but holds it for audit (QQ guild
    /// channels and DMs, decision 0059): it is shown once the audit passes. Match it with the
    /// `audit_id` of the `MESSAGE_AUDIT_PASS` event (which names the message id) or
    /// `MESSAGE_AUDIT_REJECT` event. Empty when the platform named no audit.
    pub audit_id: Option<String>,
}

impl ReplyReceipt {
    /// A receipt for a message sent on `platform`.
    pub fn new(platform: PlatformKind, message_id: Option<String>) -> Self {
        Self {
            platform,
            message_id,
            audit_id: None,
        }
    }

    /// A receipt for a message `platform` accepted and holds for audit `audit_id`.
    pub fn held(platform: PlatformKind, audit_id: impl Into<String>) -> Self {
        Self {
            platform,
            message_id: None,
            audit_id: Some(audit_id.into()),
        }
    }

    /// Whether the platform holds the message for audit (see
    /// [`audit_id`](Self::audit_id)): sent, not refused, and not shown yet.
    pub fn held_for_audit(&self) -> bool {
        self.audit_id.is_some()
    }
}

/// Why a reply was not sent.
#[derive(Debug)]
pub struct ReplyError {
    kind: ReplyErrorKind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// What went wrong with a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyErrorKind {
    /// No reply handle is attached to this bot (dispatch runs without a connection).
    Unavailable,
    /// The context has no event to answer, or the event names no place to answer in (a
    /// READY, a notice without a conversation, ...).
    NoTarget {
        /// The event type, and what was missing.
        reason: String,
    },
    /// The message has nothing to send.
    Empty,
    /// An element the platform (in this scene) cannot carry.
    Unsupported {
        /// The platform.
        platform: PlatformKind,
        /// The element's `type` tag (`face`, `forward`, ...).
        element: String,
        /// Why, and what to use instead.
        reason: String,
    },
    /// The platform refused the message.
    Rejected {
        /// The platform's code (HTTP status, QQ `code`, OneBot `retcode`).
        code: i64,
        /// The platform's message.
        message: String,
    },
    /// The request did not get an answer (connection lost, timeout).
    Transport,
}

impl ReplyError {
    /// A new error of this kind.
    pub fn new(kind: ReplyErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// A new error of this kind with its underlying error.
    pub fn with_source(
        kind: ReplyErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// An [`ReplyErrorKind::Unsupported`] error.
    pub fn unsupported(
        platform: PlatformKind,
        element: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::new(ReplyErrorKind::Unsupported {
            platform,
            element: element.into(),
            reason: reason.into(),
        })
    }

    /// A [`ReplyErrorKind::NoTarget`] error.
    pub fn no_target(reason: impl Into<String>) -> Self {
        Self::new(ReplyErrorKind::NoTarget {
            reason: reason.into(),
        })
    }

    /// What went wrong.
    pub fn kind(&self) -> &ReplyErrorKind {
        &self.kind
    }
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ReplyErrorKind::Unavailable => f.write_str("no reply handle attached to this bot")?,
            ReplyErrorKind::NoTarget { reason } => write!(f, "nothing to reply to: {reason}")?,
            ReplyErrorKind::Empty => f.write_str("the reply has nothing to send")?,
            ReplyErrorKind::Unsupported {
                platform,
                element,
                reason,
            } => write!(
                f,
                "{platform} cannot send a `{element}` element here: {reason}"
            )?,
            ReplyErrorKind::Rejected { code, message } => {
                write!(f, "reply rejected ({code}): {message}")?
            }
            ReplyErrorKind::Transport => f.write_str("the reply got no answer")?,
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl StdError for ReplyError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn StdError + 'static))
    }
}

/// Where replies go: implemented by the facade per platform. `raw` is the whole frame of the
/// event being answered (QQ / Bubble gateway frame, OneBot event object).
pub trait ReplySink: Send + Sync + 'static {
    /// Answers the event in `raw` with `message`.
    fn reply(
        &self,
        raw: &Bytes,
        message: OutMessage,
    ) -> BoxFuture<'static, Result<ReplyReceipt, ReplyError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_messages_from_text_and_elements() {
        assert_eq!(OutMessage::from("hi").elements(), [Element::text("hi")]);
        assert_eq!(
            OutMessage::from(String::from("hi")).elements(),
            [Element::text("hi")]
        );
        let m = OutMessage::new().with(Element::at("42")).text(" pong");
        assert_eq!(m.elements(), [Element::at("42"), Element::text(" pong")]);
        let v: OutMessage = vec![Element::AtAll].into();
        assert_eq!(v.into_elements(), vec![Element::AtAll]);
        assert!(OutMessage::new().is_empty());
    }

    #[test]
    fn unsupported_names_platform_and_element() {
        let e = ReplyError::unsupported(PlatformKind::Bubble, "face", "no faces");
        assert_eq!(
            e.to_string(),
            "bubble cannot send a `face` element here: no faces"
        );
    }
}
