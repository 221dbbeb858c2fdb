//! A lone UTF-16 surrogate in a `\u` escape (JavaScript's `JSON.stringify` writes one for an
//! emoji cut in half) reads as U+FFFD and never loses the event (decision 0049): QQ and
//! Bubble payloads on the direct pass and on the coercing ones, unknown event types, OneBot
//! frames (their classifying scan and their decode), envelope strings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_codec::onebot::{Event as OneBotEvent, Incoming};
use botgate_codec::{bubble, qq, Frame};

#[test]
fn a_qq_message_with_a_lone_surrogate_keeps_its_text() {
    // the direct pass, and (with `seq` sloppy) the coercing passes over serde_json
    for d in [
        r#"{"id":"m1","content":"a\ud83d b\udc00","author":{"id":"7"}}"#,
        r#"{"id":"m1","content":"a\ud83d b\udc00","author":{"id":"7"},"seq":"x"}"#,
    ] {
        let qq::Event::AtMessageCreate(m) =
            qq::decode_event("AT_MESSAGE_CREATE", d.as_bytes()).unwrap()
        else {
            panic!()
        };
        assert_eq!(m.content, "a\u{fffd} b\u{fffd}", "{d}");
        assert_eq!(m.author.id, "7");
    }
    // a pair stays one char; a high half followed by another escape keeps that escape
    let d = r#"{"id":"m1","content":"\ud83d\ude00 \ud83d\u0041"}"#;
    let qq::Event::AtMessageCreate(m) =
        qq::decode_event("AT_MESSAGE_CREATE", d.as_bytes()).unwrap()
    else {
        panic!()
    };
    assert_eq!(m.content, "😀 \u{fffd}A");
}

#[test]
fn unknown_types_and_bubble_payloads_keep_theirs() {
    let e = qq::decode_event("SOME_FUTURE_EVENT", br#"{"a":"\ud83d"}"#).unwrap();
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["a"], "\u{fffd}");
    let e = bubble::decode_event(
        "MESSAGE_CREATE",
        br#"{"id":1,"channelId":2,"content":"hi \ud83d"}"#,
    )
    .unwrap();
    let bubble::Event::MessageCreate(m) = e else {
        panic!("{e:?}")
    };
    assert_eq!(m.content, "hi \u{fffd}");
}

#[test]
fn a_onebot_frame_with_one_classifies_and_decodes() {
    let frame = br#"{"time":1,"self_id":2,"post_type":"message","message_type":"group","sub_type":"normal",
        "message_id":3,"group_id":4,"user_id":5,"message":"hi\ud83d","raw_message":"hi\ud83d","font":0,
        "sender":{"user_id":5,"nickname":"n\udc00","role":"member"}}"#;
    let Incoming::Event(raw) = Incoming::classify(&frame[..]).unwrap() else {
        panic!()
    };
    let OneBotEvent::MessageGroup(m) = raw.decode().unwrap() else {
        panic!()
    };
    assert_eq!(m.message.plain_text(), "hi\u{fffd}");
    assert_eq!(m.raw_message, "hi\u{fffd}");
    assert_eq!(m.sender.nickname, "n\u{fffd}");
}

#[test]
fn an_envelope_string_with_one_reads_as_the_replacement_char() {
    let f = Frame::scan(&br#"{"op":0,"s":3,"t":"X\ud800","d":{}}"#[..]).unwrap();
    assert_eq!(f.event_type(), Some("X\u{fffd}"));
    assert_eq!(f.seq(), Some(3));
}
