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

/// The lane namespace of the first rule (`channel_id`), also fed from decoded messages.
const CHANNEL_LANE: &str = "channel";

const KEY_RULES: &KeyRules = &KeyRules::new(&[
    KeyRule {
        path: &["channel_id"],
        lane: CHANNEL_LANE,
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

    fn known_route(input: &Frame) -> Option<&'static str> {
        input.known_event_type()
    }

    fn raw(input: &Frame) -> &Bytes {
        input.bytes()
    }

    fn into_raw(input: Frame) -> Bytes {
        input.into_bytes()
    }

    fn decode(input: &Frame, route: &str) -> Result<Event, botgate_codec::Error> {
        input.read_data(|d| botgate_codec::qq::decode_event(route, d))
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

    fn event_id(input: &Frame) -> Option<&[u8]> {
        input.id_bytes()
    }

    fn hash_conversation<H: Hasher>(input: &Frame, state: &mut H) {
        let id = input
            .data()
            .and_then(|data| fields::conversation_id(data, KEY_RULES));
        hash_conversation_id(id, state);
    }

    /// Guild messages name their channel in the decoded event: the first rule's field, so
    /// when it is set it is what the scan would find (the scan of `d` costs a third of a
    /// handled event). An id written with JSON escapes is fed unescaped here: it then shares
    /// a lane with its plain spelling, where the scan's raw text kept them apart.
    fn hash_event_conversation<H: Hasher>(event: &Event, input: &Frame, state: &mut H) {
        match event {
            Event::AtMessageCreate(m) | Event::MessageCreate(m) | Event::DirectMessageCreate(m)
                if !m.channel_id.is_empty() =>
            {
                hash_conversation_id(Some((CHANNEL_LANE, m.channel_id.as_bytes())), state);
            }
            _ => Self::hash_conversation(input, state),
        }
    }

    fn hash_dedupe_key<H: Hasher>(input: &Frame, _route: &str, state: &mut H) -> bool {
        // The id's bytes as the scan checked them: `id()` would check their UTF-8 again.
        match input.id_bytes().filter(|id| !id.is_empty()) {
            Some(id) => {
                state.write(id);
                true
            }
            None => false,
        }
    }
}

impl Handlers<Qq> {
    /// The intents the registered handlers need: the union of each registered event type's
    /// intent (READY, RESUMED and unknown types need none), as botgo's `RegisterHandlers`
    /// computes it. Identify sends these and [`optional_intents`](Self::optional_intents).
    ///
    /// An event type wanted only by unified handlers asks here only for an intent every bot
    /// has (`Intents::PUBLIC`: `AT_MESSAGE_CREATE`'s, the guild's, the members'); its other
    /// intents (DMs, group and C2C, reactions, ...) are optional: asked for, and dropped one
    /// per refused Identify (decision 0054), while the private-only ones (`GUILD_MESSAGES`,
    /// `FORUMS_EVENT`) are not asked for at all. So `on_message` gets group and C2C messages on
    /// a bot granted them and still starts on a guild-only public bot. A typed handler asks
    /// for its intent, granted or not.
    pub fn intents(&self) -> Intents {
        self.split_intents().0
    }

    /// The intents only unified handlers asked for, beyond [`intents`](Self::intents),
    /// `Intents::PUBLIC` and the private-only ones: sent with Identify, dropped one per
    /// refusal.
    pub fn optional_intents(&self) -> Intents {
        self.split_intents().1
    }

    /// (required, optional), see [`intents`](Self::intents).
    fn split_intents(&self) -> (Intents, Intents) {
        let (mut required, mut wanted) = (Intents::empty(), Intents::empty());
        for route in self.routes() {
            let intent = Intents::for_events([&route.event_type]);
            if route.typed.is_empty() {
                required |= intent.intersection(Intents::PUBLIC);
                wanted |= intent.difference(PRIVATE_ONLY);
            } else {
                required |= intent;
            }
        }
        (required, wanted.difference(required))
    }
}

/// Intents only private (私域) bots may have: never asked for on unified handlers' behalf (a
/// public bot would be refused for them at every start). A platform fact the schema's
/// `public` flag does not carry (it marks the intents every bot has).
const PRIVATE_ONLY: Intents = Intents::GUILD_MESSAGES.union(Intents::FORUMS_EVENT);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fed::Fed;

    fn lanes(t: &str, d: &str) -> (Vec<u8>, Vec<u8>) {
        let frame =
            Frame::scan(format!(r#"{{"op":0,"s":1,"t":"{t}","d":{d}}}"#).into_bytes()).unwrap();
        let event = Qq::decode(&frame, t).unwrap();
        let (mut scanned, mut decoded) = (Fed::default(), Fed::default());
        Qq::hash_conversation(&frame, &mut scanned);
        Qq::hash_event_conversation(&event, &frame, &mut decoded);
        (scanned.0, decoded.0)
    }

    #[test]
    fn a_decoded_message_feeds_the_lane_the_scan_feeds() {
        for (t, d) in [
            (
                "AT_MESSAGE_CREATE",
                r#"{"author":{"id":"u"},"id":"m","guild_id":"G","channel_id":"C1"}"#,
            ),
            ("MESSAGE_CREATE", r#"{"channel_id":42,"guild_id":"G"}"#),
            (
                "DIRECT_MESSAGE_CREATE",
                r#"{"guild_id":"G","channel_id":"C"}"#,
            ),
            // No channel: the scan decides (guild lane).
            ("AT_MESSAGE_CREATE", r#"{"channel_id":"","guild_id":"G"}"#),
            ("AT_MESSAGE_CREATE", r#"{"channel_id":null,"guild_id":"G"}"#),
            // Not a guild message: the scan.
            (
                "GROUP_AT_MESSAGE_CREATE",
                r#"{"group_openid":"g1","id":"m"}"#,
            ),
        ] {
            let (scanned, decoded) = lanes(t, d);
            assert_eq!(decoded, scanned, "{t} {d}");
            assert!(!scanned.is_empty());
        }
        assert_eq!(
            lanes("MESSAGE_CREATE", r#"{"channel_id":"C1"}"#).1,
            b"channelC1"
        );
    }

    /// A session scans for the envelope only (`Frame::scan_envelope`): the decode still gets
    /// `d` right when a key follows it, and fails with the frame's error when it is broken.
    #[test]
    fn decode_after_an_envelope_scan_is_the_full_scans() {
        let frame = |tail: &str| {
            let text = format!(
                r#"{{"op":0,"s":1,"t":"AT_MESSAGE_CREATE","id":"AT:1","d":{{"id":"m","channel_id":"C"}}{tail}}}"#
            );
            Frame::scan_envelope(text.into_bytes()).unwrap()
        };
        for tail in ["", r#","x":{"y":[]}"#] {
            let f = frame(tail);
            let Ok(Event::AtMessageCreate(m)) = Qq::decode(&f, "AT_MESSAGE_CREATE") else {
                panic!("{tail}");
            };
            assert_eq!((m.id.as_str(), m.channel_id.as_str()), ("m", "C"), "{tail}");
        }
        let broken = frame(r#","s":2,"x":{}"#);
        let err = Qq::decode(&broken, "AT_MESSAGE_CREATE").unwrap_err();
        assert!(
            matches!(
                err.kind(),
                botgate_codec::ErrorKind::Envelope { field: "s", .. }
            ),
            "{err}"
        );
    }
}
