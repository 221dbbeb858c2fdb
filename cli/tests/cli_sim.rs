//! `botgate sim --platform P`: a simulator an outside client can use. The binary prints its
//! URLs and credentials as one JSON line; a bot built from exactly that line connects and
//! becomes ready; SIGTERM stops the simulator cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::future::Future;
use std::time::Duration;

use botgate::{Bot, BubbleHandlers, Lifecycle, OneBotHandlers, QqHandlers};
use serde_json::Value;
use support::{Proc, Signal};
use tokio::sync::watch;

const LIMIT: Duration = Duration::from_secs(20);

async fn start_sim(platform: &str) -> (Proc, Value) {
    let args = [
        "sim",
        "--platform",
        platform,
        "--port",
        "0",
        "--heartbeat-ms",
        "1000",
    ];
    let mut sim = Proc::spawn(args).with_limit(LIMIT);
    let info = sim.next_json().await;
    (sim, info)
}

async fn stop(sim: Proc) {
    assert_eq!(sim.stop(Signal::Term).await.code, Some(0));
}

/// Waits until the bot's lifecycle shows it `online`, then shuts the bot down and stops the
/// sim; returns the lifecycle waited for.
async fn online_then_stop(
    mut life: watch::Receiver<Lifecycle>,
    online: impl FnMut(&Lifecycle) -> bool,
    shutdown: impl Future<Output = Result<(), botgate::Error>>,
    sim: Proc,
) -> Lifecycle {
    let seen = tokio::time::timeout(LIMIT, life.wait_for(online))
        .await
        .unwrap()
        .unwrap()
        .clone();
    shutdown.await.unwrap();
    stop(sim).await;
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_serves_qq_bubble_and_onebot_to_an_outside_client() {
    let (qq, info) = start_sim("qq").await;
    assert_eq!(info["platform"], "qq");
    let bot = Bot::qq(
        info["app_id"].as_str().unwrap(),
        info["client_secret"].as_str().unwrap(),
    )
    .api_base(info["api_base"].as_str().unwrap())
    .auth_base(info["api_base"].as_str().unwrap())
    .handlers({
        let mut h = QqHandlers::new();
        h.on_at_message_create(|_, _| async { Ok(()) });
        h
    })
    .start()
    .await
    .unwrap();
    online_then_stop(bot.lifecycle(), |l| l.readies >= 1, bot.shutdown(), qq).await;

    let (bubble, info) = start_sim("bubble").await;
    let bot = Bot::bubble(info["token"].as_str().unwrap())
        .gateway_url(info["url"].as_str().unwrap())
        .handlers({
            let mut h = BubbleHandlers::new();
            h.on_message_create(|_, _| async { Ok(()) });
            h
        })
        .start()
        .await
        .unwrap();
    online_then_stop(bot.lifecycle(), |l| l.readies >= 1, bot.shutdown(), bubble).await;

    let (onebot, info) = start_sim("onebot").await;
    let bot = Bot::onebot_ws(info["url"].as_str().unwrap())
        .handlers(OneBotHandlers::new())
        .start()
        .await
        .unwrap();
    let life = online_then_stop(
        bot.lifecycle(),
        |l| l.self_id.is_some(),
        bot.shutdown(),
        onebot,
    )
    .await;
    assert_eq!(
        life.self_id,
        info["self_id"].as_i64().map(|id| id.to_string())
    );
}
