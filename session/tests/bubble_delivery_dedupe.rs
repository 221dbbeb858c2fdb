//! The Bubble session's dedupe keys a delivery, not an entity (decision 0076): a guild left
//! and joined again, a reaction added again after its removal, are new events; a replay after
//! a resume is still dropped (by its `s`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::time::Instant;

use botgate_session::bubble::{Config, Session, Subscription};
use botgate_session::{SessionEvent, SessionMachine};
use common::*;

const HELLO: &str = r#"{"op":10,"d":{"heartbeat_interval":30000}}"#;
const READY_SEED: &str = r#"{"op":0,"t":"BOT_READY","d":{"bot":{"id":123,"name":"MyBot"},"guilds":[{"id":10,"name":"Server 1"}]}}"#;
const READY_EXTENDED: &str = r#"{"op":0,"s":1,"t":"BOT_READY","d":{"session_id":"bs-1","resume_gateway_url":"wss://x","guilds":[],"dm_threads":[],"available_events":["GUILD_CREATE","GUILD_DELETE"]}}"#;

const SUBSCRIBED: &[&str] = &[
    "GUILD_CREATE",
    "GUILD_DELETE",
    "MESSAGE_REACTION_ADD",
    "MESSAGE_REACTION_REMOVE",
];

/// Connected, Hello and `ready` received.
fn ready(ready: &str) -> (Session, Instant) {
    let mut c = Config::new(
        "wss://bubble.alemonjs.com/api/bot/gateway".parse().unwrap(),
        "jwt-secret",
        Subscription::Exact(SUBSCRIBED.iter().map(|s| (*s).to_owned()).collect()),
    );
    c.seed = Some(11);
    let mut s = Session::new(c, Instant::now(), None);
    let (now, _) = s.next_connect().expect("a connect is planned");
    s.handle_connected(now);
    frame(&mut s, now, HELLO);
    frame(&mut s, now, ready);
    events(&mut s);
    tx(&mut s);
    (s, now)
}

/// `t` of every dispatch among `events`, with its `s` when it has one.
fn dispatched(ev: &[SessionEvent]) -> Vec<String> {
    ev.iter()
        .filter_map(|e| match e {
            SessionEvent::Dispatch(f) => Some(match f.seq() {
                Some(s) => format!("{}#{s}", f.event_type().unwrap()),
                None => f.event_type().unwrap().to_owned(),
            }),
            _ => None,
        })
        .collect()
}

/// The bug: keyed by `(t, d.id)`, the guild's id, the second GUILD_CREATE of a quick leave and
/// rejoin was dropped as a resend (and so was the second GUILD_DELETE); the same for a
/// reaction added again, keyed by `(messageId, userId, emoji)`.
#[test]
fn a_guild_rejoined_and_a_reaction_added_again_are_delivered_in_strict_mode() {
    let (mut s, now) = ready(READY_SEED);
    let reaction = r#"{"messageId":7,"userId":8,"emoji":"x"}"#;
    for (t, d) in [
        ("GUILD_CREATE", r#"{"id":10,"name":"My Server"}"#),
        ("GUILD_DELETE", r#"{"id":10}"#),
        ("GUILD_CREATE", r#"{"id":10,"name":"My Server"}"#),
        ("GUILD_DELETE", r#"{"id":10}"#),
        ("MESSAGE_REACTION_ADD", reaction),
        ("MESSAGE_REACTION_REMOVE", reaction),
        ("MESSAGE_REACTION_ADD", reaction),
    ] {
        frame(&mut s, now, &format!(r#"{{"op":0,"t":"{t}","d":{d}}}"#));
    }
    assert_eq!(
        dispatched(&events(&mut s)),
        [
            "GUILD_CREATE",
            "GUILD_DELETE",
            "GUILD_CREATE",
            "GUILD_DELETE",
            "MESSAGE_REACTION_ADD",
            "MESSAGE_REACTION_REMOVE",
            "MESSAGE_REACTION_ADD",
        ]
    );
}

/// With the extended profile the rejoin is delivered too, and a replay of it after a resume
/// (its `s` already seen) is not.
#[test]
fn a_rejoin_is_delivered_and_its_replay_after_a_resume_is_not() {
    let (mut s, now) = ready(READY_EXTENDED);
    let guild = |seq: u64, t: &str| format!(r#"{{"op":0,"s":{seq},"t":"{t}","d":{{"id":10}}}}"#);
    frame(&mut s, now, &guild(2, "GUILD_CREATE"));
    frame(&mut s, now, &guild(3, "GUILD_DELETE"));
    frame(&mut s, now, &guild(4, "GUILD_CREATE"));
    assert_eq!(
        dispatched(&events(&mut s)),
        ["GUILD_CREATE#2", "GUILD_DELETE#3", "GUILD_CREATE#4"]
    );
    s.handle_closed(now, Some(1001), "");
    events(&mut s);
    let (now, _) = s.next_connect().expect("a reconnect is planned");
    s.handle_connected(now);
    frame(&mut s, now, HELLO);
    tx(&mut s);
    // The server replays from an earlier point; then a new delivery.
    frame(&mut s, now, &guild(4, "GUILD_CREATE"));
    frame(&mut s, now, &guild(5, "GUILD_DELETE"));
    frame(
        &mut s,
        now,
        r#"{"op":0,"s":6,"t":"RESUMED","d":{"replayed":2}}"#,
    );
    assert_eq!(dispatched(&events(&mut s)), ["GUILD_DELETE#5"]);
}
