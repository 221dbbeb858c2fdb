//! 10,000 random schedules against a model of a OneBot implementation (Waylay-like: lifecycle
//! with self id 0 then the real one, heartbeats every 30 s, or on a quarter of its connections
//! none at all (decision 0060), WebSocket pings answered within 3 s, actions answered
//! concurrently and out of order). Faults: drops, a dead link, lost and duplicated responses,
//! calls while disconnected. Asserted: every call gets exactly one result, the right one,
//! never early; a call fails `Disconnected` only if it was written and its answer lost with
//! the connection; only a dead link is ever cut by the watchdog: exactly two intervals after
//! its last heartbeat when it had one, else exactly `pong_timeout` after the oldest ping left
//! unanswered; the self id is learned; nothing panics; timers never spin.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use botgate_session::onebot::{Config, OneBotCallError, Session};
use botgate_session::{ConnectFailure, Outgoing, Rng, SessionEvent, SessionMachine, Why};
use bytes::Bytes;
use serde_json::{json, Value};

const SEEDS: u64 = 10_000;
const STEPS: usize = 30;
const SELF_ID: i64 = 123_456_789;
const INTERVAL: Duration = Duration::from_secs(30);
/// `Config::pong_timeout`'s default.
const PONG_TIMEOUT: Duration = Duration::from_secs(10);

static OK: AtomicU64 = AtomicU64::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);
static TIMEOUT: AtomicU64 = AtomicU64::new(0);
static DISCONNECTED: AtomicU64 = AtomicU64::new(0);
static WATCHDOG: AtomicU64 = AtomicU64::new(0);
static PONG_TIMEOUTS: AtomicU64 = AtomicU64::new(0);
static PONGS: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Default)]
struct Impl {
    /// Responses waiting to be sent: (when, frame).
    replies: Vec<(Instant, String)>,
    next_heartbeat: Option<Instant>,
    /// When the pongs to the pings sent so far arrive.
    pongs: Vec<Instant>,
    /// Dead link: nothing gets through either way.
    dead: bool,
    outbox: Vec<String>,
    close: Option<Option<u16>>,
}

#[derive(Debug)]
struct CallInfo {
    deadline: Instant,
    /// Echo seen by the implementation on the current connection.
    written: bool,
    resolved: bool,
}

struct World {
    s: Session,
    imp: Option<Impl>,
    rng: Rng,
    now: Instant,
    calls: HashMap<u64, CallInfo>,
    /// The last heartbeat passed to the session on this connection.
    last_heartbeat: Option<Instant>,
    /// The oldest ping of this connection with no pong (or heartbeat) passed on since.
    unanswered_ping: Option<Instant>,
    /// The connection that ended last, as it was then.
    ended: Option<Ended>,
    self_id_known: bool,
}

/// A connection that ended: whether it was dead, its last heartbeat, its oldest ping left
/// unanswered.
#[derive(Debug, Clone, Copy)]
struct Ended {
    dead: bool,
    last_heartbeat: Option<Instant>,
    unanswered_ping: Option<Instant>,
}

fn heartbeat_frame() -> String {
    format!(
        r#"{{"time":1,"self_id":{SELF_ID},"post_type":"meta_event","meta_event_type":"heartbeat","interval":{},"status":{{"online":true,"good":true}}}}"#,
        INTERVAL.as_millis()
    )
}

impl World {
    fn check(&mut self, ev: SessionEvent) {
        match ev {
            SessionEvent::ActionResult { id, result } => {
                let c = self
                    .calls
                    .get_mut(&id.0)
                    .expect("result for an unknown call");
                assert!(!c.resolved, "call {} resolved twice", id.0);
                c.resolved = true;
                match result {
                    Ok(r) => {
                        assert_eq!(
                            r.data,
                            json!({"for": id.0}),
                            "response matched to the wrong call"
                        );
                        OK.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(OneBotCallError::Failed { retcode, .. }) => {
                        assert_eq!(retcode, 1400);
                        FAILED.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(OneBotCallError::Timeout) => {
                        assert!(self.now >= c.deadline, "timed out early");
                        TIMEOUT.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(OneBotCallError::Disconnected) => {
                        assert!(
                            c.written,
                            "a call never written cannot fail as disconnected"
                        );
                        DISCONNECTED.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(other) => panic!("unexpected {other:?}"),
                }
            }
            SessionEvent::Ready(r) => {
                assert_eq!(r.bot_id, Some(SELF_ID.to_string()));
                self.self_id_known = true;
            }
            SessionEvent::SelfId(id) => assert_eq!(id, SELF_ID),
            SessionEvent::Reconnecting {
                why: Why::HeartbeatTimeout,
                ..
            } => {
                let ended = self.ended.take().expect("a connection ended");
                assert!(ended.dead, "a live connection cut for want of heartbeats");
                let last = ended
                    .last_heartbeat
                    .expect("watchdog without a heartbeat on the connection");
                assert_eq!(
                    self.now,
                    last + INTERVAL * 2,
                    "watchdog fired at the wrong time"
                );
                WATCHDOG.fetch_add(1, Ordering::Relaxed);
            }
            SessionEvent::Reconnecting {
                why: Why::PongTimeout,
                ..
            } => {
                let ended = self.ended.take().expect("a connection ended");
                assert!(ended.dead, "a live connection cut for want of a pong");
                assert!(
                    ended.last_heartbeat.is_none(),
                    "pinged although it heartbeats"
                );
                let ping = ended.unanswered_ping.expect("no pong awaited");
                assert_eq!(
                    self.now,
                    ping + PONG_TIMEOUT,
                    "pong timeout at the wrong time"
                );
                PONG_TIMEOUTS.fetch_add(1, Ordering::Relaxed);
            }
            SessionEvent::Fatal(e) => panic!("unexpected fatal: {e}"),
            _ => {}
        }
    }

    fn disconnect(&mut self) {
        if let Some(imp) = self.imp.take() {
            self.ended = Some(Ended {
                dead: imp.dead,
                last_heartbeat: self.last_heartbeat.take(),
                unanswered_ping: self.unanswered_ping.take(),
            });
        }
    }

    fn pump(&mut self) {
        for _ in 0..10_000 {
            let mut progressed = false;
            while let Some(out) = self.s.poll_transmit() {
                progressed = true;
                match out {
                    Outgoing::Text(t) => {
                        let v: Value = serde_json::from_str(&t).unwrap();
                        let id: u64 = v["echo"].as_str().unwrap().parse().unwrap();
                        let call = self
                            .calls
                            .get_mut(&id)
                            .expect("an echo we did not allocate");
                        assert!(!call.resolved, "a resolved call was sent");
                        call.written = true;
                        if let Some(imp) = self.imp.as_mut().filter(|i| !i.dead) {
                            // answered after a random delay; sometimes lost, sometimes twice
                            let r = self.rng.below(100);
                            let delay = Duration::from_millis(self.rng.below(5_000));
                            let reply = if r < 70 {
                                format!(
                                    r#"{{"status":"ok","retcode":0,"data":{{"for":{id}}},"echo":"{id}"}}"#
                                )
                            } else {
                                format!(
                                    r#"{{"status":"failed","retcode":1400,"msg":"bad","data":null,"echo":"{id}"}}"#
                                )
                            };
                            if r < 95 {
                                imp.replies.push((self.now + delay, reply.clone()));
                            }
                            if r % 10 == 0 {
                                imp.replies.push((self.now + delay * 2, reply));
                            }
                        }
                    }
                    Outgoing::Ping if self.imp.is_some() => {
                        self.unanswered_ping.get_or_insert(self.now);
                        let delay = Duration::from_millis(self.rng.below(3_000));
                        if let Some(imp) = self.imp.as_mut().filter(|i| !i.dead) {
                            imp.pongs.push(self.now + delay);
                        }
                    }
                    Outgoing::Close { code, .. } if self.imp.is_some() => {
                        self.disconnect();
                        self.s.handle_closed(self.now, Some(code), "");
                    }
                    _ => {}
                }
            }
            while let Some(ev) = self.s.poll_event() {
                progressed = true;
                self.check(ev);
            }
            if let Some(imp) = self.imp.as_mut() {
                if imp.dead {
                    imp.outbox.clear();
                } else if !imp.outbox.is_empty() {
                    progressed = true;
                    for f in std::mem::take(&mut imp.outbox) {
                        if f.contains("\"heartbeat\"") {
                            self.last_heartbeat = Some(self.now);
                            // the session watches heartbeats from here: no pong awaited
                            self.unanswered_ping = None;
                        }
                        self.s.handle_frame(self.now, Bytes::from(f));
                    }
                } else if let Some(code) = imp.close {
                    progressed = true;
                    self.disconnect();
                    self.s.handle_closed(self.now, code, "");
                }
            }
            if !progressed {
                return;
            }
        }
        panic!("no quiescence");
    }

    fn imp_next(&self) -> Option<Instant> {
        let imp = self.imp.as_ref()?;
        imp.replies
            .iter()
            .map(|(t, _)| *t)
            .chain(imp.next_heartbeat)
            .chain(imp.pongs.iter().copied())
            .min()
    }

    fn advance(&mut self, until: Instant, faulty: bool) {
        let mut same_instant = 0;
        loop {
            let timer = self.s.poll_timeout();
            let connect = self.s.next_connect().map(|(at, _)| at);
            let imp = self.imp_next();
            let Some(next) = [timer, connect, imp]
                .into_iter()
                .flatten()
                .min()
                .filter(|t| *t <= until)
            else {
                break;
            };
            if next <= self.now {
                same_instant += 1;
                assert!(same_instant < 5, "timer spins at one instant");
            } else {
                same_instant = 0;
            }
            self.now = self.now.max(next);
            if connect.is_some_and(|t| t <= self.now) && self.imp.is_none() {
                if faulty && self.rng.below(10) == 0 {
                    self.s.handle_connect_failed(self.now, ConnectFailure::Io);
                } else {
                    let mut imp = Impl::default();
                    let lifecycle = |id: i64| {
                        format!(
                            r#"{{"time":1,"self_id":{id},"post_type":"meta_event","meta_event_type":"lifecycle","sub_type":"connect"}}"#
                        )
                    };
                    if self.rng.below(2) == 0 {
                        imp.outbox.push(lifecycle(0));
                    }
                    imp.outbox.push(lifecycle(SELF_ID));
                    // a quarter of the connections come from an implementation with
                    // heartbeats off: pinged once the wait for a first heartbeat is over
                    if self.rng.below(4) != 0 {
                        imp.next_heartbeat =
                            Some(self.now + Duration::from_millis(self.rng.below(30_000)));
                    }
                    self.imp = Some(imp);
                    self.s.handle_connected(self.now);
                }
            } else if imp.is_some_and(|t| t <= self.now) {
                let now = self.now;
                let i = self.imp.as_mut().unwrap();
                let (due, later): (Vec<_>, Vec<_>) =
                    i.replies.drain(..).partition(|(t, _)| *t <= now);
                i.replies = later;
                i.outbox.extend(due.into_iter().map(|(_, f)| f));
                if i.next_heartbeat.is_some_and(|t| t <= now) {
                    i.outbox.push(heartbeat_frame());
                    i.next_heartbeat = Some(now + INTERVAL);
                }
                let pongs = i.pongs.len();
                i.pongs.retain(|t| *t > now);
                let answered = pongs - i.pongs.len();
                if answered > 0 && !i.dead {
                    for _ in 0..answered {
                        self.s.handle_pong(now);
                        PONGS.fetch_add(1, Ordering::Relaxed);
                    }
                    self.unanswered_ping = None;
                }
            } else {
                self.s.handle_timeout(self.now);
            }
            self.pump();
        }
        self.now = self.now.max(until);
    }

    fn fault(&mut self) {
        let connected = self.imp.is_some();
        match self.rng.below(100) {
            0..=49 => {
                for _ in 0..=self.rng.below(2) {
                    let timeout = Duration::from_millis(1_000 + self.rng.below(9_000));
                    let id = self.s.call(
                        self.now,
                        "send_group_msg",
                        &json!({"group_id": 1}),
                        Some(timeout),
                    );
                    self.calls.insert(
                        id.0,
                        CallInfo {
                            deadline: self.now + timeout,
                            written: false,
                            resolved: false,
                        },
                    );
                }
            }
            50..=57 if connected => self.imp.as_mut().unwrap().close = Some(None),
            58..=60 if connected => self.imp.as_mut().unwrap().close = Some(Some(1001)),
            61..=64 if connected => self.imp.as_mut().unwrap().dead = true,
            65..=66 if connected && self.self_id_known => {
                self.imp.as_mut().unwrap().close = Some(Some(1008))
            }
            _ => {}
        }
        self.pump();
    }
}

fn run(seed: u64) {
    let t0 = Instant::now();
    let mut c = Config::forward("ws://127.0.0.1:3001/".parse().unwrap(), None);
    c.seed = Some(seed);
    let mut w = World {
        s: Session::new(c, t0),
        imp: None,
        rng: Rng::new(seed ^ 0x0b07),
        now: t0,
        calls: HashMap::new(),
        last_heartbeat: None,
        unanswered_ping: None,
        ended: None,
        self_id_known: false,
    };
    for _ in 0..STEPS {
        let dt = Duration::from_millis(w.rng.below(5_000));
        w.advance(w.now + dt, true);
        w.fault();
    }
    // calm: past every deadline, all calls are resolved
    w.advance(w.now + Duration::from_secs(70), false);
    let open: Vec<_> = w
        .calls
        .iter()
        .filter(|(_, c)| !c.resolved)
        .map(|(id, _)| *id)
        .collect();
    assert!(
        open.is_empty(),
        "seed {seed}: calls never resolved: {open:?}"
    );
    assert_eq!(w.s.pending_calls(), 0);
    assert_eq!(w.s.self_id(), Some(SELF_ID), "seed {seed}");
}

#[test]
fn random_schedules_resolve_every_call_exactly_once() {
    common::for_each_seed(SEEDS, run);
    let counts = [
        ("ok", &OK),
        ("failed", &FAILED),
        ("timeout", &TIMEOUT),
        ("disconnected", &DISCONNECTED),
        ("watchdog", &WATCHDOG),
        ("pong timeout", &PONG_TIMEOUTS),
        ("pong", &PONGS),
    ]
    .map(|(n, c)| (n, c.load(Ordering::Relaxed)));
    eprintln!("{counts:?}");
    for (name, n) in counts {
        assert!(n >= SEEDS / 50, "path `{name}` taken only {n} times");
    }
}
