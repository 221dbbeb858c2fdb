//! What the dispatcher needs to know about a platform: how to route a frame without decoding
//! it, how to decode it, which conversation it belongs to and how to recognise a resend.
//!
//! One implementation per platform ([`Qq`](crate::qq::Qq), [`Bubble`](crate::bubble::Bubble),
//! [`OneBot`](crate::onebot::OneBot)); the registry and the dispatcher are generic over it, so
//! the ordering, backpressure and dedupe machinery is written (and tested) once.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::Bytes;

/// Which platform an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlatformKind {
    /// The QQ Bot gateway.
    Qq,
    /// The Bubble open gateway.
    Bubble,
    /// OneBot v11 (Waylay, NapCat, Lagrange, go-cqhttp, ...).
    OneBot,
    /// A platform defined outside botgate (tests, experiments).
    Other(&'static str),
}

impl PlatformKind {
    /// The lower-case name used in logs and in the unified model (`qq`, `bubble`, `onebot`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Qq => "qq",
            Self::Bubble => "bubble",
            Self::OneBot => "onebot",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for PlatformKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lane an event is ordered in: events with equal keys reach handlers in arrival order;
/// events with different keys may run concurrently.
///
/// The value is the raw JSON text of the id field (quotes included for strings), so no id is
/// ever parsed or allocated twice; `field` keeps a channel id and a user id with the same digits
/// apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConversationKey {
    /// No conversation (READY, RESUMED, lifecycle, unknown events): one shared ordered lane.
    Global,
    /// The conversation named by `field` = `value`.
    Id {
        /// The field the id was read from (`channel_id`, `group_openid`, `group_id`, ...).
        field: &'static str,
        /// The raw JSON text of its value.
        value: Box<[u8]>,
    },
}

impl ConversationKey {
    /// The key `field` = `value` (`value` as raw JSON text).
    pub fn id(field: &'static str, value: impl Into<Box<[u8]>>) -> Self {
        Self::Id {
            field,
            value: value.into(),
        }
    }
}

/// What identifies one delivery of an event across resends (QQ: the top-level `id`; Bubble:
/// `(t, d.id)`). Equal keys within the dedupe window mean "seen already".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DedupeKey(Box<[u8]>);

impl DedupeKey {
    /// A key from raw bytes.
    pub fn new(bytes: impl Into<Box<[u8]>>) -> Self {
        Self(bytes.into())
    }

    /// A key from several parts, separated so that `("ab","c")` and `("a","bc")` differ.
    pub fn from_parts<'a, I>(parts: I) -> Self
    where
        I: IntoIterator<Item = &'a [u8]>,
        I::IntoIter: Clone,
    {
        // Sized first: one allocation, where growing as it goes took three and a copy.
        let parts = parts.into_iter();
        let len = parts.clone().map(|p| p.len() + 8).sum();
        let mut out = Vec::with_capacity(len);
        for part in parts {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(part);
        }
        Self(out.into())
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Feeds `state` the bytes [`from_parts`](Self::from_parts) would hold, without building
    /// the key.
    pub fn hash_parts<H: Hasher>(parts: &[&[u8]], state: &mut H) {
        for part in parts {
            state.write(&(part.len() as u64).to_le_bytes());
            state.write(part);
        }
    }
}

/// Per-delivery facts read from the envelope, handed to handlers through the context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventMeta {
    /// The route (wire event type) of the frame.
    pub event_type: String,
    /// The platform's event id (QQ's top-level `id`, needed as `event_id` for passive replies).
    pub event_id: Option<String>,
    /// The sequence number (`s`), where the platform has one.
    pub seq: Option<u64>,
}

/// A platform the dispatcher can serve.
///
/// Implementations are zero-sized markers; every method is an associated function over the
/// platform's input type (a scanned frame), so the dispatcher never parses `d` before it knows
/// someone wants the event.
pub trait Platform: Send + Sync + 'static {
    /// Which platform this is.
    const KIND: PlatformKind;

    /// One incoming event as the session hands it over (QQ / Bubble: a scanned `Frame`; OneBot:
    /// the raw event bytes). Cheap to clone.
    type Input: Clone + Send + Sync + 'static;

    /// The platform's event-type enum (generated from the schema).
    type EventType: Clone + fmt::Debug + Send + Sync + 'static;

    /// The platform's decoded event enum (generated from the schema).
    type Event: Clone + Send + Sync + 'static;

    /// The wire name of an event type (`AT_MESSAGE_CREATE`, `message.group`).
    fn event_type_name(event_type: &Self::EventType) -> &str;

    /// The route of an input: its wire event type, read from the envelope without decoding the
    /// payload. OneBot routes are dotted (`notice.notify.poke`) and a handler registered on a
    /// dot-prefix (`notice.notify`, `notice`) also matches. `None` for inputs that are not
    /// events (they still reach `on_raw`).
    fn route(input: &Self::Input) -> Option<Cow<'_, str>>;

    /// The whole raw frame (for `on_raw` and error reports).
    fn raw(input: &Self::Input) -> &Bytes;

    /// The input's raw frame, taking the input: the same bytes as [`raw`](Self::raw) gives
    /// (the context finds the event id in them by address). The default clones them; a
    /// platform whose input owns them moves them out, sparing a reference count per event.
    fn into_raw(input: Self::Input) -> Bytes {
        Self::raw(&input).clone()
    }

    /// Decodes the payload into the typed event.
    fn decode(input: &Self::Input, route: &str) -> Result<Self::Event, botgate_codec::Error>;

    /// The conversation the input belongs to, read cheaply from the payload's top-level fields.
    fn conversation_key(input: &Self::Input) -> ConversationKey;

    /// The dedupe key of the input, or `None` if the platform does not resend it (or it cannot
    /// be identified: such events pass undeduped).
    fn dedupe_key(input: &Self::Input, route: &str) -> Option<DedupeKey>;

    /// The route of an input when it is one of the schema's event types, as its
    /// `&'static str`: the event's context then names its type without a reference count
    /// (decision 0089). `None` (the default): the context shares the route table's name.
    fn known_route(input: &Self::Input) -> Option<&'static str> {
        let _ = input;
        None
    }

    /// The sequence number (`s`) of the input, where the platform has one.
    fn seq(input: &Self::Input) -> Option<u64> {
        let _ = input;
        None
    }

    /// The platform's event id (QQ's top-level `id`, quoted by passive replies), read from the
    /// envelope: its UTF-8 bytes (the context checks them as text only when asked for the id).
    fn event_id(input: &Self::Input) -> Option<&[u8]> {
        let _ = input;
        None
    }

    /// Feeds the input's conversation to `state`, without allocating: equal conversations must
    /// feed equal bytes. The dispatcher orders events by this hash (decision 0024). The
    /// default feeds [`conversation_key`](Self::conversation_key).
    fn hash_conversation<H: Hasher>(input: &Self::Input, state: &mut H) {
        Self::conversation_key(input).hash(state);
    }

    /// [`hash_conversation`](Self::hash_conversation) once the input is decoded: a platform
    /// whose decoded event already holds the id that would win (QQ guild messages:
    /// `channel_id`) feeds it from there, without reading the payload again (decision 0027).
    /// It must feed what `hash_conversation` feeds for the same conversation. The default
    /// feeds `hash_conversation`.
    fn hash_event_conversation<H: Hasher>(event: &Self::Event, input: &Self::Input, state: &mut H) {
        let _ = event;
        Self::hash_conversation(input, state);
    }

    /// Feeds the input's dedupe key to `state`, without allocating; `false` (nothing fed) when
    /// the input has none. Equal keys must feed equal bytes, different keys different bytes.
    /// The default feeds [`dedupe_key`](Self::dedupe_key).
    fn hash_dedupe_key<H: Hasher>(input: &Self::Input, route: &str, state: &mut H) -> bool {
        match Self::dedupe_key(input, route) {
            Some(key) => {
                state.write(key.as_bytes());
                true
            }
            None => false,
        }
    }
}

/// Feeds a conversation id to `state` the way every platform of this crate does (the lane
/// namespace, then the id's raw text; no separators: two conversations that feed the same
/// bytes only share a lane).
pub(crate) fn hash_conversation_id<H: Hasher>(id: Option<(&str, &[u8])>, state: &mut H) {
    match id {
        None => state.write_u8(0),
        Some((lane, value)) => {
            state.write(lane.as_bytes());
            state.write(value);
        }
    }
}
