//! The OneBot v11 platform: the input is a `botgate_codec::onebot::RawEvent` (the facade's
//! `Incoming::classify` has already told events from action responses and read the kind from
//! the top-level keys); the payload is decoded by `RawEvent::decode` only when wanted.
//!
//! - Route: the event's kind (`message.group`, `notice.notify.poke`; an unknown kind is
//!   `post_type.detail[.sub_type]`). A handler registered on a dot-prefix of the kind
//!   (`notice`, `notice.notify`) also matches, so `on(EventKind::Unknown("notice".into()), ..)`
//!   sees every notice.
//! - Lanes: `group_id`, else `user_id`.
//! - Dedupe: message events by `(self_id, message_id)` (an implementation that resends after
//!   a reconnect, or a proxy that duplicates, is absorbed); other kinds carry no id and pass.

use std::borrow::Cow;
use std::hash::Hasher;

use botgate_codec::onebot::RawEvent;
use bytes::Bytes;

use crate::fields::{self, KeyRule, KeyRules};
use crate::handlers::Handlers;
use crate::platform::{hash_conversation_id, ConversationKey, DedupeKey, Platform, PlatformKind};

pub use botgate_codec::onebot::Event;
pub use botgate_proto::onebot::EventKind;

/// OneBot v11.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneBot;

/// The OneBot handler registry.
pub type OneBotHandlers = Handlers<OneBot>;

const KEY_RULES: &KeyRules = &KeyRules::new(&[
    KeyRule {
        path: &["group_id"],
        lane: "group",
    },
    KeyRule {
        path: &["user_id"],
        lane: "user",
    },
]);

impl Platform for OneBot {
    const KIND: PlatformKind = PlatformKind::OneBot;
    type Input = RawEvent;
    type EventType = EventKind;
    type Event = Event;

    fn event_type_name(event_type: &EventKind) -> &str {
        event_type.as_str()
    }

    fn route(input: &RawEvent) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(input.kind().as_str()))
    }

    fn raw(input: &RawEvent) -> &Bytes {
        input.bytes()
    }

    fn decode(input: &RawEvent, _route: &str) -> Result<Event, botgate_codec::Error> {
        input.decode()
    }

    fn conversation_key(input: &RawEvent) -> ConversationKey {
        fields::conversation_key(input.bytes(), KEY_RULES)
    }

    fn dedupe_key(input: &RawEvent, route: &str) -> Option<DedupeKey> {
        if !route.starts_with("message") {
            return None;
        }
        let bytes = input.bytes();
        let message_id = fields::lookup(bytes, &["message_id"]).and_then(fields::id_text)?;
        let self_id = fields::lookup(bytes, &["self_id"])
            .and_then(fields::id_text)
            .unwrap_or_default();
        Some(DedupeKey::from_parts([
            &b"message"[..],
            self_id,
            message_id,
        ]))
    }

    fn hash_conversation<H: Hasher>(input: &RawEvent, state: &mut H) {
        hash_conversation_id(fields::conversation_id(input.bytes(), KEY_RULES), state);
    }
}

impl Handlers<OneBot> {
    /// The kinds with handlers, sorted (for logs and `botgate listen`).
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.event_types().map(|k| k.as_str().to_owned()).collect();
        kinds.sort_unstable();
        kinds
    }
}
