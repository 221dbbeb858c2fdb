//! `ctx.reply`: ONE echo handler, written once against the unified model, answers on QQ
//! (guild channel, guild DM, group, C2C), Bubble (channel, DM) and OneBot (group, private);
//! each answer is checked against the request the sim recorded (path, body, passive-reply
//! ids, `Authorization`). An element a platform cannot carry fails with the typed error and
//! sends nothing; a QQ token that expires mid-run costs no failed reply; the typed OneBot
//! helpers (`ctx.onebot()`) reach the implementation as segment arrays.
//!
//! Synchronisation is by handler results and sim logs; every wait is bounded
//! (`botgate_testkit::within`).

use botgate::dispatch::{Handlers, Unified, Unify};
use botgate::proto::onebot::Message;
use botgate::proto::qq::MessageAudit;
use botgate::proto::unified::{Element, Media};
use botgate::ReplyErrorKind;
use botgate::{Bot, Context, Filter, HandlerError, OneBotHandlers, OutMessage, ReplyError};
use botgate::{BubbleHandlers, QqHandlers, ReplyReceipt};
use botgate_sim::{BubbleConfig, BubbleSim, OneBotConfig, OneBotSim, QqConfig, QqSim, Record};
use botgate_testkit::within;
use serde_json::{json, Value};

/// The picture `/image` answers with.
const PICTURE: &str = "https://example.invalid/a.png";

/// The echo handler: written once, for every platform. `/face` answers with a face element
/// (which Bubble and QQ groups cannot carry), `/image` with a caption and a picture by URL;
/// anything else is echoed as text.
async fn echo(ctx: Context, event: Unified) -> Result<ReplyReceipt, ReplyError> {
    let text = event.plain_text();
    let text = text.trim();
    let message = if text == "/face" {
        OutMessage::new()
            .with(Element::Face { id: "14".into() })
            .text(" face")
    } else if text == "/image" {
        OutMessage::new().text("pic").with(Element::Image(Media {
            url: Some(PICTURE.into()),
            ..Media::default()
        }))
    } else {
        OutMessage::from(format!("echo: {text}"))
    };
    ctx.reply(message).await
}

/// What one echo did: the message answered and the receipt's id or the error kind.
type Outcome = (Option<String>, Result<Option<String>, ReplyErrorKind>);

/// Outcomes seen, in order.
type Seen = botgate_testkit::Seen<Outcome>;

/// Registers [`echo`] as the unified message handler of any platform.
fn register<P: Unify<Unified = Unified>>(handlers: &mut Handlers<P>, seen: &Seen) {
    let seen = seen.clone();
    handlers.on_message(Filter::new(), move |ctx, event| {
        let seen = seen.clone();
        async move {
            let answered = event.message_id.clone();
            let result = echo(ctx, event).await;
            let outcome = result
                .as_ref()
                .map(|r| r.message_id.clone())
                .map_err(|e| e.kind().clone());
            seen.push((answered.map(String::from), outcome));
            result.map(|_| ()).map_err(Into::into)
        }
    });
}

/// The outcome for the message `id`.
fn outcome<'a>(seen: &'a [Outcome], id: &str) -> &'a Result<Option<String>, ReplyErrorKind> {
    &seen
        .iter()
        .find(|(m, _)| m.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no reply to {id}: {seen:?}"))
        .1
}

/// `(status, body, Authorization)` of an HTTP record.
fn http(record: &Record) -> (u16, Value, String) {
    match record {
        Record::Http {
            status,
            body,
            headers,
            ..
        } => (
            *status,
            body.clone().unwrap_or(Value::Null),
            headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        ),
        other => panic!("not an HTTP record: {other:?}"),
    }
}

fn qq_bot(sim: &QqSim, handlers: QqHandlers) -> botgate::QqBot {
    Bot::qq(
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    )
    .api_base(sim.http_base())
    .auth_base(sim.http_base())
    .handlers(handlers)
}

fn qq_message(id: &str, extra: Value) -> Value {
    let mut d = json!({
        "id": id,
        "timestamp": "2026-11-25T20:00:00+08:00",
    });
    if let (Value::Object(d), Value::Object(extra)) = (&mut d, extra) {
        d.extend(extra);
    }
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_echo_answers_guild_dm_group_and_c2c() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let seen = Seen::new();
    let mut handlers = QqHandlers::new();
    register(&mut handlers, &seen);
    let bot = qq_bot(&sim, handlers).start().await.unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();

    sim.push_event(
        "AT_MESSAGE_CREATE",
        qq_message(
            "m-guild",
            json!({"channel_id": "c1", "guild_id": "g1", "content": "<@!6158788878435714165> hello guild",
                   "author": {"id": "1001", "username": "小明"},
                   "mentions": [{"id": "6158788878435714165", "username": "botgate-sim", "bot": true}]}),
        ),
    );
    sim.push_event(
        "DIRECT_MESSAGE_CREATE",
        qq_message(
            "m-dm",
            json!({"channel_id": "dmc1", "guild_id": "dmg1", "src_guild_id": "g1",
                   "content": "hello dm", "author": {"id": "1001"}}),
        ),
    );
    sim.push_event(
        "GROUP_AT_MESSAGE_CREATE",
        qq_message(
            "m-group",
            json!({"group_openid": "G1", "content": " hello group",
                   "author": {"member_openid": "M1"}}),
        ),
    );
    sim.push_event(
        "C2C_MESSAGE_CREATE",
        qq_message(
            "m-c2c",
            json!({"content": "hello c2c", "author": {"user_openid": "U1"}}),
        ),
    );
    sim.push_event(
        "GROUP_AT_MESSAGE_CREATE",
        qq_message(
            "m-face",
            json!({"group_openid": "G1", "content": " /face", "author": {"member_openid": "M1"}}),
        ),
    );
    sim.push_event(
        "GROUP_AT_MESSAGE_CREATE",
        qq_message(
            "m-image",
            json!({"group_openid": "G3", "content": " /image", "author": {"member_openid": "M1"}}),
        ),
    );
    let seen = seen.wait_len(6).await;

    let cases = [
        ("m-guild", "/channels/c1/messages", "echo: hello guild"),
        ("m-dm", "/dms/dmg1/messages", "echo: hello dm"),
        ("m-group", "/v2/groups/G1/messages", "echo: hello group"),
        ("m-c2c", "/v2/users/U1/messages", "echo: hello c2c"),
    ];
    let issued = sim.issued_tokens();
    for (msg_id, path, content) in cases {
        let records = sim.requests("POST", path);
        assert_eq!(records.len(), 1, "{path}: {records:?}");
        let (status, body, auth) = http(&records[0]);
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(
            body,
            json!({"content": content, "msg_type": 0, "msg_id": msg_id, "msg_seq": 1}),
            "{path}"
        );
        let token = auth.strip_prefix("QQBot ").expect("an access token");
        assert!(
            issued.iter().any(|t| t == token),
            "{auth} not issued: {issued:?}"
        );
        assert!(
            matches!(outcome(&seen, msg_id), Ok(Some(id)) if !id.is_empty()),
            "{msg_id}: {seen:?}"
        );
    }

    // A face in a QQ group: the typed error, and nothing more sent to the group.
    match outcome(&seen, "m-face") {
        Err(ReplyErrorKind::Unsupported {
            platform, element, ..
        }) => {
            assert_eq!(*platform, botgate::dispatch::PlatformKind::Qq);
            assert_eq!(element, "face");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert_eq!(sim.requests("POST", "/v2/groups/G1/messages").len(), 1);

    // A picture in a group: uploaded first, then sent as media (msg_type 7) with the caption.
    let uploads = sim.requests("POST", "/v2/groups/G3/files");
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    let (status, upload, _) = http(&uploads[0]);
    assert_eq!(status, 200, "{upload}");
    assert_eq!(
        upload,
        json!({"file_type": 1, "url": PICTURE, "srv_send_msg": false})
    );
    let sends = sim.requests("POST", "/v2/groups/G3/messages");
    assert_eq!(sends.len(), 1, "{sends:?}");
    let (status, body, _) = http(&sends[0]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            &body["content"],
            &body["msg_type"],
            &body["msg_id"],
            &body["msg_seq"]
        ),
        (&json!("pic"), &json!(7), &json!("m-image"), &json!(1))
    );
    assert!(
        body["media"]["file_info"]
            .as_str()
            .is_some_and(|f| !f.is_empty()),
        "{body}"
    );
    assert!(matches!(outcome(&seen, "m-image"), Ok(Some(_))), "{seen:?}");
    bot.shutdown().await.unwrap();
}

/// Every token the sim issued expires mid-run: the next reply meets a 401, fetches a fresh
/// token and goes out; the handler never sees a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_reply_survives_token_expiry_mid_run() {
    let sim = QqSim::start(QqConfig {
        token_expires_in: 30,
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let seen = Seen::new();
    let mut handlers = QqHandlers::new();
    register(&mut handlers, &seen);
    let bot = qq_bot(&sim, handlers).start().await.unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let group = |id: &str, text: &str| {
        qq_message(
            id,
            json!({"group_openid": "G2", "content": text, "author": {"member_openid": "M1"}}),
        )
    };

    sim.push_event("GROUP_AT_MESSAGE_CREATE", group("m-1", "one"));
    seen.wait_len(1).await;
    sim.expire_tokens();
    let expired = sim.issued_tokens();
    sim.push_event("GROUP_AT_MESSAGE_CREATE", group("m-2", "two"));
    let seen = seen.wait_len(2).await;

    assert!(matches!(outcome(&seen, "m-1"), Ok(Some(_))), "{seen:?}");
    assert!(matches!(outcome(&seen, "m-2"), Ok(Some(_))), "{seen:?}");
    let records: Vec<(u16, Value, String)> = sim
        .requests("POST", "/v2/groups/G2/messages")
        .iter()
        .map(http)
        .collect();
    let statuses: Vec<u16> = records.iter().map(|r| r.0).collect();
    assert_eq!(statuses, [200, 401, 200], "{records:?}");
    assert_eq!(records[0].1["msg_id"], "m-1");
    assert_eq!(records[2].1["msg_id"], "m-2");
    assert_eq!(records[2].1["content"], "echo: two");
    let (old, new) = (&records[1].2, &records[2].2);
    assert_eq!(&records[0].2, old, "the first two used the same token");
    assert_ne!(old, new, "the retry used a fresh token");
    let new = new.strip_prefix("QQBot ").unwrap();
    assert!(
        !expired.iter().any(|t| t == new),
        "{new} was issued before expiry"
    );
    assert!(sim.issued_tokens().iter().any(|t| t == new));
    bot.shutdown().await.unwrap();
}

/// `(kind, audit_id, message_id)` of the audit results seen.
/// `(kind, audit_id, message_id, guild_id, channel_id)` of each audit event.
type Audits = botgate_testkit::Seen<(&'static str, String, Option<String>, String, String)>;

/// A handler of `MESSAGE_AUDIT_PASS` / `_REJECT` (`kind`) recording into `audits`.
fn record_audit(
    kind: &'static str,
    audits: &Audits,
) -> impl Fn(Context, MessageAudit) -> std::future::Ready<Result<(), HandlerError>> + Send + Sync + 'static
{
    let audits = audits.clone();
    move |_ctx, audit| {
        audits.push((
            kind,
            audit.audit_id.to_string(),
            audit.message_id.map(|m| m.to_string()),
            audit.guild_id.to_string(),
            audit.channel_id.to_string(),
        ));
        std::future::ready(Ok(()))
    }
}

/// Decision 0059: a QQ reply the platform holds for audit (the sim answers 202 with code
/// 304023 and `data.message_audit.audit_id`) is a receipt that says so, with the audit id and
/// no message id; it is not an error and not sent again. The audit's end arrives as a gateway
/// event with the same `audit_id`: `MESSAGE_AUDIT_PASS` names the message id the sim gave the
/// message, `MESSAGE_AUDIT_REJECT` none; both name the guild and the channel, as QQ's do. A
/// group reply meanwhile is sent as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_reply_held_for_audit_is_a_receipt_the_audit_events_match() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    sim.hold_for_audit(2);
    type Receipt = (String, Result<ReplyReceipt, ReplyErrorKind>);
    let receipts = botgate_testkit::Seen::<Receipt>::new();
    let audits = Audits::new();
    let mut handlers = QqHandlers::new();
    let seen = receipts.clone();
    handlers.on_message(Filter::new(), move |ctx, event| {
        let seen = seen.clone();
        async move {
            let answered = event.message_id.clone().unwrap_or_default().to_string();
            let result = ctx
                .reply(format!("echo: {}", event.plain_text().trim()))
                .await;
            seen.push((answered, result.map_err(|e| e.kind().clone())));
            Ok(())
        }
    });
    handlers.on_message_audit_pass(record_audit("pass", &audits));
    handlers.on_message_audit_reject(record_audit("reject", &audits));
    let bot = qq_bot(&sim, handlers).start().await.unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();

    let guild = |id: &str, text: &str| {
        qq_message(
            id,
            json!({"channel_id": "c7", "guild_id": "g7", "content": text,
                   "author": {"id": "1001", "username": "小明"}}),
        )
    };
    sim.push_event("AT_MESSAGE_CREATE", guild("m-a", "first"));
    let first = receipts.wait_len(1).await;
    sim.push_event(
        "GROUP_AT_MESSAGE_CREATE",
        qq_message(
            "m-g",
            json!({"group_openid": "G7", "content": " group", "author": {"member_openid": "M1"}}),
        ),
    );
    receipts.wait_len(2).await;
    sim.push_event("AT_MESSAGE_CREATE", guild("m-b", "second"));
    let all = receipts.wait_len(3).await;
    assert_eq!(first[0].0, "m-a");

    let receipt = |id: &str| {
        all.iter()
            .find(|(m, _)| m == id)
            .unwrap_or_else(|| panic!("no reply to {id}: {all:?}"))
            .1
            .clone()
            .unwrap_or_else(|e| panic!("the reply to {id} failed: {e:?}"))
    };
    let (a, g, b) = (receipt("m-a"), receipt("m-g"), receipt("m-b"));
    assert!(a.held_for_audit() && b.held_for_audit(), "{all:?}");
    assert_eq!(
        (a.audit_id.as_deref(), a.message_id.as_deref()),
        (Some("sim-audit-1"), None)
    );
    assert_eq!(b.audit_id.as_deref(), Some("sim-audit-2"));
    assert!(!g.held_for_audit(), "groups are not held: {g:?}");
    assert!(g.message_id.is_some_and(|id| !id.is_empty()));
    // One request per reply: the 202 was not retried.
    let records: Vec<(u16, Value, String)> = sim
        .requests("POST", "/channels/c7/messages")
        .iter()
        .map(http)
        .collect();
    let statuses: Vec<u16> = records.iter().map(|r| r.0).collect();
    assert_eq!(statuses, [202, 202], "{records:?}");
    assert_eq!(records[0].1["msg_id"], "m-a");
    assert_eq!(records[1].1["msg_id"], "m-b");
    assert_eq!(sim.held_for_audit(), ["sim-audit-1", "sim-audit-2"]);

    // The audits end: the events carry the ids of the receipts, and the guild and the
    // channel of the messages.
    let message_id = sim.pass_audit("sim-audit-1").expect("held");
    assert!(sim.reject_audit("sim-audit-2"));
    let mut ended = audits.wait_len(2).await;
    ended.sort();
    assert_eq!(
        ended,
        [
            (
                "pass",
                "sim-audit-1".to_owned(),
                Some(message_id),
                "g7".to_owned(),
                "c7".to_owned()
            ),
            (
                "reject",
                "sim-audit-2".to_owned(),
                None,
                "g7".to_owned(),
                "c7".to_owned()
            ),
        ]
    );
    assert!(sim.held_for_audit().is_empty());
    bot.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_echo_answers_channel_and_dm() {
    let sim = BubbleSim::start(BubbleConfig::default()).await.unwrap();
    let seen = Seen::new();
    let mut handlers = BubbleHandlers::new();
    register(&mut handlers, &seen);
    let bot = Bot::bubble(sim.config().token.clone())
        .gateway_url(sim.url())
        .rest_base(sim.rest_base())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    within(
        "EVENTS_SUBSCRIBED",
        sim.log().wait_for(|r| {
            (r.sent().and_then(|f| f["t"].as_str()) == Some("EVENTS_SUBSCRIBED")).then_some(())
        }),
    )
    .await;

    sim.push_event(
        "MESSAGE_CREATE",
        json!({"id": 2001, "channelId": 123, "guildId": 10, "content": "hello channel",
               "authorId": 77, "author": {"id": 77, "name": "u"}}),
    );
    sim.push_event(
        "DM_MESSAGE_CREATE",
        json!({"id": 2002, "channelId": 9999, "content": "hello dm",
               "authorId": 78, "author": {"id": 78, "name": "v"}}),
    );
    sim.push_event(
        "MESSAGE_CREATE",
        json!({"id": 2003, "channelId": 123, "guildId": 10, "content": "/face",
               "authorId": 77, "author": {"id": 77, "name": "u"}}),
    );
    sim.push_event(
        "MESSAGE_CREATE",
        json!({"id": 2004, "channelId": 124, "guildId": 10, "content": "/image",
               "authorId": 77, "author": {"id": 77, "name": "u"}}),
    );
    let seen = seen.wait_len(4).await;

    let bearer = format!("Bearer {}", sim.config().token);
    let channel = sim.requests("POST", "/channels/123/messages");
    assert_eq!(channel.len(), 1, "{channel:?}");
    let (status, body, auth) = http(&channel[0]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"content": "echo: hello channel", "replyToId": 2001})
    );
    assert_eq!(auth, bearer);
    assert!(matches!(outcome(&seen, "2001"), Ok(Some(_))), "{seen:?}");

    let lookups = sim.requests("GET", "/users/78/dm");
    assert_eq!(lookups.len(), 1, "{lookups:?}");
    let dm = sim.requests("POST", "/dm/threads/");
    assert_eq!(dm.len(), 1, "{dm:?}");
    let (status, body, auth) = http(&dm[0]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"content": "echo: hello dm", "replyToId": 2002})
    );
    assert_eq!(auth, bearer);
    assert!(matches!(outcome(&seen, "2002"), Ok(Some(_))), "{seen:?}");

    match outcome(&seen, "2003") {
        Err(ReplyErrorKind::Unsupported {
            platform, element, ..
        }) => {
            assert_eq!(*platform, botgate::dispatch::PlatformKind::Bubble);
            assert_eq!(element, "face");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert_eq!(sim.requests("POST", "/channels/123/messages").len(), 1);

    // A picture: an attachment by URL next to the caption.
    let image = sim.requests("POST", "/channels/124/messages");
    assert_eq!(image.len(), 1, "{image:?}");
    let (status, body, _) = http(&image[0]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"content": "pic", "replyToId": 2004,
               "attachments": [{"url": PICTURE, "category": "image"}]})
    );
    bot.shutdown().await.unwrap();
}

fn onebot_message(kind: &str, id: i64, text: &str) -> Value {
    let mut event = json!({
        "time": 1712640000, "self_id": 123456789, "post_type": "message",
        "message_type": kind, "sub_type": if kind == "group" { "normal" } else { "friend" },
        "message_id": id, "user_id": 111222333,
        "message": [{"type": "text", "data": {"text": text}}], "raw_message": text, "font": 0,
        "sender": {"user_id": 111222333, "nickname": "张三"},
    });
    if kind == "group" {
        event["group_id"] = json!(987654321);
    }
    event
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onebot_echo_answers_group_and_private_with_segments() {
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let seen = Seen::new();
    let mut handlers = OneBotHandlers::new();
    register(&mut handlers, &seen);
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    within("connect", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();

    sim.push_event(onebot_message("group", 12345, "hello group"));
    sim.push_event(onebot_message("private", 12346, "hello private"));
    sim.push_event(onebot_message("group", 12347, "/face"));
    sim.push_event(onebot_message("private", 12348, "/image"));
    let seen = seen.wait_len(4).await;

    let sent = sim.sent_messages();
    let find = |action: &str, reply: &str| {
        sent.iter()
            .find(|m| m.action == action && m.params["message"][0]["data"]["id"] == reply)
            .unwrap_or_else(|| panic!("no {action} answering {reply}: {sent:?}"))
    };
    let group = find("send_group_msg", "12345");
    assert_eq!(
        group.params,
        json!({"group_id": 987654321, "message": [
            {"type": "reply", "data": {"id": "12345"}},
            {"type": "text", "data": {"text": "echo: hello group"}},
        ]})
    );
    assert_eq!(
        outcome(&seen, "12345"),
        &Ok(Some(group.message_id.to_string()))
    );
    let private = find("send_private_msg", "12346");
    assert_eq!(
        private.params,
        json!({"user_id": 111222333, "message": [
            {"type": "reply", "data": {"id": "12346"}},
            {"type": "text", "data": {"text": "echo: hello private"}},
        ]})
    );
    assert_eq!(
        outcome(&seen, "12346"),
        &Ok(Some(private.message_id.to_string()))
    );
    // OneBot carries faces.
    let face = find("send_group_msg", "12347");
    assert_eq!(
        face.params["message"],
        json!([
            {"type": "reply", "data": {"id": "12347"}},
            {"type": "face", "data": {"id": "14"}},
            {"type": "text", "data": {"text": " face"}},
        ])
    );
    let image = find("send_private_msg", "12348");
    assert_eq!(
        image.params["message"],
        json!([
            {"type": "reply", "data": {"id": "12348"}},
            {"type": "text", "data": {"text": "pic"}},
            {"type": "image", "data": {"file": PICTURE}},
        ])
    );
    assert_eq!(sent.len(), 4, "{sent:?}");
    bot.shutdown().await.unwrap();
}

/// The typed helpers: `get_login_info`, `send_group_msg` (segments), `delete_msg`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onebot_typed_helpers_from_a_handler() {
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    // The sim has no delete_msg of its own: answer it as implementations do (`data: null`).
    sim.set_action_response(
        "delete_msg",
        json!({"status": "ok", "retcode": 0, "data": null}),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut handlers = OneBotHandlers::new();
    handlers.on_group_message(move |ctx, msg| {
        let tx = tx.clone();
        async move {
            let api = ctx.onebot();
            let result = async {
                let me = api.get_login_info().await?;
                let sent = api
                    .send_group_msg(msg.group_id, Message::text(format!("I am {}", me.nickname)))
                    .await?;
                api.delete_msg(sent.message_id).await?;
                Ok::<_, botgate::dispatch::ActionCallError>((me.user_id, sent.message_id))
            }
            .await
            .map_err(|e| e.to_string());
            let _ = tx.send(result);
            Ok(())
        }
    });
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    within("connect", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    sim.push_event(onebot_message("group", 500, "hi"));
    let (user_id, message_id) = within("the handler", rx.recv())
        .await
        .expect("the handler answers")
        .expect("the actions succeed");
    assert_eq!(user_id, sim.config().self_id);

    let sent = sim.sent_messages();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].message_id, message_id);
    assert_eq!(
        sent[0].params,
        json!({"group_id": 987654321, "message": [
            {"type": "text", "data": {"text": format!("I am {}", sim.config().nickname)}},
        ]})
    );
    let names: Vec<String> = sim
        .actions()
        .iter()
        .filter_map(|a| a["action"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(names, ["get_login_info", "send_group_msg", "delete_msg"]);
    let delete = sim
        .actions()
        .into_iter()
        .find(|a| a["action"] == "delete_msg")
        .unwrap();
    assert_eq!(delete["params"], json!({"message_id": message_id}));
    bot.shutdown().await.unwrap();
}
