//! Lenient decoding of QQ and Bubble payloads: numbers as strings, ids wider than 32 (and 53)
//! bits, missing, unknown and mistyped fields, unknown enum values; and serialization back
//! under the wire names.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use botgate_proto::{bubble, qq};
use serde_json::{json, Value};

fn qq_msg(v: Value) -> qq::Message {
    serde_json::from_str(&v.to_string()).expect("a message")
}

fn bubble_msg(v: Value) -> bubble::Message {
    serde_json::from_str(&v.to_string()).expect("a message")
}

// ---------------------------------------------------------------------------------------- QQ

#[test]
fn qq_numbers_and_strings_are_interchangeable() {
    let m = qq_msg(json!({
        "id": 6158788878435714165u64,
        "channel_id": 100010,
        "seq": "828",
        "seq_in_channel": 828,
        "mention_everyone": "true",
        "direct_message": 1,
        "attachments": [{"url": "u", "width": "200", "height": 100.0, "size": "3012"}],
        "author": {"id": 1234567890, "bot": "false"}
    }));
    assert_eq!(m.id, "6158788878435714165");
    assert_eq!(m.channel_id, "100010");
    assert_eq!(m.seq, Some(828));
    assert_eq!(m.seq_in_channel.as_deref(), Some("828"));
    assert_eq!(m.mention_everyone, Some(true));
    assert!(m.is_direct());
    assert_eq!(m.attachments[0].width, Some(200));
    assert_eq!(m.attachments[0].height, Some(100));
    assert_eq!(m.attachments[0].size, Some(3012));
    assert_eq!(m.author.id, "1234567890");
    assert_eq!(m.author.bot, Some(false));
}

#[test]
fn qq_every_payload_accepts_an_empty_object() {
    fn empty<T: serde::de::DeserializeOwned + Default + PartialEq + std::fmt::Debug>() {
        let v: T = serde_json::from_str("{}").expect("empty object");
        assert_eq!(v, T::default());
    }
    empty::<qq::Ready>();
    empty::<qq::Hello>();
    empty::<qq::Guild>();
    empty::<qq::Channel>();
    empty::<qq::Member>();
    empty::<qq::Message>();
    empty::<qq::MessageDelete>();
    empty::<qq::MessageReaction>();
    empty::<qq::MessageAudit>();
    empty::<qq::Thread>();
    empty::<qq::Post>();
    empty::<qq::Reply>();
    empty::<qq::ForumAudit>();
    empty::<qq::AudioAction>();
    empty::<qq::AudioOrLiveChannelMember>();
    empty::<qq::Interaction>();
    empty::<qq::GroupMessage>();
    empty::<qq::C2cMessage>();
    empty::<qq::GroupRobotEvent>();
    empty::<qq::FriendEvent>();
    empty::<qq::SubscribeMessageStatus>();
    empty::<qq::EnterAio>();
}

#[test]
fn qq_mistyped_non_essential_fields_do_not_lose_the_event() {
    let m = qq_msg(json!({
        "id": "08a1",
        "content": "hi",
        "author": "not an object",
        "member": [1, 2],
        "attachments": {"url": "x"},
        "mentions": [{"id": "1"}, "garbage", 3, null, {"id": 2}],
        "seq": "abc",
        "seq_in_channel": {"nested": true},
        "timestamp": null,
        "mention_everyone": "maybe",
        "ark": "nope",
        "message_reference": 5,
        "embeds": [{"title": "t", "fields": [{"name": "n", "value": 1}, "x"]}],
        "unknown_field": {"deep": [1, {"deeper": null}]}
    }));
    assert_eq!(m.id, "08a1");
    assert_eq!(m.content, "hi");
    assert_eq!(m.author, qq::User::default());
    assert_eq!(m.member, None);
    assert!(m.attachments.is_empty());
    let ids: Vec<&str> = m.mentions.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(m.seq, None);
    assert_eq!(m.seq_in_channel, None);
    assert_eq!(m.timestamp, None);
    assert_eq!(m.mention_everyone, None);
    assert_eq!(m.ark, None);
    assert_eq!(m.message_reference, None);
    assert_eq!(m.embeds[0].title.as_deref(), Some("t"));
    assert_eq!(m.embeds[0].fields.len(), 1);
    assert_eq!(m.embeds[0].fields[0].value.as_deref(), Some("1"));
}

#[test]
fn qq_unknown_enum_values_are_kept_and_serialized_back() {
    let c: qq::Channel =
        serde_json::from_str(r#"{"id":"1","guild_id":"2","type":12345,"sub_type":"3"}"#).unwrap();
    assert_eq!(c.kind, Some(qq::ChannelType::Other(12345)));
    assert!(c.kind.unwrap().is_other());
    assert_eq!(c.sub_type, Some(qq::ChannelSubType::TeamGame));
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(back["type"], 12345);
    assert_eq!(back["sub_type"], 3);

    let c: qq::Channel = serde_json::from_str(r#"{"type":10007}"#).unwrap();
    assert_eq!(c.kind, Some(qq::ChannelType::Forum));
    assert_eq!(qq::ChannelType::from_i64(10005), qq::ChannelType::Live);
    assert_eq!(qq::ChannelType::Voice.as_i64(), 2);

    // botgo's string names for reaction targets, and an unknown code.
    let r: qq::MessageReaction = serde_json::from_str(
        r#"{"target":{"id":"t","type":"ReactionTargetType_FEED"},"emoji":{"id":"128512","type":2}}"#,
    )
    .unwrap();
    assert_eq!(r.target.kind, Some(qq::ReactionTargetType::Feed));
    assert_eq!(r.emoji.kind, Some(qq::EmojiType::Emoji));
    let r: qq::MessageReaction =
        serde_json::from_str(r#"{"target":{"id":"t","type":9},"emoji":{"type":"weird"}}"#).unwrap();
    assert_eq!(r.target.kind, Some(qq::ReactionTargetType::Other(9)));
    // A value that is no code at all is dropped, not the event.
    assert_eq!(r.emoji.kind, None);

    let i: qq::Interaction =
        serde_json::from_str(r#"{"id":"x","type":99,"chat_type":"2"}"#).unwrap();
    assert_eq!(i.kind, Some(qq::InteractionType::Other(99)));
    assert_eq!(i.chat_type, Some(qq::ChatType::C2c));
}

#[test]
fn qq_ready_shard_and_hello_are_lenient() {
    let r: qq::Ready = serde_json::from_str(
        r#"{"version":"1","session_id":"s","shard":["2","4"],"user":{"id":1}}"#,
    )
    .unwrap();
    assert_eq!(
        (r.version, r.shard, r.user.id.as_str()),
        (1, Some([2, 4]), "1")
    );
    let r: qq::Ready = serde_json::from_str(r#"{"shard":[1]}"#).unwrap();
    assert_eq!(r.shard, None);
    let r: qq::Ready = serde_json::from_str(r#"{"shard":[-1,2]}"#).unwrap();
    assert_eq!(r.shard, None);
    let h: qq::Hello = serde_json::from_str(r#"{"heartbeat_interval":"41250"}"#).unwrap();
    assert_eq!(h.heartbeat_interval, 41_250);
    // RESUMED accepts whatever `d` is.
    for d in [r#""""#, "null", "{}", r#"{"x":1}"#, "[1]"] {
        assert_eq!(
            serde_json::from_str::<qq::Resumed>(d).unwrap(),
            qq::Resumed,
            "{d}"
        );
    }
    assert_eq!(serde_json::to_string(&qq::Resumed).unwrap(), r#""""#);
}

#[test]
fn qq_forum_rich_text_is_parsed_leniently() {
    let doc = qq::RichText::parse(
        r#"{"paragraphs":[
            {"elems":[{"type":1,"text":{"text":"看 "}},
                      {"type":4,"url":{"url":"https://q.qq.com","desc":"链接"}},
                      {"type":2,"image":{"plat_image":{"url":"https://i","width":"640","height":480,"image_id":"im"}}},
                      "garbage"],
             "props":{"alignment":1}},
            {"elems":[{"type":3,"video":{"plat_video":{"url":"v","duration":"12","cover":{"url":"c"}}}},
                      {"type":1,"text":{"text":"第二段"}}]},
            "not a paragraph"]}"#,
    );
    assert_eq!(doc.paragraphs.len(), 2);
    assert_eq!(doc.paragraphs[0].elems.len(), 3);
    assert_eq!(
        doc.paragraphs[0].props.as_ref().and_then(|p| p.alignment),
        Some(1)
    );
    let img = doc.paragraphs[0].elems[2]
        .image
        .as_ref()
        .and_then(|i| i.plat_image.as_ref())
        .unwrap();
    assert_eq!(
        (img.url.as_str(), img.width, img.height),
        ("https://i", Some(640), Some(480))
    );
    let vid = doc.paragraphs[1].elems[0]
        .video
        .as_ref()
        .and_then(|v| v.plat_video.as_ref())
        .unwrap();
    assert_eq!(vid.duration, Some(12));
    assert_eq!(vid.cover.as_ref().map(|c| c.url.as_str()), Some("c"));
    assert_eq!(doc.paragraphs[1].elems[0].kind, Some(qq::ElemType::Video));
    assert_eq!(doc.plain_text(), "看 链接\n第二段");

    // Not JSON: kept as one text paragraph; broken JSON too; empty is empty.
    assert_eq!(qq::RichText::parse("纯文本").plain_text(), "纯文本");
    assert_eq!(
        qq::RichText::parse(r#"{"paragraphs":[{"#).plain_text(),
        r#"{"paragraphs":[{"#
    );
    assert!(qq::RichText::parse("  ").paragraphs.is_empty());

    let post: qq::Post = serde_json::from_str(
        r#"{"guild_id":"1","channel_id":"2","author_id":"3","post_info":{"thread_id":"t","post_id":"p","content":"{\"paragraphs\":[{\"elems\":[{\"text\":{\"text\":\"回帖\"},\"type\":1}]}]}"}}"#,
    )
    .unwrap();
    assert_eq!(post.post_info.content_rich().plain_text(), "回帖");
    let reply: qq::Reply = serde_json::from_str(
        r#"{"reply_info":{"thread_id":"t","post_id":"p","reply_id":"r","content":"plain"}}"#,
    )
    .unwrap();
    assert_eq!(reply.reply_info.reply_id, "r");
    assert_eq!(reply.reply_info.content_rich().plain_text(), "plain");
}

#[test]
fn qq_forum_audit_and_friend_events_decode() {
    let a: qq::ForumAudit = serde_json::from_str(
        r#"{"task_id":"k","guild_id":"1","channel_id":"2","author_id":"3","thread_id":"t","type":2,"result":0,"err_msg":""}"#,
    )
    .unwrap();
    assert_eq!(a.kind, Some(qq::ForumPublishType::Post));
    assert!(a.passed());
    let f: qq::FriendEvent =
        serde_json::from_str(r#"{"openid":"O","timestamp":"1699249200"}"#).unwrap();
    assert_eq!((f.openid.as_str(), f.timestamp), ("O", Some(1_699_249_200)));
    let s: qq::SubscribeMessageStatus = serde_json::from_str(
        r#"{"openid":"O","result":[{"template_id":"7","op":1,"subscribe_id":"s","update_ts":1700000000}]}"#,
    )
    .unwrap();
    assert_eq!(s.result[0].template_id, Some(7));
    assert_eq!(s.result[0].update_ts, Some(1_700_000_000));
    let m: qq::AudioOrLiveChannelMember =
        serde_json::from_str(r#"{"guild_id":"1","channel_id":"2","channel_type":5,"user_id":"u"}"#)
            .unwrap();
    // The event's own codes (2 audio / video, 5 live), not the channel object's 10005.
    assert_eq!(m.channel_type, Some(qq::AudioChannelType::Live));
    let m: qq::AudioOrLiveChannelMember =
        serde_json::from_str(r#"{"channel_type":"2","user_id":"u"}"#).unwrap();
    assert_eq!(m.channel_type, Some(qq::AudioChannelType::Audio));
}

#[test]
fn qq_serializes_wire_names_and_skips_none() {
    let m = qq_msg(json!({
        "id": "08a1", "channel_id": "1", "guild_id": "2", "content": "hi",
        "author": {"id": "3", "username": "u"}, "seq_in_channel": "5"
    }));
    let v = serde_json::to_value(&m).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(v["channel_id"], "1");
    assert_eq!(v["seq_in_channel"], "5");
    assert_eq!(v["author"], json!({"id": "3", "username": "u"}));
    assert!(!obj.contains_key("member"), "{v}");
    assert!(!obj.contains_key("timestamp"), "{v}");
    assert!(!obj.contains_key("attachments"), "{v}");
    assert!(obj.values().all(|x| !x.is_null()), "{v}");
    let back: qq::Message = serde_json::from_value(v).unwrap();
    assert_eq!(back, m);
}

// ------------------------------------------------------------------------------------ Bubble

#[test]
fn bubble_ids_may_be_strings_and_wider_than_53_bits() {
    let m = bubble_msg(json!({
        "id": 9_007_199_254_740_993u64,
        "channelId": "9223372036854775807",
        "guildId": " 10 ",
        "authorId": 4_294_967_297u64,
        "replyToId": "1001",
        "mentionRoles": ["100", 101, "x"]
    }));
    assert_eq!(m.id, Some(9_007_199_254_740_993));
    assert_eq!(m.channel_id, Some(i64::MAX));
    assert_eq!(m.guild_id, Some(10));
    assert_eq!(m.author_id(), Some(4_294_967_297));
    assert_eq!(m.reply_to_id, Some(1001));
    assert_eq!(m.mention_roles, [100, 101]);
    // Out of range is dropped, not an error.
    let m = bubble_msg(json!({"id": "99999999999999999999", "content": "c"}));
    assert_eq!((m.id, m.content.as_str()), (None, "c"));
}

#[test]
fn bubble_author_and_mentions_take_every_shape() {
    let m = bubble_msg(json!({"author": 7}));
    assert_eq!(m.author, Some(bubble::Author::Id(7)));
    assert_eq!(m.author_id(), Some(7));
    let m = bubble_msg(json!({"author": {"id": "8", "username": "alice", "is_bot": 1}}));
    let Some(bubble::Author::User(u)) = &m.author else {
        panic!("{:?}", m.author)
    };
    assert_eq!(
        (u.id, u.name.as_deref(), u.is_bot),
        (Some(8), Some("alice"), Some(true))
    );
    let m = bubble_msg(
        json!({"author": [1], "mentions": [456, "789", {"id": "5", "type": "user"}, null, "x", [1], 1.5]}),
    );
    assert_eq!(m.author, None);
    assert_eq!(m.mention_ids(), [456, 789, 5]);
    let m = bubble_msg(json!({"mentions": "all"}));
    assert!(m.mentions.is_empty());
}

#[test]
fn bubble_both_schemas_and_the_client_spellings_decode() {
    // DM in the 2026-03 schema: threadId, createdAt.
    let m = bubble_msg(
        json!({"id": 2001, "threadId": 456, "authorId": 1, "content": "pm", "type": "text", "createdAt": "t"}),
    );
    assert_eq!(
        (m.channel(), m.thread_id, m.time()),
        (Some(456), Some(456), Some("t"))
    );
    // The AlemonJS client's snake_case.
    let d: bubble::MessageDelete =
        serde_json::from_str(r#"{"id":"1","channel_id":"2","guild_id":3}"#).unwrap();
    assert_eq!((d.id, d.channel(), d.guild_id), (Some(1), Some(2), Some(3)));
    let d: bubble::MessageDelete =
        serde_json::from_str(r#"{"id":1,"threadId":9,"deleted":true}"#).unwrap();
    assert_eq!((d.channel(), d.deleted), (Some(9), Some(true)));
    // MESSAGE_UPDATE 2026-03.
    let m = bubble_msg(
        json!({"id": 1001, "channelId": 123, "content": "u", "mentions": [], "editedAt": "e"}),
    );
    assert_eq!(m.edited_time(), Some("e"));
    // GUILD_MEMBER_UPDATE 2026-03, with an action this version does not know.
    let g: bubble::GuildMember = serde_json::from_str(
        r#"{"guildId":10,"userId":1,"action":"roles_added","roleId":"7","operatorId":456}"#,
    )
    .unwrap();
    assert_eq!(
        (g.action.clone(), g.role_id, g.operator_id),
        (Some(bubble::MemberAction::RolesAdded), Some(7), Some(456))
    );
    let g: bubble::GuildMember =
        serde_json::from_str(r#"{"action":"banned","nickname":"n"}"#).unwrap();
    assert_eq!(
        g.action,
        Some(bubble::MemberAction::Unknown("banned".into()))
    );
    assert_eq!(serde_json::to_value(&g).unwrap()["action"], "banned");
    assert_eq!(g.nickname(), Some("n"));
    // Reactions, mentions, read state.
    let r: bubble::Reaction = serde_json::from_str(
        r#"{"messageId":1001,"channelId":123,"emoji":"👍","user":{"id":1,"name":"username"}}"#,
    )
    .unwrap();
    assert_eq!(
        (r.message_id, r.user_id(), r.emoji.as_str()),
        (Some(1001), Some(1), "👍")
    );
    let s: bubble::ReadState =
        serde_json::from_str(r#"{"type":"channel","id":123,"lastReadMessageId":1000,"unreadCount":5,"mentionCount":"1"}"#).unwrap();
    assert_eq!(s.kind, Some(bubble::ReadStateKind::Channel));
    assert_eq!(
        (s.last_read_message_id, s.unread_count, s.mention_count),
        (Some(1000), Some(5), Some(1))
    );
    let s: bubble::ReadState = serde_json::from_str(r#"{"type":"forum"}"#).unwrap();
    assert_eq!(s.kind, Some(bubble::ReadStateKind::Unknown("forum".into())));
    let n: bubble::Mention =
        serde_json::from_str(r#"{"channelId":123,"messageId":1001,"authorId":1}"#).unwrap();
    assert_eq!(
        (n.channel_id, n.message_id, n.author_id),
        (Some(123), Some(1001), Some(1))
    );
    let p: bubble::MessagePin = serde_json::from_str(r#"{"id":2001,"threadId":456}"#).unwrap();
    assert_eq!((p.id, p.thread_id), (Some(2001), Some(456)));
}

#[test]
fn bubble_undocumented_payloads_keep_unknown_fields() {
    let a: bubble::Application =
        serde_json::from_str(r#"{"id":"5","type":"guild_join","status":"pending","userId":9,"reason":"hi","meta":{"x":1}}"#).unwrap();
    assert_eq!(
        (a.id, a.kind.as_deref(), a.user_id),
        (Some(5), Some("guild_join"), Some(9))
    );
    assert_eq!(a.extra.get("reason"), Some(&json!("hi")));
    assert_eq!(a.extra.get("meta"), Some(&json!({"x": 1})));
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["reason"], "hi");
    assert_eq!(v["type"], "guild_join");
    let g: bubble::GroupMember =
        serde_json::from_str(r#"{"groupId":3,"user":{"id":4},"role":"admin"}"#).unwrap();
    assert_eq!((g.group_id, g.user_id()), (Some(3), Some(4)));
    assert_eq!(g.extra.get("role"), Some(&json!("admin")));
}

#[test]
fn bubble_bot_ready_normalises_all_three_shapes() {
    // The AlemonJS client's shape.
    let r: bubble::BotReady = serde_json::from_str(
        r#"{"session_id":"abc","resume_gateway_url":"wss://r","guilds":[{"id":"10","name":"S"}],
            "dm_threads":[{"id":1,"user_id":2}],"available_events":["MESSAGE_CREATE"]}"#,
    )
    .unwrap();
    assert_eq!(r.session_id.as_deref(), Some("abc"));
    assert!(r.is_resumable());
    assert_eq!(r.resume_gateway_url.as_deref(), Some("wss://r"));
    assert_eq!(r.bot, None);
    assert_eq!(r.bot_user_id(), None);
    assert_eq!(r.guilds[0].id, Some(10));
    assert_eq!(
        (r.dm_threads[0].id, r.dm_threads[0].user_id),
        (Some(1), Some(2))
    );
    assert_eq!(r.available_events, ["MESSAGE_CREATE"]);
    // Two spellings in one frame are merged, not a duplicate-field error.
    let r: bubble::BotReady = serde_json::from_str(
        r#"{"sessionId":"s","guilds":[{"id":1}],"subscribedGuilds":[{"id":1},{"id":2}],
            "availableEvents":["A"],"available_events":["A","B"],"subscribedDMs":[{"id":3,"userId":4}]}"#,
    )
    .unwrap();
    assert_eq!(r.session_id.as_deref(), Some("s"));
    assert_eq!(
        r.guilds.iter().map(|g| g.id).collect::<Vec<_>>(),
        [Some(1), Some(2)]
    );
    assert_eq!(r.available_events, ["A", "B"]);
    assert_eq!(r.dm_threads[0].user_id, Some(4));
    // Serialized in one canonical camelCase shape that reads back the same.
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["sessionId"], "s");
    assert_eq!(v["availableEvents"], json!(["A", "B"]));
    assert_eq!(v["dmThreads"], json!([{"id": 3, "userId": 4}]));
    let back: bubble::BotReady = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
}

#[test]
fn bubble_control_events_decode() {
    let s: bubble::EventsUnsubscribed =
        serde_json::from_str(r#"{"unsubscribedEvents":["MESSAGE_DELETE"]}"#).unwrap();
    assert_eq!(s.unsubscribed_events, ["MESSAGE_DELETE"]);
    let s: bubble::SubscribeDenied =
        serde_json::from_str(r#"{"reason":"no","events":["GUILD_CREATE"]}"#).unwrap();
    assert_eq!(
        (s.reason.as_deref(), s.events.as_slice()),
        (Some("no"), &[botgate_proto::Text::from("GUILD_CREATE")][..])
    );
    let e: bubble::ErrorEvent = serde_json::from_str(r#"{"code":429}"#).unwrap();
    assert_eq!(
        (e.code.as_str(), e.message.as_deref(), e.is_rate_limit()),
        ("429", None, false)
    );
    let r: bubble::Resumed = serde_json::from_str(r#"{"replayed":"3"}"#).unwrap();
    assert_eq!(r.replayed, Some(3));
    let r: bubble::Resumed = serde_json::from_str(r#""""#).unwrap();
    assert_eq!(r, bubble::Resumed::default());
}

#[test]
fn bubble_serializes_camel_case_and_keeps_the_received_spelling() {
    let m = bubble_msg(json!({
        "id": 1002, "channelId": 123, "authorId": 1, "author": "username", "content": "c",
        "type": "text", "mentions": [{"type": "user", "id": 456, "name": "bob"}],
        "replyToId": 1001, "createdAt": "2026-03-10T12:00:00Z", "unknownKey": 1
    }));
    let v = serde_json::to_value(&m).unwrap();
    assert_eq!(
        v,
        json!({
            "id": 1002, "channelId": 123, "authorId": 1, "author": "username", "content": "c",
            "type": "text", "mentions": [{"type": "user", "id": 456, "name": "bob"}],
            "replyToId": 1001, "createdAt": "2026-03-10T12:00:00Z"
        })
    );
    let seed = bubble_msg(
        json!({"id": 1, "author": {"id": 1, "name": "n"}, "mentions": [456], "timestamp": "t", "msgType": 0}),
    );
    let v = serde_json::to_value(&seed).unwrap();
    assert_eq!(v["author"], json!({"id": 1, "name": "n"}));
    assert_eq!(v["mentions"], json!([456]));
    assert_eq!(v["timestamp"], "t");
    assert_eq!(v["msgType"], 0);
    assert!(v.get("createdAt").is_none());
}

#[test]
fn bubble_every_payload_accepts_an_empty_object() {
    fn empty<T: serde::de::DeserializeOwned + Default + PartialEq + std::fmt::Debug>() {
        let v: T = serde_json::from_str("{}").expect("empty object");
        assert_eq!(v, T::default());
    }
    empty::<bubble::BotReady>();
    empty::<bubble::EventsSubscribed>();
    empty::<bubble::EventsUnsubscribed>();
    empty::<bubble::SubscribeDenied>();
    empty::<bubble::ErrorEvent>();
    empty::<bubble::Resumed>();
    empty::<bubble::Message>();
    empty::<bubble::MessageDelete>();
    empty::<bubble::MessagePin>();
    empty::<bubble::Reaction>();
    empty::<bubble::GuildMember>();
    empty::<bubble::GroupMember>();
    empty::<bubble::Channel>();
    empty::<bubble::Guild>();
    empty::<bubble::GuildRole>();
    empty::<bubble::Mention>();
    empty::<bubble::ReadState>();
    empty::<bubble::Application>();
    empty::<bubble::Notice>();
    empty::<bubble::GroupThread>();
}
