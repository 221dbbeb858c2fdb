//! The QQ session never identifies with `intents: 0` (decision 0078): GUILDS goes instead, as
//! in botgo's `Identify` and botpy's `identify`, whether the config asked for nothing or every
//! optional intent was dropped after refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::time::Instant;

use botgate_session::qq::{Config, Session};
use botgate_session::{SessionEvent, SessionMachine};
use common::*;
use serde_json::Value;

const HELLO: &str = r#"{"op":10,"d":{"heartbeat_interval":45000}}"#;
const GUILDS: u32 = 1;

fn config(intents: u32, optional: u32) -> Config {
    let mut c = Config::new(
        "wss://api.sgroup.qq.com/websocket".parse().unwrap(),
        "QQBot tok-1",
        intents,
    );
    c.optional_intents = optional;
    c.seed = Some(7);
    c
}

/// Connects, takes Hello, returns the instant and the one Identify sent.
fn identify(s: &mut Session) -> (Instant, Value) {
    let (at, _) = s.next_connect().expect("a connect is planned");
    s.handle_connected(at);
    frame(s, at, HELLO);
    let sent = sent_json(s);
    assert_eq!(ops(&sent), vec![2], "{sent:?}");
    (at, sent[0].clone())
}

#[test]
fn no_intents_identify_as_guilds() {
    let mut s = Session::new(config(0, 0), Instant::now(), None);
    let (_, sent) = identify(&mut s);
    assert_eq!(sent["d"]["intents"], GUILDS);
}

#[test]
fn dropping_the_last_optional_intent_identifies_as_guilds_not_zero() {
    let dm = 1 << 12;
    let mut s = Session::new(config(dm, dm), Instant::now(), None);
    let (now, sent) = identify(&mut s);
    assert_eq!(sent["d"]["intents"], dm);
    s.handle_closed(now, Some(4014), "intent not authorised");
    events(&mut s);
    let (now, sent) = identify(&mut s);
    assert_eq!(sent["d"]["intents"], GUILDS);
    // Nothing optional is left: a refusal of GUILDS is fatal.
    s.handle_closed(now, Some(4014), "intent not authorised");
    let ev = events(&mut s);
    assert!(matches!(ev.as_slice(), [SessionEvent::Fatal(_)]), "{ev:?}");
}
