//! `botgate sim --blast N` with a large N takes seconds to encode its frames (and as long again
//! to measure its ceiling). A stop signal meanwhile is a graceful stop: the encoding ends at
//! once, nothing more is measured or served, exit 0. Before, the signal was noticed only once
//! all N frames were encoded and the ceiling measured and printed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Proc, Signal};

/// About 2 s of encoding (and 2 GB) in a test build: a signal sent once the sim says it
/// encodes comes in its first milliseconds.
const FRAMES: &str = "3000000";

async fn stops_while_encoding(signal: Signal, name: &str) {
    let mut sim = Proc::spawn(["sim", "--platform", "qq", "--blast", FRAMES]);
    sim.stderr_until(|l| l.contains("encoding")).await;
    let exit = sim.stop(signal).await;
    assert_eq!(exit.code, Some(0), "{}", exit.stderr);
    assert!(
        !exit.rest.contains("ceiling"),
        "measured after the signal:\n{}",
        exit.rest
    );
    let said = exit
        .stderr
        .lines()
        .find(|l| l.contains("while encoding"))
        .unwrap_or_else(|| panic!("no stop line:\n{}", exit.stderr));
    assert!(said.contains(name), "{said}");
    assert!(
        exit.rest.contains(r#"{"stopped":{"blasts":0}}"#),
        "{}",
        exit.rest
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_encoding_a_large_blast_stops_at_once_with_status_0() {
    stops_while_encoding(Signal::Term, "SIGTERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_while_encoding_a_large_blast_stops_at_once_with_status_0() {
    stops_while_encoding(Signal::Int, "SIGINT").await;
}
