//! The OneBot v11 platform: events are whole JSON objects (no envelope `d`), typed by
//! `botgate_codec::onebot`.
//!
//! - Route: `post_type[.detail[.sub_type]]` read from the top-level keys (`detail` is
//!   `message_type` / `notice_type` / `request_type` / `meta_event_type`), e.g.
//!   `message.group.normal`. A handler registered on a kind (`message.group`) or on any
//!   dot-prefix of it (`message`) matches, so `on(EventKind::MessageGroup, ..)` sees normal,
//!   anonymous and notice group messages alike.
//! - Lanes: `group_id`, else `user_id`.
//! - No dedupe: OneBot implementations do not resend events.
//!
//! Action responses (`echo` / `retcode`, no `post_type`) are not events: the facade answers its
//! callers with them and never hands them to the dispatcher (they would be
//! [`Disposition::NotAnEvent`](crate::Disposition::NotAnEvent)).

use std::borrow::Cow;

use botgate_codec::scan;
use bytes::Bytes;

use crate::fields::{self, KeyRule};
use crate::handlers::Handlers;
use crate::platform::{ConversationKey, DedupeKey, EventMeta, Platform, PlatformKind};

pub use botgate_codec::onebot::Event;
pub use botgate_proto::onebot::EventKind;

/// OneBot v11.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneBot;

/// The OneBot handler registry.
pub type OneBotHandlers = Handlers<OneBot>;

const KEY_RULES: &[KeyRule] = &[
    KeyRule {
        path: &["group_id"],
        lane: "group",
    },
    KeyRule {
        path: &["user_id"],
        lane: "user",
    },
];

/// The dotted route of a OneBot event, from its top-level type fields.
pub(crate) fn route(bytes: &[u8]) -> Option<String> {
    let (mut post, mut detail, mut sub) = (None, None, None);
    scan::object_fields(bytes, |key, span| {
        let slot = match key.as_str() {
            "post_type" => &mut post,
            "message_type" | "notice_type" | "request_type" | "meta_event_type" => &mut detail,
            "sub_type" => &mut sub,
            _ => return Ok(()),
        };
        if slot.is_none() {
            // A non-string type field is ignored, as if absent.
            *slot = scan::str_value(bytes, span).ok();
        }
        Ok(())
    })
    .ok()?;
    let mut route = post.filter(|p| !p.is_empty())?.into_owned();
    if let Some(detail) = detail.filter(|d| !d.is_empty()) {
        route.push('.');
        route.push_str(&detail);
        if let Some(sub) = sub.filter(|s| !s.is_empty()) {
            route.push('.');
            route.push_str(&sub);
        }
    }
    Some(route)
}

impl Platform for OneBot {
    const KIND: PlatformKind = PlatformKind::OneBot;
    type Input = Bytes;
    type EventType = EventKind;
    type Event = Event;

    fn event_type_name(event_type: &EventKind) -> &str {
        event_type.as_str()
    }

    fn route(input: &Bytes) -> Option<Cow<'_, str>> {
        route(input).map(Cow::Owned)
    }

    fn raw(input: &Bytes) -> &Bytes {
        input
    }

    fn decode(input: &Bytes, _route: &str) -> Result<Event, botgate_codec::Error> {
        botgate_codec::onebot::decode_event(input)
    }

    fn conversation_key(input: &Bytes) -> ConversationKey {
        fields::conversation_key(input, KEY_RULES)
    }

    fn dedupe_key(_input: &Bytes, _route: &str) -> Option<DedupeKey> {
        None
    }

    fn meta(_input: &Bytes, route: &str) -> EventMeta {
        EventMeta {
            event_type: route.to_owned(),
            event_id: None,
            seq: None,
        }
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

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn route_joins_the_type_fields_in_order() {
        assert_eq!(
            route(br#"{"sub_type":"poke","notice_type":"notify","post_type":"notice"}"#).as_deref(),
            Some("notice.notify.poke")
        );
        assert_eq!(
            route(br#"{"post_type":"message","message_type":"group","sub_type":"normal"}"#)
                .as_deref(),
            Some("message.group.normal")
        );
        assert_eq!(
            route(br#"{"post_type":"meta_event","meta_event_type":"heartbeat"}"#).as_deref(),
            Some("meta_event.heartbeat")
        );
    }

    #[test]
    fn responses_and_garbage_have_no_route() {
        assert_eq!(route(br#"{"status":"ok","retcode":0,"echo":"1"}"#), None);
        assert_eq!(route(br#"{"post_type":5}"#), None);
        assert_eq!(route(b"[1]"), None);
    }
}
