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
    fn an_unknown_type_keeps_its_json_and_bad_json_is_an_error() {
        let event = decode_event("FUTURE", br#"[1,2]"#).unwrap();
        assert_eq!(event.event_type(), EventType::Unknown("FUTURE".into()));
        assert_eq!(serde_json::to_string(&event).unwrap(), "[1,2]");
        let err = decode_event("FUTURE", b"[1,").unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Payload { .. }), "{err}");
    }
}
