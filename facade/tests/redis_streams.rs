//! The gateway / worker split on a Redis Stream (`botgate-redis`, decision 0018): 2 gateway
//! processes (one QQ shard each, from the sim) append every event to a stream; 3 worker
//! processes run the handlers in a consumer group. One worker stops mid-stream with entries
//! read but not acknowledged and is killed (SIGKILL); the others claim them: every event is
//! handled exactly once. Prints the events/s of the whole path (sim → gateway → Redis →
//! worker → handler) once only two workers are left.
//!
//! Needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`). Processes are
//! this test binary run again (`BOTGATE_SPLIT_ROLE`; its own `main`, no libtest harness).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate::codec::Frame;
use botgate::dispatch::{Completion, DispatchConfig, Dispatcher};
use botgate::{Bot, Intents, QqHandlers};
use botgate_redis::EventStream;
use botgate_sim::{QqConfig, QqSim};
use botgate_testkit::redis::{redis_url, unique_prefix, REDIS_ENV};
use botgate_testkit::within_for;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

const ROLE: &str = "BOTGATE_SPLIT_ROLE";
const SHARDS: u32 = 2;
const EVENTS: u32 = 600;
/// Events of the second phase (the two workers left), timed for the throughput.
const TIMED: u32 = 2000;
/// The event a worker stops at (when it reads it first, not when it claims it).
const STOP_AT: &str = "m200";
const WAIT: Duration = Duration::from_secs(60);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Ok(role) = std::env::var(ROLE) {
        runtime.block_on(child(&role));
        return;
    }
    let Some(url) = redis_url() else {
        println!("test two_gateways_three_workers ... skipped ({REDIS_ENV} not set)");
        return;
    };
    println!("test two_gateways_three_workers ...");
    let report = runtime.block_on(two_gateways_three_workers(&url));
    println!("test two_gateways_three_workers ... ok ({report})");
}

fn line(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(format!("{text}\n").as_bytes());
    let _ = out.flush();
}

async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 64];
    while stdin.read(&mut buf).await.is_ok_and(|n| n > 0) {}
}

async fn child(role: &str) {
    let env = |k: &str| std::env::var(k).unwrap();
    let stream = EventStream::connect(&env(REDIS_ENV), env("SPLIT_STREAM"))
        .await
        .unwrap();
    if let Some(shard) = role.strip_prefix("gateway-") {
        gateway(
            stream,
            shard.parse().unwrap(),
            &env("SPLIT_URL"),
            &env("SPLIT_REST"),
        )
        .await;
    } else {
        worker(stream, role).await;
    }
}

/// Holds one shard's socket; its only handler appends each message event to the stream.
async fn gateway(stream: EventStream, shard: u32, url: &str, rest: &str) {
    let mut handlers = QqHandlers::new();
    handlers.on_raw(move |_ctx, frame: Frame| {
        let stream = stream.clone();
        async move {
            if frame.event_type() == Some("AT_MESSAGE_CREATE") {
                stream.publish("qq", shard, frame.bytes()).await?;
            }
            Ok(())
        }
    });
    let bot = Bot::qq_with_token("QQBot sim-access-token")
        .gateway_url(url)
        .api_base(rest)
        .shard(shard, SHARDS)
        .intents(Intents::PUBLIC_GUILD_MESSAGES)
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    line("R");
    stdin_closed().await;
    bot.shutdown().await.unwrap();
}

/// Reads the stream in the group and runs the handlers; acknowledges each event once its
/// handlers have run (and marks it done, so a redelivery elsewhere is skipped).
async fn worker(stream: EventStream, name: &str) {
    let mut consumer = stream
        .consumer("workers", name)
        .await
        .unwrap()
        // long enough that a loaded CI machine does not claim an entry its worker is still
        // handling (at-least-once would then show as "handled twice")
        .claim_idle(Duration::from_millis(3000))
        .block(Duration::from_millis(100));
    let acker = consumer.acker();
    let mut handlers = QqHandlers::new();
    handlers.on_at_message_create(|_ctx, m| async move {
        line(&format!("H {}", m.content));
        Ok(())
    });
    let dispatcher = Arc::new(Dispatcher::new(handlers, DispatchConfig::default()));
    line("G");
    let work = async {
        loop {
            for delivery in consumer.next_batch(64).await.unwrap() {
                let frame = Frame::scan(delivery.frame.clone()).unwrap();
                let event_id = frame.id().map(str::to_owned);
                let stop_here = !delivery.claimed
                    && delivery
                        .frame
                        .windows(STOP_AT.len() + 2)
                        .any(|w| w == format!("\"{STOP_AT}\"").as_bytes());
                if stop_here {
                    // Everything dispatched so far has run (and is acknowledged); this entry
                    // and the rest of the batch stay pending: kill me now.
                    dispatcher.idle().await;
                    line(&format!("B {STOP_AT}"));
                    std::future::pending::<()>().await;
                }
                if let Some(id) = &event_id {
                    if consumer.is_done(id).await.unwrap() {
                        acker.done(&delivery.id, None).unwrap();
                        line(&format!("D {id}"));
                        continue;
                    }
                }
                let (acker, entry) = (acker.clone(), delivery.id.clone());
                let done = Completion::new(move |ran| {
                    if ran {
                        if let Err(error) = acker.done(&entry, event_id.as_deref()) {
                            eprintln!("not acknowledged: {error}");
                        }
                    }
                });
                dispatcher.dispatch_tracked(frame, done).await;
            }
        }
    };
    tokio::select! {
        () = work => {}
        () = stdin_closed() => {}
    }
    dispatcher.shutdown().await;
}

/// Spawns a process of `role`; its stdout lines go to `lines` as `(role, line)`.
fn spawn(
    role: &str,
    env: &[(&str, &str)],
    lines: &mpsc::UnboundedSender<(String, String)>,
) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .env(ROLE, role)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let (tx, role) = (lines.clone(), role.to_owned());
    tokio::spawn(async move {
        while let Ok(Some(line)) = out.next_line().await {
            let _ = tx.send((role.clone(), line));
        }
    });
    child
}

async fn two_gateways_three_workers(redis: &str) -> String {
    let sim = QqSim::start(QqConfig {
        shards: SHARDS,
        session_start_limit: (1000, 999, 14_400_000, SHARDS),
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let stream_key = unique_prefix("split");
    let (url, rest) = (sim.url(), sim.http_base());
    let env = [
        (REDIS_ENV, redis),
        ("SPLIT_STREAM", stream_key.as_str()),
        ("SPLIT_URL", url.as_str()),
        ("SPLIT_REST", rest.as_str()),
    ];
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut children: HashMap<String, Child> = HashMap::new();
    for role in ["gateway-0", "gateway-1", "w1", "w2", "w3"] {
        children.insert(role.to_owned(), spawn(role, &env, &tx));
    }
    // gateways up (both shards' sessions at the sim) and workers in the group
    let mut ready = 0;
    while ready < 5 {
        let (_, line) = within_for(WAIT, "the processes", rx.recv()).await.unwrap();
        if line == "R" || line == "G" {
            ready += 1;
        }
    }
    within_for(
        WAIT,
        "two sessions",
        sim.log()
            .wait_until(|_| (sim.sessions().len() == SHARDS as usize).then_some(())),
    )
    .await;

    let push = |range: std::ops::Range<u32>| {
        for i in range {
            let shard = i % SHARDS;
            sim.push_event(
                "AT_MESSAGE_CREATE",
                json!({"id": format!("id{i}"), "channel_id": format!("c{}", i % 16),
                       "guild_id": (u64::from(shard) << 22).to_string(), "content": format!("m{i}"),
                       "author": {"id": "7", "username": "u"}}),
            );
        }
    };
    push(0..EVENTS);
    let mut handled: HashMap<String, Vec<String>> = HashMap::new();
    let mut killed: Option<String> = None;
    let mut skipped = 0;
    while handled.len() < EVENTS as usize {
        let (role, line) = within_for(WAIT, "every event handled", rx.recv())
            .await
            .unwrap();
        if let Some(content) = line.strip_prefix("H ") {
            handled.entry(content.to_owned()).or_default().push(role);
        } else if line.starts_with("B ") {
            let child = children.get_mut(&role).unwrap();
            child.start_kill().unwrap();
            within_for(WAIT, "the killed worker", child.wait())
                .await
                .unwrap();
            killed = Some(role);
        } else if line.starts_with("D ") {
            skipped += 1;
        }
    }
    let killed = killed.expect("a worker stopped at the marked event and was killed");

    // Throughput of the split with the two workers left: sim -> gateway -> Redis -> worker.
    let started = Instant::now();
    push(EVENTS..EVENTS + TIMED);
    while handled.len() < (EVENTS + TIMED) as usize {
        let (role, line) = within_for(WAIT, "the timed events handled", rx.recv())
            .await
            .unwrap();
        if let Some(content) = line.strip_prefix("H ") {
            handled.entry(content.to_owned()).or_default().push(role);
        }
    }
    let elapsed = started.elapsed();

    let twice: Vec<_> = handled.iter().filter(|(_, by)| by.len() > 1).collect();
    assert!(twice.is_empty(), "handled twice: {twice:?}");
    for i in 0..EVENTS + TIMED {
        assert!(handled.contains_key(&format!("m{i}")), "m{i} lost");
    }
    let stop_by = &handled[STOP_AT][0];
    assert_ne!(
        *stop_by, killed,
        "the marked event was claimed by another worker"
    );
    let mut per_worker: HashMap<&str, usize> = HashMap::new();
    for by in handled.values() {
        *per_worker.entry(by[0].as_str()).or_default() += 1;
    }

    for (_, mut child) in children {
        drop(child.stdin.take());
        let _ = within_for(WAIT, "a clean stop", child.wait()).await;
    }
    let rate = f64::from(TIMED) / elapsed.as_secs_f64();
    let mut per_worker: Vec<_> = per_worker.into_iter().collect();
    per_worker.sort();
    format!(
        "{} events, 0 lost, 0 twice; {killed} killed at {STOP_AT}; handled per worker {per_worker:?}; \
         {skipped} redeliveries skipped; then {TIMED} events with 2 workers: {:.0} events/s end to end",
        EVENTS + TIMED,
        rate
    )
}
