//! The reconnect rule as a table (decision 0002, "Backoff"), on a virtual clock: for each fault
//! that ends a connection, the delay until the next connection attempt.
//!
//! - a ready connection that delivered an event comes back at once (QQ, OneBot forward) or at
//!   the platform's floor (Bubble: 1 s after the previous attempt), whatever the fault;
//! - a repeated fault with no event in between, a connection that dies before ready and a
//!   failed connect draw from a window that doubles per failure;
//! - op 9 and 4008 keep their own waits.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::time::{Duration, Instant};

use botgate_session::{bubble, onebot, qq, ConnectFailure, SessionMachine, Token};
use common::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// What ends the connection, applied at `now` to a session in any phase.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// TCP gone, no close frame.
    Drop,
    /// The server closes with this code.
    Close(u16),
    /// Server op 7.
    Reconnect,
    /// Server op 9 with this `d`.
    InvalidSession(bool),
    /// Heartbeats stop being acknowledged: the client notices at its next beat.
    Zombie,
}

const HELLO_QQ: &str = r#"{"op":10,"d":{"heartbeat_interval":1000}}"#;
const READY_QQ: &str = r#"{"op":0,"s":1,"t":"READY","d":{"session_id":"sid-1","user":{"id":"1","username":"b","bot":true},"shard":[0,1]}}"#;
const RESUMED_QQ: &str = r#"{"op":0,"s":0,"t":"RESUMED","d":""}"#;

fn qq_config(seed: u64) -> qq::Config {
    let mut c = qq::Config::new(
        "wss://api.sgroup.qq.com/websocket".parse().unwrap(),
        "QQBot tok",
        1 << 30,
    );
    c.seed = Some(seed);
    c
}

/// Applies `fault` to a gateway session (QQ and Bubble share the envelope) and completes the
/// close; returns when the connection is gone.
fn gateway_fault<M: SessionMachine>(s: &mut M, now: Instant, fault: Fault) -> Instant {
    match fault {
        Fault::Drop => s.handle_closed(now, None, ""),
        Fault::Close(code) => s.handle_closed(now, Some(code), ""),
        Fault::Reconnect | Fault::InvalidSession(_) => {
            let json = match fault {
                Fault::Reconnect => r#"{"op":7}"#.to_owned(),
                Fault::InvalidSession(r) => format!(r#"{{"op":9,"d":{r}}}"#),
                _ => unreachable!(),
            };
            frame(s, now, &json);
            assert_eq!(close_code(&tx(s)), Some(4900), "{fault:?}");
            s.handle_closed(now, Some(4900), "");
        }
        Fault::Zombie => {
            // beats go out unanswered until one is due while the last is unacknowledged
            let mut t = now;
            loop {
                let at = s.poll_timeout().expect("a heartbeat timer");
                t = t.max(at);
                s.handle_timeout(t);
                if close_code(&tx(s)) == Some(4900) {
                    break;
                }
            }
            s.handle_closed(t, Some(4900), "");
            return t;
        }
    }
    now
}

/// A QQ session that became ready at `t0` and delivered `events` dispatches; it stays up
/// `lasted` (heartbeats acknowledged) before the fault.
fn qq_ready(seed: u64, events: u64) -> (qq::Session, Instant) {
    let t0 = Instant::now();
    let mut s = qq::Session::new(qq_config(seed), t0, None);
    let (at, _) = s.next_connect().unwrap();
    s.handle_connected(at);
    frame(&mut s, at, HELLO_QQ);
    frame(&mut s, at, READY_QQ);
    for seq in 2..2 + events {
        frame(
            &mut s,
            at,
            &format!(r#"{{"op":0,"s":{seq},"t":"AT_MESSAGE_CREATE","d":{{"id":"m{seq}"}}}}"#),
        );
    }
    let _ = (tx(&mut s), events_of(&mut s));
    (s, at)
}

fn events_of<M: SessionMachine>(s: &mut M) -> usize {
    events(s).len()
}

/// Delay from the end of the connection to the next planned connect (a token request counts
/// as the connect: none is configured here).
fn delay_after<M: SessionMachine>(s: &M, gone: Instant) -> Duration {
    let (at, _) = s.next_connect().expect("a reconnect is planned");
    at.saturating_duration_since(gone)
}

#[test]
fn qq_a_healthy_session_comes_back_at_once_whatever_ended_it() {
    // fault → the delay after a connection that delivered events
    let table: &[(Fault, Duration, Duration)] = &[
        (Fault::Drop, Duration::ZERO, Duration::ZERO),
        (Fault::Close(1006), Duration::ZERO, Duration::ZERO),
        (Fault::Close(4000), Duration::ZERO, Duration::ZERO),
        (Fault::Close(4009), Duration::ZERO, Duration::ZERO),
        (Fault::Close(4900), Duration::ZERO, Duration::ZERO),
        (Fault::Close(4913), Duration::ZERO, Duration::ZERO),
        (Fault::Close(4006), Duration::ZERO, Duration::ZERO), // identify, at once
        (Fault::Reconnect, Duration::ZERO, Duration::ZERO),
        (Fault::Zombie, Duration::ZERO, Duration::ZERO),
        (Fault::InvalidSession(true), Duration::ZERO, ms(1000)),
        (Fault::InvalidSession(false), Duration::ZERO, ms(1000)),
        (Fault::Close(4008), ms(5000), ms(5000)), // the spec's pause
    ];
    for seed in 0..20 {
        for &(fault, lo, hi) in table {
            let (mut s, t) = qq_ready(seed, 3);
            let gone = gateway_fault(&mut s, t + ms(50), fault);
            let d = delay_after(&s, gone);
            assert!(
                d >= lo && d <= hi,
                "seed {seed}: {fault:?} waited {d:?}, want {lo:?}..={hi:?}"
            );
        }
    }
}

#[test]
fn qq_repeated_faults_with_no_event_in_between_back_off_and_one_event_resets() {
    let mut max_per_step = [Duration::ZERO; 4];
    for seed in 0..40 {
        let (mut s, t) = qq_ready(seed, 1);
        let mut now = gateway_fault(&mut s, t, Fault::Reconnect);
        assert_eq!(delay_after(&s, now), Duration::ZERO, "first fault: at once");
        // resumed, then op 7 again before any event: the streak grows 1, 2, 4, 8 s
        for (step, window) in [1000u64, 2000, 4000, 8000].into_iter().enumerate() {
            let (at, _) = s.next_connect().unwrap();
            s.handle_connected(at);
            frame(&mut s, at, HELLO_QQ);
            frame(&mut s, at, RESUMED_QQ);
            let _ = (tx(&mut s), events_of(&mut s));
            now = gateway_fault(&mut s, at, Fault::Reconnect);
            let d = delay_after(&s, now);
            assert!(d <= ms(window), "seed {seed} step {step}: {d:?}");
            max_per_step[step] = max_per_step[step].max(d);
        }
        // the next connection delivers an event: the fault after it is immediate again
        let (at, _) = s.next_connect().unwrap();
        s.handle_connected(at);
        frame(&mut s, at, HELLO_QQ);
        frame(&mut s, at, RESUMED_QQ);
        frame(
            &mut s,
            at,
            r#"{"op":0,"s":9,"t":"AT_MESSAGE_CREATE","d":{"id":"m9"}}"#,
        );
        let _ = (tx(&mut s), events_of(&mut s));
        let gone = gateway_fault(&mut s, at, Fault::Drop);
        assert_eq!(delay_after(&s, gone), Duration::ZERO, "seed {seed}");
    }
    // full jitter uses each window: over 40 seeds the largest draw is past its half
    for (step, window) in [1000u64, 2000, 4000, 8000].into_iter().enumerate() {
        assert!(
            max_per_step[step] > ms(window / 2),
            "step {step}: {max_per_step:?}"
        );
    }
}

#[test]
fn qq_failures_before_ready_and_failed_connects_grow_the_window() {
    let mut max = [Duration::ZERO; 5];
    for seed in 0..40 {
        let (mut s, t) = qq_ready(seed, 1);
        let gone = gateway_fault(&mut s, t, Fault::Drop);
        assert_eq!(delay_after(&s, gone), Duration::ZERO);
        for (i, window) in [1000u64, 2000, 4000, 8000, 16000].into_iter().enumerate() {
            let (at, _) = s.next_connect().unwrap();
            if i % 2 == 0 {
                s.handle_connect_failed(at, ConnectFailure::Io);
            } else {
                // connected, Hello, then dropped before RESUMED
                s.handle_connected(at);
                frame(&mut s, at, HELLO_QQ);
                let _ = tx(&mut s);
                s.handle_closed(at, None, "");
            }
            let d = delay_after(&s, at);
            assert!(d <= ms(window), "seed {seed} #{i}: {d:?}");
            max[i] = max[i].max(d);
        }
    }
    assert!(max[4] > ms(8000), "{max:?}");
}

const READY_BUBBLE: &str = r#"{"op":0,"s":1,"t":"BOT_READY","d":{"session_id":"bs-1","guilds":[],"available_events":["MESSAGE_CREATE"]}}"#;

#[test]
fn bubble_a_healthy_session_comes_back_at_the_one_second_floor() {
    for (fault, lasted, want) in [
        (Fault::Drop, ms(2000), Duration::ZERO),
        (Fault::Reconnect, ms(2000), Duration::ZERO),
        (Fault::Close(4000), ms(2000), Duration::ZERO),
        (Fault::Reconnect, ms(200), ms(800)), // 1 s after the previous attempt
        (Fault::Drop, ms(600), ms(400)),
    ] {
        let t0 = Instant::now();
        let mut c = bubble::Config::new(
            "wss://bubble.example/api/bot/gateway".parse().unwrap(),
            "jwt",
            bubble::Subscription::All,
        );
        c.seed = Some(3);
        let mut s = bubble::Session::new(c, t0, None);
        let (at, _) = s.next_connect().unwrap();
        s.handle_connected(at);
        frame(&mut s, at, r#"{"op":10,"d":{"heartbeat_interval":30000}}"#);
        frame(&mut s, at, READY_BUBBLE);
        frame(
            &mut s,
            at,
            r#"{"op":0,"s":2,"t":"MESSAGE_CREATE","d":{"id":5,"content":"hi"}}"#,
        );
        let _ = (tx(&mut s), events_of(&mut s));
        let gone = gateway_fault(&mut s, at + lasted, fault);
        assert_eq!(delay_after(&s, gone), want, "{fault:?} after {lasted:?}");
    }
}

#[test]
fn onebot_forward_comes_back_at_once_after_events_and_backs_off_without_them() {
    let event = r#"{"post_type":"message","message_type":"private","sub_type":"friend","message_id":1,"user_id":2,"self_id":10,"time":1,"message":"hi","raw_message":"hi","font":0,"sender":{"user_id":2}}"#;
    let lifecycle = r#"{"post_type":"meta_event","meta_event_type":"lifecycle","sub_type":"connect","self_id":10,"time":1}"#;
    let mut max_quiet = Duration::ZERO;
    for seed in 0..40 {
        let mut c = onebot::Config::forward(
            "ws://127.0.0.1:3001/".parse().unwrap(),
            Some(Token::new("t")),
        );
        c.seed = Some(seed);
        let t0 = Instant::now();
        let mut s = onebot::Session::new(c, t0);
        // an event flowed: at once
        let (at, _) = s.next_connect().unwrap();
        s.handle_connected(at);
        frame(&mut s, at, lifecycle);
        frame(&mut s, at, event);
        s.handle_closed(at + ms(10), None, "");
        assert_eq!(delay_after(&s, at + ms(10)), Duration::ZERO, "seed {seed}");
        // only the lifecycle, then dropped: a fault with no event in between
        let (at, _) = s.next_connect().unwrap();
        s.handle_connected(at);
        frame(&mut s, at, lifecycle);
        s.handle_closed(at + ms(10), None, "");
        let d = delay_after(&s, at + ms(10));
        assert!(d <= ms(1000), "seed {seed}: {d:?}");
        max_quiet = max_quiet.max(d);
    }
    assert!(max_quiet > ms(500), "{max_quiet:?}");
}
