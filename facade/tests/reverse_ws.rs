//! `Bot::onebot_reverse`: the OneBot simulator connects to our listener like Waylay does
//! (no X-Self-ID), events reach the handlers, and `ctx.call` goes back over that connection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use botgate::{Bot, OneBotHandlers};
use botgate_sim::{OneBotConfig, OneBotSim};
use serde_json::json;

const LIMIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverse_ws_receives_events_and_answers_through_the_same_connection() {
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .access_token("reverse-secret")
        .handlers_fn(|| {
            let mut h = OneBotHandlers::new();
            h.on_group_message(|ctx, msg| async move {
                if msg.message.plain_text() == "/ping" {
                    ctx.call(
                        "send_group_msg",
                        json!({"group_id": msg.group_id, "message": [{"type": "text", "data": {"text": "pong"}}]}),
                    )
                    .await?;
                }
                Ok(())
            });
            h
        })
        .start()
        .await
        .unwrap();
    let sim = OneBotSim::start(OneBotConfig {
        access_token: Some("reverse-secret".into()),
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    sim.connect_reverse(&format!("ws://{}/", bot.local_addr()))
        .unwrap();
    let mut accepted = bot.accepted();
    tokio::time::timeout(LIMIT, accepted.wait_for(|n| *n >= 1))
        .await
        .unwrap()
        .unwrap();
    let mut life = bot.lifecycles().pop().unwrap();
    tokio::time::timeout(LIMIT, life.wait_for(|l| l.self_id.is_some()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        life.borrow().self_id.as_deref(),
        Some("123456789"),
        "learnt from the lifecycle event"
    );

    sim.push_event(
        json!({"time": 1, "self_id": 123456789, "post_type": "message", "message_type": "group",
        "sub_type": "normal", "message_id": 9, "group_id": 555, "user_id": 7,
        "message": [{"type": "text", "data": {"text": "/ping"}}], "raw_message": "/ping", "font": 0,
        "sender": {"user_id": 7, "nickname": "n"}}),
    );
    let sent = tokio::time::timeout(LIMIT, async {
        loop {
            if let Some(m) = sim.sent_messages().into_iter().next() {
                return m;
            }
            sim.log().wait_for(|r| r.received().cloned()).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(sent.action, "send_group_msg");
    assert_eq!(sent.params["group_id"], 555);
    assert_eq!(sent.params["message"][0]["data"]["text"], "pong");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverse_ws_with_a_wrong_token_is_refused() {
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .access_token("right")
        .start()
        .await
        .unwrap();
    let sim = OneBotSim::start(OneBotConfig {
        access_token: Some("wrong".into()),
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    sim.connect_reverse(&format!("ws://{}/", bot.local_addr()))
        .unwrap();
    let status = tokio::time::timeout(
        LIMIT,
        sim.log().wait_for(|r| match r {
            botgate_sim::Record::Rejected { status, .. } => Some(*status),
            _ => None,
        }),
    )
    .await
    .unwrap();
    assert_eq!(status, 401);
    assert_eq!(*bot.accepted().borrow(), 0);
    bot.shutdown().await;
}
