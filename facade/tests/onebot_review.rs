//! The review of OneBot v11 support (decision 0055), over loopback against the OneBot sim:
//! a message id the implementation gives again after a restart is a new message, not a
//! resend; an empty access token means none, forward and reverse; a URL's access token shows
//! in no `Debug` and no error.
//!
//! Every wait is bounded (`botgate_testkit::within`); synchronisation is by sim logs, the
//! bot's lifecycle and what handlers saw.

use botgate::{Bot, OneBotHandlers};
use std::time::Duration;

use botgate_sim::{Fault, OneBotConfig, OneBotSim, Record};
use botgate_testkit::{within, within_for, Seen};
use serde_json::{json, Value};

/// A group message as Waylay sends it, with its `message_id`, `time` and text.
fn group_message(id: i64, time: i64, text: &str) -> Value {
    json!({"time": time, "post_type": "message", "message_type": "group",
        "sub_type": "normal", "message_id": id, "group_id": 1_000, "user_id": 2_000,
        "anonymous": null, "message": [{"type": "text", "data": {"text": text}}],
        "raw_message": text, "font": 0,
        "sender": {"user_id": 2_000, "nickname": "n", "card": "", "role": "member"}})
}

/// Handlers that record each group message's plain text.
fn recording_group_messages() -> (Seen<String>, OneBotHandlers) {
    let seen = Seen::new();
    let mut handlers = OneBotHandlers::new();
    let record = seen.clone();
    handlers.on_group_message(move |_, msg| {
        let seen = record.clone();
        async move {
            seen.push(msg.message.plain_text());
            Ok(())
        }
    });
    (seen, handlers)
}

/// Waylay's `message_id` is a short in-memory id that starts again at 1 when it restarts,
/// and the dispatcher's dedupe window outlives the reconnect. The restarted implementation's
/// message 1 (later `time`) is handled; the resend of the same frame before the restart is
/// still dropped. Before the fix the key was `(self_id, message_id)`: "after" was dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_id_given_again_after_the_implementation_restarts_is_handled() {
    const T: i64 = 1_712_640_000;
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let (seen, handlers) = recording_group_messages();
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    let mut lifecycle = bot.lifecycle();
    within("connect", lifecycle.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    sim.push_event(group_message(1, T, "before"));
    assert_eq!(seen.wait_len(1).await, ["before"]);
    // A true resend: the same frame again (dropped), then the implementation restarts.
    sim.inject(Fault::DuplicateLast);
    within(
        "the resend written",
        sim.log().wait_count(
            2,
            |r| matches!(r, Record::Sent { frame, .. } if frame["post_type"] == "message"),
        ),
    )
    .await;
    sim.inject(Fault::Close {
        code: 1001,
        reason: "restart".into(),
    });
    within("the reconnect", lifecycle.wait_for(|l| l.readies >= 2))
        .await
        .unwrap();
    sim.push_event(group_message(1, T + 30, "after"));
    assert_eq!(seen.wait_len(2).await, ["before", "after"]);
    within("idle", bot.dispatcher().idle()).await;
    let stats = bot.dispatcher().stats();
    assert_eq!(stats.duplicates, 1, "{stats:?}");
    assert_eq!(seen.now(), ["before", "after"]);
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// `access_token("")` means no token, in both modes. The reverse listener required the
/// empty token, so every connection (with no token, or with an empty one) got 401; the
/// forward client already sent none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_access_token_means_none_forward_and_reverse() {
    let sim = OneBotSim::start(OneBotConfig {
        reverse_reconnect: Duration::from_millis(50),
        ..OneBotConfig::default()
    })
    .await
    .unwrap();

    let reverse = Bot::onebot_reverse("127.0.0.1:0")
        .access_token("")
        .start()
        .await
        .unwrap();
    sim.connect_reverse(&format!("ws://{}/", reverse.local_addr()))
        .unwrap();
    // Before the fix, 401 after 401: no account, and the sim's log fills with refusals.
    within_for(
        Duration::from_secs(10),
        "the reverse connection's account",
        reverse.account_count().wait_for(|n| *n >= 1),
    )
    .await
    .unwrap();
    let refused = sim
        .log()
        .snapshot()
        .iter()
        .filter(|r| matches!(r, Record::Rejected { .. }))
        .count();
    assert_eq!(refused, 0);

    let forward = Bot::onebot_ws(sim.url())
        .access_token("")
        .start()
        .await
        .unwrap();
    within(
        "the forward connection",
        forward.lifecycle().wait_for(|l| l.readies >= 1),
    )
    .await
    .unwrap();
    within("forward shutdown", forward.shutdown())
        .await
        .unwrap();
    within("reverse shutdown", reverse.shutdown()).await;
}

/// A forward URL may carry the token as `?access_token=`: `Debug` of the builder printed the
/// whole URL, and so did the error of a URL refused at start.
#[tokio::test]
async fn a_token_in_the_forward_url_shows_in_no_debug_and_no_error() {
    let secret = "t0ps3cret";
    let bot = Bot::onebot_ws(format!("ws://127.0.0.1:3001/?access_token={secret}"));
    let shown = format!("{bot:?}");
    assert!(!shown.contains(secret), "{shown}");
    assert!(
        shown.contains("ws://127.0.0.1:3001/?access_token=<redacted>"),
        "{shown}"
    );
    let refused = Bot::onebot_ws(format!("http://127.0.0.1:3001/?access_token={secret}"))
        .start()
        .await
        .err()
        .map(|e| format!("{e} / {e:?}"))
        .unwrap_or_default();
    assert!(refused.contains("access_token=<redacted>"), "{refused}");
    assert!(!refused.contains(secret), "{refused}");
}

/// Decision 0060 through the facade: a bot built with `first_frame_timeout` and `ping_watch`
/// keeps a connection to an implementation with heartbeats off (it pings it instead of
/// cutting it) and handles its events on that one connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_keeps_an_implementation_without_heartbeats_with_its_ping_watch() {
    const T: i64 = 1_712_640_000;
    let sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: None,
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    let (seen, handlers) = recording_group_messages();
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .first_frame_timeout(Duration::from_millis(200))
        .ping_watch(Duration::from_millis(50), Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    let mut lifecycle = bot.lifecycle();
    within("connect", lifecycle.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    // Ten pings, 50 ms apart after the 200 ms wait: many times the first-frame timeout
    // that would have cut the connection before decision 0060.
    within(
        "ten pings",
        sim.log()
            .wait_count(10, |r| matches!(r, Record::Pinged { conn: 1 })),
    )
    .await;
    sim.push_event(group_message(1, T, "still here"));
    assert_eq!(seen.wait_len(1).await, ["still here"]);
    let log = sim.log().snapshot();
    let connections = log
        .iter()
        .filter(|r| matches!(r, Record::Connected { .. }))
        .count();
    assert_eq!(connections, 1, "never cut: {log:?}");
    assert!(
        !log.iter().any(|r| matches!(r, Record::Disconnected { .. })),
        "never cut: {log:?}"
    );
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// `readies` counts connections that are ready, once each: the first connection's "self id
/// learnt" is not a second one (it was: 2 after one connect, so a wait for the reconnect's
/// ready was met before any reconnect). Stop-32 review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readies_counts_each_connection_once() {
    const T: i64 = 1_712_640_000;
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let (seen, handlers) = recording_group_messages();
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    let mut lifecycle = bot.lifecycle();
    within("connect", lifecycle.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    // An event handled after the connect: every session event before it has been counted.
    sim.push_event(group_message(1, T, "first"));
    seen.wait_len(1).await;
    assert_eq!(lifecycle.borrow().readies, 1, "{:?}", *lifecycle.borrow());
    sim.inject(Fault::Close {
        code: 1001,
        reason: "restart".into(),
    });
    within("the reconnect", lifecycle.wait_for(|l| l.reconnects >= 1))
        .await
        .unwrap();
    within("ready again", lifecycle.wait_for(|l| l.readies >= 2))
        .await
        .unwrap();
    sim.push_event(group_message(2, T + 1, "second"));
    seen.wait_len(2).await;
    assert_eq!(lifecycle.borrow().readies, 2, "{:?}", *lifecycle.borrow());
    within("shutdown", bot.shutdown()).await.unwrap();
}
