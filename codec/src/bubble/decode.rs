//! Typed decode of Bubble dispatch payloads.
//!
//! [`decode_event`] turns the `t` and the raw `d` of an op 0 frame into an [`Event`]: one variant
//! per event type of `proto/schema/bubble.toml`, holding its `botgate_proto::bubble` payload.
//! The enum, the decode table and [`EVENTS`] (rows of [`EventInfo`]) are generated
//! (`codec/src/generated/bubble.rs`); an event type botgate does not know still decodes, as
//! [`Event::Unknown`] with its JSON.

pub use crate::generated::bubble::{decode_event, Event, EventInfo, EVENTS};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use botgate_proto::bubble::EventType;

    #[test]
    fn every_known_type_has_one_row_in_schema_order() {
        let names: Vec<&str> = EVENTS.iter().map(|i| i.name).collect();
        let all: Vec<&str> = EventType::ALL.iter().map(EventType::as_str).collect();
        assert_eq!(names, all);
        for info in EVENTS {
            let t = info.event_type();
            assert_eq!(Some(info.handler), t.handler());
            assert_eq!(info.subscribable, t.subscribable());
            assert_eq!(Some(info.since), t.since());
            assert_eq!(EventInfo::of(&t), Some(info));
        }
    }

    #[test]
    fn bot_ready_is_not_subscribable_and_message_create_is() {
        assert!(!EventType::BotReady.subscribable());
        assert!(EventType::MessageCreate.subscribable());
        assert!(EventType::Unknown("FUTURE".into()).subscribable());
    }

    #[test]
    fn a_known_type_decodes_into_its_payload() {
        let event = decode_event("MESSAGE_CREATE", br#"{"id":42,"content":"hi"}"#).unwrap();
        assert_eq!(event.event_type(), EventType::MessageCreate);
        assert_eq!(event.name(), "MESSAGE_CREATE");
        let Event::MessageCreate(message) = &event else {
            panic!("{event:?}");
        };
        assert_eq!(message.id, Some(42));
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["id"], 42);
    }

    #[test]
    fn strings_share_one_copy_of_the_payload_and_outlive_it() {
        use botgate_proto::bubble::{Author, MentionRef};
        let data = br#"{"id":7,"content":"a \"quoted\" word","author":"alice",
            "mentions":[{"type":"user","id":3,"name":"bob"}],"createdAt":"2026-03-01T00:00:00Z",
            "attachments":[{"url":"https://x.invalid/a.png","category":"image"}]}"#
            .to_vec();
        let event = decode_event("DM_MESSAGE_CREATE", &data).unwrap();
        drop(data);
        let Event::DmMessageCreate(m) = &event else {
            panic!("{event:?}");
        };
        // unescaped strings are ranges of the one buffer; escaped ones have their own
        let Some(Author::Name(author)) = &m.author else {
            panic!("{:?}", m.author);
        };
        assert!(author.is_shared() && author == "alice");
        let MentionRef::Entity(mention) = &m.mentions[0] else {
            panic!("{:?}", m.mentions);
        };
        assert!(mention.name.as_ref().unwrap().is_shared());
        assert!(m.created_at.as_ref().unwrap().is_shared());
        assert!(m.attachments[0].url.as_ref().unwrap().is_shared());
        assert!(!m.content.is_shared());
        assert_eq!(m.content, "a \"quoted\" word");
        // a field kept past its event holds the buffer
        let kept = m.created_at.clone().unwrap();
        drop(event);
        assert_eq!(kept, "2026-03-01T00:00:00Z");
    }

    #[test]
    fn a_sloppy_payload_read_by_the_retry_still_shares_its_strings() {
        // `msgType` as a non-numeric string sends the decode to the coercing passes
        let data = br#"{"id":"9","msgType":"x","content":"hi","platform":12}"#;
        let event = decode_event("MESSAGE_CREATE", data).unwrap();
        let Event::MessageCreate(m) = &event else {
            panic!("{event:?}");
        };
        assert_eq!((m.id, m.msg_type), (Some(9), None));
        assert_eq!(
            m.platform.as_deref(),
            Some("12"),
            "a number read as its text"
        );
        assert!(m.content.is_shared());
    }

    #[test]
    fn an_unknown_type_keeps_its_json_and_bad_json_is_an_error() {
        let event = decode_event("FUTURE", br#"[1,2]"#).unwrap();
        assert_eq!(event.event_type(), EventType::Unknown("FUTURE".into()));
        assert_eq!(serde_json::to_string(&event).unwrap(), "[1,2]");
        let err = decode_event("FUTURE", b"[1,").unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Payload { .. }), "{err}");
    }
}
