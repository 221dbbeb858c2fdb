//! The OneBot v11 platform: the input is a `botgate_codec::onebot::RawEvent` (the facade's
//! `Incoming::classify` has already told events from action responses and read the kind from
//! the top-level keys); the payload is decoded by `RawEvent::decode` only when wanted.
//!
//! - Route: the event's kind (`message.group`, `notice.notify.poke`; an unknown kind is
//!   `post_type.detail[.sub_type]`). A handler registered on a dot-prefix of the kind
//!   (`notice`, `notice.notify`) also matches, so `on(EventKind::Unknown("notice".into()), ..)`
//!   sees every notice.
//! - Lanes: `group_id`, else `user_id`.
//! - Dedupe: message events by `(self_id, time, group_id, user_id, message_id)` (an
//!   implementation that resends after a reconnect, or a proxy that duplicates, is absorbed);
//!   other kinds carry no id and pass. The time and the conversation are in the key because
//!   a `message_id` alone is not unique for long: Waylay's is a short in-memory id that starts
//!   again at 1 when it restarts, while the window outlives reconnects (decision 0055). A
//!   resend repeats the whole frame, so it repeats all five. The session does not dedupe
//!   OneBot events (they carry no sequence): this is the one home of the rule, and the
//!   gateway / worker split keys by it too.

use std::borrow::Cow;
use std::hash::Hasher;

use botgate_codec::onebot::{IdField, RawEvent};
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

const GROUP_LANE: &str = "group";
const USER_LANE: &str = "user";

const KEY_RULES: &KeyRules = &KeyRules::new(&[
    KeyRule {
        path: &["group_id"],
        lane: GROUP_LANE,
    },
    KeyRule {
        path: &["user_id"],
        lane: USER_LANE,
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

    fn into_raw(input: RawEvent) -> Bytes {
        input.into_bytes()
    }

    fn decode(input: &RawEvent, _route: &str) -> Result<Event, botgate_codec::Error> {
        input.decode()
    }

    fn conversation_key(input: &RawEvent) -> ConversationKey {
        match conversation_id(input) {
            Some((lane, value)) => ConversationKey::id(lane, value),
            None => ConversationKey::Global,
        }
    }

    /// From the id fields the classifying scan found: no scan of the frame here.
    fn dedupe_key(input: &RawEvent, route: &str) -> Option<DedupeKey> {
        dedupe_parts(input, route).map(|parts| DedupeKey::from_parts(parts.slices()))
    }

    /// The bytes of [`dedupe_key`](Platform::dedupe_key), fed as they are: no key is built.
    fn hash_dedupe_key<H: Hasher>(input: &RawEvent, route: &str, state: &mut H) -> bool {
        let Some(parts) = dedupe_parts(input, route) else {
            return false;
        };
        for part in parts.slices() {
            state.write(&(part.len() as u64).to_le_bytes());
            state.write(part);
        }
        true
    }

    fn hash_conversation<H: Hasher>(input: &RawEvent, state: &mut H) {
        hash_conversation_id(conversation_id(input), state);
    }
}

/// What [`fields::conversation_id`] reads with [`KEY_RULES`], from the id fields the
/// classifying scan found: `group_id` if it holds an id, else `user_id`'s first occurrence.
/// A frame that repeats an id field is read by the general scan (a later `group_id` may win).
fn conversation_id(input: &RawEvent) -> Option<(&'static str, &[u8])> {
    if input.id_fields_repeated() {
        return fields::conversation_id(input.bytes(), KEY_RULES);
    }
    if let Some(group) = input.id_field(IdField::GroupId).and_then(fields::id_text) {
        return Some((GROUP_LANE, group));
    }
    input
        .id_field(IdField::UserId)
        .and_then(fields::id_text)
        .map(|user| (USER_LANE, user))
}

impl Handlers<OneBot> {
    /// The kinds with handlers, sorted (for logs and `botgate listen`).
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.event_types().map(|k| k.as_str().to_owned()).collect();
        kinds.sort_unstable();
        kinds
    }
}

/// A message event's dedupe key, in parts (see [`DedupeParts::slices`]); none for other
/// events or without a `message_id`.
fn dedupe_parts<'a>(input: &'a RawEvent, route: &str) -> Option<DedupeParts<'a>> {
    if !route.starts_with("message") {
        return None;
    }
    let id = |field| {
        input
            .id_field(field)
            .and_then(fields::id_text)
            .unwrap_or_default()
    };
    let message_id = input
        .id_field(IdField::MessageId)
        .and_then(fields::id_text)?;
    Some(DedupeParts {
        self_id: id(IdField::SelfId),
        time: input.time().map(i64::to_le_bytes),
        group_id: id(IdField::GroupId),
        user_id: id(IdField::UserId),
        message_id,
    })
}

/// The fields that make a message event's dedupe key: a resend repeats them all; a
/// `message_id` an implementation gives again after a restart comes at another `time` (or in
/// another conversation). An absent field is an empty part.
struct DedupeParts<'a> {
    self_id: &'a [u8],
    /// `time` as an integer (little-endian), when it is one.
    time: Option<[u8; 8]>,
    group_id: &'a [u8],
    user_id: &'a [u8],
    message_id: &'a [u8],
}

impl DedupeParts<'_> {
    /// `message`, `self_id`, `time`, `group_id`, `user_id`, `message_id`.
    fn slices(&self) -> [&[u8]; 6] {
        [
            b"message",
            self.self_id,
            self.time.as_ref().map_or(&[][..], |t| &t[..]),
            self.group_id,
            self.user_id,
            self.message_id,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fed::Fed;

    /// The keys as the general field reads make them, for comparison.
    fn scanned(bytes: &[u8], route: &str) -> (ConversationKey, Option<DedupeKey>) {
        let conversation = fields::conversation_key(bytes, KEY_RULES);
        let dedupe = route.starts_with("message").then(|| {
            let id = |key: &str| {
                fields::lookup(bytes, &[key])
                    .and_then(fields::id_text)
                    .unwrap_or_default()
            };
            let message_id = fields::lookup(bytes, &["message_id"]).and_then(fields::id_text)?;
            let time = fields::lookup(bytes, &["time"])
                .and_then(|raw| {
                    std::str::from_utf8(raw)
                        .ok()?
                        .trim_matches('"')
                        .parse()
                        .ok()
                })
                .map(i64::to_le_bytes);
            Some(DedupeKey::from_parts([
                &b"message"[..],
                id("self_id"),
                time.as_ref().map_or(&[][..], |t| &t[..]),
                id("group_id"),
                id("user_id"),
                message_id,
            ]))
        });
        (conversation, dedupe.flatten())
    }

    #[test]
    fn keys_from_the_classifying_scan_match_the_general_reads() {
        let frames: &[&[u8]] = &[
            br#"{"post_type":"message","message_type":"group","self_id":1,"message_id":2,"group_id":3,"user_id":4}"#,
            br#"{"user_id":"4","group_id":"","message_id":"x","post_type":"message","message_type":"private"}"#,
            br#"{"post_type":"message","message_type":"group","group_id":null,"user_id":null,"message_id":null}"#,
            br#"{"post_type":"message","message_type":"group","message_id":"a\"b","self_id":"7","sender":{"user_id":1}}"#,
            br#"{"post_type":"notice","notice_type":"group_ban","group_id":{"x":1},"user_id":[1],"message_id":5}"#,
            br#"{"post_type":"message","message_type":"group","gro\u0075p_id":3,"message_id":1}"#,
            br#"{"post_type":"message","message_type":"group","group_id":null,"group_id":8,"user_id":1,"user_id":2,"message_id":1,"message_id":2}"#,
            br#"{"post_type":"message","message_type":"group","user_id":null,"user_id":2}"#,
            br#"{"post_type":"meta_event","meta_event_type":"heartbeat","self_id":1}"#,
            br#"{"time":1712640000,"post_type":"message","message_type":"private","message_id":1,"user_id":4,"self_id":1}"#,
            br#"{"time":"1712640001","post_type":"message","message_type":"group","message_id":1,"group_id":"3","user_id":4}"#,
            br#"{"time":1.5,"post_type":"message","message_type":"group","message_id":1,"group_id":3}"#,
        ];
        for &frame in frames {
            let input = RawEvent::scan(Bytes::copy_from_slice(frame)).unwrap();
            let route = OneBot::route(&input).unwrap();
            let text = String::from_utf8_lossy(frame);
            let got = (
                OneBot::conversation_key(&input),
                OneBot::dedupe_key(&input, &route),
            );
            assert_eq!(got, scanned(frame, &route), "{text}");
            // The hash feeds the key's bytes.
            let mut fed = Fed::default();
            let has = OneBot::hash_dedupe_key(&input, &route, &mut fed);
            let key = got.1.as_ref().map(|k| k.as_bytes().to_vec());
            assert_eq!(has.then_some(fed.0), key, "{text}");
            let mut a = std::collections::hash_map::DefaultHasher::new();
            let mut b = a.clone();
            OneBot::hash_conversation(&input, &mut a);
            hash_conversation_id(fields::conversation_id(frame, KEY_RULES), &mut b);
            assert_eq!(a.finish(), b.finish(), "{text}");
        }
    }
}
