//! Every line of `testdata/bubble/frames.jsonl`: the envelope is read with `serde_json::Value`,
//! `d` is decoded into the payload type `proto/schema/bubble.toml` names for its `t`, and real
//! field values are asserted line by line (both schema versions, all BOT_READY shapes).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod common;

use botgate_proto::bubble::{self, Author, MentionRef};
use serde::de::DeserializeOwned;

/// One decoded Bubble payload, by the schema's payload name.
/// Variants without per-line assertions are only decoded (and printed on failure).
#[allow(dead_code, clippy::large_enum_variant)] // a test's decode target, built once per line
#[derive(Debug)]
enum Decoded {
    BotReady(bubble::BotReady),
    EventsSubscribed(bubble::EventsSubscribed),
    EventsUnsubscribed(bubble::EventsUnsubscribed),
    SubscribeDenied(bubble::SubscribeDenied),
    ErrorEvent(bubble::ErrorEvent),
    Resumed(bubble::Resumed),
    Message(bubble::Message),
    MessageDelete(bubble::MessageDelete),
    MessagePin(bubble::MessagePin),
    Reaction(bubble::Reaction),
    GuildMember(bubble::GuildMember),
    Channel(bubble::Channel),
    Guild(bubble::Guild),
    GuildRole(bubble::GuildRole),
    Mention(bubble::Mention),
    ReadState(bubble::ReadState),
    Application(bubble::Application),
    Notice(bubble::Notice),
    GroupThread(bubble::GroupThread),
    GroupMember(bubble::GroupMember),
}

fn de<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{}: {e}: {text}", std::any::type_name::<T>()))
}

fn decode(payload: &str, d: &str) -> Option<Decoded> {
    Some(match payload {
        "BotReady" => Decoded::BotReady(de(d)),
        "EventsSubscribed" => Decoded::EventsSubscribed(de(d)),
        "EventsUnsubscribed" => Decoded::EventsUnsubscribed(de(d)),
        "SubscribeDenied" => Decoded::SubscribeDenied(de(d)),
        "ErrorEvent" => Decoded::ErrorEvent(de(d)),
        "Resumed" => Decoded::Resumed(de(d)),
        "Message" => Decoded::Message(de(d)),
        "MessageDelete" => Decoded::MessageDelete(de(d)),
        "MessagePin" => Decoded::MessagePin(de(d)),
        "Reaction" => Decoded::Reaction(de(d)),
        "GuildMember" => Decoded::GuildMember(de(d)),
        "Channel" => Decoded::Channel(de(d)),
        "Guild" => Decoded::Guild(de(d)),
        "GuildRole" => Decoded::GuildRole(de(d)),
        "Mention" => Decoded::Mention(de(d)),
        "ReadState" => Decoded::ReadState(de(d)),
        "Application" => Decoded::Application(de(d)),
        "Notice" => Decoded::Notice(de(d)),
        "GroupThread" => Decoded::GroupThread(de(d)),
        "GroupMember" => Decoded::GroupMember(de(d)),
        _ => return None,
    })
}

#[test]
fn every_payload_the_schema_names_is_a_type_here() {
    let table = common::schema_payloads("bubble.toml");
    assert!(
        table.len() >= 46,
        "bubble.toml lists {} events",
        table.len()
    );
    for (event, payload) in &table {
        assert!(
            decode(payload, "{}").is_some(),
            "{event}: payload {payload} is not a botgate_proto::bubble type"
        );
    }
}

fn check_dispatch(t: &str, d: Decoded) -> &'static str {
    match (t, d) {
        ("BOT_READY", Decoded::BotReady(r)) if r.available_events.is_empty() => {
            // The seed's shape.
            assert_eq!(r.bot_id(), Some(123));
            assert_eq!(r.bot_user_id(), Some(123));
            assert_eq!(
                r.bot.as_ref().and_then(|b| b.name.as_deref()),
                Some("MyBot")
            );
            assert_eq!(r.guilds.len(), 1);
            assert_eq!(
                (r.guilds[0].id, r.guilds[0].name.as_deref()),
                (Some(10), Some("Server 1"))
            );
            assert_eq!(r.session_id, None);
            assert!(!r.is_resumable());
            "BOT_READY (seed)"
        }
        ("BOT_READY", Decoded::BotReady(r)) => {
            // The gateway page's shape.
            assert_eq!(r.bot_id(), Some(1));
            assert_eq!(r.bot_user_id(), Some(123));
            let bot = r.bot.as_ref().expect("bot");
            assert_eq!(bot.name.as_deref(), Some("我的机器人"));
            assert_eq!(
                bot.bot_user.as_ref().and_then(|u| u.name.as_deref()),
                Some("bot_我的机器人")
            );
            assert_eq!(r.guilds.len(), 1);
            assert_eq!(r.guilds[0].id, Some(10));
            assert!(r.dm_threads.is_empty());
            assert_eq!(r.available_events, ["MESSAGE_CREATE", "DM_MESSAGE_CREATE"]);
            "BOT_READY (gateway)"
        }
        ("EVENTS_SUBSCRIBED", Decoded::EventsSubscribed(s)) => {
            assert_eq!(s.subscribed_events, ["MESSAGE_CREATE", "DM_MESSAGE_CREATE"]);
            assert_eq!(s.invalid_events, ["NOPE"]);
            "EVENTS_SUBSCRIBED"
        }
        ("MESSAGE_CREATE", Decoded::Message(m)) if m.id == Some(1001) => {
            // Seed schema.
            assert_eq!(m.channel_id, Some(123));
            assert_eq!(m.channel(), Some(123));
            assert_eq!(m.guild_id, Some(10));
            assert_eq!(m.content, "Hello, world!");
            assert_eq!(m.msg_type, Some(0));
            let Some(Author::User(u)) = &m.author else {
                panic!("author object expected: {:?}", m.author)
            };
            assert_eq!(u.id, Some(1));
            assert_eq!(u.name.as_deref(), Some("username"));
            assert_eq!(u.avatar.as_deref(), Some("https://example.invalid/a.png"));
            assert_eq!(m.author_id(), Some(1));
            assert_eq!(m.author_name(), Some("username"));
            assert_eq!(m.time(), Some("2025-12-31T12:00:00Z"));
            assert_eq!(m.mentions, [MentionRef::Id(456)]);
            assert_eq!(m.mention_ids(), [456]);
            assert_eq!(m.mention_roles, [100]);
            "MESSAGE_CREATE (seed)"
        }
        ("MESSAGE_CREATE", Decoded::Message(m)) => {
            // 2026-03 schema.
            assert_eq!(m.id, Some(1002));
            assert_eq!(m.channel(), Some(123));
            assert_eq!(m.guild_id, None);
            assert_eq!(m.author_id, Some(1));
            assert_eq!(m.author, Some(Author::Name("username".into())));
            assert_eq!(m.author_id(), Some(1));
            assert_eq!(m.author_name(), Some("username"));
            assert_eq!(m.content, "新版格式");
            assert_eq!(m.kind.as_deref(), Some("text"));
            assert_eq!(m.reply_to_id, Some(1001));
            assert_eq!(m.timestamp, None);
            assert_eq!(m.created_at.as_deref(), Some("2026-03-10T12:00:00Z"));
            assert_eq!(m.time(), Some("2026-03-10T12:00:00Z"));
            let [MentionRef::Entity(e)] = m.mentions.as_slice() else {
                panic!("one mention object expected: {:?}", m.mentions)
            };
            assert_eq!(e.kind.as_deref(), Some("user"));
            assert_eq!(e.id, Some(456));
            assert_eq!(e.name.as_deref(), Some("bob"));
            assert_eq!(m.mention_ids(), [456]);
            "MESSAGE_CREATE (2026-03)"
        }
        ("MESSAGE_UPDATE", Decoded::Message(m)) => {
            assert_eq!(m.id, Some(1001));
            assert_eq!(m.channel(), Some(123));
            assert_eq!(m.content, "Updated content");
            assert_eq!(m.edited_time(), Some("2025-12-31T12:10:00Z"));
            assert_eq!(m.author, None);
            "MESSAGE_UPDATE"
        }
        ("MESSAGE_DELETE", Decoded::MessageDelete(d)) => {
            assert_eq!(
                (d.id, d.channel(), d.guild_id),
                (Some(1001), Some(123), Some(10))
            );
            assert_eq!(d.deleted, None);
            "MESSAGE_DELETE"
        }
        ("DM_MESSAGE_CREATE", Decoded::Message(m)) => {
            assert_eq!(m.id, Some(2001));
            assert_eq!(m.channel(), Some(456));
            assert_eq!(m.content, "Private message");
            assert_eq!(m.author_id(), Some(1));
            assert_eq!(m.time(), Some("2025-12-31T12:00:00Z"));
            "DM_MESSAGE_CREATE"
        }
        ("GUILD_MEMBER_ADD", Decoded::GuildMember(g)) => {
            assert_eq!(g.guild_id, Some(10));
            assert_eq!(g.user_id(), Some(999));
            let u = g.user.as_ref().expect("user");
            assert_eq!(u.name.as_deref(), Some("newuser"));
            assert_eq!(u.avatar.as_deref(), Some("https://example.invalid/b.png"));
            assert_eq!(g.joined_at.as_deref(), Some("2025-12-31T12:00:00Z"));
            "GUILD_MEMBER_ADD"
        }
        ("GUILD_MEMBER_UPDATE", Decoded::GuildMember(g)) => {
            assert_eq!(g.guild_id, Some(10));
            assert_eq!(g.user_id(), Some(1));
            assert_eq!(g.roles, [100, 101]);
            assert_eq!(g.nickname(), Some("New Nickname"));
            assert_eq!(g.action, None);
            "GUILD_MEMBER_UPDATE"
        }
        ("GUILD_ROLE_CREATE", Decoded::GuildRole(r)) => {
            assert_eq!(r.guild_id, Some(10));
            assert_eq!(r.role_id(), Some(100));
            let role = r.role.as_ref().expect("role");
            assert_eq!(role.name.as_deref(), Some("Moderator"));
            assert_eq!(role.color.as_deref(), Some("#3498db"));
            assert_eq!(role.permissions, Some(8));
            "GUILD_ROLE_CREATE"
        }
        ("GUILD_ROLE_DELETE", Decoded::GuildRole(r)) => {
            assert_eq!(r.guild_id, Some(10));
            assert_eq!(r.role, None);
            assert_eq!(r.role_id(), Some(100));
            "GUILD_ROLE_DELETE"
        }
        ("CHANNEL_CREATE", Decoded::Channel(c)) => {
            assert_eq!(c.id, Some(789));
            assert_eq!(c.guild_id, Some(10));
            assert_eq!(c.name.as_deref(), Some("new-channel"));
            assert_eq!(c.kind, Some(0));
            assert_eq!(c.position, Some(5));
            "CHANNEL_CREATE"
        }
        ("GUILD_CREATE", Decoded::Guild(g)) => {
            assert_eq!(g.id, Some(10));
            assert_eq!(g.name.as_deref(), Some("My Server"));
            assert_eq!(g.owner_id, Some(1));
            assert_eq!(g.channels.len(), 1);
            assert_eq!(
                (g.channels[0].id, g.channels[0].name.as_deref()),
                (Some(123), Some("general"))
            );
            assert_eq!(g.members.len(), 1);
            assert_eq!(g.members[0].user_id(), Some(1));
            assert_eq!(
                g.members[0].user.as_ref().and_then(|u| u.name.as_deref()),
                Some("owner")
            );
            "GUILD_CREATE"
        }
        ("ERROR", Decoded::ErrorEvent(e)) => {
            assert_eq!(e.code, "RATE_LIMIT");
            assert!(e.is_rate_limit());
            assert_eq!(e.message.as_deref(), Some("Too many messages"));
            "ERROR"
        }
        (t, d) => panic!("no assertions for {t}: {d:?}"),
    }
}

#[test]
fn every_line_of_frames_jsonl_decodes_with_its_values() {
    let table = common::schema_payloads("bubble.toml");
    let mut checked = Vec::new();
    for v in common::lines("bubble/frames.jsonl") {
        let what = match v["op"].as_u64().expect("op") {
            0 => {
                let t = v["t"].as_str().expect("t");
                let payload = table
                    .get(t)
                    .unwrap_or_else(|| panic!("{t} is not in bubble.toml"));
                let decoded = decode(payload, &common::d_text(&v)).expect("a known payload");
                check_dispatch(t, decoded)
            }
            10 => {
                assert_eq!(v["d"]["heartbeat_interval"], 30_000);
                "HELLO"
            }
            11 => "HEARTBEAT_ACK",
            other => panic!("unexpected op {other}"),
        };
        checked.push(what);
    }
    assert_eq!(
        checked,
        [
            "HELLO",
            "BOT_READY (seed)",
            "BOT_READY (gateway)",
            "EVENTS_SUBSCRIBED",
            "MESSAGE_CREATE (seed)",
            "MESSAGE_CREATE (2026-03)",
            "MESSAGE_UPDATE",
            "MESSAGE_DELETE",
            "DM_MESSAGE_CREATE",
            "GUILD_MEMBER_ADD",
            "GUILD_MEMBER_UPDATE",
            "GUILD_ROLE_CREATE",
            "GUILD_ROLE_DELETE",
            "CHANNEL_CREATE",
            "GUILD_CREATE",
            "ERROR",
            "HEARTBEAT_ACK",
        ]
    );
}

#[test]
fn every_dispatch_of_the_samples_round_trips_through_serialize() {
    fn re<T: DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug>(d: &str) {
        let first: T = de(d);
        let text = serde_json::to_string(&first).expect("serialize");
        let second: T = de(&text);
        assert_eq!(first, second, "{text}");
    }
    let table = common::schema_payloads("bubble.toml");
    let mut n = 0;
    for v in common::lines("bubble/frames.jsonl") {
        let Some(payload) = v["t"].as_str().and_then(|t| table.get(t)) else {
            continue;
        };
        let d = common::d_text(&v);
        match payload.as_str() {
            "BotReady" => re::<bubble::BotReady>(&d),
            "EventsSubscribed" => re::<bubble::EventsSubscribed>(&d),
            "Message" => re::<bubble::Message>(&d),
            "MessageDelete" => re::<bubble::MessageDelete>(&d),
            "GuildMember" => re::<bubble::GuildMember>(&d),
            "GuildRole" => re::<bubble::GuildRole>(&d),
            "Channel" => re::<bubble::Channel>(&d),
            "Guild" => re::<bubble::Guild>(&d),
            "ErrorEvent" => re::<bubble::ErrorEvent>(&d),
            other => panic!("no round trip for {other}"),
        }
        n += 1;
    }
    assert_eq!(n, 15);
}
