//! The driver under a sender that is always ahead (the blast server floods the socket): frames
//! already readable are taken in bursts without a `select!`, yet every event still arrives
//! once and in order, and commands from the handle are served while the flood goes on (a
//! burst is at most 32 frames; an unbounded one would leave a command waiting until the reader
//! caught up with the sender).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use botgate_session::driver::{self, DriverConfig};
use botgate_session::{qq, SessionEvent};
use botgate_sim::blast::{Blast, BlastConfig, BlastServer, Platform};
use botgate_testkit::within;
use tokio::sync::watch;

const AT_MESSAGE: u32 = 1 << 30;
/// Events in the flood: enough that it lasts while the commands below are served.
const EVENTS: usize = 200_000;

/// A blast server that floods `events` QQ messages at whoever connects, and a session for it.
async fn flood(events: usize) -> (BlastServer, qq::Session) {
    let server = BlastServer::start(
        Arc::new(Blast::new(Platform::Qq, events)),
        BlastConfig::default(),
    )
    .await
    .unwrap();
    let config = qq::Config::new(server.url().parse().unwrap(), "QQBot blast", AT_MESSAGE);
    (server, qq::Session::new(config, Instant::now(), None))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_served_while_a_flood_is_read_and_every_event_arrives_once_in_order() {
    let (_server, session) = flood(EVENTS).await;
    let (handle, mut events) =
        driver::run(session, &DriverConfig::default().event_capacity(EVENTS));

    // The channel holds the whole flood, so a full channel never sends the driver to its
    // `select!`: only the burst limit does.
    // The consumer: checks the order of the sequence numbers and publishes how many it has seen.
    let (seen_tx, mut seen) = watch::channel(0usize);
    let consumer = tokio::spawn(async move {
        let (mut count, mut last) = (0usize, 0u64);
        while let Some(event) = events.recv().await {
            if let SessionEvent::Dispatch(frame) = event {
                // The sequence number (cheap: the consumer must keep up with the reader).
                let n = frame.seq().unwrap();
                assert!(n > last, "event {n} after {last}");
                last = n;
                count += 1;
                seen_tx.send_replace(count);
                if count == EVENTS {
                    break;
                }
            }
        }
        count
    });

    within("the flood to start", seen.wait_for(|&n| n > 0))
        .await
        .unwrap();
    // Frames read between sending a command and its running in the driver, counted by the
    // driver's own counter read from inside the command.
    let handle = Arc::new(handle);
    let mut served_after = Vec::new();
    for _ in 0..7 {
        let probe = Arc::clone(&handle);
        let before = handle.stats().frames_in;
        let at = within(
            "a command during the flood",
            handle.with_machine(move |_, _| probe.stats().frames_in),
        )
        .await
        .unwrap();
        served_after.push(at - before);
    }
    let at_last_command = handle.stats().frames_in;
    let delivered = within("every event", consumer).await.unwrap();
    assert_eq!(delivered, EVENTS);
    assert!(
        (at_last_command as usize) < EVENTS,
        "the commands waited for the end of the flood ({at_last_command} frames read)"
    );
    // A select! wake-up reads one frame and the burst after it at most 32; the median leaves room for the test thread being
    // preempted between its count and its send on a loaded machine.
    served_after.sort_unstable();
    assert!(
        served_after[served_after.len() / 2] <= 33,
        "frames read while a command waited (sorted): {served_after:?}"
    );
    let handle = Arc::into_inner(handle).expect("the probes are gone");
    handle.shutdown().await.unwrap();
}

/// A flood into a small channel: the bursts' events wait in the machine and cross in batches
/// (decision 0043), the channel is full most of the time so the driver holds events and stops
/// reading, and a consumer taking them in varying batches still gets every event once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_through_a_small_channel_arrives_whole_in_order() {
    const FLOOD: usize = 50_000;
    let (_server, session) = flood(FLOOD).await;
    let (handle, mut events) = driver::run(session, &DriverConfig::default().event_capacity(8));
    let consumer = tokio::spawn(async move {
        let (mut count, mut last) = (0usize, 0u64);
        let mut batch = Vec::new();
        let mut limit = 1;
        while count < FLOOD {
            batch.clear();
            if events.recv_many(&mut batch, limit).await == 0 {
                break;
            }
            // 1, 2, ..., 7 events at a time, and a yield now and then: the driver finds the
            // channel full, then with room, in every phase of its burst.
            limit = limit % 7 + 1;
            for event in batch.drain(..) {
                if let SessionEvent::Dispatch(frame) = event {
                    let n = frame.seq().unwrap();
                    assert!(n > last, "event {n} after {last}");
                    last = n;
                    count += 1;
                }
            }
            if count % 97 == 0 {
                tokio::task::yield_now().await;
            }
        }
        count
    });
    let delivered = within("every event", consumer).await.unwrap();
    assert_eq!(delivered, FLOOD);
    assert!(
        handle.stats().read_ahead_peak > 0,
        "the channel was never full: the test did not exercise the held events"
    );
    handle.shutdown().await.unwrap();
}
