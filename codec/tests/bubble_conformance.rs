//! Conformance of the typed Bubble events with the frames the spec shows (`bubble.md` §1.2,
//! §1.3, §1.5, and the current `events.md` it cites): every documented 2026-03 payload, the
//! gateway page's MESSAGE_CREATE, the webhook body, and the same frames from a sloppy producer
//! (ids as strings, ids wider than 32 bits, the AlemonJS client's spellings). Each frame goes
//! through the decode a handler gets (`decode_event`) over the WebSocket and the webhook
//! envelope alike.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns; clippy.toml covers only those

use botgate_codec::bubble::{self, decode_event, Event};
use botgate_codec::Frame;
use botgate_proto::bubble::{Author, MemberAction, MentionRef, ReadStateKind};

/// Decodes `d` of `t` as it arrives over the gateway and as a webhook body; both must agree.
fn both(t: &str, d: &str) -> Event {
    let ws = Frame::scan(format!(r#"{{"op":0,"t":"{t}","d":{d}}}"#).into_bytes()).unwrap();
    let over_ws = decode_event(t, ws.data().unwrap()).unwrap();
    let hook = bubble::webhook_frame(format!(r#"{{"type":"{t}","data":{d}}}"#).as_bytes()).unwrap();
    let over_hook = decode_event(hook.event_type().unwrap(), hook.data().unwrap()).unwrap();
    assert_eq!(over_ws, over_hook, "{t}");
    assert_eq!(over_ws.name(), t);
    over_ws
}

#[test]
fn current_message_events_read_every_documented_field() {
    let Event::MessageCreate(m) = both(
        "MESSAGE_CREATE",
        r#"{"id":1001,"channelId":123,"authorId":1,"author":"username","content":"Hello, world!",
            "type":"text","platform":"web","mentions":[{"type":"user","id":42,"name":"张三",
            "avatar":"avatar/xxx.jpg"}],"replyToId":null,"createdAt":"2025-12-31T12:00:00Z"}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (m.id, m.channel(), m.author_id()),
        (Some(1001), Some(123), Some(1))
    );
    assert_eq!(m.author_name(), Some("username"));
    assert_eq!(
        (m.kind.as_deref(), m.platform.as_deref()),
        (Some("text"), Some("web"))
    );
    assert_eq!(m.mention_ids(), vec![42]);
    assert_eq!(
        (m.reply_to_id, m.time()),
        (None, Some("2025-12-31T12:00:00Z"))
    );

    let Event::MessageUpdate(m) = both(
        "MESSAGE_UPDATE",
        r#"{"id":1001,"channelId":123,"content":"Updated content","mentions":[],
            "editedAt":"2025-12-31T12:10:00Z"}"#,
    ) else {
        panic!()
    };
    assert_eq!(m.edited_time(), Some("2025-12-31T12:10:00Z"));
    assert_eq!(m.content, "Updated content");

    let Event::MessageDelete(d) = both(
        "MESSAGE_DELETE",
        r#"{"id":1001,"channelId":123,"deleted":true}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (d.id, d.channel(), d.deleted),
        (Some(1001), Some(123), Some(true))
    );

    for t in ["MESSAGE_PIN", "MESSAGE_UNPIN"] {
        let (Event::MessagePin(p) | Event::MessageUnpin(p)) =
            both(t, r#"{"id":1001,"channelId":123}"#)
        else {
            panic!("{t}")
        };
        assert_eq!((p.id, p.channel_id), (Some(1001), Some(123)));
    }

    let Event::MessageReactionAdd(r) = both(
        "MESSAGE_REACTION_ADD",
        r#"{"messageId":1001,"channelId":123,"userId":1,"emoji":"👍",
            "user":{"id":1,"name":"username","avatar":"avatar/xxx.jpg"}}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (r.message_id, r.channel_id, r.user_id()),
        (Some(1001), Some(123), Some(1))
    );
    assert_eq!(r.emoji, "👍");
    assert_eq!(r.user.unwrap().avatar.as_deref(), Some("avatar/xxx.jpg"));
    let Event::MessageReactionRemove(r) = both(
        "MESSAGE_REACTION_REMOVE",
        r#"{"messageId":1001,"channelId":123,"userId":1,"emoji":"👍"}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (r.message_id, r.user_id(), r.user),
        (Some(1001), Some(1), None)
    );
}

#[test]
fn current_dm_member_and_notification_events_read_every_documented_field() {
    let Event::DmMessageCreate(m) = both(
        "DM_MESSAGE_CREATE",
        r#"{"id":2001,"threadId":456,"authorId":1,"content":"Private message","type":"text",
            "createdAt":"2025-12-31T12:00:00Z"}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (m.id, m.thread_id, m.channel(), m.author_id()),
        (Some(2001), Some(456), Some(456), Some(1))
    );
    let Event::DmMessageDelete(d) = both(
        "DM_MESSAGE_DELETE",
        r#"{"id":2001,"threadId":456,"deleted":true}"#,
    ) else {
        panic!()
    };
    assert_eq!((d.channel(), d.deleted), (Some(456), Some(true)));
    let Event::DmMessagePin(p) = both("DM_MESSAGE_PIN", r#"{"id":2001,"threadId":456}"#) else {
        panic!()
    };
    assert_eq!((p.id, p.thread_id), (Some(2001), Some(456)));

    let Event::GuildMemberAdd(g) = both(
        "GUILD_MEMBER_ADD",
        r#"{"guildId":10,"userId":999,"user":{"id":999,"name":"newuser","avatar":"avatar/xxx.jpg"},
            "joinedAt":"2025-12-31T12:00:00Z"}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (g.guild_id, g.user_id(), g.joined_at.as_deref()),
        (Some(10), Some(999), Some("2025-12-31T12:00:00Z"))
    );
    let Event::GuildMemberUpdate(g) = both(
        "GUILD_MEMBER_UPDATE",
        r#"{"guildId":10,"userId":1,"action":"nickname","nickname":"New Nickname","operatorId":456}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (g.action.clone(), g.nickname(), g.operator_id),
        (
            Some(MemberAction::Nickname),
            Some("New Nickname"),
            Some(456)
        )
    );
    let Event::GuildMemberUpdate(g) = both(
        "GUILD_MEMBER_UPDATE",
        r#"{"guildId":10,"userId":1,"action":"roles_removed","roleId":100,"operatorId":456}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (g.action, g.role_id),
        (Some(MemberAction::RolesRemoved), Some(100))
    );
    let Event::GuildMemberRemove(g) = both(
        "GUILD_MEMBER_REMOVE",
        r#"{"guildId":10,"userId":1,"operatorId":456}"#,
    ) else {
        panic!()
    };
    assert_eq!((g.user_id(), g.operator_id), (Some(1), Some(456)));

    let Event::ReadStateUpdate(r) = both(
        "READ_STATE_UPDATE",
        r#"{"type":"dm","id":123,"lastReadMessageId":1000,"unreadCount":5,"mentionCount":1}"#,
    ) else {
        panic!()
    };
    assert_eq!(r.kind, Some(ReadStateKind::Dm));
    assert_eq!(
        (
            r.id,
            r.last_read_message_id,
            r.unread_count,
            r.mention_count
        ),
        (Some(123), Some(1000), Some(5), Some(1))
    );
    let Event::MentionCreate(m) = both(
        "MENTION_CREATE",
        r#"{"channelId":123,"messageId":1001,"authorId":1}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (m.channel_id, m.message_id, m.author_id),
        (Some(123), Some(1001), Some(1))
    );
}

#[test]
fn gateway_page_and_webhook_examples_decode() {
    // gateway.md's MESSAGE_CREATE: an author object and no schema-specific fields
    let Event::MessageCreate(m) = both(
        "MESSAGE_CREATE",
        r#"{"id":1001,"channelId":5,"content":"Hello Bot!","author":{"id":1,"name":"user"}}"#,
    ) else {
        panic!()
    };
    assert_eq!((m.author_id(), m.author_name()), (Some(1), Some("user")));
    // webhook.md's body, exactly
    let hook = bubble::webhook_frame(
        br#"{"type":"MESSAGE_CREATE","data":{"id":1001,"channelId":5,"guildId":10,"content":"Hello!",
            "author":{"id":1,"name":"user"},"timestamp":"2025-12-31T12:00:00Z"}}"#,
    )
    .unwrap();
    let Event::MessageCreate(m) = decode_event("MESSAGE_CREATE", hook.data().unwrap()).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (m.guild_id, m.channel(), m.time()),
        (Some(10), Some(5), Some("2025-12-31T12:00:00Z"))
    );
}

#[test]
fn sloppy_ids_wide_ids_and_client_spellings_keep_their_values() {
    let Event::MessageCreate(m) = both(
        "MESSAGE_CREATE",
        r#"{"id":"9007199254740993","channel_id":"4294967297","guild_id":4294967298,
            "author":{"id":"4294967299","username":"u","is_bot":true},"content":"x",
            "mentions":["4294967300",{"type":"user","id":"4294967301"}],"mentionRoles":["100"],
            "replyToId":"4294967302","attachment":[{"url":"u","contentType":"image/png","size":"5"}]}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (m.id, m.channel(), m.guild_id),
        (
            Some(9_007_199_254_740_993),
            Some(4_294_967_297),
            Some(4_294_967_298)
        )
    );
    let Some(Author::User(u)) = &m.author else {
        panic!("{:?}", m.author)
    };
    assert_eq!(
        (u.id, u.name.as_deref(), u.is_bot),
        (Some(4_294_967_299), Some("u"), Some(true))
    );
    assert_eq!(m.mention_ids(), vec![4_294_967_300, 4_294_967_301]);
    assert!(matches!(m.mentions[0], MentionRef::Id(_)));
    assert_eq!(
        (m.mention_roles.clone(), m.reply_to_id),
        (vec![100], Some(4_294_967_302))
    );
    assert_eq!(m.attachments[0].size, Some(5));

    let Event::GuildMemberUpdate(g) = both(
        "GUILD_MEMBER_UPDATE",
        r#"{"guild_id":"10","user_id":"4294967297","nickname":"n","roles":["1",2]}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (g.guild_id, g.user_id(), g.roles.clone()),
        (Some(10), Some(4_294_967_297), vec![1, 2])
    );
    let Event::MessageDelete(d) = both(
        "MESSAGE_DELETE",
        r#"{"id":"1001","channel_id":"123","guild_id":"10"}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (d.id, d.channel(), d.guild_id),
        (Some(1001), Some(123), Some(10))
    );
}

#[test]
fn bot_ready_shapes_and_subscription_answers() {
    let Event::BotReady(r) = both(
        "BOT_READY",
        r#"{"bot":{"id":"1","name":"我的机器人","botUser":{"id":"4294967297","name":"bot_我的机器人"}},
            "subscribedGuilds":[{"id":"10","name":"Server 1"}],"subscribedDMs":[],
            "availableEvents":["MESSAGE_CREATE","MESSAGE_UPDATE"]}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (r.bot_id(), r.bot_user_id()),
        (Some(1), Some(4_294_967_297))
    );
    assert_eq!(r.guilds[0].id, Some(10));
    assert_eq!(r.available_events, ["MESSAGE_CREATE", "MESSAGE_UPDATE"]);
    assert!(!r.is_resumable());
    let Event::BotReady(r) = both(
        "BOT_READY",
        r#"{"session_id":"s-1","resume_gateway_url":"wss://x.invalid","guilds":[{"id":10}],
            "dm_threads":[{"id":"1","user_id":"2"}],"available_events":["MESSAGE_CREATE"]}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (r.session_id.as_deref(), r.is_resumable()),
        (Some("s-1"), true)
    );
    assert_eq!(
        (r.dm_threads[0].id, r.dm_threads[0].user_id),
        (Some(1), Some(2))
    );

    let Event::EventsSubscribed(s) = both(
        "EVENTS_SUBSCRIBED",
        r#"{"subscribedEvents":["MESSAGE_CREATE","DM_MESSAGE_CREATE"],"invalidEvents":["NOPE"]}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (s.subscribed_events.len(), s.invalid_events[0].as_str()),
        (2, "NOPE")
    );
    let Event::EventsUnsubscribed(u) = both(
        "EVENTS_UNSUBSCRIBED",
        r#"{"unsubscribedEvents":["MESSAGE_DELETE"]}"#,
    ) else {
        panic!()
    };
    assert_eq!(u.unsubscribed_events, ["MESSAGE_DELETE"]);
    let Event::SubscribeDenied(d) = both(
        "SUBSCRIBE_DENIED",
        r#"{"reason":"no","events":["GUILD_MEMBER_ADD"]}"#,
    ) else {
        panic!()
    };
    assert_eq!((d.reason.as_deref(), d.events.len()), (Some("no"), 1));
    let Event::Error(e) = both(
        "ERROR",
        r#"{"code":"RATE_LIMIT","message":"Too many messages"}"#,
    ) else {
        panic!()
    };
    assert!(e.is_rate_limit());
    // what op 30 / 31 send
    assert_eq!(
        bubble::subscribe(&["MESSAGE_CREATE"]),
        r#"{"op":30,"d":{"events":["MESSAGE_CREATE"]}}"#
    );
    assert_eq!(
        bubble::unsubscribe(&["MESSAGE_DELETE"]),
        r#"{"op":31,"d":{"events":["MESSAGE_DELETE"]}}"#
    );
}
