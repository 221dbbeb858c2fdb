//! Every line of `testdata/qq/frames.jsonl` and `order.jsonl`: the envelope is read with
//! `serde_json::Value`, `d` is decoded into the payload type `proto/schema/qq.toml` names for
//! its `t`, and real field values are asserted line by line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod common;

use botgate_proto::qq;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One decoded QQ payload, by the schema's payload name.
/// Variants without per-line assertions are only decoded (and printed on failure).
#[allow(dead_code)]
#[derive(Debug)]
enum Decoded {
    Ready(qq::Ready),
    Resumed(qq::Resumed),
    Guild(qq::Guild),
    Channel(qq::Channel),
    Member(qq::Member),
    Message(qq::Message),
    MessageDelete(qq::MessageDelete),
    MessageReaction(qq::MessageReaction),
    MessageAudit(qq::MessageAudit),
    Thread(qq::Thread),
    Post(qq::Post),
    Reply(qq::Reply),
    ForumAudit(qq::ForumAudit),
    AudioAction(qq::AudioAction),
    AudioOrLiveChannelMember(qq::AudioOrLiveChannelMember),
    EnterAio(qq::EnterAio),
    GroupMessage(qq::GroupMessage),
    C2cMessage(qq::C2cMessage),
    GroupRobotEvent(qq::GroupRobotEvent),
    FriendEvent(qq::FriendEvent),
    SubscribeMessageStatus(qq::SubscribeMessageStatus),
    Interaction(qq::Interaction),
}

fn de<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{}: {e}: {text}", std::any::type_name::<T>()))
}

/// Decodes `d` as the schema's payload type `payload`; `None` for a name this test does not know.
fn decode(payload: &str, d: &str) -> Option<Decoded> {
    Some(match payload {
        "Ready" => Decoded::Ready(de(d)),
        "Resumed" => Decoded::Resumed(de(d)),
        "Guild" => Decoded::Guild(de(d)),
        "Channel" => Decoded::Channel(de(d)),
        "Member" => Decoded::Member(de(d)),
        "Message" => Decoded::Message(de(d)),
        "MessageDelete" => Decoded::MessageDelete(de(d)),
        "MessageReaction" => Decoded::MessageReaction(de(d)),
        "MessageAudit" => Decoded::MessageAudit(de(d)),
        "Thread" => Decoded::Thread(de(d)),
        "Post" => Decoded::Post(de(d)),
        "Reply" => Decoded::Reply(de(d)),
        "ForumAudit" => Decoded::ForumAudit(de(d)),
        "AudioAction" => Decoded::AudioAction(de(d)),
        "AudioOrLiveChannelMember" => Decoded::AudioOrLiveChannelMember(de(d)),
        "EnterAio" => Decoded::EnterAio(de(d)),
        "GroupMessage" => Decoded::GroupMessage(de(d)),
        "C2cMessage" => Decoded::C2cMessage(de(d)),
        "GroupRobotEvent" => Decoded::GroupRobotEvent(de(d)),
        "FriendEvent" => Decoded::FriendEvent(de(d)),
        "SubscribeMessageStatus" => Decoded::SubscribeMessageStatus(de(d)),
        "Interaction" => Decoded::Interaction(de(d)),
        _ => return None,
    })
}

#[test]
fn every_payload_the_schema_names_is_a_type_here() {
    let table = common::schema_payloads("qq.toml");
    assert!(table.len() >= 55, "qq.toml lists {} events", table.len());
    for (event, payload) in &table {
        assert!(
            decode(payload, "{}").is_some(),
            "{event}: payload {payload} is not a botgate_proto::qq type"
        );
    }
}

const BOT: &str = "6158788878435714165";
const ME: &str = "1234567890";
const GUILD: &str = "18700000000001";
const GROUP: &str = "C9F778FE6ADF9D1D1DBE395BF744A33A";
const MEMBER: &str = "E4F4AEA33253A2797FB897C50B81D7ED";

/// Checks one dispatch; returns the event name it checked.
fn check_dispatch(t: &str, d: Decoded) -> &'static str {
    match (t, d) {
        ("READY", Decoded::Ready(r)) => {
            assert_eq!(r.version, 1);
            assert_eq!(r.session_id, "082ee18c-0be3-491b-9d8b-fbd95c51673a");
            assert_eq!(r.user.id, BOT);
            assert_eq!(r.user.username.as_deref(), Some("群pro测试机器人"));
            assert!(r.user.is_bot());
            assert_eq!(r.shard, Some([0, 0]));
            "READY"
        }
        ("AT_MESSAGE_CREATE", Decoded::Message(m)) => {
            assert_eq!(
                m.id,
                "08e092eeb983afef9e0110f6d2a2c60138e4b4b70148e090f3a906"
            );
            assert_eq!(m.channel_id, "100010");
            assert_eq!(m.guild_id, GUILD);
            assert_eq!(m.content, format!("<@!{BOT}> /天气 深圳"));
            assert_eq!(m.author.id, ME);
            assert_eq!(m.author.username.as_deref(), Some("小明"));
            assert_eq!(
                m.author.avatar.as_deref(),
                Some("https://thirdqq.qlogo.cn/0")
            );
            assert!(!m.author.is_bot());
            let member = m.member.as_ref().expect("member");
            assert_eq!(member.roles, ["1", "4"]);
            assert_eq!(
                member.joined_at.as_deref(),
                Some("2021-04-12T16:34:36+08:00")
            );
            assert_eq!(m.mentions.len(), 1);
            assert_eq!(m.mentions[0].id, BOT);
            assert!(m.mentions[0].is_bot());
            assert!(m.mentions_user(BOT));
            assert!(!m.mentions_user(ME));
            assert_eq!(m.seq, Some(828));
            assert_eq!(m.seq_in_channel.as_deref(), Some("828"));
            assert_eq!(m.seq_in_channel_u64(), Some(828));
            assert_eq!(m.timestamp.as_deref(), Some("2021-05-20T15:14:58+08:00"));
            assert!(!m.is_direct());
            "AT_MESSAGE_CREATE"
        }
        ("MESSAGE_CREATE", Decoded::Message(m)) if m.id == "08a1" => {
            assert_eq!(m.channel_id, "100011");
            assert_eq!(m.content, "大家好 👋");
            assert_eq!(m.author.id, "2233");
            assert_eq!(m.author.username.as_deref(), Some("阿强"));
            let member = m.member.as_ref().expect("member");
            assert_eq!(member.nick.as_deref(), Some("强"));
            assert_eq!(member.roles, ["1"]);
            assert_eq!(m.attachments.len(), 1);
            let a = &m.attachments[0];
            assert_eq!(a.content_type.as_deref(), Some("image/png"));
            assert_eq!(a.filename.as_deref(), Some("a.png"));
            assert_eq!(
                (a.width, a.height, a.size),
                (Some(200), Some(100), Some(3012))
            );
            assert_eq!(a.url, "gchat.qpic.cn/qmeetpic/0/0-0-ABC/0");
            let r = m.message_reference.as_ref().expect("message_reference");
            assert_eq!(r.message_id, "08e0");
            assert_eq!(r.ignore_get_message_error, None);
            assert_eq!(m.seq, Some(12));
            "MESSAGE_CREATE"
        }
        ("MESSAGE_CREATE", Decoded::Message(m)) => {
            // order.jsonl: `d` carries its own `t` / `s` / `op` keys; they are payload fields
            // here and must not leak anywhere.
            assert_eq!(m.content, "\"t\":\"X\"");
            assert_eq!(m.id, "");
            assert_eq!(m.author, qq::User::default());
            "MESSAGE_CREATE (order)"
        }
        ("DIRECT_MESSAGE_CREATE", Decoded::Message(m)) => {
            assert_eq!(m.id, "08f1");
            assert_eq!(m.channel_id, "200001");
            assert_eq!(m.guild_id, "300001");
            assert_eq!(m.src_guild_id.as_deref(), Some(GUILD));
            assert_eq!(m.content, "你好");
            assert!(m.is_direct());
            assert_eq!(m.author.id, ME);
            assert_eq!(m.author.avatar, None, "\"\" is absent (decision 0014)");
            assert_eq!(m.seq_in_channel_u64(), Some(3));
            "DIRECT_MESSAGE_CREATE"
        }
        ("GROUP_AT_MESSAGE_CREATE", Decoded::GroupMessage(m)) => {
            assert!(m.id.starts_with("ROBOT1.0_kpgrpQgSZm."));
            assert!(m.id.ends_with("!!"));
            assert_eq!(m.content, " 签到");
            assert_eq!(m.author.id, MEMBER);
            assert_eq!(m.author.member_openid, MEMBER);
            assert_eq!(m.group_openid, GROUP);
            assert_eq!(m.group_id.as_deref(), Some(GROUP));
            assert_eq!(m.timestamp.as_deref(), Some("2023-11-06T13:37:18+08:00"));
            assert!(m.attachments.is_empty());
            "GROUP_AT_MESSAGE_CREATE"
        }
        ("C2C_MESSAGE_CREATE", Decoded::C2cMessage(m)) => {
            assert!(m.id.starts_with("ROBOT1.0_.b6nx."));
            assert_eq!(m.content, "help");
            assert_eq!(m.author.user_openid, MEMBER);
            assert_eq!(m.author.id, MEMBER);
            assert!(m.attachments.is_empty());
            assert_eq!(m.timestamp.as_deref(), Some("2023-11-06T13:39:41+08:00"));
            "C2C_MESSAGE_CREATE"
        }
        ("GUILD_MEMBER_ADD", Decoded::Member(m)) => {
            assert_eq!(m.guild_id.as_deref(), Some(GUILD));
            assert_eq!(m.nick, None, "\"\" is absent (decision 0014)");
            assert_eq!(m.op_user_id.as_deref(), Some(ME));
            assert_eq!(m.roles, ["1"]);
            assert_eq!(m.joined_at.as_deref(), Some("2022-06-01T10:02:00+08:00"));
            let u = m.user.as_ref().expect("user");
            assert_eq!(u.id, "99887766");
            assert_eq!(u.username.as_deref(), Some("新人"));
            "GUILD_MEMBER_ADD"
        }
        ("MESSAGE_REACTION_ADD", Decoded::MessageReaction(r)) => {
            assert_eq!(r.user_id, ME);
            assert_eq!(r.guild_id, GUILD);
            assert_eq!(r.channel_id, "100010");
            assert_eq!(
                r.target.id,
                "08e092eeb983afef9e0110f6d2a2c60138e4b4b70148e090f3a906"
            );
            assert_eq!(r.target.kind, Some(qq::ReactionTargetType::Message));
            assert_eq!(r.emoji.id, "4");
            assert_eq!(r.emoji.kind, Some(qq::EmojiType::System));
            "MESSAGE_REACTION_ADD"
        }
        ("PUBLIC_MESSAGE_DELETE", Decoded::MessageDelete(d)) => {
            assert_eq!(d.message.id, "08e1");
            assert_eq!(d.message.channel_id, "100010");
            assert_eq!(d.message.guild_id, GUILD);
            assert_eq!(d.message.author.id, ME);
            assert_eq!(d.message.author.username.as_deref(), Some("小明"));
            assert_eq!(d.op_user.id, ME);
            "PUBLIC_MESSAGE_DELETE"
        }
        ("MESSAGE_AUDIT_PASS", Decoded::MessageAudit(a)) => {
            assert_eq!(a.audit_id, "2f5b7c6e-0000");
            assert_eq!(a.message_id.as_deref(), Some("08ff"));
            assert_eq!(a.guild_id, GUILD);
            assert_eq!(a.channel_id, "100010");
            assert_eq!(a.audit_time.as_deref(), Some("2022-06-01T10:03:00+08:00"));
            assert_eq!(a.create_time.as_deref(), Some("2022-06-01T10:02:59+08:00"));
            assert_eq!(a.seq_in_channel.as_deref(), Some("830"));
            "MESSAGE_AUDIT_PASS"
        }
        ("FORUM_THREAD_CREATE", Decoded::Thread(t)) => {
            assert_eq!(t.author_id, ME);
            assert_eq!(t.channel_id, "400001");
            assert_eq!(t.guild_id, GUILD);
            let info = &t.thread_info;
            assert_eq!(info.thread_id, "B_6a3b");
            assert_eq!(info.date_time.as_deref(), Some("2022-06-01T10:04:00+08:00"));
            // The raw strings are kept as sent ...
            assert!(info.content.starts_with("{\"paragraphs\":"));
            // ... and parse into rich text.
            let content = info.content_rich();
            assert_eq!(content.paragraphs.len(), 1);
            let elem = &content.paragraphs[0].elems[0];
            assert_eq!(elem.kind, Some(qq::ElemType::Text));
            assert_eq!(elem.text.as_ref().map(|t| t.text.as_str()), Some("第一帖"));
            assert_eq!(content.plain_text(), "第一帖");
            assert_eq!(info.title_rich().plain_text(), "标题");
            "FORUM_THREAD_CREATE"
        }
        ("AUDIO_START", Decoded::AudioAction(a)) => {
            assert_eq!(
                a.audio_url.as_deref(),
                Some("https://example.invalid/a.mp3")
            );
            assert_eq!(a.channel_id, "500001");
            assert_eq!(a.guild_id, GUILD);
            assert_eq!(a.text.as_deref(), Some("开始播放"));
            "AUDIO_START"
        }
        ("INTERACTION_CREATE", Decoded::Interaction(i)) => {
            assert_eq!(i.id, "e8e5c6a0-1");
            assert_eq!(i.application_id.as_deref(), Some("102074"));
            assert_eq!(i.kind, Some(qq::InteractionType::MessageButton));
            assert_eq!(i.chat_type, Some(qq::ChatType::Group));
            assert_eq!(i.scene.as_deref(), Some("group"));
            assert_eq!(i.group_openid.as_deref(), Some(GROUP));
            assert_eq!(i.group_member_openid.as_deref(), Some(MEMBER));
            assert_eq!(i.user(), Some(MEMBER));
            assert_eq!(i.version, Some(1));
            assert_eq!(i.timestamp.as_deref(), Some("2023-11-06T13:40:00+08:00"));
            assert_eq!(
                i.data.kind,
                Some(qq::InteractionDataType::InlineKeyboardClick)
            );
            let r = &i.data.resolved;
            assert_eq!(r.button_data.as_deref(), Some("vote:1"));
            assert_eq!(r.button_id.as_deref(), Some("1"));
            assert_eq!(r.user_id.as_deref(), Some(ME));
            assert_eq!(r.message_id.as_deref(), Some("08e1"));
            assert_eq!(r.feature_id, None);
            "INTERACTION_CREATE"
        }
        ("GROUP_ADD_ROBOT", Decoded::GroupRobotEvent(g)) => {
            assert_eq!(g.group_openid, GROUP);
            assert_eq!(g.op_member_openid, MEMBER);
            assert_eq!(g.timestamp, Some(1_699_249_200));
            "GROUP_ADD_ROBOT"
        }
        ("RESUMED", Decoded::Resumed(r)) => {
            assert_eq!(r, qq::Resumed);
            "RESUMED"
        }
        ("GUILD_UPDATE", Decoded::Guild(g)) => {
            assert_eq!(g.id, GUILD);
            assert_eq!(g.name.as_deref(), Some("新名字"));
            assert_eq!(g.owner_id, None);
            "GUILD_UPDATE"
        }
        (t, d) => panic!("no assertions for {t}: {d:?}"),
    }
}

/// Checks every line of one file; returns what was checked, in order.
fn check_file(rel: &str) -> Vec<String> {
    let table = common::schema_payloads("qq.toml");
    let mut checked = Vec::new();
    for v in common::lines(rel) {
        let op = v["op"].as_u64().expect("op");
        let what = match op {
            0 => {
                let t = v["t"].as_str().expect("t");
                let d = common::d_text(&v);
                match table.get(t) {
                    Some(payload) => {
                        let decoded = decode(payload, &d).expect("a known payload");
                        // QQ dispatches carry the event id next to `t`, prefixed by `t`.
                        if let Some(id) = v.get("id").and_then(Value::as_str) {
                            assert!(id.starts_with(&format!("{t}:")), "{id}");
                        }
                        check_dispatch(t, decoded).to_owned()
                    }
                    None => {
                        // Unknown event types pass through as raw JSON.
                        assert_eq!(t, "SOME_FUTURE_EVENT");
                        assert_eq!(v["d"]["anything"], serde_json::json!([1, 2, 3]));
                        format!("unknown {t}")
                    }
                }
            }
            10 => {
                let hello: qq::Hello = de(&common::d_text(&v));
                assert_eq!(hello.heartbeat_interval, 45_000);
                "HELLO".into()
            }
            11 => {
                assert!(v.get("d").is_none());
                "HEARTBEAT_ACK".into()
            }
            7 => "RECONNECT".into(),
            9 => {
                assert_eq!(v["d"], Value::Bool(false));
                "INVALID_SESSION".into()
            }
            other => panic!("unexpected op {other}"),
        };
        checked.push(what);
    }
    checked
}

#[test]
fn every_line_of_frames_jsonl_decodes_with_its_values() {
    let checked = check_file("qq/frames.jsonl");
    assert_eq!(
        checked,
        [
            "HELLO",
            "READY",
            "HEARTBEAT_ACK",
            "AT_MESSAGE_CREATE",
            "MESSAGE_CREATE",
            "DIRECT_MESSAGE_CREATE",
            "GROUP_AT_MESSAGE_CREATE",
            "C2C_MESSAGE_CREATE",
            "GUILD_MEMBER_ADD",
            "MESSAGE_REACTION_ADD",
            "PUBLIC_MESSAGE_DELETE",
            "MESSAGE_AUDIT_PASS",
            "FORUM_THREAD_CREATE",
            "AUDIO_START",
            "INTERACTION_CREATE",
            "GROUP_ADD_ROBOT",
            "unknown SOME_FUTURE_EVENT",
            "RECONNECT",
            "INVALID_SESSION",
            "RESUMED",
        ]
    );
}

#[test]
fn every_line_of_order_jsonl_decodes_with_its_values() {
    let checked = check_file("qq/order.jsonl");
    assert_eq!(checked, ["MESSAGE_CREATE (order)", "GUILD_UPDATE"]);
}

#[test]
fn every_dispatch_of_the_samples_round_trips_through_serialize() {
    let table = common::schema_payloads("qq.toml");
    let mut n = 0;
    for rel in ["qq/frames.jsonl", "qq/order.jsonl"] {
        for v in common::lines(rel) {
            let Some(payload) = v["t"].as_str().and_then(|t| table.get(t)) else {
                continue;
            };
            let d = common::d_text(&v);
            let once = reencode(payload, &d);
            let twice = reencode(payload, &once);
            assert_eq!(once, twice, "{payload}: {d}");
            n += 1;
        }
    }
    assert_eq!(n, 17);
}

/// Decodes `d` as `payload` and serializes it back.
fn reencode(payload: &str, d: &str) -> String {
    fn re<T: DeserializeOwned + serde::Serialize>(d: &str) -> String {
        serde_json::to_string(&de::<T>(d)).expect("serialize")
    }
    match payload {
        "Ready" => re::<qq::Ready>(d),
        "Resumed" => re::<qq::Resumed>(d),
        "Guild" => re::<qq::Guild>(d),
        "Member" => re::<qq::Member>(d),
        "Message" => re::<qq::Message>(d),
        "MessageDelete" => re::<qq::MessageDelete>(d),
        "MessageReaction" => re::<qq::MessageReaction>(d),
        "MessageAudit" => re::<qq::MessageAudit>(d),
        "Thread" => re::<qq::Thread>(d),
        "AudioAction" => re::<qq::AudioAction>(d),
        "GroupMessage" => re::<qq::GroupMessage>(d),
        "C2cMessage" => re::<qq::C2cMessage>(d),
        "GroupRobotEvent" => re::<qq::GroupRobotEvent>(d),
        "Interaction" => re::<qq::Interaction>(d),
        other => panic!("no round trip for {other}"),
    }
}
