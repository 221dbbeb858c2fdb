//! OneBot session behaviour on a virtual clock: lifecycle and self id, heartbeat watchdog,
//! WebSocket pings on a connection without heartbeats, actions (echo, out-of-order responses, timeouts, failure on disconnect), auth failures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod common;

use std::time::{Duration, Instant};

use botgate_session::onebot::{
    ActionId, ClientRole, Config, OneBotCallError, Session, WATCHDOG_CLOSE_CODE,
};
use botgate_session::{
    ConnectFailure, ErrorKind, Outgoing, RateLimitConfig, SessionEvent, SessionMachine, Token, Why,
};
use common::*;
use serde_json::{json, Value};

const LIFECYCLE_0: &str = r#"{"time":1712640000,"self_id":0,"post_type":"meta_event","meta_event_type":"lifecycle","sub_type":"connect"}"#;
const LIFECYCLE: &str = r#"{"time":1712640000,"self_id":123456789,"post_type":"meta_event","meta_event_type":"lifecycle","sub_type":"connect"}"#;
const HEARTBEAT: &str = r#"{"time":1712640030,"self_id":123456789,"post_type":"meta_event","meta_event_type":"heartbeat","interval":30000,"status":{"online":true,"good":true}}"#;
const GROUP_MSG: &str = r#"{"time":1712640000,"self_id":123456789,"post_type":"message","message_type":"group","sub_type":"normal","message_id":1,"group_id":9,"user_id":7,"message":[],"raw_message":"","font":0,"sender":{}}"#;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn forward() -> Config {
    let mut c = Config::forward(
        "ws://127.0.0.1:3001/".parse().unwrap(),
        Some(Token::new("s3cret")),
    );
    c.seed = Some(5);
    c
}

fn open(c: Config) -> (Session, Instant) {
    let t0 = Instant::now();
    let mut s = Session::new(c, t0);
    let (at, url) = s.next_connect().unwrap();
    assert_eq!(url.as_str(), "ws://127.0.0.1:3001/");
    s.handle_connected(at);
    (s, at)
}

fn results(ev: &[SessionEvent]) -> Vec<(u64, Result<Value, OneBotCallError>)> {
    ev.iter()
        .filter_map(|e| match e {
            SessionEvent::ActionResult { id, result } => {
                Some((id.0, result.clone().map(|r| r.data)))
            }
            _ => None,
        })
        .collect()
}

fn echo_of(v: &Value) -> String {
    v["echo"].as_str().unwrap().to_owned()
}

#[test]
fn the_access_token_is_a_bearer_header_and_redacted() {
    let t0 = Instant::now();
    let s = Session::new(forward(), t0);
    let h = s.connect_headers();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].0, "Authorization");
    assert_eq!(h[0].1.expose(), "Bearer s3cret");
    assert!(!format!("{s:?}").contains("s3cret"));
    let none = Session::new(Config::forward("ws://x/".parse().unwrap(), None), t0);
    assert!(none.connect_headers().is_empty());
}

/// Review of OneBot support (decision 0055): a forward URL may carry the token as
/// `?access_token=`; the derived `Debug` of `Config` (and so of the session) printed it.
#[test]
fn debug_hides_an_access_token_in_the_url() {
    let url = "ws://127.0.0.1:3001/onebot?access_token=t0ps3cret&v=11";
    let config = Config::forward(url.parse().unwrap(), None);
    let session = Session::new(config.clone(), Instant::now());
    for text in [format!("{config:?}"), format!("{session:?}")] {
        assert!(!text.contains("t0ps3cret"), "{text}");
        assert!(
            text.contains("ws://127.0.0.1:3001/onebot?access_token=<redacted>&v=<redacted>"),
            "{text}"
        );
    }
}

#[test]
fn lifecycle_with_self_id_zero_then_the_real_one() {
    let (mut s, now) = open(forward());
    frame(&mut s, now, LIFECYCLE_0);
    let ev = events(&mut s);
    assert!(matches!(ev.as_slice(), [SessionEvent::Event(_)]), "{ev:?}");
    assert_eq!(s.self_id(), None);
    frame(&mut s, now, LIFECYCLE);
    let ev = events(&mut s);
    assert!(matches!(ev[0], SessionEvent::SelfId(123456789)));
    assert!(matches!(&ev[1], SessionEvent::Ready(r) if r.bot_id.as_deref() == Some("123456789")));
    assert!(matches!(ev[2], SessionEvent::Event(_)));
    assert_eq!(s.self_id(), Some(123456789));
    // later events with the same id change nothing
    frame(&mut s, now, GROUP_MSG);
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::Event(_)]
    ));
}

#[test]
fn a_string_self_id_and_an_x_self_id_hint_are_accepted() {
    let mut s = Session::new(Config::reverse(), Instant::now());
    assert!(s.next_connect().is_none(), "a reverse session never dials");
    s.set_self_id_hint(42);
    let now = Instant::now();
    s.handle_connected(now);
    assert!(
        matches!(events(&mut s).as_slice(), [SessionEvent::Ready(r)] if r.bot_id.as_deref() == Some("42"))
    );
    frame(
        &mut s,
        now,
        r#"{"post_type":"meta_event","meta_event_type":"lifecycle","self_id":"43"}"#,
    );
    assert!(matches!(events(&mut s)[0], SessionEvent::SelfId(43)));
}

#[test]
fn no_heartbeat_for_two_intervals_reconnects() {
    let (mut s, now) = open(forward());
    frame(&mut s, now, LIFECYCLE);
    assert_eq!(
        s.poll_timeout(),
        Some(now + secs(60)),
        "until the first heartbeat, the wait for it (first_frame_timeout; then pings)"
    );
    frame(&mut s, now, HEARTBEAT);
    assert_eq!(s.poll_timeout(), Some(now + secs(60)));
    let t1 = now + secs(30);
    frame(&mut s, t1, HEARTBEAT);
    assert_eq!(s.poll_timeout(), Some(t1 + secs(60)));
    s.handle_timeout(t1 + secs(59));
    assert!(tx(&mut s).is_empty());
    s.handle_timeout(t1 + secs(60));
    assert_eq!(close_code(&tx(&mut s)), Some(WATCHDOG_CLOSE_CODE));
    events(&mut s);
    s.handle_closed(t1 + secs(60), Some(WATCHDOG_CLOSE_CODE), "");
    assert_reconnecting(&mut s, Why::HeartbeatTimeout);
    assert!(s.next_connect().is_some());
}

#[test]
fn watchdog_is_armed_on_reconnect_when_the_interval_is_known() {
    let (mut s, now) = open(forward());
    frame(&mut s, now, LIFECYCLE);
    frame(&mut s, now, HEARTBEAT);
    assert_eq!(s.poll_timeout(), Some(now + secs(60)));
    // the connection drops; the next one never sees a heartbeat
    s.handle_closed(now + secs(1), None, "");
    events(&mut s);
    let (at, _) = s.next_connect().expect("a reconnect is planned");
    s.handle_connected(at);
    assert_eq!(
        s.poll_timeout(),
        Some(at + secs(60)),
        "the interval learnt before arms the watchdog at once"
    );
    s.handle_timeout(at + secs(60));
    assert_eq!(close_code(&tx(&mut s)), Some(WATCHDOG_CLOSE_CODE));
}

#[test]
fn actions_get_echoes_and_responses_match_in_any_order() {
    let (mut s, now) = open(forward());
    let a = s.call(now, "get_login_info", &json!({}), None);
    let b = s.call(
        now,
        "send_group_msg",
        &json!({"group_id": 9, "message": [{"type": "text", "data": {"text": "hi"}}]}),
        None,
    );
    let c = s.call(now, "get_status", &json!({}), None);
    assert_eq!((a, b, c), (ActionId(1), ActionId(2), ActionId(3)));
    let sent = sent_json(&mut s);
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[1]["action"], "send_group_msg");
    assert_eq!(sent[1]["params"]["group_id"], 9);
    let echoes: Vec<_> = sent.iter().map(echo_of).collect();
    assert_eq!(echoes, vec!["1", "2", "3"]);
    frame(
        &mut s,
        now,
        &format!(
            r#"{{"status":"ok","retcode":0,"data":{{"message_id":12345}},"echo":"{}"}}"#,
            echoes[1]
        ),
    );
    frame(
        &mut s,
        now,
        &format!(
            r#"{{"status":"failed","retcode":1404,"msg":"不支持的 API","data":null,"echo":"{}"}}"#,
            echoes[2]
        ),
    );
    frame(
        &mut s,
        now,
        &format!(
            r#"{{"status":"ok","retcode":0,"data":{{"user_id":1,"nickname":"n"}},"echo":{}}}"#,
            echoes[0]
        ),
    );
    let r = results(&events(&mut s));
    assert_eq!(r[0], (2, Ok(json!({"message_id": 12345}))));
    assert_eq!(
        r[1],
        (
            3,
            Err(OneBotCallError::Failed {
                retcode: 1404,
                message: "不支持的 API".into(),
                status: "failed".into()
            })
        )
    );
    assert_eq!(r[2], (1, Ok(json!({"user_id": 1, "nickname": "n"}))));
    assert_eq!(s.pending_calls(), 0);
}

#[test]
fn wording_is_preferred_over_msg_and_async_is_success() {
    let (mut s, now) = open(forward());
    s.call(now, "a", &json!({}), None);
    s.call(now, "b_async", &json!({}), None);
    tx(&mut s);
    frame(
        &mut s,
        now,
        r#"{"status":"failed","retcode":100,"msg":"m","wording":"w","echo":"1"}"#,
    );
    frame(
        &mut s,
        now,
        r#"{"status":"async","retcode":1,"data":null,"echo":"2"}"#,
    );
    let r = results(&events(&mut s));
    assert!(
        matches!(&r[0].1, Err(OneBotCallError::Failed { retcode: 100, message, .. }) if message == "w")
    );
    assert_eq!(r[1].1, Ok(Value::Null));
}

#[test]
fn a_call_times_out_and_a_late_response_is_ignored() {
    let (mut s, now) = open(forward());
    s.call(now, "slow", &json!({}), Some(secs(5)));
    s.call(now, "fast", &json!({}), Some(secs(10)));
    tx(&mut s);
    assert_eq!(s.poll_timeout(), Some(now + secs(5)));
    s.handle_timeout(now + secs(5));
    assert_eq!(
        results(&events(&mut s)),
        vec![(1, Err(OneBotCallError::Timeout))]
    );
    frame(
        &mut s,
        now + secs(6),
        r#"{"status":"ok","retcode":0,"data":1,"echo":"1"}"#,
    );
    assert!(events(&mut s).is_empty());
    assert_eq!(s.poll_timeout(), Some(now + secs(10)));
}

#[test]
fn calls_in_flight_fail_on_disconnect_and_queued_ones_wait_for_the_next_connection() {
    let (mut s, now) = open(forward());
    s.call(now, "a", &json!({}), None);
    s.call(now, "b", &json!({}), None);
    tx(&mut s);
    s.handle_closed(now, Some(1006), "");
    let ev = events(&mut s);
    assert_eq!(
        results(&ev),
        vec![
            (1, Err(OneBotCallError::Disconnected)),
            (2, Err(OneBotCallError::Disconnected))
        ]
    );
    assert!(matches!(ev.last(), Some(SessionEvent::Reconnecting { .. })));
    let c = s.call(now, "c", &json!({}), None);
    assert!(tx(&mut s).is_empty(), "not sent while disconnected");
    let (at, _) = s.next_connect().unwrap();
    s.handle_connected(at);
    let sent = sent_json(&mut s);
    assert_eq!(sent.len(), 1);
    assert_eq!(echo_of(&sent[0]), c.0.to_string());
}

#[test]
fn close_fails_every_pending_call_cleanly() {
    let (mut s, now) = open(forward());
    s.call(now, "a", &json!({}), None);
    s.close(now);
    let ev = events(&mut s);
    assert_eq!(results(&ev), vec![(1, Err(OneBotCallError::Stopped))]);
    assert!(matches!(ev.last(), Some(SessionEvent::Stopped)));
    assert_eq!(s.poll_timeout(), None);
    let id = s.call(now, "after", &json!({}), None);
    assert_eq!(
        results(&events(&mut s)),
        vec![(id.0, Err(OneBotCallError::Stopped))]
    );
}

#[test]
fn http_401_403_and_an_immediate_1008_are_fatal_auth_failures() {
    for status in [401, 403] {
        let t0 = Instant::now();
        let mut s = Session::new(forward(), t0);
        s.handle_connect_failed(t0, ConnectFailure::Http { status });
        assert!(
            matches!(events(&mut s).as_slice(), [SessionEvent::Fatal(e)] if e.kind() == &ErrorKind::AuthFailed { close_code: None, http_status: Some(status) })
        );
        assert!(s.next_connect().is_none());
    }
    let (mut s, now) = open(forward());
    s.call(now, "a", &json!({}), None);
    s.handle_closed(now, Some(1008), "Unauthorized");
    let ev = events(&mut s);
    assert_eq!(results(&ev), vec![(1, Err(OneBotCallError::Stopped))]);
    assert!(
        matches!(ev.last(), Some(SessionEvent::Fatal(e)) if e.kind() == &ErrorKind::AuthFailed { close_code: Some(1008), http_status: None })
    );
}

#[test]
fn a_1008_after_frames_flowed_is_an_ordinary_reconnect() {
    let (mut s, now) = open(forward());
    frame(&mut s, now, LIFECYCLE);
    events(&mut s);
    s.handle_closed(now, Some(1008), "");
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::Reconnecting { .. }]
    ));
}

#[test]
fn a_reverse_session_waits_for_the_implementation_to_reconnect() {
    let now = Instant::now();
    let mut s = Session::new(Config::reverse(), now);
    s.handle_connected(now);
    s.call(now, "a", &json!({}), None);
    tx(&mut s);
    s.handle_closed(now, None, "");
    assert_eq!(
        results(&events(&mut s)),
        vec![(1, Err(OneBotCallError::Disconnected))]
    );
    assert!(s.next_connect().is_none());
    s.handle_connected(now + secs(5));
    assert!(s.is_open());
}

#[test]
fn the_optional_budget_paces_actions() {
    let mut c = forward();
    c.rate_limit = Some(RateLimitConfig {
        burst: 2,
        per: Duration::from_millis(500),
        heartbeat_reserve: 0,
        heartbeats_exempt: true,
    });
    let (mut s, now) = open(c);
    for _ in 0..4 {
        s.call(now, "x", &json!({}), None);
    }
    assert_eq!(tx(&mut s).len(), 2);
    let wake = s.poll_timeout().unwrap();
    assert_eq!(wake, now + Duration::from_millis(500));
    s.handle_timeout(wake);
    assert_eq!(tx(&mut s).len(), 1);
}

#[test]
fn garbage_and_foreign_frames_are_ignored() {
    let (mut s, now) = open(forward());
    frame(&mut s, now, "[1,2]");
    frame(&mut s, now, "{");
    frame(&mut s, now, r#"{"hello":"world"}"#);
    frame(&mut s, now, r#"{"status":"ok","retcode":0,"echo":"999"}"#);
    frame(
        &mut s,
        now,
        r#"{"status":"ok","retcode":0,"echo":"not-ours"}"#,
    );
    assert!(events(&mut s).is_empty());
    assert!(tx(&mut s).is_empty());
}

#[test]
fn events_come_classified_and_odd_ones_as_before() {
    let (mut s, now) = open(forward());
    // The usual event: the session's scan travels with it.
    frame(&mut s, now, GROUP_MSG);
    let ev = events(&mut s);
    let Some(SessionEvent::Event(e)) = ev.last() else {
        panic!("{ev:?}")
    };
    assert_eq!(&e[..], GROUP_MSG.as_bytes());
    assert_eq!(s.self_id(), Some(123456789));
    let raw = e.clone().into_raw_event().unwrap();
    assert_eq!(raw.kind().as_str(), "message.group");
    // A repeated self_id: the last one counts, as it always did.
    frame(
        &mut s,
        now,
        r#"{"post_type":"message","message_type":"group","self_id":1,"self_id":77}"#,
    );
    let ev = events(&mut s);
    assert!(matches!(ev[0], SessionEvent::SelfId(77)), "{ev:?}");
    // A post_type that is not a string is still an event here; the dispatcher's scan then
    // says why it cannot be classified.
    frame(&mut s, now, r#"{"post_type":1,"self_id":"5"}"#);
    let ev = events(&mut s);
    assert!(matches!(ev[0], SessionEvent::SelfId(5)), "{ev:?}");
    let Some(SessionEvent::Event(e)) = ev.last() else {
        panic!("{ev:?}")
    };
    let err = e.clone().into_raw_event().unwrap_err();
    assert!(
        matches!(
            err.kind(),
            botgate_codec::ErrorKind::Envelope {
                field: "post_type",
                ..
            }
        ),
        "{err}"
    );
}

/// Review of stop 28: a call's timeout is the caller's, and `Duration::MAX` ("no timeout") made
/// `Instant +` panic in the driver task, which then failed every later call. A heartbeat's
/// `interval` is the peer's, any `i64` of milliseconds: capped the same way.
#[test]
fn intervals_and_timeouts_too_large_for_a_clock_are_taken_as_a_year() {
    let (mut s, now) = open(forward());
    frame(&mut s, now, LIFECYCLE);
    frame(
        &mut s,
        now,
        &HEARTBEAT.replace(
            r#""interval":30000"#,
            &format!(r#""interval":{}"#, i64::MAX),
        ),
    );
    let year = Duration::from_secs(365 * 24 * 3600);
    assert_eq!(
        s.poll_timeout(),
        Some(now + year),
        "the watchdog, a year on"
    );
    let id = s.call(now, "get_status", &json!({}), Some(Duration::MAX));
    assert_eq!(id, ActionId(1));
    assert_eq!(sent_json(&mut s).len(), 1, "the call went out");
    assert_eq!(s.poll_timeout(), Some(now + year));
}

/// Decision 0057: a reverse connection with role `API` (go-cqhttp's split sockets) speaks
/// only to answer actions: no first-frame timeout, and no heartbeat watchdog even if a
/// heartbeat comes. Its calls still time out. The other roles keep the watchdog.
#[test]
fn an_api_connection_has_no_watchdog() {
    for role in [ClientRole::Universal, ClientRole::Event] {
        let config = Config::reverse().for_role(role);
        assert!(config.watchdog, "{role}");
        let mut s = Session::new(config, Instant::now());
        let now = Instant::now();
        s.handle_connected(now);
        assert_eq!(s.poll_timeout(), Some(now + secs(60)), "{role}");
    }
    let config = Config::reverse().for_role(ClientRole::Api);
    assert!(!config.watchdog);
    let mut s = Session::new(config, Instant::now());
    s.set_self_id_hint(123456789);
    let now = Instant::now();
    s.handle_connected(now);
    assert_eq!(s.poll_timeout(), None, "silence is never a failure");
    s.handle_timeout(now + secs(3600));
    assert!(tx(&mut s).is_empty(), "not closed after an hour of silence");
    frame(&mut s, now, HEARTBEAT);
    assert_eq!(s.poll_timeout(), None, "a heartbeat arms nothing");
    let id = s.call(now, "get_status", &json!({}), Some(secs(5)));
    assert_eq!(sent_json(&mut s).len(), 1, "the call went out at once");
    assert_eq!(
        s.poll_timeout(),
        Some(now + secs(5)),
        "only the call's deadline"
    );
    events(&mut s);
    s.handle_timeout(now + secs(5));
    assert!(matches!(
        events(&mut s).as_slice(),
        [SessionEvent::ActionResult { id: got, result: Err(OneBotCallError::Timeout) }] if *got == id
    ));
    assert!(tx(&mut s).is_empty(), "still open");
    assert!(s.is_open());
}

/// Review of stop 28: a call made while the connection is down, whose caller then gives up,
/// is withdrawn and not written after the reconnect; a call already written is not.
#[test]
fn a_call_whose_caller_gave_up_before_it_was_sent_is_withdrawn() {
    let (mut s, now) = open(forward());
    frame(&mut s, now, LIFECYCLE);
    events(&mut s);
    let written = s.call(now, "get_status", &json!({}), None);
    assert_eq!(sent_json(&mut s).len(), 1);
    s.cancel_call(written); // written already: runs, and its late result still comes
    s.handle_closed(now, None, "");
    events(&mut s);
    let withdrawn = s.call(now, "send_group_msg", &json!({"group_id": 9}), None);
    let kept = s.call(now, "get_login_info", &json!({}), None);
    assert!(sent_json(&mut s).is_empty(), "down: nothing written");
    s.cancel_call(withdrawn);
    let (at, _) = s.next_connect().expect("a reconnect is planned");
    s.handle_connected(at);
    let sent = sent_json(&mut s);
    let actions: Vec<_> = sent.iter().map(|f| f["action"].clone()).collect();
    assert_eq!(actions, [json!("get_login_info")]);
    assert_eq!(echo_of(&sent[0]), kept.0.to_string());
    // The withdrawn call's deadline is gone too: no timeout result for it, ever.
    s.handle_timeout(at + Duration::from_secs(3600));
    let ev = events(&mut s);
    assert!(
        results(&ev).iter().all(|(id, _)| *id != withdrawn.0),
        "{ev:?}"
    );
}

/// Review of stop 28: retcode 0 is ok and 1 async, any other a failure (the spec), even under
/// `"status": "ok"`; a missing retcode leaves it to `status`.
#[test]
fn a_failing_retcode_is_a_failure_whatever_the_status() {
    let (mut s, now) = open(forward());
    let ids: Vec<_> = (0..3)
        .map(|_| s.call(now, "get_status", &json!({}), None))
        .collect();
    let echoes: Vec<_> = sent_json(&mut s).iter().map(echo_of).collect();
    for (echo, answer) in echoes.iter().zip([
        r#""status":"ok","retcode":1404,"msg":"gone""#,
        r#""status":"async","retcode":1"#,
        r#""status":"ok""#,
    ]) {
        frame(
            &mut s,
            now,
            &format!(r#"{{{answer},"data":null,"echo":"{echo}"}}"#),
        );
    }
    let r = results(&events(&mut s));
    assert_eq!(r.len(), 3);
    assert!(
        matches!(&r[0], (id, Err(OneBotCallError::Failed { retcode: 1404, .. })) if *id == ids[0].0),
        "{r:?}"
    );
    assert!(r[1].1.is_ok() && r[2].1.is_ok(), "{r:?}");
}

/// Review of stop 30: NapCat and LLOneBot accept the upgrade, answer a wrong token with an
/// echo-less failure (retcode 1403), then close without a code: that looped for ever with a
/// growing backoff. It is a fatal authentication failure now; the same answer after events
/// flowed is not.
#[test]
fn an_echo_less_token_refusal_before_any_event_then_a_close_is_fatal() {
    const REFUSED: &str = r#"{"status":"failed","retcode":1403,"data":null,"message":"token验证失败","wording":"token验证失败","echo":null}"#;
    let (mut s, now) = open(forward());
    frame(&mut s, now, REFUSED);
    s.handle_closed(now, None, "");
    let ev = events(&mut s);
    match ev.as_slice() {
        [SessionEvent::Fatal(e)] => {
            assert!(matches!(e.kind(), ErrorKind::AuthFailed { .. }), "{e}");
            let source = std::error::Error::source(e).map(ToString::to_string);
            assert!(
                source
                    .as_deref()
                    .is_some_and(|t| t.contains("1403") && t.contains("token验证失败")),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(s.next_connect().is_none());

    // After events, the same frame and a close are an ordinary reconnect.
    let (mut s, now) = open(forward());
    frame(&mut s, now, LIFECYCLE);
    frame(&mut s, now, REFUSED);
    s.handle_closed(now, None, "");
    events(&mut s);
    assert!(s.next_connect().is_some());
}

/// What `s` sent, each ping as `"ping"` and each close as its code and reason.
fn sent(s: &mut Session) -> Vec<String> {
    tx(s)
        .into_iter()
        .map(|o| match o {
            Outgoing::Ping => "ping".to_owned(),
            Outgoing::Close { code, reason } => format!("close {code} {reason}"),
            Outgoing::Text(t) => t,
            other => format!("{other:?}"),
        })
        .collect()
}

/// Decision 0060: an implementation with heartbeats off (go-cqhttp `heartbeat.interval: -1`,
/// NapCat with heartbeats off) sends a lifecycle, then only events. Once the wait for a first
/// heartbeat (`first_frame_timeout`, 60 s) is over, the connection is sent a WebSocket ping
/// every `ping_interval` (15 s) and stays up for as long as each one is answered.
#[test]
fn a_connection_without_heartbeats_is_pinged_and_kept_while_it_answers() {
    let (mut s, t0) = open(forward());
    frame(&mut s, t0, LIFECYCLE);
    events(&mut s);
    assert_eq!(s.poll_timeout(), Some(t0 + secs(60)));
    s.handle_timeout(t0 + secs(59));
    assert!(sent(&mut s).is_empty());
    s.handle_timeout(t0 + secs(60));
    assert_eq!(sent(&mut s), ["ping"], "a ping, not a close");
    // An hour of events and answered pings.
    let mut now = t0 + secs(60);
    let mut pings = 1;
    while now < t0 + secs(3600) {
        assert_eq!(
            s.poll_timeout(),
            Some(now + secs(10)),
            "the pong's deadline"
        );
        s.handle_pong(now + secs(1));
        frame(&mut s, now + secs(2), GROUP_MSG);
        assert_eq!(s.poll_timeout(), Some(now + secs(15)), "the next ping");
        now += secs(15);
        s.handle_timeout(now);
        assert_eq!(sent(&mut s), ["ping"]);
        pings += 1;
    }
    assert!(s.is_open());
    assert_eq!(pings, 237);
    let ev = events(&mut s);
    assert_eq!(ev.len(), 236);
    assert!(
        ev.iter().all(|e| matches!(e, SessionEvent::Event(_))),
        "nothing but the events: {ev:?}"
    );
}

/// Decision 0060: a connection without heartbeats whose peer stops answering pings (a hung
/// implementation: the kernel keeps its TCP connection, but its WebSocket layer answers
/// nothing) is closed `pong_timeout` (10 s) after the ping, whatever else it still sends.
#[test]
fn a_connection_without_heartbeats_that_stops_answering_pings_is_cut() {
    let (mut s, t0) = open(forward());
    frame(&mut s, t0, LIFECYCLE);
    s.handle_timeout(t0 + secs(60));
    assert_eq!(sent(&mut s), ["ping"]);
    s.handle_pong(t0 + secs(61));
    s.handle_timeout(t0 + secs(75));
    assert_eq!(sent(&mut s), ["ping"]);
    // An event is not a pong.
    frame(&mut s, t0 + secs(80), GROUP_MSG);
    assert_eq!(s.poll_timeout(), Some(t0 + secs(85)));
    s.handle_timeout(t0 + secs(84));
    assert!(sent(&mut s).is_empty());
    events(&mut s);
    s.handle_timeout(t0 + secs(85));
    assert_eq!(
        sent(&mut s),
        [format!("close {WATCHDOG_CLOSE_CODE} no pong")]
    );
    assert!(!s.is_open());
    s.handle_closed(t0 + secs(85), Some(WATCHDOG_CLOSE_CODE), "no pong");
    assert_reconnecting(&mut s, Why::PongTimeout);
    assert!(s.next_connect().is_some());
}

/// Decision 0060 keeps what the soak's `StopAcks` checks: a connection that has sent
/// heartbeats is watched by them alone. When they stop while events still flow, it is closed
/// two intervals after the last one even though pongs (here unasked) still come, and it is
/// never pinged.
#[test]
fn a_connection_whose_heartbeats_stop_is_cut_whatever_pongs_say() {
    let (mut s, t0) = open(forward());
    frame(&mut s, t0, LIFECYCLE);
    frame(&mut s, t0 + secs(30), HEARTBEAT);
    let mut out = Vec::new();
    for i in 1..=5 {
        let at = t0 + secs(30 + 10 * i);
        frame(&mut s, at, GROUP_MSG);
        s.handle_pong(at);
        s.handle_timeout(at);
        out.extend(sent(&mut s));
    }
    assert!(out.is_empty(), "no ping: {out:?}");
    assert_eq!(s.poll_timeout(), Some(t0 + secs(90)));
    s.handle_timeout(t0 + secs(90));
    assert_eq!(
        sent(&mut s),
        [format!("close {WATCHDOG_CLOSE_CODE} heartbeat timeout")]
    );
    events(&mut s);
    s.handle_closed(t0 + secs(90), Some(WATCHDOG_CLOSE_CODE), "");
    assert_reconnecting(&mut s, Why::HeartbeatTimeout);
}

/// The bug of decision 0060: the interval learnt on an earlier connection made each new
/// connection of an implementation restarted with heartbeats off end (4900) once the wait for
/// its first heartbeat was over: a reconnect loop, with the events of every gap lost. Such a
/// connection is pinged instead; a first heartbeat, when heartbeats come back, makes it a
/// heartbeat-watched connection again.
#[test]
fn an_implementation_restarted_with_heartbeats_off_is_pinged_not_cut() {
    let (mut s, t0) = open(forward());
    frame(&mut s, t0, LIFECYCLE);
    frame(&mut s, t0, HEARTBEAT);
    s.handle_closed(t0 + secs(1), Some(1001), "restart");
    events(&mut s);
    let (at, _) = s.next_connect().unwrap();
    s.handle_connected(at);
    frame(&mut s, at, LIFECYCLE);
    frame(&mut s, at + secs(5), GROUP_MSG);
    assert_eq!(s.poll_timeout(), Some(at + secs(60)));
    s.handle_timeout(at + secs(60));
    assert_eq!(sent(&mut s), ["ping"]);
    s.handle_pong(at + secs(60));
    s.handle_timeout(at + secs(75));
    assert_eq!(sent(&mut s), ["ping"]);
    s.handle_pong(at + secs(76));
    // Heartbeats again (their interval, 30 s): watched by them, no more pings.
    frame(&mut s, at + secs(80), HEARTBEAT);
    assert_eq!(s.poll_timeout(), Some(at + secs(140)));
    s.handle_timeout(at + secs(139));
    assert!(sent(&mut s).is_empty(), "no ping at 90 s");
    assert!(s.is_open());
    s.handle_timeout(at + secs(140));
    assert_eq!(
        sent(&mut s),
        [format!("close {WATCHDOG_CLOSE_CODE} heartbeat timeout")]
    );
}

/// With `pong_timeout` above `ping_interval`, at most one ping is outstanding: the next one
/// waits for the pong (at the unanswered ping's deadline at the earliest), so every pong
/// answers the one ping pending and a hung peer is cut exactly `pong_timeout` after its
/// unanswered ping. (The bug: a second ping went out while the first was unanswered, the
/// first one's pong cleared the second one's deadline, and a hang was cut `ping_interval`
/// late.)
#[test]
fn a_pong_timeout_longer_than_the_ping_interval_keeps_one_ping_outstanding() {
    let mut c = forward();
    c.ping_interval = secs(5);
    c.pong_timeout = secs(10);
    let (mut s, t0) = open(c);
    frame(&mut s, t0, LIFECYCLE);
    s.handle_timeout(t0 + secs(60));
    assert_eq!(sent(&mut s), ["ping"], "ping A");
    assert_eq!(s.poll_timeout(), Some(t0 + secs(65)));
    s.handle_timeout(t0 + secs(65));
    assert!(
        sent(&mut s).is_empty(),
        "no second ping while A is unanswered"
    );
    assert_eq!(s.poll_timeout(), Some(t0 + secs(70)), "A's deadline");
    // A's pong: the next ping at A's deadline.
    s.handle_pong(t0 + secs(66));
    assert_eq!(s.poll_timeout(), Some(t0 + secs(70)));
    s.handle_timeout(t0 + secs(70));
    assert_eq!(sent(&mut s), ["ping"], "ping B");
    // B answered within the interval: the usual cadence.
    s.handle_pong(t0 + secs(71));
    assert_eq!(s.poll_timeout(), Some(t0 + secs(75)));
    s.handle_timeout(t0 + secs(75));
    assert_eq!(sent(&mut s), ["ping"], "ping C");
    // The peer hangs: no ping while C is unanswered, a cut 10 s after C.
    s.handle_timeout(t0 + secs(80));
    assert!(
        sent(&mut s).is_empty(),
        "no second ping while C is unanswered"
    );
    assert_eq!(s.poll_timeout(), Some(t0 + secs(85)), "C's deadline");
    s.handle_timeout(t0 + secs(84));
    assert!(sent(&mut s).is_empty());
    assert!(s.is_open());
    s.handle_timeout(t0 + secs(85));
    assert_eq!(
        sent(&mut s),
        [format!("close {WATCHDOG_CLOSE_CODE} no pong")]
    );
    events(&mut s);
    s.handle_closed(t0 + secs(85), Some(WATCHDOG_CLOSE_CODE), "no pong");
    assert_reconnecting(&mut s, Why::PongTimeout);
}

/// A connection that never speaks is closed at `first_frame_timeout` as before (decision
/// 0045): pongs do not keep a silent peer's socket.
#[test]
fn a_connection_that_never_speaks_is_cut_pongs_or_not() {
    let (mut s, t0) = open(forward());
    s.handle_pong(t0 + secs(30));
    s.handle_timeout(t0 + secs(60));
    assert_eq!(
        sent(&mut s),
        [format!("close {WATCHDOG_CLOSE_CODE} heartbeat timeout")]
    );
}

/// A ping's deadlines move on by the time the driver did not read (decision 0055 item 7):
/// the pong may sit unread behind held events.
#[test]
fn ping_deadlines_move_on_by_a_pause_of_the_reader() {
    let (mut s, t0) = open(forward());
    frame(&mut s, t0, LIFECYCLE);
    s.handle_timeout(t0 + secs(60));
    assert_eq!(sent(&mut s), ["ping"]);
    s.handle_read_resumed(t0 + secs(95), secs(30));
    assert_eq!(
        s.poll_timeout(),
        Some(t0 + secs(100)),
        "the pong's deadline"
    );
    s.handle_pong(t0 + secs(95));
    assert_eq!(s.poll_timeout(), Some(t0 + secs(105)), "the next ping");
    s.handle_timeout(t0 + secs(105));
    assert_eq!(sent(&mut s), ["ping"]);
}
