//! The REST bodies botgate sends to Bubble, against the shapes the spec shows (`bubble.md`
//! §1.4: `POST /channels/:channelId/messages` and `POST /dm/threads/:threadId/messages` take
//! `{content, type?, replyToId?, attachments?…}`: `content` is the one field without a `?`;
//! Bubble's api.md marks it required, and its own client always sends it, `""` beside an
//! uploaded image), and the answers botgate reads (`GET /me`, `GET /users/:userId/dm`, a sent
//! message, the error bodies).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use botgate_proto::bubble::api::{ApiErrorBody, DmThreadInfo, SendMessage};
use botgate_proto::bubble::{Attachment, BotInfo, Message};
use serde_json::{json, Value};

fn wire(m: &SendMessage) -> Value {
    serde_json::to_value(m).unwrap()
}

#[test]
fn an_attachment_only_message_still_sends_its_required_content() {
    let m = SendMessage {
        attachments: vec![Attachment {
            path: Some("guild-chat-files/xxx.png".into()),
            url: Some("guild-chat-files/xxx.png".into()),
            content_type: Some("image/png".into()),
            size: Some(102_400),
            filename: Some("image.png".into()),
            category: None,
        }],
        ..SendMessage::default()
    };
    assert_eq!(
        wire(&m),
        json!({
            "content": "",
            "attachments": [{
                "path": "guild-chat-files/xxx.png", "url": "guild-chat-files/xxx.png",
                "contentType": "image/png", "size": 102400, "filename": "image.png"
            }]
        })
    );
}

#[test]
fn the_documented_request_body_round_trips_with_camel_case_names() {
    let m = SendMessage {
        kind: Some("text".into()),
        ..SendMessage::text("Hello <@42> 你好！").reply_to(1000)
    };
    assert_eq!(
        wire(&m),
        json!({"content": "Hello <@42> 你好！", "type": "text", "replyToId": 1000})
    );
    // and read back (the sim reads what a client posts), ids as numbers or strings
    let back: SendMessage =
        serde_json::from_str(r#"{"content":"hi","type":"text","replyToId":"1000"}"#).unwrap();
    assert_eq!(back.reply_to_id, Some(1000));
    assert_eq!(back.kind.as_deref(), Some("text"));
}

#[test]
fn the_answers_botgate_reads_decode_in_every_documented_shape() {
    // GET /me: the first version (`/bot/me`) and the current page
    let seed: BotInfo = serde_json::from_str(
        r#"{"id":123,"name":"MyBot","avatar":"https://x.invalid/a","description":"d"}"#,
    )
    .unwrap();
    assert_eq!((seed.id, seed.name.as_deref()), (Some(123), Some("MyBot")));
    let now: BotInfo = serde_json::from_str(
        r#"{"id":123,"botUser":{"id":456,"name":"bot_MyBot","avatar":"avatar/x.jpg"},
            "robotId":123,"ownerId":1,"verified":true}"#,
    )
    .unwrap();
    assert_eq!(now.id, Some(123));
    let user = now.bot_user.unwrap();
    assert_eq!(
        (user.id, user.name.as_deref()),
        (Some(456), Some("bot_MyBot"))
    );

    // GET /users/:userId/dm: api.md's shape and the client's, ids wide or as strings
    let dm: DmThreadInfo =
        serde_json::from_str(r#"{"channelId":4294967297,"recipientId":1}"#).unwrap();
    assert_eq!(
        (dm.thread_id(), dm.recipient_id),
        (Some(4_294_967_297), Some(1))
    );
    let dm: DmThreadInfo = serde_json::from_str(r#"{"id":"4294967298","type":"dm"}"#).unwrap();
    assert_eq!(dm.thread_id(), Some(4_294_967_298));

    // the answer to a send: the seed's and the current one
    let sent: Message = serde_json::from_str(
        r#"{"id":1001,"channelId":123,"content":"Hello!","author":{"id":456,"name":"MyBot"},
            "timestamp":"2025-12-31T12:00:00Z"}"#,
    )
    .unwrap();
    assert_eq!((sent.id, sent.author_id()), (Some(1001), Some(456)));
    let sent: Message = serde_json::from_str(
        r#"{"id":1001,"channelId":123,"content":"Hello @张三 你好！","author":"bot_MyBot",
            "authorId":456,"type":"text","mentions":[{"type":"user","id":42,"name":"张三",
            "avatar":"avatar/xxx.jpg"}],"createdAt":"2025-12-31T12:00:00Z"}"#,
    )
    .unwrap();
    assert_eq!((sent.id, sent.author_id()), (Some(1001), Some(456)));
    assert_eq!(sent.author_name(), Some("bot_MyBot"));
    assert_eq!(sent.mention_ids(), vec![42]);

    // the two error bodies
    let e: ApiErrorBody = serde_json::from_str(r#"{"error":"Unauthorized"}"#).unwrap();
    assert_eq!(e.error.message.as_deref(), Some("Unauthorized"));
    let e: ApiErrorBody = serde_json::from_str(
        r#"{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many","retryAfter":1.5}}"#,
    )
    .unwrap();
    assert_eq!(e.error.code.as_deref(), Some("RATE_LIMIT_EXCEEDED"));
    assert_eq!(e.error.retry_after, Some(1.5));
}
