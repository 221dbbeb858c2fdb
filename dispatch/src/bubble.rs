//! The Bubble open gateway platform: frames scanned by `botgate_codec::Frame`, typed events
//! from `botgate_codec::bubble`, the subscription set from what is registered.
//!
//! - Lanes: `channelId` (guild messages), `threadId` (2026-03 DMs), `guildId`, then `userId`.
//! - Dedupe (spec §3.5), for subscribable known types only: `(t, d.id)` when `d.id` is present;
//!   else `(t, d.messageId, d.userId, d.emoji)` when `d.messageId` is (reactions); else
//!   `(t, hash(d))`. Lifecycle frames (BOT_READY, EVENTS_SUBSCRIBED, ...) and unknown types
//!   pass undeduped, so a reconnect's BOT_READY is never mistaken for a resend.

use std::borrow::Cow;
use std::hash::{DefaultHasher, Hasher};
use std::ops::ControlFlow;

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
        dedupe_key(route, input.data()?)
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

fn dedupe_key(route: &str, data: &[u8]) -> Option<DedupeKey> {
    // `d.id` names the event, but for an update or a pin / unpin: those carry the id of what
    // changed (the same on every edit: a second edit is not a resend), so they are keyed by
    // their whole payload below, which only a resend repeats (review of stop 29).
    let by_id = botgate_codec::bubble::id_names_event(route);
    // The scan stops at the first usable `id` (most payloads start with it).
    let (mut id, mut message_id, mut user_id, mut emoji) = (None, None, None, None);
    scan::object_fields_until(data, |key, span| {
        let raw = span.slice(data);
        let slot = match key.as_bytes() {
            b"id" if !by_id => return ControlFlow::Continue(()),
            b"id" => {
                if let Some(text) = fields::id_text(raw) {
                    id = Some(text);
                    return ControlFlow::Break(());
                }
                return ControlFlow::Continue(());
            }
            b"messageId" => &mut message_id,
            b"userId" => &mut user_id,
            b"emoji" => &mut emoji,
            _ => return ControlFlow::Continue(()),
        };
        if slot.is_none() {
            *slot = Some(raw);
        }
        ControlFlow::Continue(())
    })
    .ok()?;
    let t = route.as_bytes();
    if let Some(id) = id {
        return Some(DedupeKey::from_parts([t, b"id".as_slice(), id]));
    }
    if let Some(message_id) = message_id.and_then(fields::id_text) {
        let user = user_id.unwrap_or_default();
        let emoji = emoji.unwrap_or_default();
        return Some(DedupeKey::from_parts([
            t,
            b"reaction".as_slice(),
            message_id,
            user,
            emoji,
        ]));
    }
    // SipHash with fixed keys: stable within the process, which is all a window needs.
    let mut hasher = DefaultHasher::new();
    hasher.write(data);
    let hash = hasher.finish().to_le_bytes();
    Some(DedupeKey::from_parts([t, b"hash".as_slice(), &hash]))
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
        let a = dedupe_key("MESSAGE_CREATE", br#"{"id":1001,"content":"a"}"#);
        let b = dedupe_key("MESSAGE_CREATE", br#"{"content":"b","id":1001}"#);
        let c = dedupe_key("MESSAGE_UPDATE", br#"{"id":1001}"#);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn reactions_key_by_message_user_and_emoji() {
        let a = dedupe_key(
            "MESSAGE_REACTION_ADD",
            br#"{"messageId":5,"userId":1,"emoji":"x"}"#,
        );
        let b = dedupe_key(
            "MESSAGE_REACTION_ADD",
            br#"{"messageId":5,"userId":2,"emoji":"x"}"#,
        );
        assert_ne!(a, b);
        assert_eq!(
            a,
            dedupe_key(
                "MESSAGE_REACTION_ADD",
                br#"{"emoji":"x","userId":1,"messageId":5}"#
            )
        );
    }

    #[test]
    fn others_key_by_payload_hash() {
        let a = dedupe_key("GUILD_MEMBER_ADD", br#"{"guildId":1,"user":{"id":2}}"#);
        let b = dedupe_key("GUILD_MEMBER_ADD", br#"{"guildId":1,"user":{"id":3}}"#);
        assert!(a.is_some());
        assert_ne!(a, b);
    }
}
