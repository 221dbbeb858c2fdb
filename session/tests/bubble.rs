//! Bubble session behaviour on a virtual clock: auth header, Hello and heartbeats, the three
//! BOT_READY shapes, subscriptions, the extended resume, dedupe, the send budget, close codes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::time::{Duration, Instant};

use botgate_session::bubble::{self, Config, Session, Subscription};
use botgate_session::{ConnectFailure, ErrorKind, Outgoing, SessionEvent, SessionMachine, Why};
use common::*;
use serde_json::{json, Value};

const HELLO: &str = r#"{"op":10,"d":{"heartbeat_interval":30000}}"#;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn config(sub: Subscription) -> Config {
    let mut c = Config::new(
        "wss://bubble.alemonjs.com/api/bot/gateway".parse().unwrap(),
        "jwt-secret",
        sub,
    );
    c.seed = Some(11);
    c
}

fn exact() -> Config {
    config(Subscription::Exact(strs(&[
        "MESSAGE_CREATE",
        "DM_MESSAGE_CREATE",
    ])))
}

const READY_EXTENDED: &str = r#"{"op":0,"s":1,"t":"BOT_READY","d":{"session_id":"bs-1","resume_gateway_url":"wss://x","guilds":[],"dm_threads":[{"id":1,"user_id":2}],"available_events":["MESSAGE_CREATE","DM_MESSAGE_CREATE","GUILD_MEMBER_ADD"]}}"#;
const READY_SEED: &str = r#"{"op":0,"t":"BOT_READY","d":{"bot":{"id":123,"name":"MyBot"},"guilds":[{"id":10,"name":"Server 1"}]}}"#;
const READY_GATEWAY: &str = r#"{"op":0,"t":"BOT_READY","d":{"bot":{"id":1,"name":"b","botUser":{"id":123,"name":"bot_b"}},"subscribedGuilds":[{"id":10}],"subscribedDMs":[],"availableEvents":["MESSAGE_CREATE","DM_MESSAGE_CREATE"]}}"#;

fn connect(s: &mut Session) -> Instant {
    let (at, _) = s.next_connect().expect("a connect is planned");
    s.handle_connected(at);
    at
}

/// Connected, Hello and `ready` received; returns what was sent after BOT_READY.
fn ready(c: Config, ready: &str) -> (Session, Instant, Vec<Value>) {
    let t0 = Instant::now();
    let mut s = Session::new(c, t0, None);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert!(tx(&mut s).is_empty(), "no identify in Bubble");
    frame(&mut s, now, ready);
    let sent = sent_json(&mut s);
    (s, now, sent)
}

fn msg(seq: Option<u64>, id: u64) -> String {
    match seq {
        Some(s) => format!(
            r#"{{"op":0,"s":{s},"t":"MESSAGE_CREATE","d":{{"id":{id},"channelId":5,"content":"x"}}}}"#
        ),
        None => format!(
            r#"{{"op":0,"t":"MESSAGE_CREATE","d":{{"id":{id},"channelId":5,"content":"x"}}}}"#
        ),
    }
}

fn dispatch_ids(ev: &[SessionEvent]) -> Vec<String> {
    ev.iter()
        .filter_map(|e| match e {
            SessionEvent::Dispatch(f) => {
                let v: Value = serde_json::from_slice(f.data().unwrap()).unwrap();
                Some(v["id"].to_string())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_token_goes_to_the_transport_as_a_bearer_header_and_never_into_debug() {
    let t0 = Instant::now();
    let s = Session::new(exact(), t0, None);
    let h = s.connect_headers();
    assert_eq!(h[0].0, "Authorization");
    assert_eq!(h[0].1.expose(), "Bearer jwt-secret");
    assert_eq!(h[1].0, "X-Client");
    assert_eq!(s.token().expose(), "jwt-secret");
    assert!(!format!("{s:?}").contains("jwt-secret"));
    assert!(!format!("{h:?}").contains("jwt-secret"));
}

#[test]
fn heartbeats_send_null_then_the_last_seq() {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    let t1 = s.poll_timeout().unwrap();
    assert!(t1 < now + ms(30_000));
    s.handle_timeout(t1);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": 1})]);
    frame(&mut s, t1, r#"{"op":11}"#);
    frame(&mut s, t1, &msg(Some(2), 100));
    let t2 = s.poll_timeout().unwrap();
    assert_eq!(t2, t1 + ms(30_000));
    s.handle_timeout(t2);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": 2})]);

    let (mut s, _, _) = ready(exact(), READY_SEED);
    let t = s.poll_timeout().unwrap();
    s.handle_timeout(t);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": null})]);
}

#[test]
fn bot_ready_seed_shape_gives_bot_id_and_subscribes_the_exact_set() {
    let (mut s, _, sent) = ready(exact(), READY_SEED);
    assert_eq!(
        sent,
        vec![json!({"op": 30, "d": {"events": ["DM_MESSAGE_CREATE", "MESSAGE_CREATE"]}})]
    );
    match events(&mut s).remove(0) {
        SessionEvent::Ready(r) => {
            assert_eq!(r.bot_id.as_deref(), Some("123"));
            assert_eq!(r.session_id, None);
            assert!(r.available_events.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.resume_state(), None);
}

#[test]
fn bot_ready_gateway_shape_prefers_the_bot_user_and_handled_types_meet_available_events() {
    let c = config(Subscription::Handled(strs(&[
        "MESSAGE_CREATE",
        "GUILD_MEMBER_ADD",
    ])));
    let (mut s, _, sent) = ready(c, READY_GATEWAY);
    assert_eq!(
        sent,
        vec![json!({"op": 30, "d": {"events": ["MESSAGE_CREATE"]}})]
    );
    match events(&mut s).remove(0) {
        SessionEvent::Ready(r) => {
            assert_eq!(r.bot_id.as_deref(), Some("123"));
            assert_eq!(
                r.available_events,
                strs(&["MESSAGE_CREATE", "DM_MESSAGE_CREATE"])
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bot_ready_client_shape_gives_session_id_and_all_subscribes_every_available_event() {
    let (mut s, _, sent) = ready(config(Subscription::All), READY_EXTENDED);
    assert_eq!(
        sent,
        vec![
            json!({"op": 30, "d": {"events": ["DM_MESSAGE_CREATE", "GUILD_MEMBER_ADD", "MESSAGE_CREATE"]}})
        ]
    );
    match events(&mut s).remove(0) {
        SessionEvent::Ready(r) => assert_eq!(r.session_id.as_deref(), Some("bs-1")),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.resume_state().unwrap().seq, 1);
}

#[test]
fn confirmed_set_follows_subscribed_unsubscribed_invalid_and_denied() {
    let c = config(Subscription::Exact(strs(&[
        "MESSAGE_CREATE",
        "NOPE",
        "DM_MESSAGE_CREATE",
    ])));
    let (mut s, now, _) = ready(c, READY_SEED);
    events(&mut s);
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"EVENTS_SUBSCRIBED","d":{"subscribedEvents":["MESSAGE_CREATE","DM_MESSAGE_CREATE"],"invalidEvents":["NOPE"]}}"#,
    );
    let ev = events(&mut s);
    assert!(
        matches!(&ev[0], SessionEvent::InvalidEvents(v) if v == &strs(&["NOPE"])),
        "{ev:?}"
    );
    assert!(
        matches!(&ev[1], SessionEvent::Subscriptions { confirmed } if confirmed == &strs(&["DM_MESSAGE_CREATE", "MESSAGE_CREATE"]))
    );
    assert_eq!(s.desired(), strs(&["DM_MESSAGE_CREATE", "MESSAGE_CREATE"]));
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"EVENTS_UNSUBSCRIBED","d":{"unsubscribedEvents":["DM_MESSAGE_CREATE"]}}"#,
    );
    assert_eq!(s.confirmed(), strs(&["MESSAGE_CREATE"]));
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"SUBSCRIBE_DENIED","d":{"reason":"no permission","events":["MESSAGE_CREATE"]}}"#,
    );
    let ev = events(&mut s);
    let n = ev.len();
    assert!(n >= 2);
    assert!(
        matches!(&ev[n - 2], SessionEvent::SubscribeDenied { reason, events } if reason == "no permission" && events == &strs(&["MESSAGE_CREATE"]))
    );
    // the control frame also reaches handlers (on_subscribe_denied, on_raw)
    assert!(
        matches!(&ev[n - 1], SessionEvent::Dispatch(f) if f.event_type() == Some("SUBSCRIBE_DENIED"))
    );
    assert!(s.confirmed().is_empty());
    assert!(!s.desired().contains(&"MESSAGE_CREATE".to_owned()));
}

#[test]
fn runtime_subscribe_and_unsubscribe_send_op_30_and_31_and_survive_a_fresh_session() {
    let (mut s, now, _) = ready(exact(), READY_SEED);
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"EVENTS_SUBSCRIBED","d":{"subscribedEvents":["MESSAGE_CREATE","DM_MESSAGE_CREATE"]}}"#,
    );
    s.subscribe(now, &["GUILD_MEMBER_ADD", "MESSAGE_CREATE"]);
    assert_eq!(
        sent_json(&mut s),
        vec![json!({"op": 30, "d": {"events": ["GUILD_MEMBER_ADD"]}})]
    );
    s.unsubscribe(now, &["DM_MESSAGE_CREATE"]);
    assert_eq!(
        sent_json(&mut s),
        vec![json!({"op": 31, "d": {"events": ["DM_MESSAGE_CREATE"]}})]
    );
    // connection lost: no resume (no session id) → a fresh BOT_READY → the desired set again
    s.handle_closed(now, Some(1006), "");
    s.subscribe(now, &["MESSAGE_DELETE"]);
    assert!(tx(&mut s).is_empty(), "nothing sent while disconnected");
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert!(tx(&mut s).is_empty(), "no resume without a session id");
    frame(&mut s, now, READY_SEED);
    assert_eq!(
        sent_json(&mut s),
        vec![
            json!({"op": 30, "d": {"events": ["GUILD_MEMBER_ADD", "MESSAGE_CREATE", "MESSAGE_DELETE"]}})
        ]
    );
    assert!(
        s.confirmed().is_empty(),
        "confirmations do not survive a fresh session"
    );
}

#[test]
fn error_rate_limit_is_an_event_and_halves_the_budget() {
    let (mut s, now, _) = ready(exact(), READY_SEED);
    events(&mut s);
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"ERROR","d":{"code":"RATE_LIMIT","message":"Too many messages"}}"#,
    );
    assert!(
        matches!(events(&mut s).as_slice(), [SessionEvent::ServerError { code, message }, SessionEvent::Dispatch(f)]
            if code == "RATE_LIMIT" && message == "Too many messages" && f.event_type() == Some("ERROR"))
    );
    for i in 0..30 {
        s.subscribe(now, &[format!("E{i}")]);
    }
    // the bucket had 19 tokens (one op 30 went out), halved to 10
    assert_eq!(sent_json(&mut s).len(), 10);
}

#[test]
fn the_send_budget_is_ten_per_second_with_a_burst_of_twenty_and_spares_heartbeats() {
    let (mut s, now, sent) = ready(config(Subscription::Exact(vec![])), READY_SEED);
    assert!(sent.is_empty());
    for i in 0..40 {
        s.subscribe(now, &[format!("E{i}")]);
    }
    assert_eq!(sent_json(&mut s).len(), 20);
    let wake = s.poll_timeout().unwrap();
    assert_eq!(wake, now + ms(100));
    s.handle_timeout(wake);
    assert_eq!(sent_json(&mut s).len(), 1);
    // the heartbeat goes out although the budget is empty
    let mut t = wake;
    let mut beats = 0;
    let mut cmds = 0;
    while t < now + ms(2_000) {
        t = s.poll_timeout().unwrap();
        s.handle_timeout(t);
        for v in sent_json(&mut s) {
            if v["op"] == 1 {
                beats += 1;
                frame(&mut s, t, r#"{"op":11}"#);
            } else {
                cmds += 1;
            }
        }
    }
    assert_eq!(cmds, 19, "the remaining 19 commands at 10/s");
    assert!(t <= now + ms(2_000) + ms(100));
    let _ = beats;
    s.subscribe(now + ms(60_000), &["LATE"]);
    assert_eq!(sent_json(&mut s).len(), 1);
}

#[test]
fn heartbeats_pass_when_the_command_budget_is_empty() {
    let (mut s, now, _) = ready(config(Subscription::Exact(vec![])), READY_SEED);
    for i in 0..25 {
        s.subscribe(now, &[format!("E{i}")]);
    }
    tx(&mut s);
    frame(&mut s, now, r#"{"op":1}"#);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": null})]);
}

#[test]
fn extended_profile_resumes_with_op_6_and_replays_without_duplicates() {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    frame(
        &mut s,
        now,
        r#"{"op":0,"s":2,"t":"EVENTS_SUBSCRIBED","d":{"subscribedEvents":["MESSAGE_CREATE","DM_MESSAGE_CREATE"]}}"#,
    );
    frame(&mut s, now, &msg(Some(3), 100));
    events(&mut s);
    s.handle_closed(now, Some(1001), "");
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::Reconnecting { resume: true, .. }]
    ));
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert_eq!(
        sent_json(&mut s),
        vec![json!({"op": 6, "d": {"sessionId": "bs-1", "seq": 3}})]
    );
    frame(&mut s, now, &msg(Some(3), 100));
    frame(&mut s, now, &msg(Some(4), 101));
    frame(
        &mut s,
        now,
        r#"{"op":0,"s":5,"t":"RESUMED","d":{"replayed":1}}"#,
    );
    let ev = events(&mut s);
    assert_eq!(dispatch_ids(&ev), vec!["101"]);
    assert!(matches!(
        ev.last(),
        Some(SessionEvent::Resumed { replayed: Some(1) })
    ));
    // subscriptions survive a resume: nothing to re-send
    assert!(tx(&mut s).is_empty());
    s.subscribe(now, &["GUILD_MEMBER_ADD"]);
    assert_eq!(
        sent_json(&mut s),
        vec![json!({"op": 30, "d": {"events": ["GUILD_MEMBER_ADD"]}})]
    );
}

#[test]
fn a_pause_of_the_reader_during_a_resume_does_not_time_the_resume_out() {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    frame(&mut s, now, &msg(Some(3), 100));
    events(&mut s);
    s.handle_closed(now, Some(1001), "");
    events(&mut s);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    tx(&mut s);
    frame(&mut s, now + ms(100), &msg(Some(4), 101));
    // The reader stops for 40 s (the consumer is behind the replay), then reads again.
    let again = now + Duration::from_secs(40);
    s.handle_read_resumed(again, Duration::from_secs(40) - ms(100));
    if s.poll_timeout().is_some_and(|t| t <= again) {
        s.handle_timeout(again);
    }
    assert_eq!(
        close_code(&tx(&mut s)),
        None,
        "no reconnect: the replay is being read"
    );
    frame(&mut s, again, &msg(Some(5), 102));
    frame(
        &mut s,
        again,
        r#"{"op":0,"s":6,"t":"RESUMED","d":{"replayed":2}}"#,
    );
    let ev = events(&mut s);
    assert_eq!(dispatch_ids(&ev), vec!["101", "102"]);
    assert!(
        matches!(ev.last(), Some(SessionEvent::Resumed { .. })),
        "{ev:?}"
    );
    // Without a pause the deadline still holds: a resume never answered times out.
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    s.handle_closed(now, Some(1001), "");
    events(&mut s);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    tx(&mut s);
    let mut closed = None;
    for _ in 0..100 {
        let at = s.poll_timeout().expect("a deadline for RESUMED");
        assert!(at <= now + Duration::from_secs(60), "{:?}", at - now);
        s.handle_timeout(at);
        closed = close_code(&tx(&mut s));
        if closed.is_some() {
            break;
        }
    }
    assert!(closed.is_some(), "an unanswered resume times out");
}

#[test]
fn changes_made_while_disconnected_are_sent_after_a_resume() {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    frame(
        &mut s,
        now,
        r#"{"op":0,"s":2,"t":"EVENTS_SUBSCRIBED","d":{"subscribedEvents":["MESSAGE_CREATE","DM_MESSAGE_CREATE"]}}"#,
    );
    s.handle_closed(now, None, "");
    s.subscribe(now, &["GUILD_MEMBER_ADD"]);
    s.unsubscribe(now, &["DM_MESSAGE_CREATE"]);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    tx(&mut s);
    frame(
        &mut s,
        now,
        r#"{"op":0,"s":3,"t":"RESUMED","d":{"replayed":0}}"#,
    );
    assert_eq!(
        sent_json(&mut s),
        vec![
            json!({"op": 30, "d": {"events": ["GUILD_MEMBER_ADD"]}}),
            json!({"op": 31, "d": {"events": ["DM_MESSAGE_CREATE"]}}),
        ]
    );
}

#[test]
fn op7_closes_with_4900_and_resumes() {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    frame(&mut s, now, r#"{"op":7}"#);
    assert_eq!(close_code(&tx(&mut s)), Some(bubble::RECONNECT_CLOSE_CODE));
    s.handle_closed(now, Some(4900), "");
    assert!(matches!(
        events(&mut s).last(),
        Some(SessionEvent::Reconnecting {
            why: Why::ServerReconnect,
            resume: true,
            ..
        })
    ));
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert_eq!(ops(&sent_json(&mut s)), vec![6]);
}

#[test]
fn op9_false_starts_a_fresh_session_and_resubscribes() {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    frame(&mut s, now, r#"{"op":9,"d":false}"#);
    assert_eq!(close_code(&tx(&mut s)), Some(4900));
    s.handle_closed(now, Some(4900), "");
    let (at, _) = s.next_connect().unwrap();
    assert!(at - now >= ms(1000) && at - now <= ms(5000));
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert!(tx(&mut s).is_empty(), "no op 6");
    frame(&mut s, now, READY_EXTENDED);
    assert_eq!(ops(&sent_json(&mut s)), vec![30]);
}

#[test]
fn op9_true_resumes() {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    frame(&mut s, now, r#"{"op":9,"d":true}"#);
    s.handle_closed(now, Some(4900), "");
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert_eq!(ops(&sent_json(&mut s)), vec![6]);
}

#[test]
fn missing_ack_is_a_zombie() {
    let (mut s, _, _) = ready(exact(), READY_EXTENDED);
    let t1 = s.poll_timeout().unwrap();
    s.handle_timeout(t1);
    tx(&mut s);
    let t2 = s.poll_timeout().unwrap();
    s.handle_timeout(t2);
    assert_eq!(close_code(&tx(&mut s)), Some(4900));
    s.handle_closed(t2, Some(4900), "");
    assert!(matches!(
        events(&mut s).last(),
        Some(SessionEvent::Reconnecting {
            why: Why::Zombie,
            ..
        })
    ));
}

#[test]
fn dedupe_drops_repeats_by_type_and_id_in_strict_mode() {
    let (mut s, now, _) = ready(exact(), READY_SEED);
    events(&mut s);
    for id in [100, 101, 100, 102, 101] {
        frame(&mut s, now, &msg(None, id));
    }
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"MESSAGE_DELETE","d":{"id":100}}"#,
    );
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"MESSAGE_REACTION_ADD","d":{"messageId":7,"userId":8,"emoji":"x"}}"#,
    );
    // The same reaction again: no `s` tells a resend from an add after a removal, so it is
    // delivered, never lost (decision 0076).
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"MESSAGE_REACTION_ADD","d":{"userId":8,"messageId":7,"emoji":"x"}}"#,
    );
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"MESSAGE_REACTION_ADD","d":{"messageId":7,"userId":9,"emoji":"x"}}"#,
    );
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"READ_STATE_UPDATE","d":{"channelId":1}}"#,
    );
    frame(
        &mut s,
        now,
        r#"{"op":0,"t":"READ_STATE_UPDATE","d":{"channelId":1}}"#,
    );
    let ev = events(&mut s);
    let kinds: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Dispatch(f) => Some(f.event_type().unwrap().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        strs(&[
            "MESSAGE_CREATE",
            "MESSAGE_CREATE",
            "MESSAGE_CREATE",
            "MESSAGE_DELETE",
            "MESSAGE_REACTION_ADD",
            "MESSAGE_REACTION_ADD",
            "MESSAGE_REACTION_ADD",
            "READ_STATE_UPDATE",
            "READ_STATE_UPDATE"
        ])
    );
    assert_eq!(dispatch_ids(&ev)[..3], strs(&["100", "101", "102"]));
}

/// Review of stop 28: unknown types pass undeduped (the spec); two events of a newer type
/// sharing an id were one lost.
#[test]
fn unknown_event_types_pass_undeduped() {
    let (mut s, now, _) = ready(exact(), READY_SEED);
    events(&mut s);
    for v in [1, 2, 2] {
        frame(
            &mut s,
            now,
            &format!(r#"{{"op":0,"t":"FUTURE_THING","d":{{"id":5,"v":{v}}}}}"#),
        );
    }
    let delivered = events(&mut s)
        .iter()
        .filter(
            |e| matches!(e, SessionEvent::Dispatch(f) if f.event_type() == Some("FUTURE_THING")),
        )
        .count();
    assert_eq!(delivered, 3);
}

#[test]
fn the_dedupe_window_is_bounded() {
    let mut c = exact();
    c.dedupe_window = 2;
    let (mut s, now, _) = ready(c, READY_SEED);
    events(&mut s);
    for id in [1, 2, 3, 1] {
        frame(&mut s, now, &msg(None, id));
    }
    assert_eq!(dispatch_ids(&events(&mut s)), strs(&["1", "2", "3", "1"]));
}

// ---- close codes (botgate's table, spec §3.4) ----------------------------------------------

fn closed_with(code: Option<u16>) -> (Session, Instant, Vec<SessionEvent>) {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    events(&mut s);
    s.handle_closed(now, code, "");
    let ev = events(&mut s);
    (s, now, ev)
}

fn assert_resumes(code: Option<u16>) {
    let (mut s, now, ev) = closed_with(code);
    assert!(
        matches!(
            ev.as_slice(),
            [SessionEvent::Reconnecting { resume: true, .. }]
        ),
        "{code:?}: {ev:?}"
    );
    let (at, _) = s.next_connect().unwrap();
    assert!(at - now <= ms(2000));
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert_eq!(ops(&sent_json(&mut s)), vec![6], "{code:?}");
}

fn assert_fatal(code: u16) -> ErrorKind {
    let (s, _, ev) = closed_with(Some(code));
    assert!(s.next_connect().is_none());
    match ev.as_slice() {
        [SessionEvent::Fatal(e)] => e.kind().clone(),
        other => panic!("{code}: {other:?}"),
    }
}

#[test]
fn close_1000_and_1001_resume() {
    assert_resumes(Some(1000));
    assert_resumes(Some(1001));
    assert_resumes(None);
}

#[test]
fn close_4000_4001_4002_resume() {
    assert_resumes(Some(4000));
    assert_resumes(Some(4001));
    assert_resumes(Some(4002));
}

#[test]
fn close_4004_is_fatal_auth_failed() {
    assert_eq!(
        assert_fatal(4004),
        ErrorKind::AuthFailed {
            close_code: Some(4004),
            http_status: None
        }
    );
}

#[test]
fn close_4004_before_hello_is_fatal_auth_failed() {
    let t0 = Instant::now();
    let mut s = Session::new(exact(), t0, None);
    let now = connect(&mut s);
    s.handle_closed(now, Some(4004), "bad token");
    assert!(
        matches!(events(&mut s).as_slice(), [SessionEvent::Fatal(e)] if matches!(e.kind(), ErrorKind::AuthFailed { .. }))
    );
}

#[test]
fn http_401_and_403_at_the_upgrade_are_fatal() {
    for status in [401, 403] {
        let t0 = Instant::now();
        let mut s = Session::new(exact(), t0, None);
        s.handle_connect_failed(t0, ConnectFailure::Http { status });
        assert!(
            matches!(events(&mut s).as_slice(), [SessionEvent::Fatal(e)] if e.kind() == &ErrorKind::AuthFailed { close_code: None, http_status: Some(status) })
        );
        assert!(s.next_connect().is_none());
    }
}

#[test]
fn close_4008_resumes_after_at_least_five_seconds() {
    let (s, now, ev) = closed_with(Some(4008));
    assert!(matches!(
        ev.as_slice(),
        [SessionEvent::Reconnecting { resume: true, .. }]
    ));
    assert!(s.next_connect().unwrap().0 - now >= bubble::RATE_LIMIT_PAUSE);
}

#[test]
fn close_4009_starts_a_fresh_session() {
    let (mut s, _, ev) = closed_with(Some(4009));
    assert!(matches!(
        ev.as_slice(),
        [SessionEvent::Reconnecting { resume: false, .. }]
    ));
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert!(tx(&mut s).is_empty());
}

#[test]
fn close_4010_takeover_is_fatal_by_default_and_retried_if_configured() {
    assert!(matches!(
        assert_fatal(4010),
        ErrorKind::FatalClose { code: 4010, .. }
    ));
    let mut c = exact();
    c.takeover_is_fatal = false;
    let (mut s, now, _) = ready(c, READY_EXTENDED);
    events(&mut s);
    s.handle_closed(now, Some(4010), "");
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::Reconnecting { .. }]
    ));
}

#[test]
fn close_4011_subscription_invalid_is_fatal() {
    assert!(matches!(
        assert_fatal(4011),
        ErrorKind::FatalClose { code: 4011, .. }
    ));
}

#[test]
fn five_unknown_4xxx_closes_without_ready_give_up() {
    let (mut s, mut now, _) = ready(exact(), READY_EXTENDED);
    events(&mut s);
    for i in 0..5 {
        s.handle_closed(now, Some(4321), "");
        let ev = events(&mut s);
        if i < 4 {
            assert!(
                matches!(ev.as_slice(), [SessionEvent::Reconnecting { .. }]),
                "{i}: {ev:?}"
            );
            now = connect(&mut s);
        } else {
            assert!(
                matches!(ev.as_slice(), [SessionEvent::Fatal(e)] if e.kind() == &ErrorKind::TooManyFailures { attempts: 5 })
            );
        }
    }
}

#[test]
fn a_ready_resets_the_unknown_close_count() {
    let (mut s, mut now, _) = ready(exact(), READY_SEED);
    for _ in 0..4 {
        s.handle_closed(now, Some(4321), "");
        now = connect(&mut s);
    }
    frame(&mut s, now, HELLO);
    frame(&mut s, now, READY_SEED);
    events(&mut s);
    s.handle_closed(now, Some(4321), "");
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::Reconnecting { .. }]
    ));
}

#[test]
fn close_stops_for_good() {
    let (mut s, now, _) = ready(exact(), READY_SEED);
    events(&mut s);
    s.close(now);
    assert_eq!(close_code(&tx(&mut s)), Some(1000));
    assert!(matches!(events(&mut s).as_slice(), [SessionEvent::Stopped]));
    s.handle_closed(now, Some(1000), "");
    assert!(s.next_connect().is_none());
    assert!(matches!(tx(&mut s).as_slice(), []));
    let _ = Outgoing::Text(String::new());
}

#[test]
fn store_state_follows_the_handled_point_and_a_fresh_session_resets_it() {
    let (mut s, now, _) = ready(exact(), READY_EXTENDED);
    for seq in 2..=5 {
        frame(&mut s, now, &msg(Some(seq), 100 + seq));
    }
    assert_eq!(s.store_state().unwrap().seq, 5);
    s.set_handled(3);
    assert_eq!(s.store_state().unwrap().seq, 3);
    assert_eq!(s.resume_state().unwrap().seq, 5);
    s.handle_closed(now, Some(4009), "");
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    frame(&mut s, now, READY_EXTENDED);
    frame(&mut s, now, &msg(Some(2), 200));
    assert_eq!(
        s.store_state().unwrap().seq,
        0,
        "nothing of the new session handled yet"
    );
}

/// Review of stop 29: in `Handled` mode a type subscribed at run time that BOT_READY's
/// `availableEvents` does not list was dropped from the set a new session subscribes, and
/// unsubscribed (op 31) by itself after a resume.
#[test]
fn a_run_time_subscription_outside_available_events_survives_a_reconnect() {
    let handled = || config(Subscription::Handled(strs(&["MESSAGE_CREATE"])));
    let subscribed = |names: &str| {
        format!(
            r#"{{"op":0,"t":"EVENTS_SUBSCRIBED","d":{{"subscribedEvents":{names},"invalidEvents":[]}}}}"#
        )
    };
    let (mut s, now, sent) = ready(handled(), READY_GATEWAY);
    assert_eq!(
        sent,
        vec![json!({"op": 30, "d": {"events": ["MESSAGE_CREATE"]}})]
    );
    frame(&mut s, now, &subscribed(r#"["MESSAGE_CREATE"]"#));
    s.subscribe(now, &["GUILD_MEMBER_ADD"]);
    assert_eq!(
        sent_json(&mut s),
        vec![json!({"op": 30, "d": {"events": ["GUILD_MEMBER_ADD"]}})]
    );
    frame(&mut s, now, &subscribed(r#"["GUILD_MEMBER_ADD"]"#));
    // a new session (no resume in the documented profile) subscribes both again
    s.handle_closed(now, Some(1006), "");
    let at = connect(&mut s);
    frame(&mut s, at, HELLO);
    frame(&mut s, at, READY_GATEWAY);
    assert_eq!(
        sent_json(&mut s),
        vec![json!({"op": 30, "d": {"events": ["GUILD_MEMBER_ADD", "MESSAGE_CREATE"]}})]
    );
}

/// Review of stop 29: a name already subscribed and not yet confirmed was sent again.
#[test]
fn a_subscription_on_its_way_is_not_sent_twice() {
    let (mut s, now, sent) = ready(exact(), READY_SEED);
    assert_eq!(
        sent,
        vec![json!({"op": 30, "d": {"events": ["DM_MESSAGE_CREATE", "MESSAGE_CREATE"]}})]
    );
    s.subscribe(now, &["MESSAGE_CREATE"]);
    s.subscribe(now, &["GUILD_MEMBER_ADD"]);
    s.subscribe(now, &["GUILD_MEMBER_ADD"]);
    assert_eq!(
        sent_json(&mut s),
        vec![json!({"op": 30, "d": {"events": ["GUILD_MEMBER_ADD"]}})]
    );
    // after an unsubscribe it is sent again; after a new connection, all that was not
    // confirmed is
    s.unsubscribe(now, &["GUILD_MEMBER_ADD"]);
    s.subscribe(now, &["GUILD_MEMBER_ADD"]);
    let sent = sent_json(&mut s);
    assert_eq!(
        sent.iter()
            .map(|v| v["op"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [31, 30]
    );
}
