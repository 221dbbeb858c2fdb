//! Every dispatch of the sample frames decodes through the generated tables.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns; clippy.toml covers only those

use botgate_codec::{bubble, qq, Frame, Intents};
use botgate_proto::{bubble::EventType as BubbleType, qq::EventType as QqType};

fn dispatches(path: &str) -> Vec<(String, Frame)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Frame::scan(l.as_bytes().to_vec()).unwrap())
        .filter(|f| f.op() == 0)
        .map(|f| (f.event_type().unwrap().to_owned(), f))
        .collect()
}

#[test]
fn qq_sample_dispatches_decode_into_their_typed_variants() {
    let frames = dispatches(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/qq/frames.jsonl"
    ));
    assert!(frames.len() >= 15, "{}", frames.len());
    let mut types = Vec::new();
    for (t, frame) in &frames {
        let event =
            qq::decode_event(t, frame.data().unwrap()).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(event.name(), t);
        assert_eq!(event.event_type(), t.parse::<QqType>().unwrap());
        let unknown = matches!(event, qq::Event::Unknown { .. });
        assert_eq!(unknown, t == "SOME_FUTURE_EVENT", "{t}");
        // The serialised payload decodes again into the same event.
        let json = serde_json::to_vec(&event).unwrap();
        assert_eq!(qq::decode_event(t, &json).unwrap(), event, "{t}");
        types.push(event.event_type());
    }
    let at = frames
        .iter()
        .find(|(t, _)| t == "AT_MESSAGE_CREATE")
        .unwrap();
    match qq::decode_event(&at.0, at.1.data().unwrap()).unwrap() {
        qq::Event::AtMessageCreate(m) => {
            assert_eq!(m.channel_id, "100010");
            assert_eq!(m.author.id, "1234567890");
        }
        other => panic!("{other:?}"),
    }
    let intents = Intents::for_events(&types);
    for name in [
        "GUILD_MEMBERS",
        "PUBLIC_GUILD_MESSAGES",
        "GUILD_MESSAGES",
        "DIRECT_MESSAGE",
        "GROUP_AND_C2C_EVENT",
        "GUILD_MESSAGE_REACTIONS",
        "MESSAGE_AUDIT",
        "FORUMS_EVENT",
        "AUDIO_ACTION",
        "INTERACTION",
    ] {
        assert!(
            intents.names().contains(&name),
            "{name} missing from {intents}"
        );
    }
    assert!(
        !intents.contains(Intents::GUILDS),
        "no guild event in the samples: {intents}"
    );
}

#[test]
fn bubble_sample_dispatches_decode_into_their_typed_variants() {
    let frames = dispatches(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/bubble/frames.jsonl"
    ));
    assert!(frames.len() >= 15, "{}", frames.len());
    for (t, frame) in &frames {
        let event =
            bubble::decode_event(t, frame.data().unwrap()).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(event.name(), t);
        let et = event.event_type();
        assert!(!et.is_unknown(), "{t} is in the schema");
        assert_eq!(et, t.parse::<BubbleType>().unwrap());
        assert!(serde_json::to_value(&event).unwrap().is_object(), "{t}");
    }
}
