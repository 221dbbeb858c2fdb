//! The driver runs the OneBot session against the OneBot sim over loopback: forward WS with
//! 10,000 events and a fault every 300 (OneBot has no resume: faults are injected between
//! batches, and every event the sim wrote is delivered, in order); actions answered through
//! the handle; a wrong token (HTTP 401) fails fast; the reverse WS mode on a `Listener`; an
//! action answered behind a flood completes while the consumer waits for it (read-ahead), and
//! at the read-ahead cap the action gives way, never an event.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod driver_common;

use std::time::{Duration, Instant};

use botgate_session::driver::{self, DriverConfig};
use botgate_session::onebot::{self, OneBotCallError};
use botgate_session::{BackoffConfig, ErrorKind, SessionEvent, Token};
use botgate_sim::onebot::AuthFailure;
use botgate_sim::{Fault, OneBotConfig, OneBotSim, Record};
use botgate_transport::ws::{Listener, ListenerConfig};
use botgate_transport::Secret;
use driver_common::*;
use serde_json::{json, Value};

const SELF_ID: i64 = 123_456_789;

fn sim_config() -> OneBotConfig {
    OneBotConfig {
        // The watchdog (2 intervals) must never fire because a heartbeat sat behind a batch:
        // a OneBot reconnect loses what is in flight.
        heartbeat_interval: Some(Duration::from_millis(500)),
        access_token: Some("ob-token".into()),
        auth_failure: AuthFailure::HttpStatus,
        reverse_reconnect: Duration::from_millis(20),
        ..OneBotConfig::default()
    }
}

fn forward(sim: &OneBotSim, token: &str) -> onebot::Session {
    onebot::Session::new(forward_config(sim, token), Instant::now())
}

fn forward_config(sim: &OneBotSim, token: &str) -> onebot::Config {
    let mut config = onebot::Config::forward(sim.url().parse().unwrap(), Some(Token::new(token)));
    config.backoff = BackoffConfig {
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
        floor: Duration::ZERO,
        stable_after: Duration::from_secs(30),
    };
    config.seed = Some(5);
    config
}

fn event(i: usize) -> Value {
    json!({"post_type": "message", "message_type": "group", "sub_type": "normal",
        "message_id": i, "group_id": 42, "user_id": 7, "message": format!("m{i}"),
        "raw_message": format!("m{i}"), "font": 0})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_events_arrive_in_order_across_reconnects_and_actions_answer() {
    const TOTAL: usize = 10_000;
    const BATCH: usize = 300;
    let sim = OneBotSim::start(sim_config()).await.unwrap();
    let (handle, events) = driver::run(
        forward(&sim, "ob-token"),
        &DriverConfig::default().event_capacity(64),
    );
    let (mut progress_rx, consumer) = consume(events);
    progress(&mut progress_rx, "the lifecycle", |p| p.readies >= 1).await;

    // StopAcks costs a watchdog period: twice; the cheap faults the rest of the time.
    let schedule = |batch: usize| match batch {
        10 | 25 => (Fault::StopAcks, true),
        b if b % 3 == 0 => (Fault::Drop, true),
        b if b % 3 == 1 => (Fault::DuplicateLast, false),
        _ => (
            Fault::Close {
                code: 1001,
                reason: "going away".into(),
            },
            true,
        ),
    };
    let mut pushed = Vec::with_capacity(TOTAL);
    let mut reconnects = 0;
    let mut duplicates = 0;
    for (batch, start) in (0..TOTAL).step_by(BATCH).enumerate() {
        let end = (start + BATCH).min(TOTAL);
        for i in start..end {
            sim.push_event(event(i));
            pushed.push(("group".to_owned(), i.to_string()));
        }
        // No resume in OneBot: what is in flight when a connection dies is gone, so faults
        // come once the batch is delivered (each DuplicateLast adds one delivery).
        let want = end + duplicates;
        progress(&mut progress_rx, "the batch", |p| p.delivered >= want).await;
        let answer = handle
            .call("get_login_info", json!({}), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(answer.data["user_id"], SELF_ID);
        let (fault, reconnect) = schedule(batch);
        if fault == Fault::StopAcks {
            // The session's watchdog is armed by the first heartbeat of a connection: only
            // once one was sent can its absence be noticed.
            let conn = last_conn(sim.log());
            within(
                "a heartbeat on the current connection",
                sim.log().wait_for(|r| match r {
                    Record::Sent { conn: c, frame }
                        if *c == conn && frame["meta_event_type"] == "heartbeat" =>
                    {
                        Some(())
                    }
                    _ => None,
                }),
            )
            .await;
        }
        reconnects += usize::from(reconnect);
        duplicates += usize::from(fault == Fault::DuplicateLast);
        fault_and_wait(sim.log(), None, reconnect, || sim.inject(fault.clone())).await;
    }
    progress(&mut progress_rx, "every event", |p| {
        p.delivered >= TOTAL + duplicates
    })
    .await;
    let done = progress_rx.borrow().clone();
    assert!(
        done.readies >= reconnects,
        "{reconnects} reconnects: {done:?}"
    );

    let unknown = handle
        .call("no_such_action", json!({}), None)
        .await
        .unwrap();
    assert!(
        matches!(unknown, Err(OneBotCallError::Failed { retcode: 1404, .. })),
        "{unknown:?}"
    );
    let calls = sim.actions().len();
    let machine = handle.shutdown().await.unwrap();
    assert_eq!(machine.self_id(), Some(SELF_ID));
    assert_eq!(machine.pending_calls(), 0);
    assert!(calls >= 34);
    let collected = within("the consumer", consumer).await.unwrap();
    // Exactly what the sim wrote, in order (OneBot events carry no sequence: a duplicate the
    // sim sends is delivered, dedupe by message id is the dispatcher's job) ...
    let sent: Vec<(String, String)> = sim
        .log()
        .sent()
        .iter()
        .filter(|f| f["post_type"] == "message")
        .map(|f| ("group".to_owned(), id_text(&f["message_id"])))
        .collect();
    assert_eq!(collected.keys, sent);
    // ... and, duplicates folded, every pushed event once, in order.
    let mut folded = collected.keys.clone();
    folded.dedup();
    assert_eq!(folded, pushed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_results_come_back_to_the_caller_even_out_of_order() {
    let sim = OneBotSim::start(OneBotConfig {
        response_order: botgate_sim::onebot::ResponseOrder::Reversed { batch: 3 },
        ..sim_config()
    })
    .await
    .unwrap();
    let (handle, events) = driver::run(forward(&sim, "ob-token"), &DriverConfig::default());
    let (mut progress_rx, _consumer) = consume(events);
    progress(&mut progress_rx, "the lifecycle", |p| p.readies >= 1).await;
    let handle = std::sync::Arc::new(handle);
    let calls: Vec<_> = (0..3)
        .map(|i| {
            let handle = handle.clone();
            tokio::spawn(async move {
                handle
                    .call(
                        "send_group_msg",
                        json!({"group_id": 42, "message": format!("hello {i}")}),
                        None,
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for call in calls {
        let response = within("the answer", call).await.unwrap().unwrap();
        ids.push(response.data["message_id"].as_i64().unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each caller got its own answer");
    assert_eq!(sim.sent_messages().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_access_token_is_fatal_at_once_without_retry() {
    let sim = OneBotSim::start(sim_config()).await.unwrap();
    let (handle, events) = driver::run(forward(&sim, "wrong"), &DriverConfig::default());
    let (_progress, consumer) = consume(events);
    let collected = within("the consumer", consumer).await.unwrap();
    assert_eq!(
        collected.progress.fatal,
        vec![ErrorKind::AuthFailed {
            close_code: None,
            http_status: Some(403)
        }]
    );
    within("the driver", handle.join()).await.unwrap();
    let rejected = sim
        .log()
        .snapshot()
        .iter()
        .filter(|r| matches!(r, Record::Rejected { .. }))
        .count();
    assert_eq!(rejected, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverse_connections_are_accepted_and_each_runs_its_own_session() {
    let mut listener = Listener::bind(
        "127.0.0.1:0",
        ListenerConfig {
            access_token: Some(Secret::new("ob-token")),
            ..ListenerConfig::default()
        },
    )
    .await
    .unwrap();
    let sim = OneBotSim::start(sim_config()).await.unwrap();
    sim.connect_reverse(&format!("ws://{}/onebot/v11/ws", listener.local_addr()))
        .unwrap();
    let session = onebot::Config::reverse();
    let config = DriverConfig::default();

    let mut first = within(
        "the first connection",
        driver::accept_onebot(&mut listener, &session, &config),
    )
    .await
    .unwrap();
    assert_eq!(first.peer.self_id, None, "Waylay sends no X-Self-ID");
    loop {
        if let SessionEvent::Ready(ready) = within("ready", first.events.recv()).await.unwrap() {
            assert_eq!(ready.bot_id.as_deref(), Some("123456789"));
            break;
        }
    }
    for i in 0..100 {
        sim.push_event(event(i));
    }
    let mut got = Vec::new();
    while got.len() < 100 {
        if let SessionEvent::Event(bytes) = within("events", first.events.recv()).await.unwrap() {
            if let Some(key) = onebot_key(&bytes) {
                got.push(key.1);
            }
        }
    }
    assert_eq!(got, (0..100).map(|i| i.to_string()).collect::<Vec<_>>());
    let info = first
        .handle
        .call("get_login_info", json!({}), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.data["user_id"], SELF_ID);

    // The implementation drops the connection: that driver ends, the next one is accepted.
    sim.inject(Fault::Drop);
    while within("the end of the first connection", first.events.recv())
        .await
        .is_some()
    {}
    let machine = within("the first driver", first.handle.join())
        .await
        .unwrap();
    assert!(!machine.is_open());
    let second = within(
        "the second connection",
        driver::accept_onebot(&mut listener, &session, &config),
    )
    .await
    .unwrap();
    let info = second
        .handle
        .call("get_version_info", json!({}), None)
        .await
        .unwrap();
    assert!(info.is_ok(), "{info:?}");
    let mut status = second.handle.status();
    second.handle.shutdown().await.unwrap();
    assert!(status.borrow_and_update().stopped);
}

/// Decision 0057: an accepted connection's handle says `Up` from the moment it is returned,
/// before its task first runs (the reverse listener takes an account's actions off a
/// connection whose link is not up: with `X-Self-ID` it could bind before the task ran and
/// lose them at once). On a current-thread runtime the task cannot have run yet. The role is
/// read from `X-Client-Role` (case-insensitively); an `API` connection's session has no
/// watchdog, the others keep it.
#[tokio::test(flavor = "current_thread")]
async fn an_accepted_connection_is_up_at_once_and_carries_its_role() {
    use tokio::io::AsyncWriteExt;

    let mut listener = Listener::bind("127.0.0.1:0", ListenerConfig::default())
        .await
        .unwrap();
    let session = onebot::Config::reverse();
    let config = DriverConfig::default();
    for (header, role) in [
        (Some("api"), onebot::ClientRole::Api),
        (Some("Event"), onebot::ClientRole::Event),
        (None, onebot::ClientRole::Universal),
    ] {
        let mut tcp = tokio::net::TcpStream::connect(listener.local_addr())
            .await
            .unwrap();
        let role_line = header.map_or(String::new(), |r| format!("X-Client-Role: {r}\r\n"));
        let request = format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             X-Self-ID: 42\r\n{role_line}\r\n"
        );
        tcp.write_all(request.as_bytes()).await.unwrap();
        let accepted = within(
            "the connection",
            driver::accept_onebot(&mut listener, &session, &config),
        )
        .await
        .unwrap();
        assert_eq!(
            accepted.handle.status().borrow().link,
            driver::LinkState::Up,
            "up before its task ran ({header:?})"
        );
        assert_eq!(accepted.role, role);
        assert_eq!(accepted.peer.self_id, Some(42));
        let watchdog = accepted
            .handle
            .with_machine(|m, now| {
                use botgate_session::SessionMachine;
                m.poll_timeout().map(|at| at.saturating_duration_since(now))
            })
            .await
            .unwrap();
        if role == onebot::ClientRole::Api {
            assert_eq!(
                watchdog, None,
                "an API connection is not watched for silence"
            );
        } else {
            assert!(watchdog.is_some(), "{role} keeps the first-frame watchdog");
        }
        // The peer goes away (it would not answer a close).
        drop(tcp);
        accepted.handle.shutdown().await.unwrap();
    }
}

/// Receives until `Ready` (the lifecycle event), with the test's limit.
async fn until_ready(events: &mut botgate_session::driver::EventReceiver<SessionEvent>) {
    loop {
        if let SessionEvent::Ready(_) = within("ready", events.recv()).await.unwrap() {
            return;
        }
    }
}

/// Pushes `n` group messages and waits until the sim has written them all, so what the
/// sim writes next (an action's response) is queued behind them on the socket.
async fn flood_written(sim: &OneBotSim, n: usize) {
    for i in 0..n {
        sim.push_event(event(i));
    }
    within(
        "the sim to write the flood",
        sim.log().wait_count(
            n,
            |r| matches!(r, Record::Sent { frame, .. } if frame["post_type"] == "message"),
        ),
    )
    .await;
}

/// Takes every event until the first `n` messages have been seen; fails on an action result
/// (results of calls made through the handle never enter the channel).
async fn drain_messages(
    events: &mut botgate_session::driver::EventReceiver<SessionEvent>,
    n: usize,
) -> Vec<String> {
    let mut got = Vec::new();
    while got.len() < n {
        match within("the flood", events.recv()).await.unwrap() {
            SessionEvent::Event(bytes) => {
                if let Some((_, id)) = onebot_key(&bytes) {
                    got.push(id);
                }
            }
            SessionEvent::ActionResult { id, result } => {
                panic!("an action result reached the channel: {id:?} {result:?}")
            }
            _ => {}
        }
    }
    got
}

/// The response to an action sits on the socket behind a flood far larger than the event
/// channel while the consumer reads nothing until the action answers: the driver reads ahead
/// (events held, in order) and the call completes; then every event arrives once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_answered_behind_a_flood_completes_while_the_consumer_reads_nothing() {
    const FLOOD: usize = 500;
    let sim = OneBotSim::start(sim_config()).await.unwrap();
    let (handle, mut events) = driver::run(
        forward(&sim, "ob-token"),
        &DriverConfig::default().event_capacity(4),
    );
    until_ready(&mut events).await;
    flood_written(&sim, FLOOD).await;
    let answer = within(
        "the action behind the flood",
        handle.call("get_login_info", json!({}), None),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(answer.data["user_id"], SELF_ID);
    // The response was read past (nearly) the whole flood, which the driver held meanwhile.
    let peak = handle.stats().read_ahead_peak;
    assert!(peak > (FLOOD / 2) as u64, "read-ahead peak {peak}");
    let got = drain_messages(&mut events, FLOOD).await;
    assert_eq!(got, (0..FLOOD).map(|i| i.to_string()).collect::<Vec<_>>());
    let machine = handle.shutdown().await.unwrap();
    assert_eq!(machine.pending_calls(), 0);
}

/// At the read-ahead cap the pending action gives way, never an event: the call fails with
/// `ReadAheadFull`, the reader stops (backpressure again), and once the consumer catches up
/// every event arrives once, in order; the call's late response is dropped (it never reaches
/// the channel) and the next call is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_read_ahead_cap_the_action_fails_and_no_event_is_lost() {
    const FLOOD: usize = 500;
    const CAP: usize = 50;
    let sim = OneBotSim::start(sim_config()).await.unwrap();
    let (handle, mut events) = driver::run(
        forward(&sim, "ob-token"),
        &DriverConfig::default().event_capacity(4).read_ahead(CAP),
    );
    until_ready(&mut events).await;
    flood_written(&sim, FLOOD).await;
    let answer = within(
        "the action to give way",
        handle.call("get_login_info", json!({}), None),
    )
    .await
    .unwrap();
    let Err(OneBotCallError::ReadAheadFull { held }) = answer else {
        panic!("expected ReadAheadFull, got {answer:?}");
    };
    assert!((CAP..CAP + 4).contains(&held), "held {held}");
    let mut status = handle.status();
    assert!(status.borrow_and_update().backpressured);
    let got = drain_messages(&mut events, FLOOD).await;
    assert_eq!(got, (0..FLOOD).map(|i| i.to_string()).collect::<Vec<_>>());
    // The first call's response comes after the flood: it was dropped by the driver (the
    // channel saw no ActionResult above), and a new call is answered.
    let again = within(
        "the next call",
        handle.call("get_login_info", json!({}), None),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(again.data["user_id"], SELF_ID);
    let peak = handle.stats().read_ahead_peak;
    assert!((CAP as u64..CAP as u64 + 4).contains(&peak), "peak {peak}");
    let machine = handle.shutdown().await.unwrap();
    assert_eq!(machine.pending_calls(), 0);
    assert_eq!(sim.actions().len(), 2);
}

/// Review of stop 29: a peer that stops reading (its socket full) held a write, and with it
/// the whole driver, for ever: no timers, no call timeouts, no reconnect, no shutdown. A write
/// now gives up after `write_timeout`; the connection counts as lost and the driver
/// reconnects. Here the sim stalls (no reads, no writes, no heartbeats to miss) while the
/// application sends 40 actions of 1 MiB each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_reading_does_not_stall_the_driver() {
    let sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: None,
        access_token: Some("ob-token".into()),
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    let config = DriverConfig::default().write_timeout(Duration::from_millis(300));
    let (handle, events) = driver::run(forward(&sim, "ob-token"), &config);
    let (mut progress_rx, consumer) = consume(events);
    progress(&mut progress_rx, "the lifecycle", |p| p.readies >= 1).await;
    sim.inject(Fault::Delay(Duration::from_secs(600)));
    let handle = std::sync::Arc::new(handle);
    let big = "A".repeat(1 << 20);
    let calls: Vec<_> = (0..40)
        .map(|_| {
            let (h, params) = (handle.clone(), json!({"message": big.clone()}));
            tokio::spawn(async move {
                h.call("send_msg", params, Some(Duration::from_secs(2)))
                    .await
            })
        })
        .collect();
    // Each call ends: those written to the stalled connection fail with it, those sent
    // after the reconnect are answered by the sim's new connection.
    let mut failed = 0;
    for call in calls {
        let answer = within("every call to end", call).await.unwrap().unwrap();
        failed += usize::from(answer.is_err());
    }
    assert!(failed >= 1, "the stalled connection answered nothing");
    within("a second connection", async {
        while handle.stats().connections < 2 {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let handle = std::sync::Arc::try_unwrap(handle).ok().unwrap();
    within("the shutdown", handle.shutdown()).await.unwrap();
    consumer.await.unwrap();
}

/// Waits until the sim has read an action frame for `action`; its `echo`.
async fn action_read(sim: &OneBotSim, action: &str) -> Value {
    within(
        "the action to reach the sim",
        sim.log().wait_for(|r| match r.received() {
            Some(frame) if frame["action"] == action => Some(frame["echo"].clone()),
            _ => None,
        }),
    )
    .await
}

/// Review of OneBot support (decision 0055): an ok answer whose `data` holds a lone surrogate
/// escape (JavaScript implementations write one for an emoji cut in half) was reported as a
/// success with `data: null`. It now reads as U+FFFD; `data` that still cannot be read (a
/// number out of range) fails the call with `InvalidData` instead of `Ok(null)`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_with_a_lone_surrogate_is_read_and_unreadable_data_fails_the_call() {
    // The sim's own answers come an hour late: the test writes the answers.
    let sim = OneBotSim::start(OneBotConfig {
        response_delay: Duration::from_secs(3_600),
        ..sim_config()
    })
    .await
    .unwrap();
    let (handle, mut events) = driver::run(forward(&sim, "ob-token"), &DriverConfig::default());
    until_ready(&mut events).await;
    let (_progress, _consumer) = consume(events);
    let handle = std::sync::Arc::new(handle);
    let call = |action: &'static str| {
        let handle = handle.clone();
        tokio::spawn(async move { handle.call(action, json!({}), None).await.unwrap() })
    };

    let nickname = call("get_login_info");
    let echo = action_read(&sim, "get_login_info").await;
    sim.send_raw(&format!(
        r#"{{"status":"ok","retcode":0,"data":{{"user_id":1,"nickname":"半\ud83d"}},"echo":{echo}}}"#
    ));
    let answer = within("the first answer", nickname).await.unwrap().unwrap();
    assert_eq!(answer.data["nickname"], "半\u{fffd}");
    assert_eq!(answer.data["user_id"], 1);

    let status = call("get_status");
    let echo = action_read(&sim, "get_status").await;
    sim.send_raw(&format!(
        r#"{{"status":"ok","retcode":0,"data":{{"online":true,"stat":1e999}},"echo":{echo}}}"#
    ));
    let answer = within("the second answer", status).await.unwrap();
    match answer {
        Err(OneBotCallError::InvalidData { reason }) => {
            assert!(reason.contains("out of range"), "{reason}")
        }
        other => panic!("expected InvalidData, got {other:?}"),
    }
    let handle = std::sync::Arc::try_unwrap(handle).ok().unwrap();
    let machine = within("the shutdown", handle.shutdown()).await.unwrap();
    assert_eq!(machine.pending_calls(), 0);
}

/// Review of OneBot support (decision 0055): a failure's text under `message` (the codec's
/// `ActionResponse` reads it as an alias of `msg`) was lost: the session read only `wording`
/// and `msg`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failures_message_field_is_its_text() {
    let sim = OneBotSim::start(sim_config()).await.unwrap();
    sim.set_action_response(
        "set_group_kick",
        json!({"status": "failed", "retcode": 1400, "message": "群不存在", "data": null}),
    );
    sim.set_action_response(
        "set_group_ban",
        json!({"status": "failed", "retcode": 1400, "msg": "", "message": "无权限",
            "data": null}),
    );
    let (handle, mut events) = driver::run(forward(&sim, "ob-token"), &DriverConfig::default());
    until_ready(&mut events).await;
    let (_progress, _consumer) = consume(events);
    for (action, text) in [("set_group_kick", "群不存在"), ("set_group_ban", "无权限")] {
        let answer = within("the answer", handle.call(action, json!({}), None))
            .await
            .unwrap();
        match answer {
            Err(OneBotCallError::Failed {
                retcode: 1400,
                message,
                ..
            }) => assert_eq!(message, text),
            other => panic!("expected a failure, got {other:?}"),
        }
    }
    within("the shutdown", handle.shutdown()).await.unwrap();
}

/// Receives until a heartbeat meta event (passed on by the session, which has read its
/// interval by then).
async fn next_heartbeat(events: &mut botgate_session::driver::EventReceiver<SessionEvent>) {
    while let Some(event) = events.recv().await {
        if let SessionEvent::Event(frame) = event {
            if serde_json::from_slice::<Value>(&frame).unwrap()["meta_event_type"] == "heartbeat" {
                return;
            }
        }
    }
    panic!("the channel closed before a heartbeat");
}

/// Review of OneBot support (decision 0055): after a reconnect the watchdog was armed with
/// the previous connection's interval (2 x 100 ms here). An implementation restarted with a
/// longer interval (1 s) had each new connection cut (4900) before its first heartbeat, for
/// ever. Until the first heartbeat of a connection the watchdog now allows at least
/// `first_frame_timeout` (3 s), and then follows the new interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_with_a_longer_heartbeat_interval_keeps_the_new_connection() {
    let sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: Some(Duration::from_millis(100)),
        ..sim_config()
    })
    .await
    .unwrap();
    let mut config = forward_config(&sim, "ob-token");
    config.first_frame_timeout = Duration::from_secs(3);
    let (handle, mut events) = driver::run(
        onebot::Session::new(config, Instant::now()),
        &DriverConfig::default(),
    );
    // The session has learnt the 100 ms interval once it passed a heartbeat on.
    within("a heartbeat", next_heartbeat(&mut events)).await;
    let (_progress, _consumer) = consume(events);
    let first = last_conn(sim.log());
    sim.set_heartbeat_interval(Some(Duration::from_secs(1)));
    sim.inject(Fault::Close {
        code: 1001,
        reason: "restart".into(),
    });
    // Two heartbeats on one new connection: it outlived the old window and the first
    // heartbeat re-armed the watchdog with the new interval.
    let conn = within(
        "two heartbeats on a connection after the restart",
        sim.log().wait_until(|records| {
            let mut counts = std::collections::BTreeMap::<u64, usize>::new();
            for record in records {
                if let Record::Sent { conn, frame } = record {
                    if *conn > first && frame["meta_event_type"] == "heartbeat" {
                        *counts.entry(*conn).or_default() += 1;
                    }
                }
            }
            counts
                .into_iter()
                .find(|(_, n)| *n >= 2)
                .map(|(conn, _)| conn)
        }),
    )
    .await;
    assert_eq!(
        conn,
        first + 1,
        "the first connection after the restart stays"
    );
    let cut = sim
        .log()
        .snapshot()
        .iter()
        .filter(|r| {
            matches!(
                r,
                Record::Disconnected {
                    code: Some(onebot::WATCHDOG_CLOSE_CODE),
                    ..
                }
            )
        })
        .count();
    assert_eq!(cut, 0);
    within("the shutdown", handle.shutdown()).await.unwrap();
}

/// Review of OneBot support (decision 0055): a slow consumer stops the reader, and the
/// heartbeats the implementation sends meanwhile sit unread behind the events. When reading
/// resumed, the watchdog's deadline had passed and its timer fired before the socket was
/// read: the connection was closed (4900) and every frame still unread was discarded (OneBot
/// cannot resume them). The time the driver was not reading no longer counts against the
/// peer: every event arrives, on the one connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_unread_behind_a_slow_consumer_do_not_end_the_connection() {
    const FLOOD: usize = 200;
    let sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: Some(Duration::from_millis(100)),
        ..sim_config()
    })
    .await
    .unwrap();
    let (handle, mut events) = driver::run(
        forward(&sim, "ob-token"),
        &DriverConfig::default().event_capacity(4),
    );
    until_ready(&mut events).await;
    // The session has learnt the interval (watchdog: 2 x 100 ms) once it passed a heartbeat.
    within("a heartbeat", next_heartbeat(&mut events)).await;
    let conn = last_conn(sim.log());
    // The consumer takes nothing while the flood and then five heartbeats (500 ms, over two
    // watchdog windows) are written behind it.
    flood_written(&sim, FLOOD).await;
    let from = sim.log().len();
    within(
        "five heartbeats behind the flood",
        sim.log().wait_until(|records| {
            let beats = records.get(from..)?.iter().filter(|r| {
                matches!(r, Record::Sent { frame, .. } if frame["meta_event_type"] == "heartbeat")
            });
            (beats.count() >= 5).then_some(())
        }),
    )
    .await;
    let got = within(
        "every event of the flood",
        drain_messages(&mut events, FLOOD),
    )
    .await;
    assert_eq!(got, (0..FLOOD).map(|i| i.to_string()).collect::<Vec<_>>());
    let cut = sim
        .log()
        .snapshot()
        .iter()
        .filter(|r| matches!(r, Record::Disconnected { .. }))
        .count();
    assert_eq!(cut, 0, "the connection was closed");
    assert_eq!(last_conn(sim.log()), conn);
    within("the shutdown", handle.shutdown()).await.unwrap();
}

/// Waits until the sim has answered `n` pings on connection `conn`.
async fn pinged(sim: &OneBotSim, conn: u64, n: usize) {
    within(
        "pings on the connection",
        sim.log().wait_until(|records| {
            let pings = records
                .iter()
                .filter(|r| matches!(r, Record::Pinged { conn: c } if *c == conn))
                .count();
            (pings >= n).then_some(())
        }),
    )
    .await;
}

/// How many connections the client closed with the watchdog's code, as the sim saw.
fn watchdog_closes(sim: &OneBotSim) -> usize {
    sim.log()
        .snapshot()
        .iter()
        .filter(|r| {
            matches!(
                r,
                Record::Disconnected {
                    code: Some(onebot::WATCHDOG_CLOSE_CODE),
                    ..
                }
            )
        })
        .count()
}

/// A session config whose liveness watch runs in short windows: 300 ms for a first heartbeat,
/// then a ping every 100 ms, each answered within `pong_timeout`.
fn quick_watch(sim: &OneBotSim, pong_timeout: Duration) -> onebot::Session {
    let mut config = forward_config(sim, "ob-token");
    config.first_frame_timeout = Duration::from_millis(300);
    config.ping_interval = Duration::from_millis(100);
    config.pong_timeout = pong_timeout;
    onebot::Session::new(config, Instant::now())
}

/// Decision 0060: an implementation restarted with heartbeats off (go-cqhttp
/// `heartbeat.interval: -1`) sends its lifecycle and then only events. The interval learnt
/// before made the session close each of its connections (4900) once the wait for a first
/// heartbeat was over (300 ms here), and reconnect, for ever. It is now pinged every 100 ms:
/// each connection outlives many windows (25 answered pings, 2.5 s), carries its events, and
/// a reconnect (the implementation closing 1001) does not loop. The connection that had
/// heartbeats was never pinged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_implementation_without_heartbeats_keeps_its_connections() {
    let sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: Some(Duration::from_millis(100)),
        ..sim_config()
    })
    .await
    .unwrap();
    let (handle, mut events) = driver::run(
        quick_watch(&sim, Duration::from_secs(1)),
        &DriverConfig::default(),
    );
    // The session has learnt the 100 ms interval once it passed a heartbeat on.
    within("a heartbeat", next_heartbeat(&mut events)).await;
    let (mut progress_rx, consumer) = consume(events);
    let first = last_conn(sim.log());
    sim.set_heartbeat_interval(None);
    let mut pushed = 0;
    for (round, reason) in ["restart with heartbeats off", "going away"]
        .into_iter()
        .enumerate()
    {
        let from = sim.log().len();
        let before = last_conn(sim.log());
        sim.inject(Fault::Close {
            code: 1001,
            reason: reason.into(),
        });
        back(sim.log(), from, before, None).await;
        let conn = last_conn(sim.log());
        assert_eq!(conn, first + 1 + round as u64, "one connection per restart");
        pinged(&sim, conn, 25).await;
        for i in pushed..pushed + 50 {
            sim.push_event(event(i));
        }
        pushed += 50;
        progress(&mut progress_rx, "the events", |p| p.delivered >= pushed).await;
        assert_eq!(last_conn(sim.log()), conn, "the connection stayed");
        assert_eq!(watchdog_closes(&sim), 0, "no connection was cut");
    }
    let pinged_first = sim
        .log()
        .snapshot()
        .iter()
        .any(|r| matches!(r, Record::Pinged { conn } if *conn == first));
    assert!(!pinged_first, "a connection with heartbeats is not pinged");
    within("the shutdown", handle.shutdown()).await.unwrap();
    let collected = within("the consumer", consumer).await.unwrap();
    let ids: Vec<String> = collected.keys.into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids, (0..pushed).map(|i| i.to_string()).collect::<Vec<_>>());
}

/// Decision 0060: a hung implementation without heartbeats (the sim stalls: it neither reads
/// nor writes, so its WebSocket layer answers no ping, while the kernel keeps the TCP
/// connection) is closed `pong_timeout` after an unanswered ping, with `PongTimeout` as the
/// reason, and the session connects again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_implementation_without_heartbeats_is_cut_for_want_of_a_pong() {
    let sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: None,
        ..sim_config()
    })
    .await
    .unwrap();
    let (handle, mut events) = driver::run(
        quick_watch(&sim, Duration::from_millis(300)),
        &DriverConfig::default(),
    );
    until_ready(&mut events).await;
    let conn = last_conn(sim.log());
    pinged(&sim, conn, 3).await;
    let from = sim.log().len();
    assert_eq!(sim.inject(Fault::Delay(Duration::from_secs(3_600))), 1);
    let why = within("the reconnect", async {
        loop {
            match events.recv().await {
                Some(SessionEvent::Reconnecting { why, .. }) => break why,
                Some(_) => {}
                None => panic!("the channel closed"),
            }
        }
    })
    .await;
    assert_eq!(why, botgate_session::Why::PongTimeout);
    back(sim.log(), from, conn, None).await;
    until_ready(&mut events).await;
    within("the shutdown", handle.shutdown()).await.unwrap();
}
