//! `botgate run --role gateway|worker`: two gateway processes hold a 2-shard QQ bot (the sim)
//! and append its events to a Redis Stream; two worker processes read it in one consumer
//! group and print each event (as `listen` does): every event printed once, by a worker, none
//! by a gateway; SIGTERM stops each process with exit 0. The same for a OneBot connection.
//!
//! Needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;

use botgate_sim::{OneBotConfig, OneBotSim};
use botgate_testkit::within_for;
use serde_json::{json, Value};
use support::{
    argv, command, exited, next_tagged as next, qq_sim_shards, redis_url, signal_child,
    spawn_tagged, strings, unique_prefix, Signal, Tagged, LIMIT,
};
use tokio::process::Child;
use tokio::sync::mpsc;

const EVENTS: usize = 40;

/// A `botgate run` process named `name` (stdin /dev/null, as a service); its stdout and
/// stderr lines go to `tx`.
fn spawn(name: &'static str, args: &[String], tx: &mpsc::UnboundedSender<Tagged>) -> Child {
    let mut cmd = command(argv(&["run"], args));
    cmd.args(["--owner", name]);
    spawn_tagged(name, cmd, tx)
}

/// `botgate run`'s arguments for `role` on Redis `redis` under key prefix `prefix`, then `more`.
fn role(redis: &str, prefix: &str, role: &str, more: &[&str]) -> Vec<String> {
    let head = ["--redis", redis, "--prefix", prefix, "--role", role];
    strings(&head.iter().chain(more).copied().collect::<Vec<_>>())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateways_publish_and_workers_print_each_event_once() {
    let Some(redis) = redis_url() else { return };
    let sim = qq_sim_shards(2).await;
    let prefix = unique_prefix("cli-split");
    let (url, rest) = (sim.url(), sim.http_base());
    let gateway = role(
        &redis,
        &prefix,
        "gateway",
        &[
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
        ],
    );
    let worker = role(&redis, &prefix, "worker", &[]);
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
    within_for(
        LIMIT,
        "two sessions",
        sim.log()
            .wait_until(|_| (sim.sessions().len() == 2).then_some(())),
    )
    .await;

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
        signal_child(child, Signal::Term);
    }
    for (name, child) in &mut children {
        assert_eq!(exited(child).await.code(), Some(0), "{name} exit");
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
    let prefix = unique_prefix("cli-split-onebot");
    let url = sim.url();
    let gateway = role(
        &redis,
        &prefix,
        "gateway",
        &["--platform", "onebot", "--url", &url],
    );
    let worker = role(&redis, &prefix, "worker", &[]);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut w = spawn("W1", &worker, &tx);
    let mut g = spawn("G1", &gateway, &tx);
    let (mut running, mut reading) = (false, false);
    while !(running && reading) {
        let (_, _, line) = next(&mut rx).await;
        running |= line == "botgate run: shard 0 running";
        reading |= line.starts_with("botgate run: worker W1 reading");
    }
    within_for(
        LIMIT,
        "the gateway connected",
        sim.log()
            .wait_until(|_| (sim.connections() == 1).then_some(())),
    )
    .await;
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
        signal_child(child, Signal::Int);
        assert_eq!(exited(child).await.code(), Some(0));
    }
}
