//! OneBot payload types: the extension events decode with their field sets, numbers sent as
//! strings are accepted, and every payload named in `proto/schema/onebot.toml` exists.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_proto::onebot::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn decode<T: DeserializeOwned + Serialize>(v: Value) -> T {
    let t: T = serde_json::from_value(v).unwrap();
    // Serialising and decoding again gives the same value.
    let again: T = serde_json::from_value(serde_json::to_value(&t).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&t).unwrap()
    );
    t
}

#[test]
fn napcat_message_sent_keeps_target_and_sequence() {
    let m: PrivateMessage = decode(json!({
        "self_id": 2, "user_id": 2, "time": 1, "message_id": 9, "message_seq": 9, "real_id": 9,
        "message_type": "private", "sender": {"user_id": 2, "nickname": "me", "card": ""},
        "raw_message": "hi", "font": 14, "sub_type": "friend",
        "message": [{"type": "text", "data": {"text": "hi"}}], "message_format": "array",
        "post_type": "message_sent", "target_id": 77, "_ntMsgSeq": "123"
    }));
    assert_eq!(m.post_type, "message_sent");
    assert_eq!(
        (m.target_id, m.message_seq, m.real_id),
        (Some(77), Some(9), Some(9))
    );
    assert_eq!(m.message_format.as_deref(), Some("array"));
    assert_eq!(m.sub_type, PrivateSubType::Friend);
}

#[test]
fn temp_chat_and_anonymous_messages() {
    let m: PrivateMessage = decode(
        json!({"message_type": "private", "sub_type": "group", "group_id": "5",
        "temp_source": 0, "user_id": "6", "sender": {"user_id": 6, "group_id": 5}}),
    );
    assert_eq!(
        (m.sub_type, m.group_id, m.user_id, m.sender.group_id),
        (PrivateSubType::Group, Some(5), 6, Some(5))
    );
    let g: GroupMessage = decode(
        json!({"message_type": "group", "sub_type": "anonymous", "user_id": 80000000,
        "anonymous": {"id": 1, "name": "匿名", "flag": "f|1"}, "sender": {"user_id": 80000000}}),
    );
    assert_eq!(g.sub_type, GroupSubType::Anonymous);
    assert_eq!(
        g.anonymous,
        Some(Anonymous {
            id: 1,
            name: "匿名".into(),
            flag: "f|1".into()
        })
    );
}

#[test]
fn extension_notices_decode_with_their_fields() {
    let n: GroupMsgEmojiLikeNotice = decode(json!({"time": 1, "self_id": 2, "post_type": "notice",
        "notice_type": "group_msg_emoji_like", "group_id": 3, "user_id": 4, "message_id": 5,
        "likes": [{"emoji_id": "76", "count": 2}, {"emoji_id": 66, "count": "1"}], "is_add": true}));
    assert_eq!(
        n.likes,
        vec![
            EmojiLike {
                emoji_id: "76".into(),
                count: 2
            },
            EmojiLike {
                emoji_id: "66".into(),
                count: 1
            }
        ]
    );
    assert_eq!(n.is_add, Some(true));

    let n: InputStatusNotice = decode(json!({"notice_type": "notify", "sub_type": "input_status",
        "status_text": "对方正在输入...", "event_type": 1, "user_id": 4, "group_id": 0}));
    assert_eq!((n.user_id, n.group_id, n.event_type), (4, Some(0), Some(1)));
    assert_eq!(n.status_text, "对方正在输入...");

    let n: GroupCardNotice = decode(
        json!({"notice_type": "group_card", "group_id": 1, "user_id": 2, "card_new": "b", "card_old": "a"}),
    );
    assert_eq!((n.card_old.as_str(), n.card_new.as_str()), ("a", "b"));

    let n: EssenceNotice = decode(
        json!({"notice_type": "essence", "sub_type": "delete", "group_id": 1, "sender_id": 2, "operator_id": 3, "message_id": 4}),
    );
    assert_eq!(
        (n.sub_type, n.sender_id, n.operator_id, n.message_id),
        (EssenceSubType::Delete, 2, 3, 4)
    );

    let n: OfflineFileNotice = decode(
        json!({"notice_type": "offline_file", "user_id": 1, "file": {"name": "a.txt", "size": "12", "url": "http://x"}}),
    );
    assert_eq!(
        (n.file.name.as_str(), n.file.size, n.file.url.as_deref()),
        ("a.txt", 12, Some("http://x"))
    );

    let n: ClientStatusNotice = decode(
        json!({"notice_type": "client_status", "client": {"app_id": 1, "device_name": "pc", "device_kind": "windows"}, "online": "true"}),
    );
    assert!(n.online);
    assert_eq!(n.client.device_kind, "windows");

    let n: TitleNotice = decode(
        json!({"notice_type": "notify", "sub_type": "title", "group_id": 1, "user_id": 2, "title": "大佬"}),
    );
    assert_eq!(n.title, "大佬");

    let n: ProfileLikeNotice = decode(
        json!({"notice_type": "notify", "sub_type": "profile_like", "operator_id": 1, "operator_nick": "n", "times": 3}),
    );
    assert_eq!((n.operator_id, n.times), (1, 3));

    let n: ReactionNotice = decode(
        json!({"notice_type": "reaction", "sub_type": "add", "group_id": 1, "message_id": 2, "operator_id": 3, "code": "76", "count": 1}),
    );
    assert_eq!(
        (n.sub_type, n.code.as_str(), n.count),
        (ReactionSubType::Add, "76", 1)
    );

    let n: BotOfflineNotice = decode(
        json!({"notice_type": "bot_offline", "user_id": 1, "tag": "被下线", "message": "m"}),
    );
    assert_eq!(n.tag, "被下线");

    let n: GroupDecreaseNotice = decode(
        json!({"notice_type": "group_decrease", "sub_type": "kick_me", "group_id": 1, "operator_id": 2, "user_id": 3}),
    );
    assert_eq!(n.sub_type, GroupDecreaseSubType::KickMe);
    let n: GroupDecreaseNotice =
        decode(json!({"notice_type": "group_decrease", "sub_type": "dissolved", "group_id": 1}));
    assert_eq!(
        n.sub_type,
        GroupDecreaseSubType::Unknown("dissolved".into())
    );
}

#[test]
fn ids_as_strings_and_wide_ids_are_accepted() {
    let n: GroupRecallNotice = decode(
        json!({"group_id": "9007199254740993", "user_id": "1", "operator_id": 2, "message_id": "-3"}),
    );
    assert_eq!(
        (n.group_id, n.user_id, n.message_id),
        (9007199254740993, 1, -3)
    );
    assert!(serde_json::from_value::<GroupRecallNotice>(json!({"group_id": "x"})).is_err());
}

#[test]
fn heartbeat_status_keeps_extra_fields() {
    let h: HeartbeatMeta = decode(
        json!({"post_type": "meta_event", "meta_event_type": "heartbeat", "interval": "15000",
        "status": {"online": null, "good": true, "app_initialized": true, "stat": {"packet_received": 1}}}),
    );
    assert_eq!(h.interval, 15000);
    assert_eq!(h.status.online, None);
    assert_eq!(h.status.extra["stat"]["packet_received"], 1);
    let v = serde_json::to_value(&h).unwrap();
    assert_eq!(v["status"]["app_initialized"], true);
}

#[test]
fn lifecycle_sub_types() {
    for (wire, sub) in [
        ("connect", LifecycleSubType::Connect),
        ("enable", LifecycleSubType::Enable),
        ("disable", LifecycleSubType::Disable),
    ] {
        let m: LifecycleMeta = decode(json!({"meta_event_type": "lifecycle", "sub_type": wire}));
        assert_eq!(m.sub_type, sub);
    }
}

#[test]
fn every_schema_payload_is_a_struct_here() {
    let schema = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/onebot.toml"));
    let sources = [
        include_str!("../src/onebot/message_event.rs"),
        include_str!("../src/onebot/notice/mod.rs"),
        include_str!("../src/onebot/notice/extension.rs"),
        include_str!("../src/onebot/request.rs"),
        include_str!("../src/onebot/meta.rs"),
    ]
    .concat();
    let payloads: Vec<&str> = schema
        .lines()
        .filter_map(|l| l.trim().strip_prefix("payload = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert_eq!(payloads.len(), EventKind::ALL.len());
    for p in payloads {
        assert!(
            sources.contains(&format!("pub struct {p} {{")),
            "payload `{p}` of onebot.toml has no struct"
        );
    }
}
