//! `botgate listen` whose stdout reader stopped reading (a consumer that hangs, a terminal on
//! hold): once the pipe is full, printing waits. SIGTERM must still stop it: exit 0 after the
//! handlers' grace and a bounded last flush, the session closed normally. The event lines were
//! written from the runtime's threads, each blocked in the write (or on stdout's lock): the
//! signal was never even noticed, and the process hung until its reader read again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use botgate_sim::{OneBotSim, Record};
use serde_json::json;
use support::{command, signal_child, Signal, LIMIT};
use tokio::io::{AsyncBufReadExt, BufReader};

/// Far more output than a pipe holds (64 KiB): about 250 bytes a line.
const EVENTS: usize = 2000;
/// The handlers' grace (10 s) and the last flush's bound, and a margin.
const STOP_LIMIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_a_listener_whose_stdout_is_not_read() {
    let sim = OneBotSim::start_default().await.unwrap();
    let mut child = command(["listen", "--platform", "onebot", "--url", &sim.url()])
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    // the lifecycle event: the session is up and printing
    let first = tokio::time::timeout(LIMIT, stdout.next_line())
        .await
        .expect("a first line")
        .unwrap()
        .unwrap();
    assert!(first.contains("meta_event.lifecycle"), "{first}");
    for i in 0..EVENTS {
        sim.push_event(json!({"post_type": "message", "message_type": "group",
            "sub_type": "normal", "message_id": i, "group_id": i % 16, "user_id": 42,
            "message": format!("line {i} of many, long enough to fill a pipe soon"),
            "raw_message": "", "font": 0, "sender": {"user_id": 42, "nickname": "u"}}));
    }
    // One more line: the events are being printed. From here on stdout is not read (it stays
    // open): the listener fills the pipe and its printing waits.
    let second = tokio::time::timeout(LIMIT, stdout.next_line())
        .await
        .expect("an event line")
        .unwrap()
        .unwrap();
    assert!(second.contains("message.group"), "{second}");

    signal_child(&child, Signal::Term);
    let stopped = tokio::time::timeout(STOP_LIMIT, async {
        let mut seen = String::new();
        while let Ok(Some(line)) = stderr.next_line().await {
            seen.push_str(&line);
            seen.push('\n');
        }
        (seen, child.wait().await)
    })
    .await;
    let Ok((seen, status)) = stopped else {
        let _ = child.kill().await;
        panic!("still running {STOP_LIMIT:?} after SIGTERM");
    };
    assert_eq!(status.unwrap().code(), Some(0), "{seen}");
    assert!(seen.contains("SIGTERM, closing"), "{seen}");
    let closed = tokio::time::timeout(
        LIMIT,
        sim.log().wait_for(|r| match r {
            Record::Disconnected { code, .. } => Some(*code),
            _ => None,
        }),
    )
    .await
    .expect("the sim saw the client go");
    assert_eq!(closed, Some(1000), "a normal close");
    drop(stdout);
}
