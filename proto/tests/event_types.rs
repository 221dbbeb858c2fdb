//! The generated event-type enums: wire strings round-trip, unknown names pass through.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns; clippy.toml covers only those

use botgate_proto::{bubble, onebot, qq};
use std::collections::HashSet;
use std::convert::Infallible;
use std::str::FromStr;

/// What every generated enum must do, checked over its `ALL` and over unknown strings.
fn round_trips<T>(all: &[T], unknown: &[&str])
where
    T: FromStr<Err = Infallible>
        + for<'a> From<&'a str>
        + std::fmt::Display
        + std::fmt::Debug
        + PartialEq
        + std::hash::Hash
        + Eq
        + Clone
        + serde::Serialize
        + serde::de::DeserializeOwned,
    T: Named,
{
    assert!(!all.is_empty());
    let mut seen = HashSet::new();
    for t in all {
        let name = t.name();
        assert!(seen.insert(name.to_owned()), "{name} listed twice");
        assert!(!t.unknown(), "{name}");
        let Ok(parsed) = T::from_str(name);
        assert_eq!(&parsed, t);
        assert_eq!(T::from(name), *t);
        assert_eq!(t.to_string(), name);
        let json = serde_json::to_string(t).unwrap();
        assert_eq!(json, format!("\"{name}\""));
        assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), t);
        assert!(t.handler_name().is_some(), "{name}");
        assert!(!t.doc_line().is_empty(), "{name}");
    }
    for name in unknown {
        let Ok(parsed) = T::from_str(name);
        assert!(parsed.unknown(), "{name} should be unknown");
        assert_eq!(parsed.name(), *name);
        assert_eq!(parsed.to_string(), *name);
        assert_eq!(parsed.handler_name(), None);
        assert_eq!(parsed.doc_line(), "");
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), parsed);
    }
}

/// The inherent methods the generator writes on each enum, behind one trait for the test.
trait Named {
    fn name(&self) -> &str;
    fn unknown(&self) -> bool;
    fn handler_name(&self) -> Option<&'static str>;
    fn doc_line(&self) -> &'static str;
}

macro_rules! named {
    ($t:ty) => {
        impl Named for $t {
            fn name(&self) -> &str {
                self.as_str()
            }
            fn unknown(&self) -> bool {
                self.is_unknown()
            }
            fn handler_name(&self) -> Option<&'static str> {
                self.handler()
            }
            fn doc_line(&self) -> &'static str {
                self.doc()
            }
        }
    };
}

named!(qq::EventType);
named!(bubble::EventType);
named!(onebot::EventKind);

#[test]
fn qq_event_types_round_trip_and_unknown_names_pass_through() {
    round_trips(
        qq::EventType::ALL,
        &[
            "FUTURE_EVENT",
            "",
            "at_message_create",
            "AT_MESSAGE_CREATE ",
        ],
    );
}

#[test]
fn bubble_event_types_round_trip_and_unknown_names_pass_through() {
    round_trips(
        bubble::EventType::ALL,
        &["FUTURE_EVENT", "message_create", "群"],
    );
}

#[test]
fn onebot_event_kinds_round_trip_and_unknown_kinds_pass_through() {
    round_trips(
        onebot::EventKind::ALL,
        &["notice.future", "message", "MESSAGE.GROUP"],
    );
}

#[test]
fn qq_names_map_to_the_documented_variants() {
    assert_eq!(
        "AT_MESSAGE_CREATE".parse::<qq::EventType>(),
        Ok(qq::EventType::AtMessageCreate)
    );
    assert_eq!(
        qq::EventType::C2cMessageCreate.as_str(),
        "C2C_MESSAGE_CREATE"
    );
    assert_eq!(
        qq::EventType::AtMessageCreate.intent_name(),
        Some("PUBLIC_GUILD_MESSAGES")
    );
    assert_eq!(qq::EventType::Ready.intent_name(), None);
    assert_eq!(
        qq::EventType::AtMessageCreate.handler(),
        Some("at_message_create")
    );
    assert_eq!(qq::EventType::from_known("NOPE"), None);
}

#[test]
fn bubble_types_know_their_schema_version_and_subscribability() {
    assert_eq!(bubble::EventType::MessageCreate.since(), Some("2025-12"));
    assert!(bubble::EventType::MessageCreate.subscribable());
    assert!(!bubble::EventType::BotReady.subscribable());
    assert_eq!(bubble::EventType::Unknown("X".into()).since(), None);
}

#[test]
fn onebot_classify_prefers_the_most_specific_known_kind() {
    use onebot::EventKind;
    assert_eq!(
        EventKind::classify("notice", Some("notify"), Some("poke")),
        EventKind::NoticeNotifyPoke
    );
    assert_eq!(
        EventKind::classify("message", Some("group"), Some("normal")),
        EventKind::MessageGroup
    );
    assert_eq!(
        EventKind::classify("notice", Some("future_notice"), Some("x")),
        EventKind::Unknown("notice.future_notice.x".into())
    );
    assert_eq!(
        EventKind::classify("future", None, None),
        EventKind::Unknown("future".into())
    );
    for kind in EventKind::ALL {
        let post_type = kind.post_type().unwrap();
        assert_eq!(
            &EventKind::classify(post_type, kind.detail(), kind.sub_type()),
            kind
        );
    }
}

#[test]
fn deserialising_a_list_of_names_keeps_unknown_ones() {
    let v: Vec<qq::EventType> =
        serde_json::from_str(r#"["READY","NEW_THING","GUILD_CREATE"]"#).unwrap();
    assert_eq!(
        v,
        [
            qq::EventType::Ready,
            qq::EventType::Unknown("NEW_THING".into()),
            qq::EventType::GuildCreate
        ]
    );
    assert!(serde_json::from_str::<qq::EventType>("12").is_err());
}

#[test]
fn classify_ignores_a_sub_type_without_a_detail_type() {
    use botgate_proto::onebot::EventKind;
    let kind = EventKind::classify("notice", None, Some("group_ban"));
    assert_eq!(kind, EventKind::Unknown("notice".to_owned()));
    assert_eq!(
        EventKind::classify("notice", Some("group_ban"), Some("ban")),
        EventKind::NoticeGroupBan
    );
    assert_eq!(
        EventKind::classify("notice", Some("brand_new"), Some("x")).as_str(),
        "notice.brand_new.x"
    );
}
