//! The seam for unified handlers (`on_message`, `on_notice`, `on_request`).
//!
//! The unified model (`botgate_proto::unified`) and the mapping (`botgate_codec::unify`) plug in
//! here: a platform implements [`Unify`] and its unified event implements [`UnifiedEvent`].
//! The registry only needs three things of them: which event types map to each category (so the
//! events are wanted, subscribed and covered by intents), the mapping itself, and the
//! [`Conversation`] a filter looks at. The three real platforms are wired in
//! `unified_platforms.rs`; their unified event is [`botgate_codec::unify::Unified`].

use std::hash::Hasher;

use botgate_codec::unify::UnifyContext;
use botgate_proto::unified::{EventKind, Scene};

use crate::filter::Conversation;
use crate::platform::{DedupeKey, Platform};

/// The unified model's `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// A message to the bot (`message`).
    Message,
    /// A message the bot sent itself, as echoed by the platform (`message_sent`).
    MessageSent,
    /// A notice (`notice`).
    Notice,
    /// A request (`request`).
    Request,
}

impl Category {
    /// The model's name: `message`, `message_sent`, `notice`, `request`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::MessageSent => "message_sent",
            Self::Notice => "notice",
            Self::Request => "request",
        }
    }

    /// The category of a unified event kind; `None` for a kind this version does not know.
    pub fn from_kind(kind: &EventKind) -> Option<Self> {
        match kind {
            EventKind::Message => Some(Self::Message),
            EventKind::MessageSent => Some(Self::MessageSent),
            EventKind::Notice => Some(Self::Notice),
            EventKind::Request => Some(Self::Request),
            _ => None,
        }
    }

    /// The category named by a schema `unified` key (`message/guild` → `Message`,
    /// `notice/group_recall` → `Notice`); `None` for an unknown event part.
    pub fn from_unified_key(key: &str) -> Option<Self> {
        let event = key.split_once('/').map_or(key, |(event, _)| event);
        match event {
            "message" => Some(Self::Message),
            "message_sent" => Some(Self::MessageSent),
            "notice" => Some(Self::Notice),
            "request" => Some(Self::Request),
            _ => None,
        }
    }
}

/// A unified event as filters and unified handlers see it.
pub trait UnifiedEvent: Clone + Send + Sync + 'static {
    /// Its `event`.
    fn category(&self) -> Category;
    /// The facts filters look at.
    fn conversation(&self) -> Conversation<'_>;

    /// The scene, which most filters check first (the default reads it from
    /// [`conversation`](Self::conversation); an implementation can read it alone).
    fn scene(&self) -> &Scene {
        self.conversation().scene
    }
}

/// A platform whose events map into the unified model.
pub trait Unify: Platform {
    /// The unified event type.
    type Unified: UnifiedEvent;

    /// The event types whose events may map to `category` (from the schema's
    /// `unified = "..."`): registering a unified handler of that category makes them wanted,
    /// subscribed and covered by intents. Types not listed for any category are never decoded
    /// for unified handlers.
    fn event_types(category: Category) -> Vec<Self::EventType>;

    /// Maps a decoded event; `None` when it has no unified meaning. `ctx` carries the bot's
    /// id, the dispatcher's clock and the configured masters / admins.
    fn unify(event: &Self::Event, ctx: &UnifyContext) -> Option<Self::Unified>;

    /// [`Unify::unify`] taking the event, used when no typed handler needs it afterwards: an
    /// implementation that keeps the platform event inside its unified one moves it there
    /// instead of copying it. The default maps the reference.
    fn unify_owned(event: Self::Event, ctx: &UnifyContext) -> Option<Self::Unified> {
        Self::unify(&event, ctx)
    }

    /// What identifies the platform event behind `event` when one event may arrive as two
    /// event types (QQ: a private bot with both intents gets an @-message as
    /// `AT_MESSAGE_CREATE` and as `MESSAGE_CREATE`). Unified handlers see the first delivery
    /// only (typed handlers see both). `None` (the default): never merged.
    fn same_event_key(event: &Self::Unified) -> Option<DedupeKey> {
        let _ = event;
        None
    }

    /// Feeds [`same_event_key`](Self::same_event_key) to `state` without allocating; `false`
    /// (nothing fed) when there is none. Equal keys must feed equal bytes, different keys
    /// different bytes. The dispatcher keeps a fingerprint of what is fed (decision 0027).
    /// The default feeds `same_event_key`.
    fn hash_same_event_key<H: Hasher>(event: &Self::Unified, state: &mut H) -> bool {
        match Self::same_event_key(event) {
            Some(key) => {
                state.write(key.as_bytes());
                true
            }
            None => false,
        }
    }
}
