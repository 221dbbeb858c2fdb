//! The handler API as a bot author uses it, on real frames through the real dispatcher (a
//! review of stop 2026-12-07 found no defect here; these pin what it checked): command
//! filters on whole words behind a reply and mentions (full-width spaces included), a QQ
//! guild deletion delivered under both delete types reaching a notice handler once, typed
//! and unified handlers that wait each running once with errors and panics reported, and
//! masters configured as numbers changed on a running OneBot dispatcher.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::Arc;

use botgate_dispatch::onebot::OneBotHandlers;
use botgate_dispatch::qq::QqHandlers;
use botgate_dispatch::{
    BotError, BotErrorKind, BotInfo, DispatchConfig, Dispatcher, Disposition, Filter, Permissions,
    PlatformKind, Unified,
};

mod samples;
use samples::{feed, Log};

/// A OneBot group message from `user` whose `message` is the given JSON (array or CQ string).
fn onebot_group(message_id: i64, user: i64, message: &str) -> String {
    format!(
        r#"{{"time":1712640100,"self_id":123456789,"post_type":"message","message_type":"group","sub_type":"normal","message_id":{message_id},"group_id":987654321,"user_id":{user},"message":{message},"raw_message":"","font":0,"sender":{{"user_id":{user},"nickname":"n","role":"member"}}}}"#
    )
}

/// The QQ sample's `AT_MESSAGE_CREATE` (line 4 of `testdata/qq/frames.jsonl`) with `content`
/// and its own event / message ids.
fn qq_at_message(n: u32, content: &str) -> botgate_codec::Frame {
    let line = samples::lines("qq/frames.jsonl")[3].clone();
    assert!(line.contains(r#""t": "AT_MESSAGE_CREATE""#));
    let mut v: serde_json::Value = serde_json::from_str(&line).unwrap();
    v["id"] = format!("AT_MESSAGE_CREATE:pin-{n}").into();
    v["s"] = (100 + n).into();
    v["d"]["id"] = format!("pin-message-{n}").into();
    v["d"]["content"] = content.into();
    samples::frame(&v.to_string())
}

#[tokio::test]
async fn command_filters_match_whole_words_behind_a_reply_and_mentions() {
    let hits: Log<String> = Log::default();
    let mut onebot = OneBotHandlers::new();
    let log = Arc::clone(&hits);
    onebot.on_message(Filter::new().command("/ping"), move |_ctx, u: Unified| {
        log.lock()
            .unwrap()
            .push(u.message_id.as_deref().unwrap_or_default().to_owned());
        std::future::ready(Ok(()))
    });
    let d = Dispatcher::new(onebot, DispatchConfig::default());
    let cases = [
        // (message id, message, matches)
        (1, r#""[CQ:reply,id=5][CQ:at,qq=123456789] /ping""#, true),
        (2, r#""[CQ:at,qq=123456789]　/ping　3""#, true), // full-width spaces
        (3, r#""/pingx""#, false),
        (4, r#""say /ping""#, false),
        (5, r#""/ping\r\nmore""#, true),
        (
            6,
            r#"[{"type":"text","data":{"text":"/ping"}},{"type":"at","data":{"qq":"1"}}]"#,
            true,
        ),
        (
            7,
            r#"[{"type":"face","data":{"id":"1"}},{"type":"text","data":{"text":"/ping"}}]"#,
            false,
        ),
    ];
    let inputs = cases
        .iter()
        .map(|(id, m, _)| samples::onebot_event(&onebot_group(*id, 42, m)))
        .collect();
    assert_eq!(feed(&d, inputs).await, [Disposition::Accepted; 7]);
    let want: Vec<String> = cases
        .iter()
        .filter(|c| c.2)
        .map(|c| c.0.to_string())
        .collect();
    assert_eq!(*hits.lock().unwrap(), want);

    // QQ guild @-messages: the bot mention before the command, with or without a space.
    let hits: Log<String> = Log::default();
    let mut qq = QqHandlers::new();
    let log = Arc::clone(&hits);
    qq.on_message(Filter::new().command("/ping"), move |_ctx, u: Unified| {
        let args = Filter::command_args(&u.plain_text(), "/ping").map(str::to_owned);
        log.lock().unwrap().push(args.unwrap_or_default());
        std::future::ready(Ok(()))
    });
    let d = Dispatcher::new(qq, DispatchConfig::default());
    d.set_bot(BotInfo::new(PlatformKind::Qq).with_self_id("6158788878435714165"));
    let frames = vec![
        qq_at_message(1, "<@!6158788878435714165> /ping 3"),
        qq_at_message(2, "<@!6158788878435714165>/pingx"),
        qq_at_message(3, "<@!6158788878435714165>　/ping　深圳"),
        qq_at_message(4, "<@!6158788878435714165> <@!1234> /ping"),
    ];
    assert_eq!(feed(&d, frames).await, [Disposition::Accepted; 4]);
    assert_eq!(*hits.lock().unwrap(), ["3", "深圳", ""]);
}

#[tokio::test]
async fn a_guild_deletion_under_both_delete_types_reaches_a_notice_handler_once() {
    let recalls: Log<(String, Option<String>)> = Log::default();
    let mut handlers = QqHandlers::new();
    let log = Arc::clone(&recalls);
    handlers.on_notice(
        Filter::new().sub_event("group_recall"),
        move |ctx, u: Unified| {
            let id = u.content.as_ref().and_then(|c| c.message_id.clone());
            log.lock()
                .unwrap()
                .push((ctx.event_type().to_owned(), id.map(|t| t.to_string())));
            std::future::ready(Ok(()))
        },
    );
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    // `testdata/qq/schema_events.jsonl`: a private bot's MESSAGE_DELETE of message 08a1.
    let private = samples::lines("qq/schema_events.jsonl")
        .into_iter()
        .find(|l| l.contains(r#""t":"MESSAGE_DELETE""#))
        .unwrap();
    // The same deletion as the public type, and another message's deletion.
    let public = private
        .replace(r#""t":"MESSAGE_DELETE""#, r#""t":"PUBLIC_MESSAGE_DELETE""#)
        .replace("MESSAGE_DELETE:006c", "PUBLIC_MESSAGE_DELETE:006d")
        .replace(r#""s":108"#, r#""s":109"#);
    let other = private
        .replace(r#""id":"08a1""#, r#""id":"08a2""#)
        .replace("MESSAGE_DELETE:006c", "MESSAGE_DELETE:006e")
        .replace(r#""s":108"#, r#""s":110"#);
    let frames = [private, public, other]
        .iter()
        .map(|l| samples::frame(l))
        .collect();
    assert_eq!(feed(&d, frames).await, [Disposition::Accepted; 3]);
    let got = recalls.lock().unwrap().clone();
    let row = |t: &str, id: &str| (t.to_owned(), Some(id.to_owned()));
    assert_eq!(
        got,
        [row("MESSAGE_DELETE", "08a1"), row("MESSAGE_DELETE", "08a2")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_typed_and_unified_handlers_each_run_once_and_report_failures() {
    let ran: Log<String> = Log::default();
    let errors: Log<(BotErrorKind, String)> = Log::default();
    let mut handlers = QqHandlers::new();
    for tag in ["typed-a", "typed-b"] {
        let log = Arc::clone(&ran);
        handlers.on_at_message_create(move |ctx, _m| {
            let log = Arc::clone(&log);
            async move {
                tokio::task::yield_now().await; // waits: the job moves to its lane's task
                log.lock()
                    .unwrap()
                    .push(format!("{tag} {}", ctx.event_type()));
                Err(format!("{tag} failed").into())
            }
        });
    }
    for tag in ["unified-a", "unified-b"] {
        let log = Arc::clone(&ran);
        handlers.on_message(Filter::new(), move |ctx, u: Unified| {
            let log = Arc::clone(&log);
            async move {
                tokio::task::yield_now().await;
                log.lock()
                    .unwrap()
                    .push(format!("{tag} {}", ctx.event_type()));
                if tag == "unified-a" && u.is_group() {
                    panic!("{tag} panicked");
                }
                Ok(())
            }
        });
    }
    let log = Arc::clone(&errors);
    handlers.on_error(move |e: &BotError| {
        let message = e.to_string();
        log.lock().unwrap().push((e.kind().clone(), message));
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    feed(&d, samples::qq_frames()).await;

    let mut got = ran.lock().unwrap().clone();
    got.sort();
    let mut want: Vec<String> = ["typed-a", "typed-b"]
        .iter()
        .map(|t| format!("{t} AT_MESSAGE_CREATE"))
        .collect();
    for t in [
        "AT_MESSAGE_CREATE",
        "MESSAGE_CREATE",
        "DIRECT_MESSAGE_CREATE",
        "GROUP_AT_MESSAGE_CREATE",
        "C2C_MESSAGE_CREATE",
    ] {
        want.push(format!("unified-a {t}"));
        want.push(format!("unified-b {t}"));
    }
    want.sort();
    assert_eq!(got, want);

    let errors = errors.lock().unwrap().clone();
    let failed: Vec<&str> = errors
        .iter()
        .filter(|(k, _)| matches!(k, BotErrorKind::Handler { .. }))
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "handler for AT_MESSAGE_CREATE failed: typed-a failed",
            "handler for AT_MESSAGE_CREATE failed: typed-b failed"
        ]
    );
    let panics: Vec<&BotErrorKind> = errors
        .iter()
        .map(|(k, _)| k)
        .filter(|k| matches!(k, BotErrorKind::Panic { .. }))
        .collect();
    assert_eq!(
        panics,
        [&BotErrorKind::Panic {
            event_type: "GROUP_AT_MESSAGE_CREATE".into(),
            message: "unified-a panicked".into(),
        }]
    );
    let stats = d.stats();
    assert_eq!((stats.handler_errors, stats.panics), (2, 1));
}

#[tokio::test]
async fn numeric_masters_set_on_a_running_onebot_dispatcher_apply_to_later_events() {
    let seen: Log<(bool, bool)> = Log::default();
    let mut handlers = OneBotHandlers::new();
    let log = Arc::clone(&seen);
    handlers.on_message(Filter::new(), move |_ctx, u: Unified| {
        log.lock().unwrap().push((u.is_master, u.is_admin));
        std::future::ready(Ok(()))
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let text = r#""hi""#;
    feed(&d, vec![samples::onebot_event(&onebot_group(1, 42, text))]).await;
    // A configuration's numbers, as `botgate run` or a bot's own config file would read them.
    let permissions: Permissions =
        serde_json::from_str(r#"{"masters":[42],"admins":[7]}"#).unwrap();
    d.set_permissions(permissions);
    let later = vec![
        samples::onebot_event(&onebot_group(2, 42, text)),
        samples::onebot_event(&onebot_group(3, 7, text)),
        samples::onebot_event(&onebot_group(4, 8, text)),
    ];
    assert_eq!(feed(&d, later).await, [Disposition::Accepted; 3]);
    assert_eq!(
        *seen.lock().unwrap(),
        [(false, false), (true, true), (false, true), (false, false)]
    );
}
