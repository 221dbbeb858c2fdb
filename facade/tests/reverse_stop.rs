//! Stops of a reverse-WS listener and of a webhook bot whose handlers never return (decision
//! 0065): each ends within its grace. Real sockets on loopback; bounded waits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use botgate::dispatch::DispatchConfig;
use botgate::{Bot, OneBotHandlers};
use botgate_sim::{OneBotConfig, OneBotSim};
use botgate_testkit::within_for;
use serde_json::json;
use tokio::sync::Notify;

const LIMIT: Duration = Duration::from_secs(30);

fn group_message(i: usize) -> serde_json::Value {
    json!({"post_type": "message", "message_type": "group", "sub_type": "normal",
        "message_id": i, "group_id": 9, "user_id": 7, "font": 0,
        "message": [{"type": "text", "data": {"text": format!("m{i}")}}],
        "raw_message": format!("m{i}"), "sender": {"user_id": 7}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reverse_listener_with_a_handler_that_never_returns_stops_within_its_grace() {
    let started = Arc::new(AtomicUsize::new(0));
    let notify = Arc::new(Notify::new());
    let (s, n) = (Arc::clone(&started), Arc::clone(&notify));
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .dispatch_config(DispatchConfig {
            max_in_flight: 1,
            max_pending: 2,
            dedupe_window: 4096,
        })
        .handlers_fn(move || {
            let mut h = OneBotHandlers::new();
            let (s, n) = (Arc::clone(&s), Arc::clone(&n));
            h.on_group_message(move |_ctx, _msg| {
                let (s, n) = (Arc::clone(&s), Arc::clone(&n));
                async move {
                    s.fetch_add(1, Ordering::SeqCst);
                    n.notify_one();
                    std::future::pending::<()>().await;
                    Ok(())
                }
            });
            h
        })
        .start()
        .await
        .unwrap();
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    sim.connect_reverse(&format!("ws://{}/", bot.local_addr()))
        .unwrap();
    within_for(
        LIMIT,
        "the account",
        bot.account_count().wait_for(|n| *n >= 1),
    )
    .await
    .unwrap();
    for i in 0..50 {
        sim.push_event(group_message(i));
    }
    within_for(LIMIT, "a stuck handler", notify.notified()).await;
    let dispatcher = bot.dispatcher(&bot.account_ids()[0]).unwrap();
    within_for(LIMIT, "full", async {
        while dispatcher.pending() < 2 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    within_for(
        Duration::from_secs(5),
        "the shutdown",
        bot.shutdown_within(Duration::from_millis(200)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_bot_with_a_handler_that_never_returns_stops_within_its_grace() {
    use botgate::QqHandlers;
    use botgate_sim::webhook::WebhookPoster;
    use botgate_sim::{QqConfig, QqSim};
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let (app_id, secret) = (
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    );
    let notify = Arc::new(Notify::new());
    let n = Arc::clone(&notify);
    let mut handlers = QqHandlers::new();
    handlers.on_group_at_message_create(move |_ctx, _msg| {
        let n = Arc::clone(&n);
        async move {
            n.notify_one();
            std::future::pending::<()>().await;
            Ok(())
        }
    });
    let bot = Bot::qq_webhook(app_id.clone(), secret.clone())
        .bind("127.0.0.1:0")
        .path("/qq")
        .api_base(sim.http_base())
        .auth_base(sim.http_base())
        .dispatch_config(DispatchConfig {
            max_in_flight: 1,
            max_pending: 2,
            dedupe_window: 4096,
        })
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    let poster =
        WebhookPoster::qq(format!("http://{}/qq", bot.local_addr()), &app_id, &secret).unwrap();
    for i in 0..10 {
        let d = json!({"id": format!("m-{i}"), "content": " x", "group_openid": "G1",
           "author": {"member_openid": "M1"}, "timestamp": "2026-11-25T20:00:00+08:00"});
        let posted = poster.post("GROUP_AT_MESSAGE_CREATE", d).await;
        assert_eq!(posted.status, Some(200));
    }
    within_for(LIMIT, "a stuck handler", notify.notified()).await;
    let stats = within_for(
        Duration::from_secs(5),
        "the shutdown",
        bot.shutdown_within(Duration::from_millis(200)),
    )
    .await;
    assert_eq!(stats.delivered, 10, "{stats:?}");
}
