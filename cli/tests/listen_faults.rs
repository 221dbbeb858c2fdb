//! `botgate listen` (the real binary, stdin at /dev/null) against the simulators with a
//! server-side fault every 200 events: 2000 events delivered exactly once and in order, and no
//! reconnect of a session that was flowing waits (the session logs the delay it plans; a delay
//! without cause fails the test, not a stopwatch).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::ffi::OsStr;
use std::time::{Duration, Instant};

use botgate_sim::{
    BubbleConfig, BubbleSim, Fault, Log, OneBotConfig, OneBotSim, QqConfig, QqSim, Record,
};
use serde_json::{json, Value};
use support::{argv, qq_app, Proc, Signal};

/// A bound on each wait so a broken build fails instead of hanging CI.
const LIMIT: Duration = Duration::from_secs(60);
const EVENTS: usize = 2000;
const EVERY: usize = 200;

/// `botgate -v listen ARGS` (stdin /dev/null); -v: the session logs each planned reconnect
/// with its delay.
fn listen(args: &[impl AsRef<OsStr>]) -> Proc {
    let mut cmd = support::command(argv(&["-v", "listen"], args));
    cmd.env_remove("RUST_LOG");
    Proc::from_command(cmd).with_limit(LIMIT)
}

/// The next `n` event lines `key` knows (other kinds, e.g. OneBot's lifecycle, skipped).
async fn take(listener: &mut Proc, n: usize, key: impl Fn(&Value) -> Option<u64>) -> Vec<u64> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        out.extend(key(&listener.next_json().await));
    }
    out
}

/// SIGTERM → exit 0; returns stderr.
async fn stop(listener: Proc) -> String {
    let exit = listener.stop(Signal::Term).await;
    // nothing was printed twice or late
    assert!(
        exit.rest.is_empty(),
        "an event line after the last expected one: {}",
        exit.rest
    );
    let log = exit.stderr;
    assert_eq!(exit.code, Some(0), "{log}");
    log
}

/// The delays (ms) the session planned for its reconnects, from the `-v` log.
fn planned_delays(log: &str) -> Vec<u64> {
    log.lines()
        .filter(|l| l.contains("reconnecting"))
        .filter_map(|l| {
            let at = l.find("delay_ms=")? + "delay_ms=".len();
            let digits: String = l[at..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

/// Pushes `EVENTS` events with `push(i)`; after each `EVERY` of them (once the listener
/// printed them all, so the fault hits a flowing session) injects the next fault of `faults`,
/// waits until that connection is over (closed by either side or dropped: a zombie takes the
/// client a heartbeat to notice) and pushes on while the client reconnects. Returns the keys
/// printed, in order.
async fn run_with_faults(
    listener: &mut Proc,
    log: &Log,
    faults: &[Fault],
    push: impl Fn(usize),
    inject: impl Fn(&Fault) -> usize,
    key: impl Fn(&Value) -> Option<u64> + Copy,
) -> Vec<u64> {
    let mut seen = Vec::with_capacity(EVENTS);
    for batch in 0..EVENTS / EVERY {
        for i in batch * EVERY..(batch + 1) * EVERY {
            push(i);
        }
        seen.extend(take(listener, EVERY, key).await);
        if let Some(fault) = faults.get(batch) {
            assert_eq!(
                inject(fault),
                1,
                "fault {fault:?} reached the live connection"
            );
            connections_ended(log, batch + 1).await;
        }
    }
    seen
}

/// Waits until `n` distinct connections have ended in the sim's log.
async fn connections_ended(log: &Log, n: usize) {
    let ended = log.wait_until(|records| {
        let conns: HashSet<u64> = records
            .iter()
            .filter_map(|r| match r {
                Record::Closed { conn, .. }
                | Record::Dropped { conn }
                | Record::Disconnected { conn, .. } => Some(*conn),
                _ => None,
            })
            .collect();
        (conns.len() >= n).then_some(())
    });
    tokio::time::timeout(LIMIT, ended)
        .await
        .expect("the faulted connection ended");
}

/// `botgate listen` against a QQ sim, receiving AT_MESSAGE_CREATE.
fn spawn_qq(sim: &QqSim) -> Proc {
    listen(&qq_app(sim, &["--events", "AT_MESSAGE_CREATE"]))
}

/// Pushes QQ event number `i` (its id is `m<i>`).
fn push_qq(sim: &QqSim, i: usize) {
    sim.push_event(
        "AT_MESSAGE_CREATE",
        json!({"id": format!("m{i}"), "channel_id": "100010", "guild_id": "1",
               "content": format!("n {i}"), "author": {"id": "42", "username": "u"}}),
    );
}

/// The number of a printed QQ event.
fn qq_key(line: &Value) -> Option<u64> {
    line["data"]["id"].as_str()?[1..].parse().ok()
}

/// Stops the listener after a run with `faults` faults: every event was printed once and in
/// order, and each fault caused one planned reconnect. Returns the delays planned and stderr.
async fn finish_run(listener: Proc, seen: &[u64], faults: usize) -> (Vec<u64>, String) {
    let log = stop(listener).await;
    assert_exactly_once_in_order(seen);
    let delays = planned_delays(&log);
    assert_eq!(delays.len(), faults, "one reconnect per fault:\n{log}");
    (delays, log)
}

fn assert_exactly_once_in_order(seen: &[u64]) {
    let want: Vec<u64> = (0..EVENTS as u64).collect();
    assert_eq!(seen.len(), EVENTS);
    assert_eq!(seen, want.as_slice(), "every event once, in order");
}

fn close(code: u16) -> Fault {
    Fault::Close {
        code,
        reason: "fault".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_listen_gets_through_a_fault_every_200_events_without_waiting() {
    let sim = QqSim::start(QqConfig {
        heartbeat_interval: Duration::from_millis(500),
        replay_buffer: EVENTS,
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let started = Instant::now();
    let mut listener = spawn_qq(&sim);
    let faults = [
        Fault::Drop,
        Fault::Reconnect,
        Fault::StopAcks, // zombie: the client notices the missing ACK
        close(4009),
        close(4900),
        Fault::InvalidSession { resumable: false },
        Fault::Drop,
        Fault::Reconnect,
        close(4009),
    ];
    let seen = run_with_faults(
        &mut listener,
        sim.log(),
        &faults,
        |i| push_qq(&sim, i),
        |f| sim.inject(f.clone()),
        qq_key,
    )
    .await;
    let elapsed = started.elapsed();
    let (delays, log) = finish_run(listener, &seen, faults.len()).await;
    // op 9 may wait up to 1 s (`invalid_session_wait`); every other reconnect is immediate
    let waited: Vec<_> = delays.iter().filter(|d| **d > 0).collect();
    assert!(
        waited.len() <= 1 && waited.iter().all(|d| **d <= 1000),
        "{delays:?}\n{log}"
    );
    assert_eq!(
        sim.identify_log().len(),
        2,
        "one Identify, and one after op 9 false"
    );
    eprintln!("QQ: {EVENTS} events, {} faults, {elapsed:?}", faults.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_listen_gets_through_a_fault_every_200_events_at_the_floor() {
    let mut config = BubbleConfig {
        heartbeat_interval: Duration::from_millis(500),
        ..BubbleConfig::default()
    };
    config.profile = botgate_sim::bubble::Profile::Extended;
    let sim = BubbleSim::start(config).await.unwrap();
    let started = Instant::now();
    let mut listener = listen(&[
        "--platform",
        "bubble",
        "--url",
        &sim.url(),
        "--token",
        &sim.config().token.clone(),
        "--events",
        "MESSAGE_CREATE",
    ]);
    let faults = [
        Fault::Drop,
        Fault::Reconnect,
        Fault::StopAcks,
        close(4000),
        close(1001),
        Fault::InvalidSession { resumable: true },
        Fault::Drop,
        Fault::Reconnect,
        close(4000),
    ];
    let seen = run_with_faults(
        &mut listener,
        sim.log(),
        &faults,
        |i| {
            sim.push_event(
                "MESSAGE_CREATE",
                json!({"id": 1_000_000 + i, "channelId": 7, "guildId": 1, "content": format!("n {i}"),
                       "author": {"id": 42, "name": "u"}}),
            );
        },
        |f| sim.inject(f.clone()),
        |line| line["data"]["id"].as_u64()?.checked_sub(1_000_000),
    )
    .await;
    let elapsed = started.elapsed();
    let (delays, log) = finish_run(listener, &seen, faults.len()).await;
    // the open platform's 1 s floor between attempts is the only wait (op 9: up to 1 s)
    assert!(delays.iter().all(|d| *d <= 1000), "{delays:?}\n{log}");
    eprintln!(
        "Bubble: {EVENTS} events, {} faults, {elapsed:?}",
        faults.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onebot_listen_gets_through_a_drop_every_200_events_without_waiting() {
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let started = Instant::now();
    let mut listener = listen(&["--platform", "onebot", "--url", &sim.url()]);
    let faults: Vec<Fault> = (0..9)
        .map(|i| if i % 2 == 0 { Fault::Drop } else { close(1001) })
        .collect();
    let seen = run_with_faults(
        &mut listener,
        sim.log(),
        &faults,
        |i| {
            sim.push_event(json!({"post_type": "message", "message_type": "group",
                "sub_type": "normal", "message_id": i, "group_id": 5, "user_id": 42,
                "message": format!("n {i}"), "raw_message": format!("n {i}"), "font": 0,
                "sender": {"user_id": 42, "nickname": "u"}}));
        },
        // OneBot cannot replay: the next batch is pushed once the sim let the old connection
        // go (then it is held for the next one), so nothing is in flight at a drop.
        |f| sim.inject(f.clone()),
        |line| line["data"]["message_id"].as_u64(),
    )
    .await;
    let elapsed = started.elapsed();
    let (delays, stderr) = finish_run(listener, &seen, faults.len()).await;
    assert!(delays.iter().all(|d| *d == 0), "{delays:?}\n{stderr}");
    eprintln!(
        "OneBot: {EVENTS} events, {} drops, {elapsed:?}",
        faults.len()
    );
}

/// A resend (the sim sends its last dispatch again, same `s` and id) is printed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_listen_prints_a_resent_dispatch_once() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let mut listener = spawn_qq(&sim);
    let key = qq_key;
    let push = |i: usize| push_qq(&sim, i);
    push(0);
    assert_eq!(take(&mut listener, 1, key).await, [0]);
    assert_eq!(sim.inject(Fault::DuplicateLast), 1);
    push(1);
    // the resend of 0 would come before 1
    assert_eq!(take(&mut listener, 1, key).await, [1]);
    let log = stop(listener).await;
    assert!(!log.contains("panicked"), "{log}");
}
