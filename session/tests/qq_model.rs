//! 10,000 random fault schedules against a model of the QQ gateway (sans-IO, on a virtual
//! clock). Asserted: while a session is resumable every dispatched seq reaches the application
//! exactly once and in order; a fresh session is announced (Ready) exactly when the server's
//! session was lost; nothing panics; timers never spin at one instant.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use botgate_session::qq::{Config, Session};
use botgate_session::{ConnectFailure, Outgoing, Rng, SessionEvent, SessionMachine, Why};
use bytes::Bytes;
use serde_json::Value;

const SEEDS: u64 = 10_000;
const FAULT_STEPS: usize = 40;
const CALM_STEPS: usize = 400;
const HEARTBEAT_MS: u64 = 5_000;

/// The gateway as the model sees it.
#[derive(Debug, Default)]
struct Server {
    /// Session counter; the current session is `sessions`.
    sessions: u32,
    /// Whether the current session can be resumed.
    valid: bool,
    /// Highest seq of the current session (READY is 1).
    max_seq: u64,
    conn: Option<Conn>,
    /// Every session that was invalidated.
    invalidated: Vec<u32>,
    /// The last identify was answered with 4004: the client may identify anew.
    auth_rejected: bool,
}

#[derive(Debug, Default)]
struct Conn {
    /// READY / RESUMED sent: live events flow.
    live: bool,
    /// Fault: the link is dead both ways (nothing arrives, heartbeats go unacknowledged).
    zombie: bool,
    /// Frames to deliver to the client.
    outbox: Vec<String>,
    /// The server closed with this code (delivered after the outbox).
    close: Option<Option<u16>>,
    /// The server asked for the token to be rejected at the next identify.
    reject_token: bool,
}

fn dispatch(seq: u64) -> String {
    format!(
        r#"{{"op":0,"s":{seq},"t":"MESSAGE_CREATE","id":"MESSAGE_CREATE:{seq}","d":{{"id":"{seq}"}}}}"#
    )
}

impl Server {
    fn accept(&mut self, send_hello: bool) {
        let mut c = Conn::default();
        if send_hello {
            c.outbox.push(format!(
                r#"{{"op":10,"d":{{"heartbeat_interval":{HEARTBEAT_MS}}}}}"#
            ));
        }
        self.conn = Some(c);
    }

    fn invalidate(&mut self) {
        if self.valid {
            self.valid = false;
            self.invalidated.push(self.sessions);
        }
    }

    fn close(&mut self, code: Option<u16>) {
        if let Some(c) = self.conn.as_mut() {
            if c.close.is_none() {
                c.close = Some(code);
            }
        }
    }

    fn receive(&mut self, text: &str) {
        let v: Value = serde_json::from_str(text).expect("client frames are JSON");
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        if conn.close.is_some() || conn.zombie {
            return;
        }
        match v["op"].as_u64() {
            Some(1) => conn.outbox.push(r#"{"op":11}"#.to_owned()),
            Some(2) => {
                if conn.reject_token {
                    conn.close = Some(Some(4004));
                    self.auth_rejected = true;
                    return;
                }
                assert!(
                    !self.valid || self.auth_rejected,
                    "the client identified while its session was resumable"
                );
                self.auth_rejected = false;
                assert!(v["d"]["token"].as_str().unwrap().starts_with("QQBot "));
                self.invalidate();
                self.sessions += 1;
                self.valid = true;
                self.max_seq = 1;
                let conn = self.conn.as_mut().unwrap();
                conn.outbox.push(format!(
                    r#"{{"op":0,"s":1,"t":"READY","d":{{"session_id":"s{}","user":{{"id":"1"}}}}}}"#,
                    self.sessions
                ));
                conn.live = true;
            }
            Some(6) => {
                let sid = v["d"]["session_id"].as_str().unwrap();
                let seq = v["d"]["seq"].as_u64().unwrap();
                if !self.valid || sid != format!("s{}", self.sessions) {
                    conn.outbox.push(r#"{"op":9,"d":false}"#.to_owned());
                    return;
                }
                assert!(
                    seq <= self.max_seq,
                    "client resumes from a seq the server never sent"
                );
                // replay, with an old duplicate thrown in
                if seq > 1 {
                    conn.outbox.push(dispatch(seq));
                }
                for s in seq + 1..=self.max_seq {
                    conn.outbox.push(dispatch(s));
                }
                conn.outbox
                    .push(r#"{"op":0,"t":"RESUMED","d":""}"#.to_owned());
                conn.live = true;
            }
            other => panic!("unexpected op from client: {other:?}"),
        }
    }

    fn new_event(&mut self) {
        if !self.valid {
            return;
        }
        self.max_seq += 1;
        if let Some(c) = self.conn.as_mut() {
            if c.live && c.close.is_none() {
                c.outbox.push(dispatch(self.max_seq));
            }
        }
    }
}

/// How often each path was taken over all seeds (the test fails if one never is).
static READY: AtomicU64 = AtomicU64::new(0);
static RESUMED: AtomicU64 = AtomicU64::new(0);
static DISPATCH: AtomicU64 = AtomicU64::new(0);
static FATAL: AtomicU64 = AtomicU64::new(0);
static TOKEN: AtomicU64 = AtomicU64::new(0);
static ZOMBIE: AtomicU64 = AtomicU64::new(0);
static INVALID: AtomicU64 = AtomicU64::new(0);

/// What the application saw, checked as it arrives.
#[derive(Debug, Default)]
struct Oracle {
    /// The server session the application believes it is in.
    session: Option<u32>,
    /// Last seq delivered in that session.
    last: u64,
    fatal: bool,
    token_wanted: Option<Instant>,
}

impl Oracle {
    fn check(&mut self, ev: SessionEvent, server: &Server, now: Instant, rng: &mut Rng) {
        match ev {
            SessionEvent::Ready(r) => {
                if let Some(old) = self.session {
                    assert!(
                        server.invalidated.contains(&old),
                        "a fresh session was announced while s{old} was still resumable"
                    );
                }
                assert_eq!(r.session_id, Some(format!("s{}", server.sessions)));
                self.session = Some(server.sessions);
                self.last = 1;
                READY.fetch_add(1, Ordering::Relaxed);
            }
            SessionEvent::Resumed { .. } => {
                assert_eq!(
                    self.session,
                    Some(server.sessions),
                    "resumed into the wrong session"
                );
                RESUMED.fetch_add(1, Ordering::Relaxed);
            }
            SessionEvent::Dispatch(f) => {
                let seq = f.seq().unwrap();
                assert_eq!(
                    self.session,
                    Some(server.sessions),
                    "dispatch outside a known session"
                );
                assert_eq!(
                    seq,
                    self.last + 1,
                    "seq {seq} after {}: lost or duplicated",
                    self.last
                );
                self.last = seq;
                DISPATCH.fetch_add(1, Ordering::Relaxed);
            }
            SessionEvent::Fatal(_) => {
                self.fatal = true;
                FATAL.fetch_add(1, Ordering::Relaxed);
            }
            SessionEvent::Reconnecting { why, .. } => match why {
                Why::Zombie => _ = ZOMBIE.fetch_add(1, Ordering::Relaxed),
                Why::InvalidSession { .. } => _ = INVALID.fetch_add(1, Ordering::Relaxed),
                _ => {}
            },
            SessionEvent::TokenRequired { .. } => {
                TOKEN.fetch_add(1, Ordering::Relaxed);
                self.token_wanted = Some(now + Duration::from_millis(rng.below(3000)));
            }
            _ => {}
        }
    }
}

struct World {
    s: Session,
    server: Server,
    oracle: Oracle,
    rng: Rng,
    now: Instant,
    connected: bool,
    refreshable: bool,
}

impl World {
    fn pump(&mut self) {
        for _ in 0..10_000 {
            let mut progressed = false;
            while let Some(out) = self.s.poll_transmit() {
                progressed = true;
                match out {
                    Outgoing::Text(t) if self.connected => self.server.receive(&t),
                    Outgoing::Close { code, .. } if self.connected => {
                        self.connected = false;
                        self.server.conn = None;
                        self.s.handle_closed(self.now, Some(code), "");
                    }
                    _ => {}
                }
            }
            while let Some(ev) = self.s.poll_event() {
                progressed = true;
                self.oracle.check(ev, &self.server, self.now, &mut self.rng);
            }
            if self.connected {
                let conn = self.server.conn.as_mut().unwrap();
                if conn.zombie {
                    conn.outbox.clear();
                } else if !conn.outbox.is_empty() {
                    progressed = true;
                    let frames = std::mem::take(&mut conn.outbox);
                    for f in frames {
                        self.s.handle_frame(self.now, Bytes::from(f));
                        if !self.connected {
                            break;
                        }
                    }
                } else if let Some(code) = conn.close {
                    progressed = true;
                    self.connected = false;
                    self.server.conn = None;
                    self.s.handle_closed(self.now, code, "");
                }
            }
            if !progressed {
                return;
            }
        }
        panic!("no quiescence");
    }

    /// Runs timers and connects up to `until`.
    fn advance(&mut self, until: Instant, faulty: bool) {
        let mut same_instant = 0;
        loop {
            let timer = self.s.poll_timeout();
            let connect = self.s.next_connect().map(|(at, _)| at);
            let token = self.oracle.token_wanted;
            let next = [timer, connect, token].into_iter().flatten().min();
            let Some(next) = next.filter(|t| *t <= until) else {
                break;
            };
            assert!(next >= self.now || timer == Some(next), "timer in the past");
            if next <= self.now {
                same_instant += 1;
                assert!(same_instant < 5, "timer spins at one instant");
            } else {
                same_instant = 0;
            }
            self.now = self.now.max(next);
            if token.is_some_and(|t| t <= self.now) {
                self.oracle.token_wanted = None;
                self.s
                    .set_token(self.now, "QQBot fresh", Some(Duration::from_secs(7200)));
            } else if connect.is_some_and(|t| t <= self.now) && !self.connected {
                if faulty && self.rng.below(10) == 0 {
                    self.s.handle_connect_failed(self.now, ConnectFailure::Io);
                } else {
                    self.connected = true;
                    let hello = !(faulty && self.rng.below(20) == 0);
                    self.server.accept(hello);
                    self.s.handle_connected(self.now);
                }
            } else if timer.is_some_and(|t| t <= self.now) {
                self.s.handle_timeout(self.now);
                if let Some(after) = self.s.poll_timeout() {
                    if after <= self.now {
                        same_instant += 1;
                        assert!(
                            same_instant < 5,
                            "poll_timeout after handle_timeout did not move"
                        );
                    }
                }
            }
            self.pump();
            if self.oracle.fatal {
                return;
            }
        }
        self.now = self.now.max(until);
    }

    fn fault(&mut self) {
        let r = self.rng.below(100);
        let has_conn = self.connected && self.server.conn.is_some();
        match r {
            0..=39 => {
                for _ in 0..=self.rng.below(3) {
                    self.server.new_event();
                }
            }
            40..=44 if has_conn => self.server.close(None),
            45..=49 if has_conn => {
                let codes = [1000, 1001, 1006, 4000, 4008, 4009, 4900, 4910];
                let code = codes[self.rng.below(codes.len() as u64) as usize];
                self.server.close(Some(code));
            }
            50..=53 if has_conn => {
                // codes after which the session is gone
                let codes = [4001, 4002, 4003, 4005, 4006, 4007];
                let code = codes[self.rng.below(codes.len() as u64) as usize];
                self.server.invalidate();
                self.server.close(Some(code));
            }
            54..=58 if has_conn => self
                .server
                .conn
                .as_mut()
                .unwrap()
                .outbox
                .push(r#"{"op":7}"#.to_owned()),
            59..=61 if has_conn => self
                .server
                .conn
                .as_mut()
                .unwrap()
                .outbox
                .push(r#"{"op":9,"d":true}"#.to_owned()),
            62..=64 if has_conn => {
                self.server.invalidate();
                self.server
                    .conn
                    .as_mut()
                    .unwrap()
                    .outbox
                    .push(r#"{"op":9,"d":false}"#.to_owned());
            }
            65..=69 if has_conn => self.server.conn.as_mut().unwrap().zombie = true,
            70..=76
                if has_conn
                    && self.server.max_seq > 1
                    && self.server.conn.as_ref().unwrap().live =>
            {
                // an old dispatch again, out of order
                {
                    let old = 2 + self.rng.below(self.server.max_seq - 1);
                    self.server
                        .conn
                        .as_mut()
                        .unwrap()
                        .outbox
                        .push(dispatch(old));
                }
            }
            77..=79 => self.server.invalidate(),
            80 if has_conn && self.refreshable => {
                self.server.conn.as_mut().unwrap().reject_token = true;
                self.server.close(Some(4004));
                self.server.auth_rejected = true;
            }
            83 if has_conn => {
                let codes = [4010, 4011, 4012, 4013, 4014, 4914, 4915];
                let code = codes[self.rng.below(codes.len() as u64) as usize];
                self.server.close(Some(code));
            }
            81..=82 if has_conn => self
                .server
                .conn
                .as_mut()
                .unwrap()
                .outbox
                .push(r#"{"op":1}"#.to_owned()),
            _ => {}
        }
        self.pump();
    }
}

fn run(seed: u64) {
    let t0 = Instant::now();
    let mut rng = Rng::new(seed ^ 0x5eed);
    let refreshable = rng.below(2) == 0;
    let mut c = Config::new("wss://model.invalid/ws".parse().unwrap(), "QQBot first", 1);
    c.seed = Some(seed);
    c.refreshable_token = refreshable;
    let mut w = World {
        s: Session::new(c, t0, None),
        server: Server::default(),
        oracle: Oracle::default(),
        rng,
        now: t0,
        connected: false,
        refreshable,
    };
    for _ in 0..FAULT_STEPS {
        let dt = Duration::from_millis(w.rng.below(4_000));
        w.advance(w.now + dt, true);
        if w.oracle.fatal {
            return;
        }
        w.fault();
        if w.oracle.fatal {
            return;
        }
    }
    // calm: a working server, no faults; everything must arrive
    if let Some(c) = w.server.conn.as_mut() {
        c.reject_token = false;
    }
    w.server.new_event();
    w.pump();
    for _ in 0..CALM_STEPS {
        if w.s.is_ready()
            && w.oracle.session == Some(w.server.sessions)
            && w.oracle.last == w.server.max_seq
        {
            break;
        }
        w.advance(w.now + Duration::from_millis(1_000), false);
        assert!(!w.oracle.fatal, "seed {seed}: fatal in calm phase");
    }
    assert!(
        w.s.is_ready(),
        "seed {seed}: not ready after the calm phase"
    );
    assert_eq!(w.oracle.session, Some(w.server.sessions), "seed {seed}");
    assert_eq!(
        w.oracle.last, w.server.max_seq,
        "seed {seed}: not everything was delivered"
    );
}

#[test]
fn random_fault_schedules_deliver_every_seq_once_and_in_order() {
    common::for_each_seed(SEEDS, run);
    let counts = [
        ("ready", &READY),
        ("resumed", &RESUMED),
        ("dispatch", &DISPATCH),
        ("fatal", &FATAL),
        ("token", &TOKEN),
        ("zombie", &ZOMBIE),
        ("invalid", &INVALID),
    ]
    .map(|(n, c)| (n, c.load(Ordering::Relaxed)));
    eprintln!("{counts:?}");
    for (name, n) in counts {
        assert!(n >= SEEDS / 50, "path `{name}` taken only {n} times");
    }
}
