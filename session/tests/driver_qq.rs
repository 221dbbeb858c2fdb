//! The driver runs the QQ session against the QQ sim over loopback: 10,000 dispatches with a
//! fault every 300, delivered exactly once and in order across resumes; a wrong token fails
//! fast; a consumer that does not read stops the reader without losing anything; shards
//! identify one slot apart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod driver_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_session::driver::{self, DriverConfig};
use botgate_session::{
    qq, BackoffConfig, ErrorKind, LocalIdentifyQueue, SessionEvent, SessionMachine,
};
use botgate_sim::{Fault, QqConfig, QqSim, Record};
use driver_common::*;
use serde_json::json;

const AT_MESSAGE: u32 = 1 << 30;
const REACTIONS: u32 = 1 << 10;

fn sim_config() -> QqConfig {
    QqConfig {
        // Short enough that zombie detection (StopAcks) is quick, long enough that an ACK queued
        // behind a batch is never late.
        heartbeat_interval: Duration::from_millis(250),
        // Long enough that a busy debug build never trips it: faults are injected, not raced.
        heartbeat_timeout: Some(Duration::from_secs(30)),
        ..QqConfig::default()
    }
}

fn session(sim: &QqSim, token: &str) -> qq::Session {
    let mut config = qq::Config::new(sim.url().parse().unwrap(), token, AT_MESSAGE | REACTIONS);
    config.backoff = BackoffConfig {
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
        floor: Duration::ZERO,
        stable_after: Duration::from_secs(30),
    };
    config.invalid_session_wait = (Duration::ZERO, Duration::from_millis(20));
    config.seed = Some(7);
    qq::Session::new(config, Instant::now(), None)
}

fn driver_config(capacity: usize) -> DriverConfig {
    DriverConfig::default()
        .event_capacity(capacity)
        .close_timeout(Duration::from_secs(2))
}

/// A fault and whether the client reconnects because of it.
fn faults() -> Vec<(Fault, bool)> {
    vec![
        (Fault::Drop, true),
        (Fault::DuplicateLast, false),
        (Fault::StopAcks, true),
        (Fault::Reconnect, true),
        (Fault::InvalidSession { resumable: true }, true),
        (Fault::RequestHeartbeat, false),
        (Fault::InvalidSession { resumable: false }, true),
        (
            Fault::Close {
                code: 4009,
                reason: "connection expired".into(),
            },
            true,
        ),
        (
            Fault::Close {
                code: 4000,
                reason: "unknown error".into(),
            },
            true,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_dispatches_arrive_exactly_once_in_order_across_faults() {
    const TOTAL: usize = 10_000;
    const BATCH: usize = 300;
    let sim = QqSim::start(sim_config()).await.unwrap();
    let (handle, events) = driver::run(session(&sim, "QQBot sim-access-token"), &driver_config(64));
    let (mut progress_rx, consumer) = consume(events);
    progress(&mut progress_rx, "READY", |p| p.readies >= 1).await;

    let mut pushed = Vec::with_capacity(TOTAL);
    let mut reconnecting_faults = 0;
    for (batch, start) in (0..TOTAL).step_by(BATCH).enumerate() {
        for i in start..(start + BATCH).min(TOTAL) {
            let t = if i % 7 == 3 {
                "MESSAGE_REACTION_ADD"
            } else {
                "AT_MESSAGE_CREATE"
            };
            let id = format!("m{i:05}");
            sim.push_event(
                t,
                json!({"id": id, "content": format!("event {i}"), "channel_id": "c1"}),
            );
            pushed.push((t.to_owned(), id));
        }
        // Inject while the batch is still in flight: resume must replay what was lost.
        let faults = faults();
        let (fault, reconnects) = faults[batch % faults.len()].clone();
        reconnecting_faults += usize::from(reconnects);
        let back_when = Some(&["READY", "RESUMED"][..]);
        fault_and_wait(sim.log(), back_when, reconnects, || {
            sim.inject(fault.clone())
        })
        .await;
    }
    let done = progress(&mut progress_rx, "every dispatch", |p| p.delivered >= TOTAL).await;
    assert!(done.resumes >= 10, "{done:?}");
    assert!(
        done.readies >= 3,
        "fresh sessions after op 9 false: {done:?}"
    );

    let stats = handle.stats();
    let machine = handle.shutdown().await.unwrap();
    assert!(!machine.is_ready(), "closed for good");
    let collected = within("the consumer", consumer).await.unwrap();
    assert!(collected.progress.stopped);
    assert_eq!(collected.keys.len(), TOTAL, "nothing lost, nothing twice");
    assert_eq!(collected.keys, pushed);
    // ... and exactly what the sim sent, each once, replays and duplicates folded.
    let sent = sent_keys_first(&sim.sent_dispatches(), &["READY", "RESUMED"]);
    assert_eq!(collected.keys, sent);
    assert!(
        stats.connections as usize > reconnecting_faults,
        "{stats:?}"
    );
    // each fault brought a Resumed or a Ready (the last one may still be on its way)
    assert!(
        done.resumes + done.readies >= reconnecting_faults,
        "{done:?}"
    );
    // shutdown closed cleanly with 1000
    let last = last_conn(sim.log());
    within(
        "the clean close",
        sim.log().wait_for(|r| match r {
            Record::Disconnected { conn, code } if *conn == last => Some(*code),
            _ => None,
        }),
    )
    .await
    .map(|code| assert_eq!(code, 1000))
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_fixed_token_is_fatal_at_once_without_retry() {
    let sim = QqSim::start(sim_config()).await.unwrap();
    let (handle, events) = driver::run(session(&sim, "QQBot wrong-token"), &driver_config(16));
    let (_progress, consumer) = consume(events);
    // The driver ends on its own after Fatal: the channel closes.
    let collected = within("the consumer", consumer).await.unwrap();
    assert_eq!(
        collected.progress.fatal,
        vec![ErrorKind::AuthFailed {
            close_code: Some(4004),
            http_status: None
        }]
    );
    assert_eq!(collected.progress.reconnects, 0);
    let machine = within("the driver", handle.join()).await.unwrap();
    assert!(machine.next_connect().is_none());
    let connections = sim
        .log()
        .snapshot()
        .iter()
        .filter(|r| matches!(r, Record::Connected { .. }))
        .count();
    assert_eq!(connections, 1, "no retry loop");
    assert_eq!(sim.identify_log().len(), 1);
}

/// A URL that is not `ws://` / `wss://` cannot work whatever the retries: the driver run
/// alone (no facade check in front) stops with `Unusable` after one attempt (it retried for
/// ever; left open by decision 0050, stop 30).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_that_is_no_websocket_url_is_fatal_after_one_attempt() {
    let sim = QqSim::start(sim_config()).await.unwrap();
    let http_url = sim.url().replacen("ws://", "http://", 1);
    let mut config = qq::Config::new(
        http_url.parse().unwrap(),
        "QQBot sim-access-token",
        AT_MESSAGE,
    );
    config.seed = Some(1);
    let machine = qq::Session::new(config, Instant::now(), None);
    let (handle, events) = driver::run(machine, &driver_config(16));
    let (_progress, consumer) = consume(events);
    let collected = within("the consumer", consumer).await.unwrap();
    assert!(
        matches!(collected.progress.fatal.as_slice(), [ErrorKind::Unusable { reason }] if reason.contains("not ws or wss")),
        "{:?}",
        collected.progress.fatal
    );
    assert_eq!(collected.progress.reconnects, 0);
    let machine = within("the driver", handle.join()).await.unwrap();
    assert!(machine.next_connect().is_none());
    assert!(sim.log().is_empty(), "nothing reached the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_that_does_not_read_stops_the_reader_and_loses_nothing() {
    const CAPACITY: usize = 8;
    const TOTAL: usize = 2_000;
    let sim = QqSim::start(sim_config()).await.unwrap();
    let (handle, mut events) = driver::run(
        session(&sim, "QQBot sim-access-token"),
        &driver_config(CAPACITY),
    );
    let mut status = handle.status();
    let mut pushed = Vec::new();
    for i in 0..TOTAL {
        let id = format!("b{i:05}");
        sim.push_event("AT_MESSAGE_CREATE", json!({"id": id}));
        pushed.push(("AT_MESSAGE_CREATE".to_owned(), id));
    }
    // Nobody reads: the driver fills the channel, holds one more event, and stops.
    within("backpressure", status.wait_for(|s| s.backpressured))
        .await
        .unwrap();
    assert_eq!(events.len(), CAPACITY);
    // READY (s = 1) plus CAPACITY - 1 dispatches in the channel and one held: s = 1 + CAPACITY.
    let seq = handle.with_machine(|m, _| m.last_seq()).await.unwrap();
    assert_eq!(seq, 1 + CAPACITY as u64);
    let frames_in = handle.stats().frames_in;
    // The sim keeps writing; the driver keeps serving commands but reads nothing more.
    within(
        "the sim to write 200 dispatches",
        sim.log().wait_count(
            200,
            |r| matches!(r, Record::Sent { frame, .. } if frame["op"] == 0),
        ),
    )
    .await;
    let seq_later = handle.with_machine(|m, _| m.last_seq()).await.unwrap();
    assert_eq!(seq_later, seq, "no frame read while the consumer is behind");
    assert_eq!(handle.stats().frames_in, frames_in);
    assert_eq!(events.len(), CAPACITY);
    assert!(status.borrow().backpressured);

    // Now read: everything arrives, in order.
    let mut got = Vec::new();
    while got.len() < TOTAL {
        match within("events", events.recv()).await.unwrap() {
            SessionEvent::Dispatch(frame) => got.push(frame_key(&frame)),
            SessionEvent::Ready(_)
            | SessionEvent::Resumed { .. }
            | SessionEvent::Reconnecting { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got, pushed);
    handle.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_identify_one_queue_slot_apart_and_all_receive_events() {
    const SHARDS: u32 = 3;
    let window = Duration::from_millis(150);
    let sim = QqSim::start(sim_config()).await.unwrap();
    let url: url::Url = sim.url().parse().unwrap();
    let t0 = Instant::now();
    let queue = Arc::new(LocalIdentifyQueue::with_window(1, window));
    let (shards, mut events) = driver::run_shards(
        0..SHARDS,
        |id, queue| {
            let mut config = qq::Config::new(url.clone(), "QQBot sim-access-token", AT_MESSAGE);
            config.shard = [id, SHARDS];
            config.identify_queue = queue;
            qq::Session::new(config, Instant::now(), None)
        },
        queue,
        &driver_config(64),
    );
    let mut ready_at = [None; SHARDS as usize];
    while ready_at.iter().any(Option::is_none) {
        let e = within("READY of every shard", events.recv()).await.unwrap();
        if let SessionEvent::Ready(_) = e.event {
            ready_at[e.shard as usize] = Some(t0.elapsed());
        }
    }
    // A slot is never early: the i-th shard to identify (slots go in Hello order, decision
    // 0046) does so no sooner than i windows after the start, one window after the one before.
    let mut order: Vec<Duration> = ready_at.iter().map(|at| at.unwrap()).collect();
    order.sort();
    for (i, at) in order.iter().enumerate() {
        assert!(*at >= window * i as u32, "identify {i} ready at {at:?}");
    }
    let mut identified: Vec<Instant> = sim.identify_times().iter().map(|(_, at)| *at).collect();
    identified.sort();
    // Received one window apart, less the delivery's jitter (they are sent a window apart).
    for pair in identified.windows(2) {
        assert!(pair[1] - pair[0] >= window - window / 10, "{identified:?}");
    }
    let mut shards_seen: Vec<[u64; 2]> = sim
        .identify_log()
        .iter()
        .map(|d| {
            [
                d["shard"][0].as_u64().unwrap(),
                d["shard"][1].as_u64().unwrap(),
            ]
        })
        .collect();
    shards_seen.sort();
    assert_eq!(shards_seen, vec![[0, 3], [1, 3], [2, 3]]);

    // one event per shard: the sim routes guild events by (guild_id >> 22) % count
    for shard in 0..u64::from(SHARDS) {
        assert_eq!(
            sim.push_event(
                "AT_MESSAGE_CREATE",
                json!({"id": format!("to-{shard}"), "guild_id": (shard << 22).to_string()})
            ),
            1
        );
    }
    let mut got = Vec::new();
    while got.len() < SHARDS as usize {
        let e = within("the event on every shard", events.recv())
            .await
            .unwrap();
        if let SessionEvent::Dispatch(frame) = e.event {
            assert_eq!(frame_key(&frame).1, format!("to-{}", e.shard));
            got.push(e.shard);
        }
    }
    got.sort();
    assert_eq!(got, vec![0, 1, 2]);
    let machines = shards.shutdown().await.unwrap();
    assert_eq!(machines.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_while_backpressured_closes_cleanly_and_returns_the_machine() {
    let sim = QqSim::start(sim_config()).await.unwrap();
    let (handle, mut events) =
        driver::run(session(&sim, "QQBot sim-access-token"), &driver_config(4));
    for i in 0..50 {
        sim.push_event("AT_MESSAGE_CREATE", json!({"id": format!("s{i}")}));
    }
    let mut status = handle.status();
    within("backpressure", status.wait_for(|s| s.backpressured))
        .await
        .unwrap();
    let machine = within("shutdown", handle.shutdown()).await.unwrap();
    assert!(!machine.is_ready());
    assert!(status.borrow_and_update().stopped);
    let code = within(
        "the close",
        sim.log().wait_for(|r| match r {
            Record::Disconnected { code, .. } => Some(*code),
            _ => None,
        }),
    )
    .await;
    assert_eq!(code, Some(1000));
    // What was in the channel is still there, in order; the channel then ends.
    assert!(matches!(events.recv().await, Some(SessionEvent::Ready(_))));
    let mut n = 0;
    while let Some(event) = events.recv().await {
        if let SessionEvent::Dispatch(frame) = event {
            assert_eq!(frame_key(&frame).1, format!("s{n}"));
            n += 1;
        }
    }
    assert_eq!(n, 3, "the channel held READY and three dispatches");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_receiver_stops_the_driver_with_a_clean_close() {
    let sim = QqSim::start(sim_config()).await.unwrap();
    let (handle, mut events) =
        driver::run(session(&sim, "QQBot sim-access-token"), &driver_config(4));
    assert!(matches!(
        within("ready", events.recv()).await,
        Some(SessionEvent::Ready(_))
    ));
    // Nobody listens any more: the driver closes at once, without waiting for an event.
    drop(events);
    within("the driver", handle.join()).await.unwrap();
    let code = within(
        "the close",
        sim.log().wait_for(|r| match r {
            Record::Disconnected { code, .. } => Some(*code),
            _ => None,
        }),
    )
    .await;
    assert_eq!(code, Some(1000));
}

/// A server that accepts the TCP connection and never answers the upgrade: a consumer that
/// goes away meanwhile stops the driver at once, not after the connect timeout (an hour here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_receiver_while_the_upgrade_hangs_stops_the_driver_at_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/websocket", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mut config = qq::Config::new(url.parse().unwrap(), "QQBot t", AT_MESSAGE);
    config.seed = Some(1);
    let session = qq::Session::new(config, Instant::now(), None);
    let options =
        botgate_transport::ws::ConnectOptions::new().connect_timeout(Duration::from_secs(3600));
    let (handle, events) = driver::run(session, &DriverConfig::default().connect_options(options));
    let mut status = handle.status();
    within(
        "the connect",
        status.wait_for(|s| s.link == driver::LinkState::Connecting),
    )
    .await
    .unwrap();
    drop(events);
    within("the driver", handle.join()).await.unwrap();
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_refreshable_token_is_replaced_through_the_handle() {
    let sim = QqSim::start(sim_config()).await.unwrap();
    let mut config = qq::Config::new(sim.url().parse().unwrap(), "QQBot stale", AT_MESSAGE);
    config.refreshable_token = true;
    config.backoff.floor = Duration::ZERO;
    config.backoff.base = Duration::from_millis(10);
    let machine = qq::Session::new(config, Instant::now(), None);
    let (handle, mut events) = driver::run(machine, &driver_config(16));
    loop {
        match within("the token request", events.recv()).await.unwrap() {
            SessionEvent::TokenRequired { reason } => {
                assert_eq!(reason, botgate_session::TokenReason::Rejected);
                break;
            }
            SessionEvent::Fatal(e) => panic!("fatal: {e}"),
            _ => {}
        }
    }
    // The driver waits (no connection planned) until the application answers.
    assert_eq!(handle.status().borrow().link, driver::LinkState::Down);
    handle
        .set_token("QQBot sim-access-token", Some(Duration::from_secs(7200)))
        .await
        .unwrap();
    loop {
        if let SessionEvent::Ready(ready) = within("READY", events.recv()).await.unwrap() {
            assert_eq!(ready.bot_id.as_deref(), Some("6158788878435714165"));
            break;
        }
    }
    let tokens: Vec<String> = sim
        .identify_log()
        .iter()
        .map(|d| d["token"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tokens, vec!["QQBot stale", "QQBot sim-access-token"]);
    handle.shutdown().await.unwrap();
}

/// A consumer that stalls while a resume's replay is being read (the reader stops, decision
/// 0065) longer than the READY / RESUMED deadline: the resume completes on the same
/// connection and every event arrives once. Before, the deadline ran while nothing was read
/// and the connection was dropped for a "ready timeout" (and resumed again) once reading went on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_stalled_during_a_resume_replay_does_not_time_the_resume_out() {
    const CAPACITY: usize = 4;
    const TOTAL: usize = 40;
    const READY_TIMEOUT: Duration = Duration::from_millis(300);
    let sim = QqSim::start(sim_config()).await.unwrap();
    let mut config = qq::Config::new(
        sim.url().parse().unwrap(),
        "QQBot sim-access-token",
        AT_MESSAGE,
    );
    config.ready_timeout = READY_TIMEOUT;
    config.seed = Some(7);
    let machine = qq::Session::new(config, Instant::now(), None);
    let (handle, mut events) = driver::run(machine, &driver_config(CAPACITY));
    let mut status = handle.status();
    match within("READY", events.recv()).await.unwrap() {
        SessionEvent::Ready(_) => {}
        other => panic!("{other:?}"),
    }
    let mut pushed = Vec::new();
    let mut push = |range: std::ops::Range<usize>| {
        for i in range {
            let id = format!("r{i:03}");
            sim.push_event("AT_MESSAGE_CREATE", json!({"id": id}));
            pushed.push(("AT_MESSAGE_CREATE".to_owned(), id));
        }
    };
    push(0..TOTAL / 2);
    within("backpressure", status.wait_for(|s| s.backpressured))
        .await
        .unwrap();
    // The link drops while the reader waits; what comes meanwhile is replayed after the resume.
    sim.inject(Fault::Drop);
    within(
        "the drop",
        sim.log()
            .wait_for(|r| matches!(r, Record::Dropped { .. }).then_some(())),
    )
    .await;
    push(TOTAL / 2..TOTAL);
    let mut got = Vec::new();
    let mut stalled = false;
    let mut reconnects = Vec::new();
    while got.len() < TOTAL {
        match within("events", events.recv()).await.unwrap() {
            SessionEvent::Dispatch(frame) => got.push(frame_key(&frame)),
            SessionEvent::Reconnecting { why, .. } => reconnects.push(why),
            SessionEvent::Resumed { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
        let resuming = !sim.resume_log().is_empty()
            && !handle.with_machine(|m, _| m.is_ready()).await.unwrap();
        if resuming && !stalled {
            // The replay fills the channel and the reader stops, RESUMED unread behind it.
            within(
                "backpressure in the replay",
                status.wait_for(|s| s.backpressured),
            )
            .await
            .unwrap();
            // The consumer is slow (the fault under test, not a synchronisation).
            tokio::time::sleep(READY_TIMEOUT * 3).await;
            stalled = true;
        }
    }
    assert!(stalled, "the stall happened during the resume");
    assert_eq!(got, pushed, "each once, in order");
    assert_eq!(reconnects.len(), 1, "only the drop: {reconnects:?}");
    within("RESUMED", async {
        while !handle.with_machine(|m, _| m.is_ready()).await.unwrap() {
            match events.recv().await {
                Some(SessionEvent::Reconnecting { why, .. }) => panic!("reconnect: {why:?}"),
                Some(_) => {}
                None => panic!("driver ended"),
            }
        }
    })
    .await;
    assert_eq!(sim.resume_log().len(), 1, "one resume");
    handle.shutdown().await.unwrap();
}
