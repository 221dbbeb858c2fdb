//! The Bubble open gateway platform: frames scanned by `botgate_codec::Frame`, typed events
//! from `botgate_codec::bubble`, the subscription set from what is registered.
//!
//! - Lanes: `channelId` (guild messages), `threadId` (2026-03 DMs), `guildId`, then `userId`.
//! - Dedupe (spec §3.5, decision 0076), for subscribable known types only, keyed by what names
//!   one delivery (`codec::bubble::delivery`): `(t, d.id)` for a one-time event (a message
//!   sent), `(t, d.messageId)` for a mention; else `(t, s, hash(d))` when the frame has an `s`,
//!   else no key (a change that can come again with the same payload, such as a guild joined
//!   after a leave, is never dropped). Lifecycle frames (BOT_READY, EVENTS_SUBSCRIBED, ...) and
//!   unknown types pass undeduped, so a reconnect's BOT_READY is never mistaken for a resend.

use std::borrow::Cow;
use std::hash::{DefaultHasher, Hasher};
use std::ops::ControlFlow;

use botgate_codec::bubble::{delivery, Delivery};
use botgate_codec::scan;
use botgate_codec::Frame;
use bytes::Bytes;

use crate::fields::{self, KeyRule, KeyRules};
use crate::handlers::Handlers;
use crate::platform::{hash_conversation_id, ConversationKey, DedupeKey, Platform, PlatformKind};

pub use botgate_codec::bubble::Event;
pub use botgate_proto::bubble::EventType;

/// The Bubble open gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bubble;

/// The Bubble handler registry.
pub type BubbleHandlers = Handlers<Bubble>;

const CHANNEL_LANE: &str = "channel";

const KEY_RULES: &KeyRules = &KeyRules::new(&[
    KeyRule {
        path: &["channelId"],
        lane: CHANNEL_LANE,
    },
    KeyRule {
        path: &["channel_id"],
        lane: CHANNEL_LANE,
    },
    KeyRule {
        path: &["threadId"],
        lane: "thread",
    },
    KeyRule {
        path: &["guildId"],
        lane: "guild",
    },
    KeyRule {
        path: &["guild_id"],
        lane: "guild",
    },
    KeyRule {
        path: &["userId"],
        lane: "user",
    },
]);

impl Platform for Bubble {
    const KIND: PlatformKind = PlatformKind::Bubble;
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
        input.read_data(|d| botgate_codec::bubble::decode_event(route, d))
    }

    fn conversation_key(input: &Frame) -> ConversationKey {
        match input.data() {
            Some(data) => fields::conversation_key(data, KEY_RULES),
            None => ConversationKey::Global,
        }
    }

    fn dedupe_key(input: &Frame, route: &str) -> Option<DedupeKey> {
        let known = EventType::from_known(route)?;
        if !known.subscribable() {
            return None;
        }
        dedupe_key(route, input.data()?, input.seq())
    }

    fn seq(input: &Frame) -> Option<u64> {
        input.seq()
    }

    fn hash_conversation<H: Hasher>(input: &Frame, state: &mut H) {
        let id = input
            .data()
            .and_then(|data| fields::conversation_id(data, KEY_RULES));
        hash_conversation_id(id, state);
    }

    /// Messages name their channel in the decoded event (`channelId`, or its alias
    /// `channel_id`: the first two rules, one lane), fed as its decimal text: what the scan
    /// feeds for an id written as a plain number or a string of one. An id spelled otherwise
    /// (leading zeros, an exponent) then shares a lane with its plain spelling.
    fn hash_event_conversation<H: Hasher>(event: &Event, input: &Frame, state: &mut H) {
        match event {
            Event::MessageCreate(m)
            | Event::MessageUpdate(m)
            | Event::DmMessageCreate(m)
            | Event::DmMessageUpdate(m)
            | Event::GroupMessageCreate(m)
            | Event::GroupMessageUpdate(m) => match m.channel_id {
                Some(id) => {
                    let mut buf = [0u8; 20];
                    hash_conversation_id(Some((CHANNEL_LANE, decimal(id, &mut buf))), state);
                }
                None => Self::hash_conversation(input, state),
            },
            _ => Self::hash_conversation(input, state),
        }
    }
}

/// `n` in decimal, written at the end of `buf` (20 bytes hold every `i64`).
fn decimal(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        // `rest % 10` is a digit: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (rest % 10) as u8;
        buf[at] = b'0' + digit;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// The key of one delivery of a `route` event with payload `data` and sequence `seq` (see the
/// module docs).
fn dedupe_key(route: &str, data: &[u8], seq: Option<u64>) -> Option<DedupeKey> {
    let field: Option<&[u8]> = match delivery(route) {
        Delivery::EventId => Some(b"id"),
        Delivery::MessageId => Some(b"messageId"),
        Delivery::Sequence => None,
    };
    let t = route.as_bytes();
    if let Some(field) = field {
        // The scan stops at the first usable one (most payloads start with it).
        let mut found = None;
        scan::object_fields_until(data, |key, span| {
            if key.as_bytes() == field {
                if let Some(text) = fields::id_text(span.slice(data)) {
                    found = Some(text);
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        })
        .ok()?;
        if let Some(id) = found {
            return Some(DedupeKey::from_parts([t, field, id]));
        }
    }
    // Only `s` tells a resend (a replay, a redelivery) from a new event with the same payload.
    // The payload too, so that a fresh session counting `s` from 1 again does not take a new
    // event for one of the last session's. Without `s` (the documented gateway, webhooks)
    // nothing does: delivered twice rather than lost.
    let seq = seq?.to_le_bytes();
    // SipHash with fixed keys: stable within the process, which is all a window needs.
    let mut hasher = DefaultHasher::new();
    hasher.write(data);
    let hash = hasher.finish().to_le_bytes();
    Some(DedupeKey::from_parts([t, b"seq".as_slice(), &seq, &hash]))
}

impl Handlers<Bubble> {
    /// The event types to subscribe to (op 30): every registered subscribable type, sorted.
    /// BOT_READY, EVENTS_SUBSCRIBED, ERROR and the like are always sent and never listed.
    pub fn subscriptions(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .event_types()
            .filter(|t| t.subscribable())
            .map(|t| t.as_str().to_owned())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::{decimal, dedupe_key, Bubble, Event, Frame, Platform};
    use std::hash::{DefaultHasher, Hasher};

    #[test]
    fn decimals_of_every_width() {
        for n in [0, 7, -7, 10, 123, i64::MAX, i64::MIN, -1_000_000_007] {
            let mut buf = [0u8; 20];
            assert_eq!(decimal(n, &mut buf), n.to_string().as_bytes());
        }
    }

    /// A decoded message feeds the lane the scan of its frame feeds.
    #[test]
    fn a_decoded_message_is_in_the_lane_of_its_frame() {
        for (d, same) in [
            (r#"{"id":1,"channelId":123,"content":"a"}"#, true),
            (r#"{"id":1,"channel_id":"123","content":"a"}"#, true),
            (r#"{"id":1,"content":"a","channelId":-5}"#, true),
            (r#"{"id":1,"threadId":9,"content":"a"}"#, true),
            (r#"{"id":1,"channelId":"0123"}"#, false),
        ] {
            let frame =
                Frame::scan(format!(r#"{{"op":0,"t":"MESSAGE_CREATE","d":{d}}}"#).into_bytes())
                    .unwrap();
            let event = Bubble::decode(&frame, "MESSAGE_CREATE").unwrap();
            assert!(matches!(event, Event::MessageCreate(_)));
            let (mut scanned, mut decoded) = (DefaultHasher::new(), DefaultHasher::new());
            Bubble::hash_conversation(&frame, &mut scanned);
            Bubble::hash_event_conversation(&event, &frame, &mut decoded);
            assert_eq!(scanned.finish() == decoded.finish(), same, "{d}");
        }
    }

    #[test]
    fn message_ids_key_by_type_and_id() {
        let a = dedupe_key("MESSAGE_CREATE", br#"{"id":1001,"content":"a"}"#, None);
        let b = dedupe_key("MESSAGE_CREATE", br#"{"content":"b","id":1001}"#, Some(9));
        let c = dedupe_key("MESSAGE_DELETE", br#"{"id":1001}"#, None);
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn a_mention_keys_by_its_message() {
        let a = dedupe_key("MENTION_CREATE", br#"{"messageId":5,"channelId":1}"#, None);
        let b = dedupe_key(
            "MENTION_CREATE",
            br#"{"channelId":2,"messageId":"5"}"#,
            Some(3),
        );
        assert!(a.is_some());
        assert_eq!(a, b);
    }

    /// Changes that can come again (decision 0076): keyed by `s` and payload, or not at all.
    #[test]
    fn changes_key_by_sequence_and_payload_or_not_at_all() {
        for (t, d) in [
            ("GUILD_CREATE", br#"{"id":10}"#.as_slice()),
            (
                "MESSAGE_REACTION_ADD",
                br#"{"messageId":5,"userId":1,"emoji":"x"}"#,
            ),
            ("GUILD_MEMBER_ADD", br#"{"guildId":1,"user":{"id":2}}"#),
            ("MESSAGE_UPDATE", br#"{"id":1001,"editedAt":"t2"}"#),
        ] {
            assert_eq!(dedupe_key(t, d, None), None, "{t}");
            let a = dedupe_key(t, d, Some(4));
            assert!(a.is_some(), "{t}");
            assert_eq!(a, dedupe_key(t, d, Some(4)), "{t}");
            assert_ne!(a, dedupe_key(t, d, Some(5)), "{t}");
        }
        assert_ne!(
            dedupe_key("GUILD_DELETE", br#"{"id":10}"#, Some(4)),
            dedupe_key("GUILD_DELETE", br#"{"id":11}"#, Some(4))
        );
    }
}
