//! A heartbeat the server asks for (op 1) and the zombie rule, on a virtual clock: a beat sent
//! on request just before the scheduled one cannot have been acknowledged yet, so the
//! scheduled beat goes out rather than judging the connection dead (decision 0084); a server
//! that asks for beats and never acknowledges them is still a zombie.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::time::{Duration, Instant};

use botgate_session::{bubble, qq, SessionMachine, Why};
use common::*;
use serde_json::json;

const SID: &str = "sid-1";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A QQ session after Hello (45 s) and READY (seq 1), its first scheduled beat sent and
/// acknowledged; returns it and the instant of its next scheduled beat.
fn qq_beating() -> (qq::Session, Instant) {
    let mut c = qq::Config::new(
        "wss://api.sgroup.qq.com/websocket".parse().unwrap(),
        "QQBot tok",
        1 << 30,
    );
    c.seed = Some(7);
    let mut s = qq::Session::new(c, Instant::now(), None);
    let (at, _) = s.next_connect().unwrap();
    s.handle_connected(at);
    frame(&mut s, at, r#"{"op":10,"d":{"heartbeat_interval":45000}}"#);
    frame(
        &mut s,
        at,
        &format!(
            r#"{{"op":0,"s":1,"t":"READY","d":{{"session_id":"{SID}","user":{{"id":"1"}}}}}}"#
        ),
    );
    tx(&mut s);
    events(&mut s);
    let first = s.poll_timeout().unwrap();
    s.handle_timeout(first);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": 1})]);
    frame(&mut s, first + ms(20), r#"{"op":11}"#);
    let next = s.poll_timeout().unwrap();
    assert_eq!(next, first + ms(45_000));
    (s, next)
}

#[test]
fn qq_a_beat_asked_for_just_before_the_scheduled_one_is_not_a_zombie() {
    let (mut s, next) = qq_beating();
    // The server asks for a beat 1 ms before the scheduled one; its ACK is 20 ms away.
    frame(&mut s, next - ms(1), r#"{"op":1}"#);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": 1})]);
    s.handle_timeout(next);
    let out = tx(&mut s);
    assert_eq!(
        close_code(&out),
        None,
        "judged a zombie 1 ms after the requested beat: {out:?}"
    );
    assert_eq!(out.len(), 1, "the scheduled beat goes out: {out:?}");
    frame(&mut s, next + ms(19), r#"{"op":11}"#);
    assert!(events(&mut s).is_empty());
    // Acknowledged: the schedule goes on as usual.
    let after = s.poll_timeout().unwrap();
    assert_eq!(after, next + ms(45_000));
    s.handle_timeout(after);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": 1})]);
}

#[test]
fn qq_a_server_that_asks_for_beats_and_never_acknowledges_is_still_a_zombie() {
    let (mut s, next) = qq_beating();
    frame(&mut s, next - ms(1), r#"{"op":1}"#);
    s.handle_timeout(next);
    tx(&mut s);
    // More requests, never an ACK: the next scheduled beat judges the connection.
    frame(&mut s, next + ms(30_000), r#"{"op":1}"#);
    tx(&mut s);
    let after = s.poll_timeout().unwrap();
    assert_eq!(after, next + ms(45_000));
    s.handle_timeout(after);
    assert_eq!(close_code(&tx(&mut s)), Some(qq::RECONNECT_CLOSE_CODE));
    s.handle_closed(after, Some(qq::RECONNECT_CLOSE_CODE), "");
    assert_reconnecting(&mut s, Why::Zombie);
}

#[test]
fn bubble_a_beat_asked_for_just_before_the_scheduled_one_is_not_a_zombie() {
    let mut c = bubble::Config::new(
        "wss://bubble.example/gateway".parse().unwrap(),
        "tok",
        bubble::Subscription::Exact(vec![]),
    );
    c.seed = Some(7);
    let mut s = bubble::Session::new(c, Instant::now(), None);
    let (at, _) = s.next_connect().unwrap();
    s.handle_connected(at);
    frame(&mut s, at, r#"{"op":10,"d":{"heartbeat_interval":30000}}"#);
    frame(
        &mut s,
        at,
        r#"{"op":0,"s":1,"t":"BOT_READY","d":{"sessionId":"b-1"}}"#,
    );
    tx(&mut s);
    events(&mut s);
    let first = s.poll_timeout().unwrap();
    s.handle_timeout(first);
    assert_eq!(ops(&sent_json(&mut s)), vec![1]);
    frame(&mut s, first + ms(20), r#"{"op":11}"#);
    let next = s.poll_timeout().unwrap();
    assert_eq!(next, first + ms(30_000));
    frame(&mut s, next - ms(1), r#"{"op":1}"#);
    assert_eq!(ops(&sent_json(&mut s)), vec![1]);
    s.handle_timeout(next);
    let out = tx(&mut s);
    assert_eq!(
        close_code(&out),
        None,
        "judged a zombie 1 ms after the requested beat: {out:?}"
    );
    assert_eq!(out.len(), 1, "the scheduled beat goes out: {out:?}");
}
