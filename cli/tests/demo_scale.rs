//! `botgate demo --scale`: 2 gateways and 3 workers (child processes of the binary) on a real
//! Redis against the embedded sim; one of each is killed mid-stream and the demo reports the
//! counts it measured: every event printed, none twice. Without a Redis it says how to start
//! one.
//!
//! The full demo needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::{command, redis_url, BIN};

/// The demo bounds each of its steps by 60 s; this bounds the whole.
const LIMIT: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rest_take_over_with_nothing_lost_or_handled_twice() {
    let Some(redis) = redis_url() else { return };
    let child = command(["demo", "--scale", "--redis", &redis])
        .env_remove("BOTGATE_REDIS")
        .spawn()
        .unwrap();
    let out = tokio::time::timeout(LIMIT, child.wait_with_output())
        .await
        .expect("the demo ends")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for expected in [
        "[kill -9]  worker w2 after 40 entries",
        "[kill -9]  gateway g1",
        "[takeover] g2 runs shard",
        "600 events sent, 600 handled",
        ": 0 lost, 0 handled twice",
        "botgate demo --scale: ok",
    ] {
        assert!(stdout.contains(expected), "no {expected:?} in:\n{stdout}");
    }
    // the killed worker's pending entries (if its last batch had more) went to the others
    let left: u64 = stdout
        .split("[kill -9]  worker w2 after 40 entries, ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next()?.parse().ok())
        .expect("how many entries w2 left pending");
    let claimed: u64 = stdout
        .lines()
        .filter(|l| l.starts_with("[worker]"))
        .filter_map(|l| l.split(", ").nth(1)?.split(' ').next()?.parse::<u64>().ok())
        .sum();
    assert!(
        claimed >= left,
        "{left} left pending, {claimed} claimed:\n{stdout}"
    );
}

#[test]
fn without_a_redis_it_says_how_to_start_one() {
    let out = std::process::Command::new(BIN)
        .args(["demo", "--scale"])
        .env_remove("BOTGATE_REDIS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("redis-server")
            && stderr.contains("--redis")
            && stderr.contains("BOTGATE_REDIS"),
        "{stderr}"
    );
}
