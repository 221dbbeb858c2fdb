//! `botgate run --role gateway|worker`: two gateway processes hold a 2-shard QQ bot (the sim)
//! and append its events to a Redis Stream; two worker processes read it in one consumer
//! group and print each event (as `listen` does): every event printed once, by a worker, none
//! by a gateway; SIGTERM stops each process with exit 0. The same for a OneBot connection.
//!
//! Needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use botgate_sim::{OneBotConfig, OneBotSim, QqConfig, QqSim};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

const BIN: &str = env!("CARGO_BIN_EXE_botgate");
const LIMIT: Duration = Duration::from_secs(30);
const EVENTS: usize = 40;

type Line = (&'static str, bool, String);

fn redis_url() -> Option<String> {
    match std::env::var("BOTGATE_TEST_REDIS") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("BOTGATE_TEST_REDIS is not set: in CI the Redis tests must run")
        }
        _ => {
            eprintln!("BOTGATE_TEST_REDIS is not set: Redis test skipped");
            None
        }
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Line>) -> Line {
    tokio::time::timeout(LIMIT, rx.recv())
        .await
        .expect("a line within the limit")
        .expect("lines")
}

/// A `botgate run` process named `name` (stdin /dev/null, as a service); its stdout and
/// stderr lines go to `tx` as `(name, is_stdout, line)`.
fn spawn(name: &'static str, args: &[String], tx: &mpsc::UnboundedSender<Line>) -> Child {
    let mut child = Command::new(BIN)
        .arg("run")
        .args(args)
        .args(["--owner", name])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pipes: [(bool, Box<dyn tokio::io::AsyncRead + Unpin + Send>); 2] = [
        (true, Box::new(child.stdout.take().unwrap())),
        (false, Box::new(child.stderr.take().unwrap())),
    ];
    for (stdout, pipe) in pipes {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send((name, stdout, line));
            }
        });
    }
    child
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateways_publish_and_workers_print_each_event_once() {
    let Some(redis) = redis_url() else { return };
    let sim = QqSim::start(QqConfig {
        shards: 2,
        session_start_limit: (1000, 999, 14_400_000, 2),
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let prefix = format!("botgate-test:cli-split:{nanos}");
    let (url, rest) = (sim.url(), sim.http_base());
    let gateway = strings(&[
        "--redis",
        &redis,
        "--prefix",
        &prefix,
        "--role",
        "gateway",
        "--platform",
        "qq",
        "--shards",
        "0..2",
        "--most",
        "1",
        "--max-concurrency",
        "2",
        "--url",
        &url,
        "--api-base",
        &rest,
        "--token",
        "QQBot sim-access-token",
    ]);
    let worker = strings(&["--redis", &redis, "--prefix", &prefix, "--role", "worker"]);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut children = vec![
        ("W1", spawn("W1", &worker, &tx)),
        ("W2", spawn("W2", &worker, &tx)),
        ("G1", spawn("G1", &gateway, &tx)),
        ("G2", spawn("G2", &gateway, &tx)),
    ];
    // both shards running (one per gateway), both workers in the group
    let (mut running, mut reading) = (Vec::new(), 0);
    while running.len() < 2 || reading < 2 {
        let (who, _, line) = next(&mut rx).await;
        if line.starts_with("botgate run: shard ") && line.ends_with(" running") {
            running.push(who);
        }
        reading +=
            usize::from(line.starts_with("botgate run: worker ") && line.contains(" reading "));
    }
    running.sort_unstable();
    assert_eq!(running, ["G1", "G2"], "one shard per gateway");
    tokio::time::timeout(
        LIMIT,
        sim.log()
            .wait_until(|_| (sim.sessions().len() == 2).then_some(())),
    )
    .await
    .expect("two sessions");

    for i in 0..EVENTS {
        let shard = i % 2;
        sim.push_event(
            "AT_MESSAGE_CREATE",
            json!({"id": format!("id{i}"), "channel_id": format!("c{}", i % 5),
                   "guild_id": ((shard as u64) << 22).to_string(), "content": format!("m{i}"),
                   "author": {"id": "7", "username": "u"}}),
        );
    }
    let mut printed: HashMap<String, Vec<&str>> = HashMap::new();
    while printed.len() < EVENTS {
        let (who, stdout, line) = next(&mut rx).await;
        if stdout {
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["t"], "AT_MESSAGE_CREATE", "{who}: {line}");
            let content = v["data"]["content"].as_str().unwrap().to_owned();
            printed.entry(content).or_default().push(who);
        }
    }

    // SIGTERM: each stops cleanly with exit 0; nothing more is printed
    for (_, child) in &children {
        let pid = child.id().unwrap().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
    }
    for (name, child) in &mut children {
        let status = tokio::time::timeout(LIMIT, child.wait())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(status.code(), Some(0), "{name} exit");
    }
    drop(tx);
    while let Some((who, stdout, line)) = rx.recv().await {
        if stdout {
            let v: Value = serde_json::from_str(&line).unwrap();
            let content = v["data"]["content"].as_str().unwrap().to_owned();
            printed.entry(content).or_default().push(who);
        }
    }
    for i in 0..EVENTS {
        let by = &printed[&format!("m{i}")];
        assert_eq!(by.len(), 1, "m{i} printed by {by:?}");
        assert!(by[0].starts_with('W'), "m{i} printed by a gateway: {by:?}");
    }
}

/// OneBot through the split: a gateway holds the implementation's socket (the sim) under a
/// lease and publishes each event; a worker prints it (`{"kind","self_id","data"}`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_onebot_gateway_publishes_and_a_worker_prints() {
    let Some(redis) = redis_url() else { return };
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let prefix = format!("botgate-test:cli-split-onebot:{nanos}");
    let url = sim.url();
    let gateway = strings(&[
        "--redis",
        &redis,
        "--prefix",
        &prefix,
        "--role",
        "gateway",
        "--platform",
        "onebot",
        "--url",
        &url,
    ]);
    let worker = strings(&["--redis", &redis, "--prefix", &prefix, "--role", "worker"]);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut w = spawn("W1", &worker, &tx);
    let mut g = spawn("G1", &gateway, &tx);
    let (mut running, mut reading) = (false, false);
    while !(running && reading) {
        let (_, _, line) = next(&mut rx).await;
        running |= line == "botgate run: shard 0 running";
        reading |= line.starts_with("botgate run: worker W1 reading");
    }
    tokio::time::timeout(
        LIMIT,
        sim.log()
            .wait_until(|_| (sim.connections() == 1).then_some(())),
    )
    .await
    .expect("the gateway connected");
    for i in 0..5 {
        sim.push_event(json!({
            "time": 1712640000, "self_id": 123456789, "post_type": "message",
            "message_type": "group", "sub_type": "normal", "message_id": 900 + i,
            "user_id": 111, "group_id": 222, "raw_message": format!("m{i}"), "font": 0,
            "message": [{"type": "text", "data": {"text": format!("m{i}")}}],
            "sender": {"user_id": 111, "nickname": "u"},
        }));
    }
    let mut printed = Vec::new();
    while printed.len() < 5 {
        let (who, stdout, line) = next(&mut rx).await;
        if stdout {
            assert_eq!(who, "W1", "printed by the gateway: {line}");
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["kind"], "message.group", "{line}");
            assert_eq!(v["self_id"], "123456789", "{line}");
            printed.push(v["data"]["message_id"].as_i64().unwrap());
        }
    }
    printed.sort_unstable();
    assert_eq!(printed, [900, 901, 902, 903, 904]);
    for child in [&mut w, &mut g] {
        let pid = child.id().unwrap().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        let status = tokio::time::timeout(LIMIT, child.wait())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(status.code(), Some(0));
    }
}
