//! QQ session behaviour on a virtual clock: every op, every row of the close-code table, the
//! token hook, seq tracking, timers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_session::qq::{self, Config, Session};
use botgate_session::{
    BackoffConfig, ConnectFailure, ErrorKind, FileStore, IdentifyQueue, LocalIdentifyQueue,
    Outgoing, ResumeState, SessionEvent, SessionMachine, SessionStore, TokenReason, Why,
};
use common::*;
use serde_json::{json, Value};

const HELLO: &str = r#"{"op":10,"d":{"heartbeat_interval":45000}}"#;
const SID: &str = "082ee18c-0be3-491b-9d8b-fbd95c51673a";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn config() -> Config {
    let mut c = Config::new(
        "wss://api.sgroup.qq.com/websocket".parse().unwrap(),
        "QQBot tok-1",
        1 << 30,
    );
    c.seed = Some(7);
    c
}

fn ready_frame(seq: u64) -> String {
    format!(
        r#"{{"op":0,"s":{seq},"t":"READY","d":{{"version":1,"session_id":"{SID}","user":{{"id":"6158788878435714165","username":"bot","bot":true}},"shard":[0,1]}}}}"#
    )
}

fn dispatch(seq: u64) -> String {
    format!(
        r#"{{"op":0,"s":{seq},"t":"AT_MESSAGE_CREATE","id":"AT_MESSAGE_CREATE:{seq}","d":{{"id":"m{seq}","content":"hi"}}}}"#
    )
}

/// Connects at the planned instant and returns it.
fn connect(s: &mut Session) -> Instant {
    let (at, url) = s.next_connect().expect("a connect is planned");
    assert_eq!(url.as_str(), "wss://api.sgroup.qq.com/websocket");
    s.handle_connected(at);
    at
}

/// A session that has identified and received READY (seq 1); transmit and events drained.
fn ready_session(config: Config) -> (Session, Instant) {
    let t0 = Instant::now();
    let mut s = Session::new(config, t0, None);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    let sent = sent_json(&mut s);
    assert_eq!(ops(&sent), vec![2]);
    frame(&mut s, now, &ready_frame(1));
    let ev = events(&mut s);
    assert!(matches!(ev.as_slice(), [SessionEvent::Ready(_)]), "{ev:?}");
    (s, now)
}

/// Waits out the reconnect backoff: the session asks for its token when it ends (a timer).
/// Returns the instant of the request and the events, the request last.
fn backoff_ends(s: &mut Session) -> (Instant, Vec<SessionEvent>) {
    assert!(s.next_connect().is_none(), "no connection before the token");
    let at = s.poll_timeout().expect("the token request is timed");
    s.handle_timeout(at);
    (at, events(s))
}

/// Drives the session to its next connection and Hello; returns what it sent.
fn reconnect_and_hello(s: &mut Session) -> (Instant, Vec<Value>) {
    let now = connect(s);
    frame(s, now, HELLO);
    (now, sent_json(s))
}

#[test]
fn hello_is_answered_with_identify_carrying_token_intents_shard_and_properties() {
    let t0 = Instant::now();
    let mut c = config();
    c.shard = [2, 4];
    let mut s = Session::new(c, t0, None);
    assert_eq!(s.next_connect().unwrap().0, t0);
    let now = connect(&mut s);
    assert!(tx(&mut s).is_empty(), "nothing is sent before Hello");
    frame(&mut s, now, HELLO);
    let sent = sent_json(&mut s);
    assert_eq!(sent.len(), 1);
    let d = &sent[0]["d"];
    assert_eq!(sent[0]["op"], 2);
    assert_eq!(d["token"], "QQBot tok-1");
    assert_eq!(d["intents"], 1 << 30);
    assert_eq!(d["shard"], json!([2, 4]));
    assert_eq!(d["properties"]["$browser"], "botgate");
    assert_eq!(d["properties"]["$device"], "botgate");
}

#[test]
fn ready_announces_the_session_and_dispatches_flow_in_order() {
    let (mut s, now) = ready_session(config());
    assert!(s.is_ready());
    assert_eq!(s.session_id(), Some(SID));
    for seq in 2..=4 {
        frame(&mut s, now, &dispatch(seq));
    }
    let ev = events(&mut s);
    assert_eq!(dispatch_seqs(&ev), vec![2, 3, 4]);
    match &ev[0] {
        SessionEvent::Dispatch(f) => {
            assert_eq!(f.event_type(), Some("AT_MESSAGE_CREATE"));
            assert_eq!(f.id(), Some("AT_MESSAGE_CREATE:2"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.resume_state().unwrap().seq, 4);
}

#[test]
fn ready_event_carries_session_id_bot_id_and_the_raw_frame() {
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, None);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    frame(&mut s, now, &ready_frame(1));
    match events(&mut s).remove(0) {
        SessionEvent::Ready(r) => {
            assert_eq!(r.session_id.as_deref(), Some(SID));
            assert_eq!(r.bot_id.as_deref(), Some("6158788878435714165"));
            assert_eq!(r.frame.unwrap().event_type(), Some("READY"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn heartbeats_carry_the_last_seq_every_interval() {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, &dispatch(2));
    // first beat at a jittered point inside the first interval
    let first = s.poll_timeout().unwrap();
    assert!(first >= now && first < now + ms(45_000));
    s.handle_timeout(first);
    let sent = sent_json(&mut s);
    assert_eq!(sent, vec![json!({"op": 1, "d": 2})]);
    frame(&mut s, first, r#"{"op":11}"#);
    assert_eq!(s.latency(), Some(Duration::ZERO));
    let second = s.poll_timeout().unwrap();
    assert_eq!(second, first + ms(45_000));
    frame(&mut s, first, &dispatch(3));
    s.handle_timeout(second);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": 3})]);
}

#[test]
fn heartbeat_before_any_dispatch_sends_null() {
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, None);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    tx(&mut s);
    let at = s.poll_timeout().unwrap();
    s.handle_timeout(at);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": null})]);
}

#[test]
fn missing_ack_before_the_next_beat_is_a_zombie_closed_and_resumed() {
    let (mut s, _) = ready_session(config());
    let first = s.poll_timeout().unwrap();
    s.handle_timeout(first);
    tx(&mut s);
    let second = s.poll_timeout().unwrap();
    s.handle_timeout(second);
    let out = tx(&mut s);
    assert_eq!(close_code(&out), Some(qq::RECONNECT_CLOSE_CODE));
    assert_eq!(s.poll_timeout(), None, "no timers while closing");
    s.handle_closed(second, Some(qq::RECONNECT_CLOSE_CODE), "");
    let ev = events(&mut s);
    assert!(
        matches!(
            ev.as_slice(),
            [SessionEvent::Reconnecting {
                why: Why::Zombie,
                resume: true,
                ..
            }]
        ),
        "{ev:?}"
    );
    let (_, sent) = reconnect_and_hello(&mut s);
    assert_eq!(
        sent,
        vec![json!({"op": 6, "d": {"token": "QQBot tok-1", "session_id": SID, "seq": 1}})]
    );
}

#[test]
fn server_heartbeat_request_is_answered_at_once() {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, &dispatch(2));
    frame(&mut s, now, r#"{"op":1}"#);
    assert_eq!(sent_json(&mut s), vec![json!({"op": 1, "d": 2})]);
}

#[test]
fn op7_reconnect_closes_and_resumes_with_replay_and_no_duplicates() {
    let (mut s, now) = ready_session(config());
    for seq in 2..=3 {
        frame(&mut s, now, &dispatch(seq));
    }
    events(&mut s);
    frame(&mut s, now, r#"{"op":7}"#);
    assert_eq!(close_code(&tx(&mut s)), Some(4900));
    // frames arriving after the decision are not delivered (they are replayed after resume)
    frame(&mut s, now, &dispatch(4));
    assert!(dispatch_seqs(&events(&mut s)).is_empty());
    s.handle_closed(now, None, "");
    let ev = events(&mut s);
    assert!(matches!(
        ev.as_slice(),
        [SessionEvent::Reconnecting {
            why: Why::ServerReconnect,
            resume: true,
            ..
        }]
    ));
    let (now, sent) = reconnect_and_hello(&mut s);
    assert_eq!(sent[0]["op"], 6);
    assert_eq!(sent[0]["d"]["seq"], 3);
    // the server replays from 2 (overlap), then 4, 5, then RESUMED
    for seq in [2, 3, 4, 5] {
        frame(&mut s, now, &dispatch(seq));
    }
    frame(&mut s, now, r#"{"op":0,"s":6,"t":"RESUMED","d":""}"#);
    let ev = events(&mut s);
    assert_eq!(dispatch_seqs(&ev), vec![4, 5]);
    assert!(matches!(ev.last(), Some(SessionEvent::Resumed { .. })));
    assert!(s.is_ready());
}

#[test]
fn op9_false_waits_up_to_a_second_then_identifies_anew() {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, &dispatch(5));
    frame(&mut s, now, r#"{"op":9,"d":false}"#);
    assert_eq!(close_code(&tx(&mut s)), Some(4900));
    assert_eq!(s.resume_state(), None);
    s.handle_closed(now, Some(4900), "");
    let (at, _) = s.next_connect().unwrap();
    let wait = at - now;
    assert!(wait <= ms(1000), "{wait:?}");
    let ev = events(&mut s);
    assert!(ev.iter().any(|e| matches!(e, SessionEvent::Dispatch(_))));
    assert!(matches!(
        ev.last(),
        Some(SessionEvent::Reconnecting {
            why: Why::InvalidSession { resumable: false },
            resume: false,
            ..
        })
    ));
    let (now, sent) = reconnect_and_hello(&mut s);
    assert_eq!(ops(&sent), vec![2]);
    // the new session starts at seq 1 again: not mistaken for replays
    frame(&mut s, now, &ready_frame(1));
    frame(&mut s, now, &dispatch(2));
    assert_eq!(dispatch_seqs(&events(&mut s)), vec![2]);
}

#[test]
fn op9_true_resumes_after_the_wait() {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, r#"{"op":9,"d":true}"#);
    s.handle_closed(now, Some(4900), "");
    let (at, _) = s.next_connect().unwrap();
    assert!(at - now <= ms(1000));
    let (_, sent) = reconnect_and_hello(&mut s);
    assert_eq!(ops(&sent), vec![6]);
}

#[test]
fn replayed_seq_at_or_below_the_last_is_not_delivered_twice() {
    let (mut s, now) = ready_session(config());
    for seq in [2, 3, 2, 3, 1, 4, 4, 6, 5] {
        frame(&mut s, now, &dispatch(seq));
    }
    assert_eq!(dispatch_seqs(&events(&mut s)), vec![2, 3, 4, 6]);
    assert_eq!(s.last_seq(), 6);
}

#[test]
fn dispatch_without_seq_is_delivered() {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, r#"{"op":0,"t":"X","d":{}}"#);
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::Dispatch(_)]
    ));
    assert_eq!(s.last_seq(), 1);
}

/// The session scans dispatches for their envelope only (`d` is checked by its decode), but
/// READY, whose `d` it reads itself, in full: a key after `d` and a broken frame are seen.
#[test]
fn ready_is_scanned_in_full_when_its_envelope_comes_first() {
    let full = |tail: &str| {
        format!(
            r#"{{"op":0,"s":1,"t":"READY","id":"READY:1","d":{{"session_id":"{SID}","user":{{"id":"9"}}}}{tail}}}"#
        )
    };
    for tail in ["", r#","x":{"y":1}"#] {
        let t0 = Instant::now();
        let mut s = Session::new(config(), t0, None);
        let now = connect(&mut s);
        frame(&mut s, now, HELLO);
        frame(&mut s, now, &full(tail));
        match events(&mut s).remove(0) {
            SessionEvent::Ready(r) => {
                assert_eq!(r.session_id.as_deref(), Some(SID), "{tail}");
                assert_eq!(r.bot_id.as_deref(), Some("9"), "{tail}");
            }
            other => panic!("{tail}: {other:?}"),
        }
    }
    // A duplicate `s` after `d`: the frame is refused as before, the session waits for READY.
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, None);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    frame(&mut s, now, &full(r#","s":2,"x":{}"#));
    assert!(!s.is_ready());
    assert!(events(&mut s).is_empty());
}

#[test]
fn invalid_frames_and_unknown_ops_are_ignored() {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, "not json");
    frame(&mut s, now, r#"{"d":1}"#);
    frame(&mut s, now, r#"{"op":12}"#);
    frame(&mut s, now, r#"{"op":200,"d":{}}"#);
    assert!(tx(&mut s).is_empty());
    assert!(events(&mut s).is_empty());
    assert!(s.is_ready());
}

#[test]
fn no_hello_within_the_deadline_reconnects() {
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, None);
    let now = connect(&mut s);
    assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(10)));
    s.handle_timeout(now + Duration::from_secs(10));
    assert_eq!(close_code(&tx(&mut s)), Some(4900));
    s.handle_closed(now + Duration::from_secs(10), None, "");
    assert_reconnecting(&mut s, Why::HelloTimeout);
}

#[test]
fn no_ready_within_the_deadline_reconnects() {
    let t0 = Instant::now();
    let mut c = config();
    c.ready_timeout = Duration::from_secs(5);
    let mut s = Session::new(c, t0, None);
    let now = connect(&mut s);
    frame(
        &mut s,
        now,
        r#"{"op":10,"d":{"heartbeat_interval":"60000"}}"#,
    );
    tx(&mut s);
    let mut t = now;
    while let Some(at) = s.poll_timeout() {
        assert!(at > t || at == now, "timer must move forward");
        t = at;
        s.handle_timeout(t);
        if close_code(&tx(&mut s)).is_some() {
            break;
        }
    }
    assert_eq!(t, now + Duration::from_secs(5));
}

#[test]
fn a_connection_that_dies_before_ready_grows_the_backoff() {
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, None);
    let mut gaps = Vec::new();
    let mut last = connect(&mut s);
    for _ in 0..6 {
        s.handle_closed(last, Some(1006), "");
        let (at, _) = s.next_connect().unwrap();
        gaps.push(at - last);
        s.handle_connected(at);
        last = at;
    }
    // windows 1, 2, 4, 8, 16, 32 s: each gap within its window, the largest beyond the second
    for (i, gap) in gaps.iter().enumerate() {
        assert!(*gap <= Duration::from_secs(1 << i), "{gaps:?}");
    }
    assert!(
        gaps.iter().max().unwrap() > &Duration::from_secs(2),
        "{gaps:?}"
    );
}

#[test]
fn a_stable_session_resets_the_backoff() {
    let (mut s, now) = ready_session(config());
    let later = now + Duration::from_secs(120);
    // keep it alive with ACKs
    s.handle_closed(later, Some(1001), "");
    let (at, _) = s.next_connect().unwrap();
    assert!(at - later <= ms(1000));
}

#[test]
fn connect_failure_retries_and_http_401_with_a_fixed_token_is_fatal() {
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, None);
    s.handle_connect_failed(t0, ConnectFailure::Io);
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::Reconnecting {
            why: Why::ConnectFailed(ConnectFailure::Io),
            ..
        }]
    ));
    let (at, _) = s.next_connect().unwrap();
    s.handle_connect_failed(at, ConnectFailure::Http { status: 401 });
    match events(&mut s).as_slice() {
        [SessionEvent::Fatal(e)] => assert_eq!(
            e.kind(),
            &ErrorKind::AuthFailed {
                close_code: None,
                http_status: Some(401)
            }
        ),
        other => panic!("{other:?}"),
    }
    assert!(s.next_connect().is_none());
}

#[test]
fn refreshable_token_is_requested_before_identifying_again() {
    let mut c = config();
    c.refreshable_token = true;
    c.invalid_session_wait = (ms(1000), ms(1000));
    let (mut s, now) = ready_session(c);
    frame(&mut s, now, r#"{"op":9,"d":false}"#);
    s.handle_closed(now, Some(4900), "");
    let ev = events(&mut s);
    assert!(
        !ev.iter()
            .any(|e| matches!(e, SessionEvent::TokenRequired { .. })),
        "asked only when the backoff ends: {ev:?}"
    );
    let (asked, ev) = backoff_ends(&mut s);
    assert!(asked >= now + ms(1000), "after the backoff");
    assert!(
        matches!(
            ev.last(),
            Some(SessionEvent::TokenRequired {
                reason: TokenReason::Reidentify
            })
        ),
        "{ev:?}"
    );
    assert!(s.next_connect().is_none(), "waits for set_token");
    s.set_token(
        now + Duration::from_secs(30),
        "QQBot tok-2",
        Some(Duration::from_secs(7200)),
    );
    let (at, _) = s.next_connect().unwrap();
    assert!(at >= now + ms(1000));
    let (_, sent) = reconnect_and_hello(&mut s);
    assert_eq!(sent[0]["op"], 2);
    assert_eq!(sent[0]["d"]["token"], "QQBot tok-2");
}

#[test]
fn an_expired_token_is_requested_before_a_resume() {
    let mut c = config();
    c.refreshable_token = true;
    let (mut s, now) = ready_session(c);
    s.set_token(now, "QQBot tok-1", Some(Duration::from_secs(100)));
    let later = now + Duration::from_secs(100);
    s.handle_closed(later, Some(1006), "");
    events(&mut s);
    let (later, ev) = backoff_ends(&mut s);
    assert!(
        matches!(
            ev.last(),
            Some(SessionEvent::TokenRequired {
                reason: TokenReason::Expired
            })
        ),
        "{ev:?}"
    );
    s.set_token(later, "QQBot tok-3", Some(Duration::from_secs(7200)));
    let (_, sent) = reconnect_and_hello(&mut s);
    assert_eq!(sent[0]["op"], 6);
    assert_eq!(sent[0]["d"]["token"], "QQBot tok-3");
}

#[test]
fn a_session_restored_from_a_file_store_resumes_instead_of_identifying() {
    let dir = tempfile::tempdir().unwrap();
    let key = "qq/app/0";
    {
        let (mut s, now) = ready_session(config());
        frame(&mut s, now, &dispatch(41));
        FileStore::new(dir.path())
            .save(key, &s.resume_state().unwrap())
            .unwrap();
    }
    // a new process
    let restored = FileStore::new(dir.path()).load(key).unwrap();
    assert_eq!(restored.as_ref().map(|r| r.seq), Some(41));
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, restored);
    let (_, sent) = reconnect_and_hello(&mut s);
    assert_eq!(
        sent,
        vec![json!({"op": 6, "d": {"token": "QQBot tok-1", "session_id": SID, "seq": 41}})]
    );
}

/// Drives `s` from its Hello at `hello` until it sends Identify (beats may go out while it
/// waits for its slot); returns when it did.
fn identify_sent_at(s: &mut Session, hello: Instant) -> Instant {
    s.handle_connected(hello);
    frame(s, hello, HELLO);
    let mut now = hello;
    loop {
        let sent = sent_json(s);
        assert!(ops(&sent).iter().all(|op| *op == 1 || *op == 2), "{sent:?}");
        if ops(&sent).contains(&2) {
            return now;
        }
        now = s.poll_timeout().expect("a timer while the Identify waits");
        s.handle_timeout(now);
    }
}

#[test]
fn identifies_of_shards_sharing_a_queue_are_spaced_five_seconds_apart() {
    let q = Arc::new(LocalIdentifyQueue::new(1));
    let t0 = Instant::now();
    let mut shards: Vec<Session> = (0..3)
        .map(|i| {
            let mut c = config();
            c.shard = [i, 3];
            c.identify_queue = q.clone();
            let s = Session::new(c, t0, None);
            // none has a slot yet: all may connect at once
            assert_eq!(s.next_connect().unwrap().0, t0);
            s
        })
        .collect();
    // Shard 0 connects slowly (its Hello comes 3 s in), shards 1 and 2 at once. The slots go
    // in Hello order, and every Identify is 5 s after the one before it.
    let hellos = [t0 + Duration::from_secs(3), t0 + ms(100), t0 + ms(200)];
    let mut sent = vec![t0; 3];
    for i in [1, 2, 0] {
        sent[i] = identify_sent_at(&mut shards[i], hellos[i]);
    }
    assert_eq!(sent, vec![t0 + ms(10_100), t0 + ms(100), t0 + ms(5_100)]);
    sent.sort();
    assert!(sent
        .windows(2)
        .all(|w| w[1] - w[0] >= Duration::from_secs(5)));
    // a waiting shard is still a live connection: it answers READY once identified
    frame(&mut shards[0], sent[2], &ready_frame(1));
    assert!(matches!(
        events(&mut shards[0]).as_slice(),
        [SessionEvent::Ready(_)]
    ));
    // a planned connection asks the queue when it could identify, and takes nothing
    let mut c = config();
    c.identify_queue = q.clone();
    let late = Session::new(c, t0, None);
    assert_eq!(
        late.next_connect().unwrap().0,
        sent[2] + Duration::from_secs(5)
    );
    assert_eq!(q.earliest(t0), sent[2] + Duration::from_secs(5));
    // a resume takes no slot
    let mut c = config();
    c.identify_queue = q.clone();
    let resume = ResumeState {
        session_id: SID.into(),
        seq: 3,
        ..Default::default()
    };
    let mut s = Session::new(c, t0, Some(resume));
    assert_eq!(s.next_connect().unwrap().0, t0);
    s.handle_connected(t0);
    frame(&mut s, t0, HELLO);
    assert_eq!(ops(&sent_json(&mut s)), vec![6]);
}

#[test]
fn a_connection_lost_while_its_identify_waits_comes_back() {
    let q = Arc::new(LocalIdentifyQueue::new(1));
    let t0 = Instant::now();
    let mut c = config();
    c.identify_queue = q.clone();
    q.reserve(t0); // another shard identified at t0
    let mut s = Session::new(c, t0, None);
    let at = connect(&mut s);
    assert_eq!(at, t0 + Duration::from_secs(5), "planned for the next slot");
    q.reserve(t0 + ms(1)); // and another took that slot meanwhile
    frame(&mut s, at, HELLO);
    assert!(
        sent_json(&mut s).is_empty(),
        "the Identify waits for its slot"
    );
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    s.handle_closed(at + ms(10), Some(4000), "");
    let (next, _) = s.next_connect().expect("it reconnects");
    // the slot it held is spent: it plans for the one after
    assert_eq!(next, t0 + Duration::from_secs(15));
    assert_eq!(identify_sent_at(&mut s, next), next);
}

#[test]
fn close_sends_1000_and_stops_for_good() {
    let (mut s, now) = ready_session(config());
    s.close(now);
    assert_eq!(close_code(&tx(&mut s)), Some(1000));
    assert!(matches!(events(&mut s).as_slice(), [SessionEvent::Stopped]));
    s.handle_closed(now, Some(1000), "");
    assert!(s.next_connect().is_none());
    assert!(s.poll_timeout().is_none());
    assert!(events(&mut s).is_empty());
}

#[test]
fn debug_output_never_contains_the_token() {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, &dispatch(2));
    let dbg = format!("{s:?}");
    assert!(!dbg.contains("tok-1"), "{dbg}");
    s.handle_closed(now, Some(4000), "");
    let (_, _) = (connect(&mut s), ());
    frame(&mut s, now, HELLO);
    let out = tx(&mut s);
    assert!(!format!("{out:?}").contains("tok-1"));
    assert!(matches!(&out[0], Outgoing::Text(t) if t.contains("tok-1")));
}

// ---- the close-code table, one test per row -------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Resume,
    ResumeAfterPause,
    Identify,
    Fatal,
}

fn check_close(code: Option<u16>, expect: Expect) {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, &dispatch(2));
    events(&mut s);
    s.handle_closed(now, code, "server closed");
    let ev = events(&mut s);
    match expect {
        Expect::Fatal => {
            match ev.as_slice() {
                [SessionEvent::Fatal(e)] => match e.kind() {
                    ErrorKind::FatalClose { code: c, .. } => assert_eq!(Some(*c), code),
                    other => panic!("{other:?}"),
                },
                other => panic!("{code:?}: {other:?}"),
            }
            assert!(s.next_connect().is_none());
            assert!(s.poll_timeout().is_none());
        }
        _ => {
            let resume = matches!(expect, Expect::Resume | Expect::ResumeAfterPause);
            match ev.as_slice() {
                [SessionEvent::Reconnecting {
                    why: Why::Closed { code: c, .. },
                    resume: r,
                    ..
                }] => {
                    assert_eq!(*c, code);
                    assert_eq!(*r, resume);
                }
                other => panic!("{code:?}: {other:?}"),
            }
            let (at, _) = s.next_connect().unwrap();
            if expect == Expect::ResumeAfterPause {
                assert!(at - now >= qq::RATE_LIMIT_PAUSE);
            } else {
                assert!(at - now <= Duration::from_secs(2), "{:?}", at - now);
            }
            let (_, sent) = reconnect_and_hello(&mut s);
            if resume {
                assert_eq!(sent[0]["op"], 6, "{code:?}");
                assert_eq!(sent[0]["d"]["seq"], 2);
            } else {
                assert_eq!(sent[0]["op"], 2, "{code:?}");
            }
        }
    }
}

macro_rules! close_rows {
    ($($name:ident: $code:expr => $expect:ident,)*) => {$(
        #[test]
        fn $name() {
            check_close($code, Expect::$expect);
        }
    )*};
}

close_rows! {
    close_4000_unknown_error_resumes: Some(4000) => Resume,
    close_4001_invalid_opcode_identifies: Some(4001) => Identify,
    close_4002_invalid_payload_identifies: Some(4002) => Identify,
    close_4003_not_authenticated_identifies: Some(4003) => Identify,
    close_4005_already_authenticated_identifies: Some(4005) => Identify,
    close_4006_session_invalid_identifies: Some(4006) => Identify,
    close_4007_seq_wrong_identifies: Some(4007) => Identify,
    close_4008_too_fast_resumes_after_a_pause: Some(4008) => ResumeAfterPause,
    close_4009_connection_expired_resumes: Some(4009) => Resume,
    close_4010_invalid_shard_is_fatal: Some(4010) => Fatal,
    close_4011_too_many_guilds_is_fatal: Some(4011) => Fatal,
    close_4012_invalid_version_is_fatal: Some(4012) => Fatal,
    close_4013_invalid_intent_is_fatal: Some(4013) => Fatal,
    close_4014_intent_not_authorised_is_fatal: Some(4014) => Fatal,
    close_4900_internal_error_resumes: Some(4900) => Resume,
    close_4905_internal_error_resumes: Some(4905) => Resume,
    close_4913_internal_error_resumes: Some(4913) => Resume,
    close_4914_taken_down_is_fatal: Some(4914) => Fatal,
    close_4915_banned_is_fatal: Some(4915) => Fatal,
    close_1000_normal_resumes: Some(1000) => Resume,
    close_1001_going_away_resumes: Some(1001) => Resume,
    close_1006_abnormal_resumes: Some(1006) => Resume,
    transport_error_without_close_frame_resumes: None => Resume,
}

#[test]
fn close_4004_with_a_fixed_token_is_fatal_auth_failed() {
    let (mut s, now) = ready_session(config());
    s.handle_closed(now, Some(4004), "auth");
    match events(&mut s).as_slice() {
        [SessionEvent::Fatal(e)] => assert_eq!(
            e.kind(),
            &ErrorKind::AuthFailed {
                close_code: Some(4004),
                http_status: None
            }
        ),
        other => panic!("{other:?}"),
    }
    assert!(s.next_connect().is_none());
}

#[test]
fn close_4004_with_a_refreshable_token_refreshes_once_then_second_4004_is_fatal() {
    let mut c = config();
    c.refreshable_token = true;
    let (mut s, now) = ready_session(c);
    s.handle_closed(now, Some(4004), "auth");
    events(&mut s);
    let (now, ev) = backoff_ends(&mut s);
    assert!(
        matches!(
            ev.last(),
            Some(SessionEvent::TokenRequired {
                reason: TokenReason::Rejected
            })
        ),
        "{ev:?}"
    );
    assert!(s.next_connect().is_none());
    s.set_token(now, "QQBot fresh", None);
    let (now, sent) = reconnect_and_hello(&mut s);
    assert_eq!(sent[0]["op"], 2);
    assert_eq!(sent[0]["d"]["token"], "QQBot fresh");
    s.handle_closed(now, Some(4004), "auth");
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::Fatal(_)]
    ));
    assert!(s.next_connect().is_none());
}

#[test]
fn a_ready_between_two_4004s_gives_another_refresh() {
    let mut c = config();
    c.refreshable_token = true;
    let (mut s, now) = ready_session(c);
    s.handle_closed(now, Some(4004), "");
    let (now, _) = backoff_ends(&mut s);
    s.set_token(now, "QQBot fresh", None);
    let (now, _) = reconnect_and_hello(&mut s);
    frame(&mut s, now, &ready_frame(1));
    events(&mut s);
    s.handle_closed(now, Some(4004), "");
    events(&mut s);
    assert!(matches!(
        backoff_ends(&mut s).1.last(),
        Some(SessionEvent::TokenRequired {
            reason: TokenReason::Rejected
        })
    ));
}

#[test]
fn the_table_function_matches_the_spec_rows() {
    use botgate_session::qq::{close_action, CloseAction};
    assert_eq!(close_action(Some(4004)).0, CloseAction::AuthFailed);
    assert_eq!(
        close_action(Some(4008)).0,
        CloseAction::ResumeAfter(qq::RATE_LIMIT_PAUSE)
    );
    assert_eq!(
        close_action(Some(4001)).0,
        CloseAction::Identify { client_bug: true }
    );
    assert_eq!(
        close_action(Some(4006)).0,
        CloseAction::Identify { client_bug: false }
    );
    assert_eq!(close_action(Some(3000)).0, CloseAction::Resume);
}

#[test]
fn the_stored_resume_point_is_the_handled_seq_when_the_application_reports_it() {
    let (mut s, now) = ready_session(config());
    for seq in 2..=6 {
        frame(&mut s, now, &dispatch(seq));
    }
    assert_eq!(
        s.store_state().unwrap().seq,
        6,
        "delivered point by default"
    );
    s.set_handled(4);
    assert_eq!(s.store_state().unwrap().seq, 4);
    assert_eq!(
        s.resume_state().unwrap().seq,
        6,
        "in-process resumes use the delivered point"
    );
    s.set_handled(99);
    assert_eq!(
        s.store_state().unwrap().seq,
        6,
        "never beyond what was delivered"
    );
}

/// A 1 s token: asked for at the drop it would expire during the (≥ 1 s) backoff and arrive
/// stale. The session asks when the backoff ends, and the token it gets then is the one that
/// goes out in the Resume, still valid.
#[test]
fn a_short_lived_token_is_requested_when_the_backoff_ends_not_when_the_link_drops() {
    let mut c = config();
    c.refreshable_token = true;
    // a backoff that is not zero: the point is what happens while it runs
    c.backoff = BackoffConfig::with_floor(Duration::from_secs(1));
    let (mut s, now) = ready_session(c);
    let ttl = Duration::from_secs(1);
    s.set_token(now, "QQBot one-second-1", Some(ttl));
    s.handle_closed(now, Some(1006), "");
    let ev = events(&mut s);
    assert!(
        matches!(
            ev.as_slice(),
            [SessionEvent::Reconnecting { resume: true, .. }]
        ),
        "no token request while the backoff runs: {ev:?}"
    );
    let due = s.poll_timeout().expect("a timer for the token request");
    assert!(due >= now + ms(1000), "the backoff is at least 1 s");
    assert!(due >= now + ttl, "the old token is dead by then");
    // Nothing happens before the backoff ends.
    s.handle_timeout(due - ms(1));
    assert!(events(&mut s).is_empty());
    assert!(s.next_connect().is_none());
    let (asked, ev) = backoff_ends(&mut s);
    assert_eq!(asked, due);
    assert!(
        matches!(
            ev.as_slice(),
            [SessionEvent::TokenRequired {
                reason: TokenReason::Expired
            }]
        ),
        "{ev:?}"
    );
    assert_eq!(s.poll_timeout(), None, "asked once");
    s.set_token(asked, "QQBot one-second-2", Some(ttl));
    let (at, _) = s.next_connect().unwrap();
    assert_eq!(at, asked, "connects as soon as the token is there");
    let (sent_at, sent) = reconnect_and_hello(&mut s);
    assert!(sent_at < asked + ttl, "the token is still valid at Resume");
    assert_eq!(sent[0]["op"], 6);
    assert_eq!(sent[0]["d"]["token"], "QQBot one-second-2");
}

/// A token supplied early (while the backoff runs) that outlives the wait is used without
/// asking again; one that does not is asked for again when the backoff ends.
#[test]
fn a_token_supplied_during_the_backoff_is_kept_only_if_it_outlives_the_wait() {
    let mut c = config();
    c.refreshable_token = true;
    let (mut s, now) = ready_session(c);
    s.set_token(now, "QQBot tok-1", Some(Duration::from_secs(1)));
    s.handle_closed(now, Some(1006), "");
    events(&mut s);
    let due = s.poll_timeout().unwrap();
    s.set_token(now, "QQBot short", Some(Duration::from_millis(500)));
    assert!(s.next_connect().is_none(), "would be dead at the connect");
    assert_eq!(s.poll_timeout(), Some(due));
    s.set_token(now, "QQBot long", Some(Duration::from_secs(7200)));
    assert_eq!(
        s.next_connect().unwrap().0,
        due,
        "kept; connects when the backoff ends"
    );
    assert!(events(&mut s).is_empty(), "not asked");
    let (_, sent) = reconnect_and_hello(&mut s);
    assert_eq!(sent[0]["d"]["token"], "QQBot long");
}

/// Review of stop 28: Hello's `heartbeat_interval` is the server's, any `u64` of milliseconds:
/// the heartbeat timer is capped at a year (`Instant +` a `Duration` near `Duration::MAX`
/// panics).
#[test]
fn a_hello_interval_too_large_for_a_clock_is_taken_as_a_year() {
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, None);
    let now = connect(&mut s);
    frame(
        &mut s,
        now,
        &format!(r#"{{"op":10,"d":{{"heartbeat_interval":{}}}}}"#, u64::MAX),
    );
    assert_eq!(ops(&sent_json(&mut s)), vec![2], "identified");
    frame(&mut s, now, &ready_frame(1));
    events(&mut s);
    // The first beat is somewhere within the year; it fires, and the next is a year on.
    let mut at = now;
    while let Some(next) = s.poll_timeout() {
        assert!(next <= now + Duration::from_secs(366 * 24 * 3600));
        at = next;
        s.handle_timeout(at);
        if ops(&sent_json(&mut s)).contains(&1) {
            break;
        }
    }
    assert!(at > now, "a heartbeat went out");
    assert!(s.poll_timeout().is_some());
}

/// Review of stop 28: a stored session of another shard was resumed as this shard's.
#[test]
fn a_stored_session_of_another_shard_is_not_resumed() {
    let t0 = Instant::now();
    let mut c = config();
    c.shard = [1, 2];
    let stored = |shard| ResumeState {
        session_id: SID.into(),
        seq: 3,
        shard,
        ..Default::default()
    };
    // Another shard's: identify afresh.
    let mut s = Session::new(c.clone(), t0, Some(stored(Some([0, 2]))));
    assert!(s.resume_state().is_none());
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    assert_eq!(ops(&sent_json(&mut s)), vec![2], "identify");
    // This shard's (or one stored before shards were recorded): resumed.
    for shard in [Some([1, 2]), None] {
        let mut s = Session::new(c.clone(), t0, Some(stored(shard)));
        assert_eq!(s.resume_state().map(|r| r.seq), Some(3));
        let now = connect(&mut s);
        frame(&mut s, now, HELLO);
        assert_eq!(ops(&sent_json(&mut s)), vec![6], "resume");
    }
}

// ---- optional intents (decision 0054) -------------------------------------------------------

/// A session asking for 1<<30 (required) and 1<<25 | 1<<12 (optional), after its first Hello:
/// the Identify sent.
fn optional_intents_session() -> (Session, Instant, Value) {
    let mut c = config();
    c.intents = (1 << 30) | (1 << 25) | (1 << 12);
    c.optional_intents = (1 << 25) | (1 << 12);
    let mut s = Session::new(c, Instant::now(), None);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    let sent = sent_json(&mut s);
    assert_eq!(ops(&sent), vec![2]);
    (s, now, sent[0].clone())
}

#[test]
fn a_refused_identify_drops_one_optional_intent_at_a_time_group_last() {
    for code in [4014, 4013] {
        let (mut s, now, first) = optional_intents_session();
        assert_eq!(first["d"]["intents"], (1 << 30) | (1 << 25) | (1 << 12));
        // First refusal: the DM intent goes, group / C2C stays (decision 0054's order).
        s.handle_closed(now, Some(code), "intent not authorised");
        let ev = events(&mut s);
        assert!(
            matches!(
                ev.as_slice(),
                [SessionEvent::Reconnecting { why: Why::Closed { code: Some(c), .. }, resume: false, .. }] if *c == code
            ),
            "{code}: {ev:?}"
        );
        let (at, _) = s.next_connect().expect("a reconnect, not a fatal stop");
        assert!(at - now <= Duration::from_secs(2), "{:?}", at - now);
        let (now, sent) = reconnect_and_hello(&mut s);
        assert_eq!(ops(&sent), vec![2], "{code}");
        assert_eq!(sent[0]["d"]["intents"], (1 << 30) | (1 << 25), "{code}");
        // Second refusal: group / C2C goes too.
        s.handle_closed(now, Some(code), "intent not authorised");
        events(&mut s);
        let (now, sent) = reconnect_and_hello(&mut s);
        assert_eq!(sent[0]["d"]["intents"], 1 << 30, "{code}");

        // The required ones refused too: fatal, as without optional intents.
        s.handle_closed(now, Some(code), "intent not authorised");
        let ev = events(&mut s);
        assert!(
            matches!(ev.as_slice(), [SessionEvent::Fatal(e)] if matches!(e.kind(), ErrorKind::FatalClose { code: c, .. } if *c == code)),
            "{code}: {ev:?}"
        );
        assert!(s.next_connect().is_none());
    }
}

/// Review of stop 30: a 4014 that is not the answer to an Identify (after READY, or to a
/// Resume) says nothing about the optional intents: fatal as before, nothing dropped.
#[test]
fn a_refusal_after_ready_is_fatal_and_drops_nothing() {
    let mut c = config();
    c.intents = (1 << 30) | (1 << 25);
    c.optional_intents = 1 << 25;
    let (mut s, now) = ready_session(c);
    s.handle_closed(now, Some(4014), "intent not authorised");
    let ev = events(&mut s);
    assert!(matches!(ev.as_slice(), [SessionEvent::Fatal(_)]), "{ev:?}");
    assert!(s.next_connect().is_none());
}

#[test]
fn optional_intents_stay_through_other_closes_and_are_gone_for_good_once_dropped() {
    let (mut s, now, _) = optional_intents_session();
    // Not an intent refusal: the next Identify asks for them again.
    s.handle_closed(now, Some(4006), "session id invalid");
    events(&mut s);
    let (now, sent) = reconnect_and_hello(&mut s);
    assert_eq!(sent[0]["d"]["intents"], (1 << 30) | (1 << 25) | (1 << 12));
    s.handle_closed(now, Some(4014), "intent not authorised");
    events(&mut s);
    let (now, sent) = reconnect_and_hello(&mut s);
    assert_eq!(sent[0]["d"]["intents"], (1 << 30) | (1 << 25));
    s.handle_closed(now, Some(4014), "intent not authorised");
    events(&mut s);
    let (now, sent) = reconnect_and_hello(&mut s);
    assert_eq!(sent[0]["d"]["intents"], 1 << 30);
    frame(&mut s, now, &ready_frame(1));
    events(&mut s);
    // A later fresh Identify (op 9 false) keeps them dropped.
    frame(&mut s, now, r#"{"op":9,"d":false}"#);
    assert_eq!(close_code(&tx(&mut s)), Some(4900));
    s.handle_closed(now, Some(4900), "");
    events(&mut s);
    let (_, sent) = reconnect_and_hello(&mut s);
    assert_eq!(ops(&sent), vec![2]);
    assert_eq!(sent[0]["d"]["intents"], 1 << 30);
}

/// READY read leniently: a numeric `session_id` is still a session to resume (read as a
/// string it was dropped, and every drop identified anew, losing the events in between), with
/// the user id and shard as numbers or strings.
#[test]
fn a_ready_with_a_numeric_session_id_is_resumed() {
    let t0 = Instant::now();
    let mut s = Session::new(config(), t0, None);
    let now = connect(&mut s);
    frame(&mut s, now, HELLO);
    events(&mut s);
    tx(&mut s);
    frame(
        &mut s,
        now,
        r#"{"op":0,"s":1,"t":"READY","d":{"version":1,"session_id":4242,"user":{"id":6158788878435714165,"username":"cut \ud83d","bot":true},"shard":["0","1"]}}"#,
    );
    match events(&mut s).remove(0) {
        SessionEvent::Ready(r) => {
            assert_eq!(r.session_id.as_deref(), Some("4242"));
            assert_eq!(r.bot_id.as_deref(), Some("6158788878435714165"));
        }
        other => panic!("{other:?}"),
    }
    frame(&mut s, now, &dispatch(2));
    frame(&mut s, now, r#"{"op":7}"#);
    assert_eq!(close_code(&tx(&mut s)), Some(4900));
    s.handle_closed(now, Some(4900), "");
    events(&mut s);
    let (now, sent) = reconnect_and_hello(&mut s);
    assert_eq!(ops(&sent), vec![6], "resumed, not identified: {sent:?}");
    assert_eq!(sent[0]["d"]["session_id"], "4242");
    assert_eq!(sent[0]["d"]["seq"], 2);
    // The READY of the same session replayed with an old seq is no new session.
    frame(
        &mut s,
        now,
        r#"{"op":0,"s":1,"t":"READY","d":{"session_id":4242}}"#,
    );
    frame(&mut s, now, &dispatch(3));
    let ev = events(&mut s);
    assert_eq!(dispatch_seqs(&ev), vec![3]);
    assert!(
        !ev.iter().any(|e| matches!(e, SessionEvent::Ready(_))),
        "{ev:?}"
    );
}

/// An identify the queue holds far off (a spent `session_start_limit`, decision 0070) asks
/// for its token when the wait ends if the one it has will not last until then: at the first
/// connect (the token supplied after the plan) and after an op 9 that needs a new Identify.
#[test]
fn a_token_that_will_not_outlive_the_identify_wait_is_asked_for_when_it_ends() {
    let t0 = Instant::now();
    let reset = t0 + Duration::from_secs(3600);
    let mut c = config();
    c.refreshable_token = true;
    c.identify_queue = Arc::new(botgate_session::BudgetedIdentifyQueue::new(
        Arc::new(botgate_session::NoIdentifyQueue),
        1,
        reset,
    ));
    let mut s = Session::new(c, t0, None);
    s.set_token(t0, "QQBot tok-1", Some(Duration::from_secs(1800)));
    // One identify in the budget: at once, with the token it has.
    let now = connect(&mut s);
    assert_eq!(now, t0);
    frame(&mut s, now, HELLO);
    let sent = sent_json(&mut s);
    assert_eq!(sent[0]["d"]["token"], "QQBot tok-1");
    frame(&mut s, now, &ready_frame(1));
    events(&mut s);
    // The session is gone; the next Identify waits for the reset, past the token's life.
    frame(&mut s, now, r#"{"op":9,"d":false}"#);
    s.handle_closed(now, Some(4900), "");
    events(&mut s);
    // A new Identify asks for a token (as always); this one will not last until the reset.
    let (at, ev) = backoff_ends(&mut s);
    assert!(
        matches!(
            ev.as_slice(),
            [SessionEvent::TokenRequired {
                reason: TokenReason::Reidentify
            }]
        ),
        "{ev:?}"
    );
    s.set_token(at, "QQBot tok-1", Some(Duration::from_secs(1800)));
    assert!(
        s.next_connect().is_none(),
        "no connect with a token that will be stale"
    );
    assert_eq!(s.poll_timeout(), Some(reset));
    s.handle_timeout(reset);
    let ev = events(&mut s);
    assert!(
        matches!(
            ev.as_slice(),
            [SessionEvent::TokenRequired {
                reason: TokenReason::Expired
            }]
        ),
        "{ev:?}"
    );
    s.set_token(reset, "QQBot tok-2", Some(Duration::from_secs(7200)));
    let (_, sent) = reconnect_and_hello(&mut s);
    assert_eq!(ops(&sent), vec![2]);
    assert_eq!(sent[0]["d"]["token"], "QQBot tok-2");

    // The first connect planned past the token's life, the token supplied after the plan.
    let mut c = config();
    c.refreshable_token = true;
    c.identify_queue = Arc::new(botgate_session::BudgetedIdentifyQueue::new(
        Arc::new(botgate_session::NoIdentifyQueue),
        0,
        reset,
    ));
    let mut s = Session::new(c, t0, None);
    s.set_token(t0, "QQBot tok-1", Some(Duration::from_secs(1800)));
    assert!(s.next_connect().is_none());
    assert_eq!(s.poll_timeout(), Some(reset));
    s.handle_timeout(reset);
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::TokenRequired {
            reason: TokenReason::Expired
        }]
    ));
    s.set_token(reset, "QQBot tok-2", Some(Duration::from_secs(7200)));
    assert_eq!(s.next_connect().unwrap().0, reset);
}

/// A resume's replay read slowly (the consumer stopped the reader, decision 0065): the READY /
/// RESUMED deadline judges the peer by what was read, so the pause moves it on. Before, the
/// RESUMED still unread behind the replay timed out at the first timer after the pause and
/// the connection was dropped and resumed again (and the backoff grew: it never got ready).
#[test]
fn a_pause_of_the_reader_during_a_resume_does_not_time_the_resume_out() {
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, &dispatch(2));
    frame(&mut s, now, r#"{"op":7}"#);
    s.handle_closed(now, Some(4900), "");
    events(&mut s);
    let (now, sent) = reconnect_and_hello(&mut s);
    assert_eq!(ops(&sent), vec![6]);
    frame(&mut s, now + ms(100), &dispatch(3));
    // The reader stops for 40 s (the consumer is behind), then reads again.
    let again = now + Duration::from_secs(40);
    s.handle_read_resumed(again, Duration::from_secs(40) - ms(100));
    if let Some(t) = s.poll_timeout().filter(|t| *t <= again) {
        s.handle_timeout(again);
        assert!(t >= now, "{t:?}");
    }
    assert_eq!(
        close_code(&tx(&mut s)),
        None,
        "no reconnect: the replay is being read"
    );
    frame(&mut s, again, &dispatch(4));
    frame(&mut s, again, r#"{"op":0,"s":5,"t":"RESUMED","d":""}"#);
    let ev = events(&mut s);
    assert_eq!(dispatch_seqs(&ev), vec![3, 4]);
    assert!(
        matches!(ev.last(), Some(SessionEvent::Resumed { .. })),
        "{ev:?}"
    );
    assert!(s.is_ready());
    // Without a pause the deadline still holds: a resume never answered times out.
    let (mut s, now) = ready_session(config());
    frame(&mut s, now, r#"{"op":7}"#);
    s.handle_closed(now, Some(4900), "");
    events(&mut s);
    let (now, _) = reconnect_and_hello(&mut s);
    let deadline = s.poll_timeout().unwrap();
    assert!(deadline <= now + Duration::from_secs(30));
    s.handle_timeout(now + Duration::from_secs(30));
    assert_eq!(close_code(&tx(&mut s)), Some(4900));
}
