//! `botgate sim --blast N`: prints the sender's ceiling, then a real bot connected to the URL it
//! prints handles all N events (each once), and the sim reports the blast; SIGTERM stops it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use botgate::{Bot, BubbleHandlers, OneBotHandlers, QqHandlers};
use support::{Proc, Signal, LIMIT};
use tokio::sync::Notify;

const N: usize = 3000;

async fn start(platform: &str) -> (Proc, String) {
    let mut sim = Proc::spawn(["sim", "--platform", platform, "--blast", &N.to_string()]);
    let ceiling = sim.next_json().await;
    assert_eq!(ceiling["blast"]["frames"], N);
    assert_eq!(ceiling["blast"]["platform"], platform);
    assert!(ceiling["ceiling"]["frames_per_s"].as_f64().unwrap() > 0.0);
    let info = sim.next_json().await;
    (sim, info["url"].as_str().unwrap().to_owned())
}

/// Counts handled events; `all` is notified when the N-th arrives.
#[derive(Default)]
struct Tally {
    handled: AtomicUsize,
    all: Notify,
}

impl Tally {
    fn one(&self) {
        if self.handled.fetch_add(1, Ordering::Relaxed) + 1 == N {
            self.all.notify_one();
        }
    }
}

async fn finish(mut sim: Proc, tally: &Tally) {
    let report = sim.next_json().await;
    assert_eq!(report["blasted"]["frames"], N);
    let all = tokio::time::timeout(LIMIT, tally.all.notified()).await;
    assert!(
        all.is_ok(),
        "only {} handled",
        tally.handled.load(Ordering::Relaxed)
    );
    sim.signal(Signal::Term);
    assert_eq!(sim.wait().await, Some(0));
    assert_eq!(sim.next_json().await["stopped"]["blasts"], 1);
    assert_eq!(
        tally.handled.load(Ordering::Relaxed),
        N,
        "an event was handled twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_handles_every_blasted_event_of_every_platform() {
    let (sim, url) = start("qq").await;
    let handled = Arc::new(Tally::default());
    let mut h = QqHandlers::new();
    let count = Arc::clone(&handled);
    h.on_at_message_create(move |_, _| {
        count.one();
        async { Ok(()) }
    });
    let bot = Bot::qq_with_token("QQBot blast")
        .gateway_url(url)
        .handlers(h)
        .start()
        .await
        .unwrap();
    finish(sim, &handled).await;
    bot.shutdown().await.unwrap();

    let (sim, url) = start("bubble").await;
    let handled = Arc::new(Tally::default());
    let mut h = BubbleHandlers::new();
    let count = Arc::clone(&handled);
    h.on_message_create(move |_, _| {
        count.one();
        async { Ok(()) }
    });
    let bot = Bot::bubble("blast")
        .gateway_url(url)
        .handlers(h)
        .start()
        .await
        .unwrap();
    finish(sim, &handled).await;
    bot.shutdown().await.unwrap();

    let (sim, url) = start("onebot").await;
    let handled = Arc::new(Tally::default());
    let mut h = OneBotHandlers::new();
    let count = Arc::clone(&handled);
    h.on_group_message(move |_, _| {
        count.one();
        async { Ok(()) }
    });
    let bot = Bot::onebot_ws(url).handlers(h).start().await.unwrap();
    finish(sim, &handled).await;
    bot.shutdown().await.unwrap();
}
