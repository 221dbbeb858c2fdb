//! `botgate sim --blast N`: prints the sender's ceiling, then a real bot connected to the URL it
//! prints handles all N events (each once), and the sim reports the blast; SIGTERM stops it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::future::{Future, Ready};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use botgate::{Bot, BubbleHandlers, Context, HandlerError, OneBotHandlers, QqHandlers};
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

/// Blasts N events of `platform` at the bot `start_bot(url, tally)` starts (its handlers count
/// into `tally`); `start_bot` returns the bot's shutdown, run once the blast is checked.
async fn blast_to<B, S>(platform: &str, start_bot: impl FnOnce(String, Arc<Tally>) -> B)
where
    B: Future<Output = S>,
    S: Future<Output = Result<(), botgate::Error>>,
{
    let (sim, url) = start(platform).await;
    let handled = Arc::new(Tally::default());
    let shutdown = start_bot(url, Arc::clone(&handled)).await;
    finish(sim, &handled).await;
    shutdown.await.unwrap();
}

/// A handler that counts each event it gets into `tally`.
fn counting<E>(
    tally: Arc<Tally>,
) -> impl Fn(Context, E) -> Ready<Result<(), HandlerError>> + Send + Sync + 'static {
    move |_, _| {
        tally.one();
        std::future::ready(Ok(()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::async_yields_async)] // each bot's start yields its shutdown, on purpose
async fn a_bot_handles_every_blasted_event_of_every_platform() {
    blast_to("qq", |url, tally| async move {
        let mut h = QqHandlers::new();
        h.on_at_message_create(counting(tally));
        let bot = Bot::qq_with_token("QQBot blast").gateway_url(url);
        bot.handlers(h).start().await.unwrap().shutdown()
    })
    .await;
    blast_to("bubble", |url, tally| async move {
        let mut h = BubbleHandlers::new();
        h.on_message_create(counting(tally));
        let bot = Bot::bubble("blast").gateway_url(url);
        bot.handlers(h).start().await.unwrap().shutdown()
    })
    .await;
    blast_to("onebot", |url, tally| async move {
        let mut h = OneBotHandlers::new();
        h.on_group_message(counting(tally));
        let bot = Bot::onebot_ws(url);
        bot.handlers(h).start().await.unwrap().shutdown()
    })
    .await;
}
