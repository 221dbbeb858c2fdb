//! Typed decode of QQ dispatch payloads.
//!
//! [`decode_event`] turns the `t` and the raw `d` of an op 0 frame into an [`Event`]: one variant
//! per event type of `proto/schema/qq.toml`, holding its `botgate_proto::qq` payload. The enum,
//! the decode table and [`EVENTS`] (rows of [`EventInfo`]) are generated
//! (`codec/src/generated/qq.rs`); an event type botgate does not know still decodes, as
//! [`Event::Unknown`] with its JSON.
//!
//! ```
//! use botgate_codec::qq::{decode_event, Event};
//! use botgate_proto::qq::EventType;
//!
//! let event = decode_event("AT_MESSAGE_CREATE", br#"{"id":"1","content":"hi"}"#)?;
//! assert_eq!(event.event_type(), EventType::AtMessageCreate);
//! match &event {
//!     Event::AtMessageCreate(message) => assert_eq!(message.content, "hi"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), botgate_codec::Error>(())
//! ```

pub use crate::generated::qq::{decode_event, Event, EventInfo, EVENTS};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Intents};
    use botgate_proto::qq::EventType;

    #[test]
    fn every_known_type_has_one_row_in_schema_order() {
        let names: Vec<&str> = EVENTS.iter().map(|i| i.name).collect();
        let all: Vec<&str> = EventType::ALL.iter().map(EventType::as_str).collect();
        assert_eq!(names, all);
        for info in EVENTS {
            let t = info.event_type();
            assert!(!t.is_unknown(), "{}", info.name);
            assert_eq!(Some(info.handler), t.handler());
            assert_eq!(info.intent, Intents::for_event(&t));
            assert_eq!(EventInfo::of(&t), Some(info));
        }
        assert_eq!(EventInfo::of(&EventType::Unknown("X".into())), None);
    }

    #[test]
    fn a_known_type_decodes_into_its_payload_and_serialises_back() {
        let data = br#"{"id":"08e0","channel_id":"100010","guild_id":"187","content":"<@!1> hi",
            "author":{"id":"1234567890","username":"xm","bot":false},"seq":828}"#;
        let event = decode_event("AT_MESSAGE_CREATE", data).unwrap();
        let Event::AtMessageCreate(message) = &event else {
            panic!("{event:?}");
        };
        assert_eq!(message.id, "08e0");
        assert_eq!(message.channel_id, "100010");
        assert_eq!(message.author.id, "1234567890");
        assert_eq!(event.event_type(), EventType::AtMessageCreate);
        assert_eq!(event.name(), "AT_MESSAGE_CREATE");
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["content"], "<@!1> hi");
        assert_eq!(json["author"]["id"], "1234567890");
        assert!(json.get("t").is_none(), "payload only");
    }

    #[test]
    fn strings_share_one_copy_of_the_payload_and_outlive_it() {
        let data = br#"{"id":"08e0","channel_id":"100010","content":"a \"quoted\" word",
            "author":{"id":"42","username":"\u5c0f\u660e"},"member":{"roles":["4"]}}"#
            .to_vec();
        let event = decode_event("AT_MESSAGE_CREATE", &data).unwrap();
        drop(data);
        let Event::AtMessageCreate(m) = &event else {
            panic!("{event:?}");
        };
        // unescaped strings are ranges of the one buffer; escaped ones have their own
        assert!(m.id.is_shared() && m.author.id.is_shared());
        assert!(m.member.as_ref().unwrap().roles[0].is_shared());
        assert!(!m.content.is_shared());
        assert_eq!(m.content, "a \"quoted\" word");
        assert_eq!(m.author.username.as_deref(), Some("小明"));
        assert_eq!((m.id.as_str(), m.channel_id.as_str()), ("08e0", "100010"));
        // a field kept past its event holds the buffer until detached
        let kept = m.channel_id.detach();
        drop(event);
        assert_eq!(kept, "100010");
    }

    #[test]
    fn a_sloppy_payload_read_by_the_retry_still_shares_its_strings() {
        // `seq` as a non-numeric string sends the decode to the coercing passes (serde_json
        // over the same buffer): strings are still ranges of it, and the number still reads
        let data = br#"{"id":"m1","seq":"","author":{"id":7},"content":"hi"}"#;
        let event = decode_event("AT_MESSAGE_CREATE", data).unwrap();
        let Event::AtMessageCreate(m) = &event else {
            panic!("{event:?}");
        };
        assert_eq!(m.seq, None);
        assert_eq!(
            m.author.id, "7",
            "a number where a string belongs is read as its text"
        );
        assert!(m.id.is_shared() && m.content.is_shared());
    }

    #[test]
    fn resumed_with_an_empty_string_payload_decodes() {
        let event = decode_event("RESUMED", br#""""#).unwrap();
        assert_eq!(event.event_type(), EventType::Resumed);
    }

    #[test]
    fn an_unknown_type_keeps_its_name_and_json() {
        let event = decode_event("FUTURE_EVENT", br#"{"a":[1,{"b":null}]}"#).unwrap();
        assert_eq!(
            event,
            Event::Unknown {
                event_type: "FUTURE_EVENT".into(),
                data: serde_json::json!({"a":[1,{"b":null}]}),
            }
        );
        assert_eq!(
            event.event_type(),
            EventType::Unknown("FUTURE_EVENT".into())
        );
        assert_eq!(event.name(), "FUTURE_EVENT");
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"a":[1,{"b":null}]}"#
        );
    }

    #[test]
    fn an_unknown_type_with_invalid_json_is_an_error() {
        let err = decode_event("FUTURE_EVENT", b"{\"a\":").unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Payload { event, .. } if event == "FUTURE_EVENT"),
            "{err}"
        );
    }

    #[test]
    fn a_broken_payload_names_the_event_and_the_field() {
        let err =
            decode_event("AT_MESSAGE_CREATE", br#"{"author":{"id":"1","bot":tru}}"#).unwrap_err();
        match err.kind() {
            ErrorKind::Payload { event, path, .. } => {
                assert_eq!(event, "AT_MESSAGE_CREATE");
                assert_eq!(path, "author.bot");
            }
            other => panic!("{other:?}"),
        }
        assert!(decode_event("AT_MESSAGE_CREATE", b"").is_err());
        assert!(decode_event("AT_MESSAGE_CREATE", b"{} trailing").is_err());
    }
}
