//! Webhook mode end to end: the command handlers of `examples/unified.rs` (written once against
//! the unified model) answer `/ping` arriving by webhook on QQ and Bubble, posted by the sim's
//! webhook poster; the answers reach the sims' REST endpoints as passive replies. A replayed
//! QQ delivery is acknowledged and not handed on (the receiver remembers its signature for
//! the timestamp's window); a wrong signature, an unsigned or stale
//! delivery and an oversized body are refused with their status and never dispatched.
//!
//! Synchronisation is by the sims' logs (a later good delivery's reply proves the earlier ones
//! went through the in-order pump); every wait is bounded (`botgate_testkit::within`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use botgate::dispatch::{Handlers, Unified, Unify};
use botgate::transport::webhook::ServerConfig;
use botgate::{Bot, BubbleHandlers, Filter, QqHandlers};
use botgate_sim::webhook::{WebhookFault, WebhookPoster};
use botgate_sim::{BubbleConfig, BubbleSim, QqConfig, QqSim, Record};
use botgate_testkit::within;
use serde_json::{json, Value};

/// The unified example's `/ping` command, plus a count of the messages handled.
fn register<P: Unify<Unified = Unified>>(handlers: &mut Handlers<P>, seen: &Arc<AtomicU64>) {
    let seen = Arc::clone(seen);
    handlers.on_message(Filter::new(), move |_ctx, _event| {
        seen.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    handlers.on_message(Filter::new().command("/ping"), |ctx, _event| async move {
        ctx.reply("pong").await?;
        Ok(())
    });
}

/// Small bodies, so an oversized one fits the loopback buffers whole.
fn small_bodies() -> ServerConfig {
    ServerConfig {
        max_body: 16 * 1024,
        ..ServerConfig::default()
    }
}

fn body(record: &Record) -> Value {
    match record {
        Record::Http { body, .. } => body.clone().unwrap_or(Value::Null),
        other => panic!("not an HTTP record: {other:?}"),
    }
}

/// Waits until `n` requests `POST path…` are recorded; returns them.
async fn replies(log: &botgate_sim::Log, path: &str, n: usize) -> Vec<Record> {
    let what = format!("{n} replies to {path}");
    within(
        &what,
        log.wait_until(|records| {
            let hits: Vec<Record> = records
                .iter()
                .filter(|r| {
                    r.http()
                        .is_some_and(|(m, p)| m == "POST" && p.ends_with(path))
                })
                .cloned()
                .collect();
            (hits.len() >= n).then_some(hits)
        }),
    )
    .await
}

fn group_ping(id: &str) -> Value {
    json!({"id": id, "content": " /ping", "group_openid": "G1",
           "author": {"member_openid": "M1"}, "timestamp": "2026-11-25T20:00:00+08:00"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_webhook_answers_ping_refuses_forgeries_and_handles_a_replay_once() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let (app_id, secret) = (
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    );
    let seen = Arc::new(AtomicU64::new(0));
    let mut handlers = QqHandlers::new();
    register(&mut handlers, &seen);
    let bot = Bot::qq_webhook(app_id.clone(), secret.clone())
        .server_config(small_bodies())
        .bind("127.0.0.1:0")
        .path("/qq")
        .api_base(sim.http_base())
        .auth_base(sim.http_base())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    let poster =
        WebhookPoster::qq(format!("http://{}/qq", bot.local_addr()), &app_id, &secret).unwrap();

    let validation = poster.validate().await.unwrap();
    assert!(validation.valid, "{validation:?}");

    let first = poster
        .post("GROUP_AT_MESSAGE_CREATE", group_ping("m-1"))
        .await;
    assert_eq!(
        (first.status, first.body.as_str()),
        (Some(200), r#"{"op":12}"#)
    );
    let sent = replies(sim.log(), "/v2/groups/G1/messages", 1).await;
    assert_eq!(
        body(&sent[0]),
        json!({"content": "pong", "msg_type": 0, "msg_id": "m-1", "msg_seq": 1})
    );

    // The same delivery again (QQ redelivers on a lost answer): acknowledged, handled once.
    assert_eq!(poster.replay().await.unwrap().status, Some(200));

    for (fault, status) in [
        (WebhookFault::WrongSignature, 401),
        (WebhookFault::Unsigned, 401),
        (WebhookFault::StaleTimestamp(Duration::from_secs(3600)), 401),
        (WebhookFault::OversizedBody(32 * 1024), 413),
    ] {
        let posted = poster
            .post_with(
                "GROUP_AT_MESSAGE_CREATE",
                group_ping("m-forged"),
                fault.clone(),
            )
            .await;
        assert_eq!(posted.status, Some(status), "{fault:?}: {posted:?}");
    }

    poster
        .post("GROUP_AT_MESSAGE_CREATE", group_ping("m-2"))
        .await;
    let sent = replies(sim.log(), "/v2/groups/G1/messages", 2).await;
    assert_eq!(body(&sent[1])["msg_id"], "m-2");

    let stats = bot.dispatcher().stats();
    assert_eq!(
        stats.frames, 2,
        "m-1 and m-2: neither the replay nor anything refused got through"
    );
    assert_eq!(stats.duplicates, 0, "{stats:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    let web = bot.stats();
    assert_eq!(
        (web.validated, web.delivered, web.ignored),
        (1, 2, 1),
        "{web:?}"
    );
    assert_eq!(
        (web.bad_signature, web.stale_timestamp, web.too_large),
        (2, 1, 1)
    );
    bot.shutdown().await;
    assert_eq!(sim.requests("POST", "/v2/groups/G1/messages").len(), 2);
}

fn channel_ping(id: u64) -> Value {
    json!({"id": id, "channelId": 123, "guildId": 10, "content": "/ping",
           "authorId": 77, "author": {"id": 77, "name": "u"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_webhook_answers_ping_refuses_forgeries_and_absorbs_retries() {
    let sim = BubbleSim::start(BubbleConfig::default()).await.unwrap();
    let seen = Arc::new(AtomicU64::new(0));
    let mut handlers = BubbleHandlers::new();
    register(&mut handlers, &seen);
    let bot = Bot::bubble_webhook(sim.config().token.clone())
        .webhook_secret("whsec-test")
        .server_config(small_bodies())
        .bind("127.0.0.1:0")
        .rest_base(sim.rest_base())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    let poster =
        WebhookPoster::bubble(format!("http://{}/", bot.local_addr()), Some("whsec-test")).unwrap();

    let first = poster.post("MESSAGE_CREATE", channel_ping(2001)).await;
    assert_eq!(first.status, Some(200), "{first:?}");
    let sent = replies(sim.log(), "/channels/123/messages", 1).await;
    assert_eq!(
        body(&sent[0]),
        json!({"content": "pong", "replyToId": 2001})
    );

    // Bubble's retries (after a lost answer) resend the same body: handled once.
    assert_eq!(poster.replay().await.unwrap().status, Some(200));
    assert_eq!(poster.replay().await.unwrap().status, Some(200));

    for (fault, status) in [
        (WebhookFault::WrongSignature, 401),
        (WebhookFault::Unsigned, 401),
        (WebhookFault::OversizedBody(32 * 1024), 413),
    ] {
        let posted = poster
            .post_with("MESSAGE_CREATE", channel_ping(2666), fault.clone())
            .await;
        assert_eq!(posted.status, Some(status), "{fault:?}: {posted:?}");
    }

    poster.post("MESSAGE_CREATE", channel_ping(2002)).await;
    let sent = replies(sim.log(), "/channels/123/messages", 2).await;
    assert_eq!(body(&sent[1])["replyToId"], 2002);

    let stats = bot.dispatcher().stats();
    assert_eq!(
        stats.frames, 4,
        "2001 three times, 2002: nothing refused got through"
    );
    assert_eq!(stats.duplicates, 2, "{stats:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    assert_eq!(bot.stats().rejected(), 3);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_webhook_without_a_secret_accepts_unsigned_deliveries() {
    let sim = BubbleSim::start(BubbleConfig::default()).await.unwrap();
    let seen = Arc::new(AtomicU64::new(0));
    let mut handlers = BubbleHandlers::new();
    register(&mut handlers, &seen);
    let bot = Bot::bubble_webhook(sim.config().token.clone())
        .bind("127.0.0.1:0")
        .rest_base(sim.rest_base())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    let poster = WebhookPoster::bubble(format!("http://{}/", bot.local_addr()), None).unwrap();
    assert_eq!(
        poster
            .post("MESSAGE_CREATE", channel_ping(3001))
            .await
            .status,
        Some(200)
    );
    replies(sim.log(), "/channels/123/messages", 1).await;
    bot.shutdown().await;
}
