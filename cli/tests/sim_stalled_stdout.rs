//! `botgate sim --blast` whose stdout reader stopped reading: the sim prints a line per client
//! served, and once the pipe is full that printing waits. The sim must still serve clients and
//! still stop on SIGTERM (exit 0, after a bounded last flush). Those lines were written from a
//! thread of the runtime, which blocked in the write: SIGTERM was never noticed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use botgate_sim::blast::{count, Platform};
use support::unread::stop_within;
use support::{command, Signal, LIMIT};
use tokio::io::{AsyncBufReadExt, BufReader};

/// Clients served, a line of about 80 bytes each: more than the pipe (64 KiB) and the CLI's
/// queue (1024 lines) hold together.
const CLIENTS: usize = 3000;
/// The last flush's bound (5 s) and a margin.
const STOP_LIMIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blast_sim_whose_stdout_is_not_read_serves_and_stops_on_sigterm() {
    let mut child = command(["sim", "--platform", "onebot", "--blast", "1"])
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut url = None;
    while url.is_none() {
        let line = tokio::time::timeout(LIMIT, stdout.next_line())
            .await
            .expect("the sim's lines")
            .unwrap()
            .expect("stdout open");
        let info: serde_json::Value = serde_json::from_str(&line).unwrap();
        url = info["url"].as_str().map(str::to_owned);
    }
    let url = url.unwrap_or_default();
    // From here on stdout is not read (it stays open): the lines of the clients fill it.
    for i in 0..=CLIENTS {
        let served = tokio::time::timeout(LIMIT, count(&url, Platform::OneBot, 1)).await;
        let report = served
            .unwrap_or_else(|_| panic!("client {i} not served within {LIMIT:?}"))
            .unwrap_or_else(|e| panic!("client {i}: {e}"));
        assert_eq!(report.frames, 1);
    }

    let (seen, status) = stop_within(&mut child, &mut stderr, Signal::Term, STOP_LIMIT).await;
    assert_eq!(status.code(), Some(0), "{seen}");
    drop(stdout);
}
