//! `botgate listen` whose stdout reader stopped reading (a consumer that hangs, a terminal on
//! hold): once the pipe is full, printing waits. SIGTERM must still stop it: exit 0 after the
//! handlers' grace and a bounded last flush, the session closed normally. The event lines were
//! written from the runtime's threads, each blocked in the write (or on stdout's lock): the
//! signal was never even noticed, and the process hung until its reader read again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use botgate_sim::{OneBotSim, Record};
use support::unread::{flooded_listener, stop_within};
use support::{Signal, LIMIT};

/// Far more output than a pipe holds (64 KiB): about 250 bytes a line.
const EVENTS: usize = 2000;
/// The handlers' grace (10 s) and the last flush's bound, and a margin.
const STOP_LIMIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_a_listener_whose_stdout_is_not_read() {
    let sim = OneBotSim::start_default().await.unwrap();
    let (mut child, mut stdout, mut stderr) = flooded_listener(&sim, EVENTS).await;
    // One more line: the events are being printed. From here on stdout is not read (it stays
    // open): the listener fills the pipe and its printing waits.
    let second = tokio::time::timeout(LIMIT, stdout.next_line())
        .await
        .expect("an event line")
        .unwrap()
        .unwrap();
    assert!(second.contains("message.group"), "{second}");

    let (seen, status) = stop_within(&mut child, &mut stderr, Signal::Term, STOP_LIMIT).await;
    assert_eq!(status.code(), Some(0), "{seen}");
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
