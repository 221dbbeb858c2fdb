//! The QQ Bot gateway platform: frames scanned by `botgate_codec::Frame`, typed events from
//! `botgate_codec::qq`, intents from what is registered (botgo's `RegisterHandlers`).
//!
//! - Lanes: `channel_id` (guild messages, reactions, audits, forum, audio), `message.channel_id`
//!   (deletes), `group_openid` (group events), the user's openid (C2C messages, friend events),
//!   then `guild_id` (guild and member events); events without any share the global lane.
//! - Dedupe: the top-level `id` (`AT_MESSAGE_CREATE:…`), which a resumed session's replay
//!   repeats. Frames without one (READY, RESUMED) are never deduped.

use std::borrow::Cow;
use std::hash::Hasher;

use botgate_codec::{Frame, Intents};
use bytes::Bytes;

use crate::fields::{self, KeyRule, KeyRules};
use crate::handlers::Handlers;
use crate::platform::{hash_conversation_id, ConversationKey, DedupeKey, Platform, PlatformKind};

pub use botgate_codec::qq::Event;
pub use botgate_proto::qq::EventType;

/// The QQ Bot gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Qq;

/// The QQ handler registry.
pub type QqHandlers = Handlers<Qq>;

const KEY_RULES: &KeyRules = &KeyRules::new(&[
    KeyRule {
        path: &["channel_id"],
        lane: "channel",
    },
    KeyRule {
        path: &["group_openid"],
        lane: "group",
    },
    KeyRule {
        path: &["user_openid"],
        lane: "user",
    },
    KeyRule {
        path: &["openid"],
        lane: "user",
    },
    KeyRule {
        path: &["author", "user_openid"],
        lane: "user",
    },
    KeyRule {
        path: &["message", "channel_id"],
        lane: "channel",
    },
    KeyRule {
        path: &["guild_id"],
        lane: "guild",
    },
]);

impl Platform for Qq {
    const KIND: PlatformKind = PlatformKind::Qq;
    type Input = Frame;
    type EventType = EventType;
    type Event = Event;

    fn event_type_name(event_type: &EventType) -> &str {
        event_type.as_str()
    }

    fn route(input: &Frame) -> Option<Cow<'_, str>> {
        input.event_type().map(Cow::Borrowed)
    }

    fn raw(input: &Frame) -> &Bytes {
        input.bytes()
    }

    fn decode(input: &Frame, route: &str) -> Result<Event, botgate_codec::Error> {
        botgate_codec::qq::decode_event(route, input.data().unwrap_or(b"null"))
    }

    fn conversation_key(input: &Frame) -> ConversationKey {
        match input.data() {
            Some(data) => fields::conversation_key(data, KEY_RULES),
            None => ConversationKey::Global,
        }
    }

    fn dedupe_key(input: &Frame, _route: &str) -> Option<DedupeKey> {
        input
            .id()
            .filter(|id| !id.is_empty())
            .map(|id| DedupeKey::new(id.as_bytes()))
    }

    fn seq(input: &Frame) -> Option<u64> {
        input.seq()
    }

    fn event_id(input: &Frame) -> Option<&str> {
        input.id()
    }

    fn hash_conversation<H: Hasher>(input: &Frame, state: &mut H) {
        let id = input
            .data()
            .and_then(|data| fields::conversation_id(data, KEY_RULES));
        hash_conversation_id(id, state);
    }

    fn hash_dedupe_key<H: Hasher>(input: &Frame, _route: &str, state: &mut H) -> bool {
        match input.id().filter(|id| !id.is_empty()) {
            Some(id) => {
                state.write(id.as_bytes());
                true
            }
            None => false,
        }
    }
}

/// Intents only private (私域) bots may ask for: a public bot that asks is refused at Identify.
const PRIVATE_ONLY: Intents = Intents::GUILD_MESSAGES.union(Intents::FORUMS_EVENT);

impl Handlers<Qq> {
    /// The intents the registered handlers need: the union of each registered event type's
    /// intent (READY, RESUMED and unknown types need none). Identify sends this.
    ///
    /// An event type wanted only by unified handlers does not ask for a private-only intent
    /// (`GUILD_MESSAGES`: `MESSAGE_CREATE`, `MESSAGE_DELETE`), so `on_message` works on a
    /// public bot, which gets guild @-messages through `AT_MESSAGE_CREATE`. A private bot that
    /// wants every guild message sets the intents itself; an @-message then arriving under
    /// both types reaches the unified handlers once. A typed handler on such a type still asks
    /// for its intent.
    pub fn intents(&self) -> Intents {
        self.routes()
            .map(|r| {
                let intent = Intents::for_events([&r.event_type]);
                if r.typed.is_empty() {
                    intent.difference(PRIVATE_ONLY)
                } else {
                    intent
                }
            })
            .fold(Intents::empty(), Intents::union)
    }
}
