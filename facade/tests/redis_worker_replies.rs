//! Replies from workers (issue 17, decision 0023). A gateway holds the socket (the sim) and
//! publishes each event to a Redis Stream; a worker handles it and answers with `ctx.reply`:
//! QQ and Bubble answers go out over REST from the worker (the sim records the request, with
//! the passive-reply id); OneBot answers and `ctx.onebot()` actions travel back through Redis
//! to the gateway, go out over its socket, and their answers (message ids, the
//! implementation's refusal) come back to the worker's handler.
//!
//! Needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use botgate::dispatch::{ActionCallErrorKind, Handlers, Unified, Unify};
use botgate::proto::onebot::Message;
use botgate::split::{publish_frames, publish_onebot, serve_actions, Worker, WorkerStats};
use botgate::{Bot, BubbleHandlers, Filter, Intents, OneBotHandlers, QqHandlers, ReplyError};
use botgate_redis::{ActionQueue, ActionRelay, Consumer, EventStream};
use botgate_sim::{BubbleConfig, BubbleSim, OneBotConfig, OneBotSim, QqConfig, QqSim, Record};
use botgate_testkit::redis::{redis_url, unique_prefix};
use botgate_testkit::within;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

fn group_message(id: i64, text: &str) -> Value {
    json!({
        "time": 1712640000, "self_id": 123456789, "post_type": "message",
        "message_type": "group", "sub_type": "normal", "message_id": id, "user_id": 111222333,
        "group_id": 987654321, "message": [{"type": "text", "data": {"text": text}}],
        "raw_message": text, "font": 0, "sender": {"user_id": 111222333, "nickname": "张三"},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_replies_go_out_through_the_gateway_socket() {
    let Some(redis) = redis_url() else { return };
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    sim.set_action_response(
        "set_group_ban",
        json!({"status": "failed", "retcode": 102, "wording": "not an admin", "data": null}),
    );
    let prefix = unique_prefix("onebot-replies");
    let stream_key = format!("{prefix}:events");

    // The gateway: the socket, a publisher, and the action loop.
    let stream = EventStream::connect(&redis, stream_key.clone())
        .await
        .unwrap()
        .gateway("gw-a");
    let mut handlers = OneBotHandlers::new();
    handlers.on_raw(publish_onebot(stream.clone()));
    let gateway = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    within("connect", gateway.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let queue = ActionQueue::connect(&redis, &prefix, "gw-a").await.unwrap();
    let (stop_actions, stopped) = oneshot::channel::<()>();
    let actions = tokio::spawn(async move {
        serve_actions(queue, gateway.driver(), async {
            let _ = stopped.await;
        })
        .await;
        gateway
    });

    // The worker: replies with ctx.reply, then a typed action the implementation refuses.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let relay = ActionRelay::connect(&redis, &prefix, "w1").await.unwrap();
    let worker = Worker::new(consumer(&stream).await).onebot(relay, move || {
        let tx = tx.clone();
        let mut handlers = OneBotHandlers::new();
        handlers.on_group_message(move |ctx, msg| {
            let tx = tx.clone();
            async move {
                let receipt = ctx.reply(format!("echo: {}", msg.raw_message)).await;
                let refused = ctx
                    .onebot()
                    .set_group_ban(msg.group_id, msg.user_id, 60)
                    .await;
                let sent = ctx
                    .onebot()
                    .send_group_msg(msg.group_id, Message::text("typed"))
                    .await;
                let _ = tx.send((
                    ctx.self_id().map(str::to_owned),
                    receipt.map(|r| r.message_id),
                    refused.map_err(|e| e.kind().clone()),
                    sent.map(|s| s.message_id),
                ));
                Ok(())
            }
        });
        handlers
    });
    let (stop_worker, worker) = spawn_worker(worker);

    sim.push_event(group_message(700, "hello"));
    let (self_id, receipt, refused, typed) =
        within("the worker's handler", rx.recv()).await.unwrap();
    assert_eq!(self_id.as_deref(), Some("123456789"));
    let sent = sim.sent_messages();
    let reply = sent
        .iter()
        .find(|m| m.action == "send_group_msg" && m.params["message"][0]["type"] == "reply")
        .unwrap_or_else(|| panic!("no reply reached the sim: {sent:?}"));
    assert_eq!(
        reply.params,
        json!({"group_id": 987654321, "message": [
            {"type": "reply", "data": {"id": "700"}},
            {"type": "text", "data": {"text": "echo: hello"}},
        ]})
    );
    assert_eq!(receipt.unwrap(), Some(reply.message_id.to_string()));
    assert_eq!(
        refused.unwrap_err(),
        ActionCallErrorKind::Rejected {
            code: 102,
            message: "not an admin".into()
        }
    );
    let typed_msg = sent
        .iter()
        .find(|m| m.params["message"] == json!([{"type": "text", "data": {"text": "typed"}}]))
        .unwrap_or_else(|| panic!("the typed send did not reach the sim: {sent:?}"));
    assert_eq!(typed.unwrap(), typed_msg.message_id);
    let names: Vec<String> = sim
        .actions()
        .iter()
        .map(|a| a["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        names,
        ["send_group_msg", "set_group_ban", "send_group_msg"],
        "each action reached the implementation once, in the handler's order"
    );

    stop_worker.send(()).unwrap();
    let stats = within("the worker stops", worker).await.unwrap().unwrap();
    assert_eq!((stats.read, stats.skipped, stats.dropped), (1, 0, 0));
    stop_actions.send(()).unwrap();
    let gateway = within("the gateway's action loop stops", actions)
        .await
        .unwrap();
    gateway.shutdown().await.unwrap();
}

/// `stream`'s consumer `w1` in group `workers`, polling every 100 ms.
async fn consumer(stream: &EventStream) -> Consumer {
    stream
        .consumer("workers", "w1")
        .await
        .unwrap()
        .block(Duration::from_millis(100))
}

/// The worker's task, running until the returned sender fires (or is dropped).
type WorkerTask = JoinHandle<Result<WorkerStats, botgate_redis::Error>>;

/// Runs `worker` until the returned sender fires (or is dropped).
fn spawn_worker(worker: Worker) -> (oneshot::Sender<()>, WorkerTask) {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    (stop, task)
}

/// What an echo handler's `ctx.reply` answered: the new message's id, or why not.
type Receipt = Result<Option<String>, ReplyError>;

/// Handlers that answer each message with `ctx.reply("echo: <its text>")` and send what the
/// reply answered to `tx`.
fn echo_replies<P: Unify<Unified = Unified>>(tx: mpsc::UnboundedSender<Receipt>) -> Handlers<P> {
    let mut handlers = Handlers::new();
    handlers.on_message(Filter::new(), move |ctx, event: Unified| {
        let tx = tx.clone();
        async move {
            let receipt = ctx
                .reply(format!("echo: {}", event.plain_text().trim()))
                .await;
            let _ = tx.send(receipt.map(|r| r.message_id));
            Ok(())
        }
    });
    handlers
}

fn body(record: &Record) -> Value {
    match record {
        Record::Http { body, .. } => body.clone().unwrap_or(Value::Null),
        other => panic!("not an HTTP record: {other:?}"),
    }
}

/// A QQ gateway publishes, a worker answers with `ctx.reply` over the OpenAPI (app id +
/// secret: its own access token), with the passive-reply `msg_id`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_worker_replies_over_the_openapi() {
    let Some(redis) = redis_url() else { return };
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let (app_id, secret) = (
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    );
    let stream = EventStream::connect(&redis, unique_prefix("qq-replies"))
        .await
        .unwrap();
    let mut publish = QqHandlers::new();
    publish.on_raw(publish_frames(stream.clone(), "qq", 0));
    let gateway = Bot::qq(app_id.clone(), secret.clone())
        .api_base(sim.http_base())
        .auth_base(sim.http_base())
        .intents(Intents::PUBLIC_GUILD_MESSAGES)
        .handlers(publish)
        .start()
        .await
        .unwrap();
    within("ready", gateway.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();

    let (tx, mut rx) = mpsc::unbounded_channel();
    let handlers = echo_replies(tx);
    let worker = Worker::new(consumer(&stream).await)
        .qq_replying(handlers, app_id, secret, sim.http_base(), sim.http_base())
        .unwrap();
    let (stop, worker) = spawn_worker(worker);

    sim.push_event(
        "AT_MESSAGE_CREATE",
        json!({"id": "m-guild", "channel_id": "c1", "guild_id": "g1", "content": "hello",
               "timestamp": "2026-11-25T20:00:00+08:00", "author": {"id": "7", "username": "u"}}),
    );
    let receipt = within("the worker's reply", rx.recv()).await.unwrap();
    assert!(
        matches!(&receipt, Ok(Some(id)) if !id.is_empty()),
        "{receipt:?}"
    );
    let sent = sim.requests("POST", "/channels/c1/messages");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        body(&sent[0]),
        json!({"content": "echo: hello", "msg_type": 0, "msg_id": "m-guild", "msg_seq": 1})
    );
    stop.send(()).unwrap();
    within("the worker stops", worker).await.unwrap().unwrap();
    gateway.shutdown().await.unwrap();
}

/// A Bubble gateway publishes, a worker answers with `ctx.reply` over Bubble's REST API
/// (`replyToId`), with the bot token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_worker_replies_over_rest() {
    let Some(redis) = redis_url() else { return };
    let sim = BubbleSim::start(BubbleConfig::default()).await.unwrap();
    let token = sim.config().token.clone();
    let stream = EventStream::connect(&redis, unique_prefix("bubble-replies"))
        .await
        .unwrap();
    let mut publish = BubbleHandlers::new();
    publish.on_raw(publish_frames(stream.clone(), "bubble", 0));
    let gateway = Bot::bubble(token.clone())
        .gateway_url(sim.url())
        .events(vec!["MESSAGE_CREATE".into()])
        .handlers(publish)
        .start()
        .await
        .unwrap();
    within(
        "the subscription",
        sim.log().wait_for(|r| {
            (r.sent().and_then(|f| f["t"].as_str()) == Some("EVENTS_SUBSCRIBED")).then_some(())
        }),
    )
    .await;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let handlers = echo_replies(tx);
    let worker = Worker::new(consumer(&stream).await)
        .bubble(handlers, token.clone(), sim.rest_base())
        .unwrap();
    let (stop, worker) = spawn_worker(worker);

    sim.push_event(
        "MESSAGE_CREATE",
        json!({"id": 2001, "channelId": 123, "guildId": 10, "content": "hello channel",
               "authorId": 77, "author": {"id": 77, "name": "u"}}),
    );
    let receipt = within("the worker's reply", rx.recv()).await.unwrap();
    assert!(matches!(&receipt, Ok(Some(_))), "{receipt:?}");
    let sent = sim.requests("POST", "/channels/123/messages");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        body(&sent[0]),
        json!({"content": "echo: hello channel", "replyToId": 2001})
    );
    stop.send(()).unwrap();
    within("the worker stops", worker).await.unwrap().unwrap();
    gateway.shutdown().await.unwrap();
}
