//! `botgate sim --blast N`: prints the sender's ceiling, then a real bot connected to the URL it
//! prints handles all N events (each once), and the sim reports the blast; SIGTERM stops it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use botgate::{Bot, BubbleHandlers, OneBotHandlers, QqHandlers};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio::sync::Notify;

const LIMIT: Duration = Duration::from_secs(30);
const N: usize = 3000;

async fn line(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let text = tokio::time::timeout(LIMIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn start(platform: &str) -> (Child, Lines<BufReader<ChildStdout>>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_botgate"))
        .args(["sim", "--platform", platform, "--blast", &N.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ceiling = line(&mut lines).await;
    assert_eq!(ceiling["blast"]["frames"], N);
    assert_eq!(ceiling["blast"]["platform"], platform);
    assert!(ceiling["ceiling"]["frames_per_s"].as_f64().unwrap() > 0.0);
    let info = line(&mut lines).await;
    (child, lines, info["url"].as_str().unwrap().to_owned())
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

async fn finish(mut child: Child, mut lines: Lines<BufReader<ChildStdout>>, tally: &Tally) {
    let report = line(&mut lines).await;
    assert_eq!(report["blasted"]["frames"], N);
    let all = tokio::time::timeout(LIMIT, tally.all.notified()).await;
    assert!(
        all.is_ok(),
        "only {} handled",
        tally.handled.load(Ordering::Relaxed)
    );
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let exit = tokio::time::timeout(LIMIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(exit.code(), Some(0));
    assert_eq!(line(&mut lines).await["stopped"]["blasts"], 1);
    assert_eq!(
        tally.handled.load(Ordering::Relaxed),
        N,
        "an event was handled twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_handles_every_blasted_event_of_every_platform() {
    let (child, lines, url) = start("qq").await;
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
    finish(child, lines, &handled).await;
    bot.shutdown().await.unwrap();

    let (child, lines, url) = start("bubble").await;
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
    finish(child, lines, &handled).await;
    bot.shutdown().await.unwrap();

    let (child, lines, url) = start("onebot").await;
    let handled = Arc::new(Tally::default());
    let mut h = OneBotHandlers::new();
    let count = Arc::clone(&handled);
    h.on_group_message(move |_, _| {
        count.one();
        async { Ok(()) }
    });
    let bot = Bot::onebot_ws(url).handlers(h).start().await.unwrap();
    finish(child, lines, &handled).await;
    bot.shutdown().await.unwrap();
}
