//! The same "hello" sent in a QQ group, a QQ guild channel, a OneBot group and a Bubble channel
//! gives unified events that differ only in platform, ids, scene and what a platform does not
//! carry (QQ group messages have no nickname or role).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_codec::unify::{unify_frame, Outcome, UnifyContext};
use botgate_proto::unified::Platform;
use serde_json::Value;

const FRAMES: [(Platform, &str); 4] = [
    (
        Platform::Qq,
        r#"{"op":0,"s":1,"t":"GROUP_AT_MESSAGE_CREATE","id":"GROUP_AT_MESSAGE_CREATE:1","d":{"id":"g1","content":" hello","timestamp":"2026-11-25T20:00:00+08:00","group_openid":"G1","author":{"member_openid":"U1"}}}"#,
    ),
    (
        Platform::Qq,
        r#"{"op":0,"s":2,"t":"MESSAGE_CREATE","id":"MESSAGE_CREATE:2","d":{"id":"c1","channel_id":"100","guild_id":"200","content":"hello","timestamp":"2026-11-25T20:00:00+08:00","author":{"id":"U2","username":"小明"}}}"#,
    ),
    (
        Platform::OneBot,
        r#"{"time":1795608000,"self_id":1,"post_type":"message","message_type":"group","sub_type":"normal","message_id":5,"group_id":300,"user_id":7,"message":[{"type":"text","data":{"text":"hello"}}],"raw_message":"hello","font":0,"sender":{"user_id":7,"nickname":"小明","role":"member"}}"#,
    ),
    (
        Platform::Bubble,
        r#"{"op":0,"s":3,"t":"MESSAGE_CREATE","d":{"id":9,"channelId":400,"guildId":500,"content":"hello","author":{"id":8,"name":"小明"},"createdAt":"2026-11-25T12:00:00Z"}}"#,
    ),
];

/// The unified JSON with the fields that may legitimately differ blanked out.
fn normalised(platform: Platform, frame: &str) -> Value {
    let ctx = UnifyContext::new("1").with_now(0);
    let Outcome::Unified(u) = unify_frame(platform, frame.as_bytes(), &ctx).unwrap() else {
        panic!("{frame} has a unified meaning");
    };
    let mut v = serde_json::to_value(&*u).unwrap();
    let o = v.as_object_mut().unwrap();
    for key in [
        "platform",
        "self_id",
        "user_id",
        "group_id",
        "message_id",
        "sub_event",
        "is_group",
        "is_guild",
        "raw_message",
    ] {
        o.remove(key);
    }
    o.remove("contact");
    let sender = o["sender"].as_object_mut().unwrap();
    for key in ["uid", "uin", "nick", "role"] {
        sender.remove(key);
    }
    v
}

#[test]
fn the_same_hello_differs_only_in_platform_ids_and_scene() {
    let all: Vec<Value> = FRAMES.iter().map(|(p, f)| normalised(*p, f)).collect();
    for (i, v) in all.iter().enumerate() {
        assert_eq!(
            v, &all[0],
            "frame {i} differs beyond platform / ids / scene"
        );
    }
    // and what is left is the message itself, at the same instant
    assert_eq!(all[0]["event"], "message");
    assert_eq!(
        all[0]["elements"],
        serde_json::json!([{"type": "text", "text": "hello"}])
    );
    assert_eq!(all[0]["time"], 1_795_608_000);
    assert_eq!(all[0]["is_private"], false);
}

#[test]
fn scenes_follow_the_platform_shape() {
    let scene = |p, f: &str| {
        let ctx = UnifyContext::new("1").with_now(0);
        let Outcome::Unified(u) = unify_frame(p, f.as_bytes(), &ctx).unwrap() else {
            panic!()
        };
        let v = serde_json::to_value(&*u).unwrap();
        (
            v["contact"]["scene"].clone(),
            v["contact"]["peer"].clone(),
            v["contact"]["sub_peer"].clone(),
        )
    };
    let got: Vec<_> = FRAMES.iter().map(|(p, f)| scene(*p, f)).collect();
    let want = [
        ("group", "G1", Value::Null),
        ("guild", "200", Value::from("100")),
        ("group", "300", Value::Null),
        ("guild", "500", Value::from("400")),
    ];
    for (g, (s, p, sp)) in got.iter().zip(want) {
        assert_eq!(g, &(Value::from(s), Value::from(p), sp));
    }
}
