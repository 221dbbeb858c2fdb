//! A key repeated in an object (the same key twice, or two spellings of one field, as Bubble's
//! producers mix camelCase and snake_case) never loses the object: the first occurrence
//! stands and the repeats are skipped, in the lossy platforms and in OneBot's strict one. It
//! had emptied the whole object (review of stop 29).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_codec::onebot::ActionResponse;
use botgate_codec::{bubble, qq};

fn qq_message(d: &str) -> botgate_proto::qq::Message {
    match qq::decode_event("AT_MESSAGE_CREATE", d.as_bytes()).unwrap() {
        qq::Event::AtMessageCreate(m) => *m,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_repeated_key_keeps_the_rest_of_a_qq_message() {
    let m = qq_message(r#"{"id":"m1","content":"hi","author":{"id":"7"},"content":"hi2"}"#);
    assert_eq!((m.id.as_str(), m.content.as_str()), ("m1", "hi"));
    assert_eq!(m.author.id, "7");
    // inside a nested object, three times, and next to a sloppy value
    let m = qq_message(
        r#"{"id":"m2","author":{"id":"7","username":"a","id":"8","id":"9","bot":{}},
            "seq":"x","channel_id":"c","channel_id":"d","mentions":[{"id":"1","id":"2"}]}"#,
    );
    assert_eq!(m.id, "m2");
    assert_eq!(
        (m.author.id.as_str(), m.author.username.as_deref()),
        ("7", Some("a"))
    );
    assert_eq!(
        m.author.bot, None,
        "the sloppy value is absent, the rest kept"
    );
    assert_eq!(m.channel_id, "c");
    assert_eq!(m.mentions.len(), 1);
    assert_eq!(m.mentions[0].id, "1");
}

#[test]
fn two_spellings_of_a_bubble_field_keep_the_message() {
    let event = bubble::decode_event(
        "MESSAGE_CREATE",
        br#"{"id":1001,"channelId":123,"channel_id":123,"guildId":10,"guild_id":10,
             "authorId":1,"content":"hello"}"#,
    )
    .unwrap();
    let bubble::Event::MessageCreate(m) = event else {
        panic!("{event:?}")
    };
    assert_eq!((m.id, m.content.as_str()), (Some(1001), "hello"));
    assert_eq!((m.channel_id, m.guild_id), (Some(123), Some(10)));
}

#[test]
fn a_onebot_response_with_msg_and_message_still_reads() {
    let r = ActionResponse::decode(
        br#"{"status":"failed","retcode":1400,"data":null,"msg":"bad","message":"bad too","echo":"e7"}"#,
    )
    .unwrap();
    assert_eq!(r.echo, Some(serde_json::json!("e7")));
    assert_eq!(r.message.as_deref(), Some("bad"));
    assert_eq!(r.retcode, 1400);
}
