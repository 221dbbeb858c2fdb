//! `botgate run --redis`: two processes share a 2-shard QQ bot (the sim); when one is killed
//! (SIGKILL) the other takes its shard over and resumes it from Redis: the events sent while
//! the shard had no process are printed once, and nothing is identified again. The same for
//! Bubble's one connection (`--platform bubble`).
//!
//! Needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use botgate::session::SessionStore;
use botgate_redis::RedisSessionStore;
use botgate_sim::bubble::Profile;
use botgate_sim::{BubbleConfig, BubbleSim, QqSim};
use botgate_testkit::within_for;
use serde_json::{json, Value};
use support::{
    argv, bubble_resumes, command, exited, next_tagged as next, qq_sim_shards, redis_url,
    spawn_tagged, strings, unique_prefix, Tagged, LIMIT,
};
use tokio::process::Child;
use tokio::sync::mpsc;

/// A `botgate run` process that stops at the end of its stdin; its stdout (events) and stderr
/// (shard changes) lines go to `tx`.
fn spawn(name: &'static str, args: &[String], tx: &mpsc::UnboundedSender<Tagged>) -> Child {
    let mut cmd = command(argv(&["run"], args));
    cmd.args(["--owner", name, "--exit-on-stdin-eof"])
        .stdin(Stdio::piped());
    spawn_tagged(name, cmd, tx)
}

fn push(sim: &QqSim, shard: u32, content: &str) {
    sim.push_event(
        "AT_MESSAGE_CREATE",
        json!({"id": content, "channel_id": format!("c{shard}"),
               "guild_id": (u64::from(shard) << 22).to_string(), "content": content,
               "author": {"id": "7", "username": "u"}}),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_shard_is_taken_over_and_resumed_from_redis() {
    let Some(redis) = redis_url() else { return };
    let sim = qq_sim_shards(2).await;
    let prefix = unique_prefix("cli-run");
    let args = strings(&[
        "--redis",
        &redis,
        "--shards",
        "2",
        "--max-concurrency",
        "2",
        "--lease-ttl-ms",
        "500",
        "--prefix",
        &prefix,
        "--url",
        &sim.url(),
        "--api-base",
        &sim.http_base(),
        "--token",
        "QQBot sim-access-token",
    ]);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let running = |line: &str| -> Option<u32> {
        line.strip_prefix("botgate run: shard ")?
            .strip_suffix(" running")?
            .parse()
            .ok()
    };

    // A takes one shard, B the other
    let mut a_args = args.clone();
    a_args.extend(["--most".to_owned(), "1".to_owned()]);
    let mut a = spawn("A", &a_args, &tx);
    // (A's "session stored" may come before or after its "running")
    let mut a_lines = Vec::new();
    let a_shard = loop {
        let (_, _, line) = next(&mut rx).await;
        if let Some(shard) = running(&line) {
            break shard;
        }
        a_lines.push(line);
    };
    let stored = format!("botgate run: shard {a_shard} session stored");
    let mut a_stored = a_lines.contains(&stored);
    let mut b = spawn("B", &args, &tx);
    loop {
        let (who, _, line) = next(&mut rx).await;
        a_stored |= who == "A" && line == stored;
        if who == "B" && running(&line).is_some() {
            break;
        }
    }
    let b_shard = 1 - a_shard;
    within_for(
        LIMIT,
        "two sessions",
        sim.log()
            .wait_until(|_| (sim.sessions().len() == 2).then_some(())),
    )
    .await;

    // A's session is stored (resumable), then A dies before its shard gets anything; the
    // events for it wait in the sim
    while !a_stored {
        let (who, _, line) = next(&mut rx).await;
        a_stored = who == "A" && line == stored;
    }
    a.start_kill().unwrap();
    a.wait().await.unwrap();
    for i in 0..3 {
        push(&sim, a_shard, &format!("a{i}"));
        push(&sim, b_shard, &format!("b{i}"));
    }
    let mut printed: HashMap<String, Vec<&str>> = HashMap::new();
    let mut took_over = false;
    while printed.len() < 6 || !took_over {
        let (who, stdout, line) = next(&mut rx).await;
        if stdout {
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["t"] == "AT_MESSAGE_CREATE" {
                let content = v["data"]["content"].as_str().unwrap().to_owned();
                printed.entry(content).or_default().push(who);
            }
        } else if who == "B" && running(&line) == Some(a_shard) {
            took_over = true;
        }
    }
    drop(b.stdin.take());
    let status = exited(&mut b).await;
    assert!(status.success(), "{status:?}");
    for (content, by) in &printed {
        assert_eq!(by, &["B"], "{content} printed by {by:?}");
    }
    assert_eq!(
        sim.identify_log().len(),
        2,
        "A's shard resumed, not identified"
    );
    assert_eq!(sim.resume_log().len(), 1);
}

/// Bubble has one connection per bot: the process holding its lease connects, a second one
/// waits; when the first is killed the second takes the lease over and resumes the session
/// from Redis (extended profile): the events sent meanwhile are printed once, by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_runs_in_one_process_and_is_resumed_by_the_next() {
    let Some(redis) = redis_url() else { return };
    let sim = BubbleSim::start(BubbleConfig {
        profile: Profile::Extended,
        ..BubbleConfig::default()
    })
    .await
    .unwrap();
    let prefix = unique_prefix("cli-run-bubble");
    let args = strings(&[
        "--redis",
        &redis,
        "--platform",
        "bubble",
        "--lease-ttl-ms",
        "500",
        "--prefix",
        &prefix,
        "--url",
        &sim.url(),
        "--api-base",
        &sim.rest_base(),
        "--token",
        &sim.config().token,
    ]);
    let push = |i: u32| {
        sim.push_event(
            "MESSAGE_CREATE",
            json!({"id": 100 + i, "channelId": 1, "content": format!("m{i}"),
                   "author": {"id": 2, "name": "u"}}),
        );
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut a = spawn("A", &args, &tx);
    let (mut running, mut stored) = (false, false);
    while !(running && stored) {
        let (_, _, line) = next(&mut rx).await;
        running |= line == "botgate run: shard 0 running";
        stored |= line == "botgate run: shard 0 session stored";
    }
    let mut b = spawn("B", &args, &tx);
    loop {
        let (who, _, line) = next(&mut rx).await;
        if who == "B" && line.starts_with("botgate run: B runs up to") {
            break;
        }
    }
    push(0);
    let mut printed: HashMap<String, Vec<&str>> = HashMap::new();
    let mut content = |who, stdout, line: &str| {
        if stdout {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["t"] == "MESSAGE_CREATE" {
                let content = v["data"]["content"].as_str().unwrap().to_owned();
                printed.entry(content).or_default().push(who);
            }
        }
        printed.len()
    };
    let mut m0_seq = 0;
    while content("?", false, "") < 1 {
        let (who, stdout, line) = next(&mut rx).await;
        if stdout {
            m0_seq = serde_json::from_str::<Value>(&line).unwrap()["s"]
                .as_u64()
                .expect("extended profile: events have a seq");
        }
        content(who, stdout, &line);
    }
    assert_eq!(sim.connections(), 1, "B waits for the lease");
    // A's note that it handled m0 reaches Redis (its journal is written in the background:
    // a kill before that would have B handle m0 again, the window decision 0018 documents)
    let store = RedisSessionStore::open(&redis)
        .unwrap()
        .with_prefix(&prefix);
    within_for(LIMIT, "A's handled point in Redis", async {
        while !store
            .handled_since_save("bubble/default")
            .unwrap()
            .contains(&m0_seq)
            && store
                .load("bubble/default")
                .unwrap()
                .is_none_or(|s| s.seq < m0_seq)
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;

    a.start_kill().unwrap();
    a.wait().await.unwrap();
    push(1);
    push(2);
    let mut took_over = false;
    while content("?", false, "") < 3 || !took_over {
        let (who, stdout, line) = next(&mut rx).await;
        content(who, stdout, &line);
        took_over |= who == "B" && line == "botgate run: shard 0 running";
    }
    drop(b.stdin.take());
    let status = exited(&mut b).await;
    assert!(status.success(), "{status:?}");
    assert_eq!(printed["m0"], ["A"]);
    assert_eq!(printed["m1"], ["B"]);
    assert_eq!(printed["m2"], ["B"]);
    let resumes = bubble_resumes(&sim);
    assert_eq!(resumes, 1, "B resumed A's session");
}

/// A session that stops on its own (here QQ refuses the token: close 4004) stops the process:
/// it exits non-zero with the reason and frees the shard's lease (review of stop 29: it idled
/// on, holding the lease, and later exited 0).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_stops_on_its_own_ends_the_process_with_its_reason() {
    let Some(redis) = redis_url() else { return };
    let sim = qq_sim_shards(1).await;
    let prefix = unique_prefix("cli-run-fatal");
    let mut cmd = command(argv(
        &["run"],
        &strings(&[
            "--redis",
            &redis,
            "--shards",
            "1",
            "--prefix",
            &prefix,
            "--url",
            &sim.url(),
            "--token",
            "QQBot wrong-SECRET",
        ]),
    ));
    let child = cmd.spawn().unwrap();
    let out = within_for(LIMIT, "the process to exit", child.wait_with_output())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("authentication failed"), "{stderr}");
    assert!(
        !stderr.contains("wrong-SECRET"),
        "the token is never printed: {stderr}"
    );
    let leases = botgate_redis::ShardLeases::connect(&redis, "qq", "probe", Duration::from_secs(5))
        .await
        .unwrap()
        .with_prefix(&prefix);
    let holder = leases.holder(0).await.unwrap();
    assert_eq!(holder, None, "the lease is free for another process");
}
