//! The driver runs the Bubble session against the Bubble sim (extended profile: `s`, resume)
//! over loopback: 10,000 dispatches with a fault every 300, delivered exactly once and in
//! order across resumes and fresh sessions; a wrong token (HTTP 401) fails fast; subscribe at
//! run time through the handle.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod driver_common;

use std::time::{Duration, Instant};

use botgate_session::bubble::{self, Subscription};
use botgate_session::driver::{self, DriverConfig};
use botgate_session::{BackoffConfig, ErrorKind, SessionEvent};
use botgate_sim::bubble::Profile;
use botgate_sim::{BubbleConfig, BubbleSim, Fault, Record};
use driver_common::*;
use serde_json::json;

fn sim_config() -> BubbleConfig {
    BubbleConfig {
        profile: Profile::Extended,
        heartbeat_interval: Duration::from_millis(250),
        heartbeat_timeout: Duration::from_secs(30),
        // An op 6 later than this is ignored (a fresh session): wide enough for a loaded
        // machine; a client without a session ends it with its first heartbeat (< 250 ms).
        resume_window: Duration::from_secs(1),
        rate_limit: None,
        ..BubbleConfig::default()
    }
}

fn session(sim: &BubbleSim, token: &str, events: &[&str]) -> bubble::Session {
    let subscription = Subscription::Exact(events.iter().map(|e| (*e).to_owned()).collect());
    let mut config = bubble::Config::new(sim.url().parse().unwrap(), token, subscription);
    config.backoff = BackoffConfig {
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
        floor: Duration::ZERO,
        stable_after: Duration::from_secs(30),
    };
    config.invalid_session_wait = (Duration::ZERO, Duration::from_millis(20));
    config.seed = Some(11);
    bubble::Session::new(config, Instant::now(), None)
}

fn faults() -> Vec<(Fault, bool)> {
    vec![
        (Fault::Drop, true),
        (Fault::DuplicateLast, false),
        (Fault::StopAcks, true),
        (Fault::Reconnect, true),
        (Fault::InvalidSession { resumable: true }, true),
        (Fault::InvalidSession { resumable: false }, true),
        (
            Fault::Close {
                code: 4009,
                reason: "session timed out".into(),
            },
            true,
        ),
        (
            Fault::Close {
                code: 4000,
                reason: "unknown server error".into(),
            },
            true,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_dispatches_arrive_exactly_once_in_order_across_faults() {
    const TOTAL: usize = 10_000;
    const BATCH: usize = 300;
    let sim = BubbleSim::start(sim_config()).await.unwrap();
    let machine = session(
        &sim,
        "sim-bubble-token",
        &["MESSAGE_CREATE", "DM_MESSAGE_CREATE"],
    );
    let (handle, events) = driver::run(machine, &DriverConfig::default().event_capacity(64));
    let (mut progress_rx, consumer) = consume(events);
    // Subscribed (not only ready): events pushed now have a session that wants them.
    progress(&mut progress_rx, "the subscription", |p| {
        p.subscriptions >= 1
    })
    .await;

    let mut pushed = Vec::with_capacity(TOTAL);
    let mut reconnecting_faults = 0;
    for (batch, start) in (0..TOTAL).step_by(BATCH).enumerate() {
        for i in start..(start + BATCH).min(TOTAL) {
            let t = if i % 5 == 2 {
                "DM_MESSAGE_CREATE"
            } else {
                "MESSAGE_CREATE"
            };
            sim.push_event(
                t,
                json!({"id": i, "content": format!("event {i}"), "channelId": 7}),
            );
            pushed.push((t.to_owned(), i.to_string()));
        }
        let faults = faults();
        let (fault, reconnects) = faults[batch % faults.len()].clone();
        reconnecting_faults += usize::from(reconnects);
        // Back when resumed, or when a fresh session has subscribed again.
        let back_when = Some(&["RESUMED", "EVENTS_SUBSCRIBED"][..]);
        fault_and_wait(sim.log(), back_when, reconnects, || {
            sim.inject(fault.clone())
        })
        .await;
    }
    let done = progress(&mut progress_rx, "every dispatch", |p| p.delivered >= TOTAL).await;
    // each fault brought a Resumed or a Ready (the last one may still be on its way)
    assert!(
        done.resumes + done.readies >= reconnecting_faults,
        "{done:?}"
    );
    assert!(done.resumes >= 10, "{done:?}");
    assert!(
        done.readies >= 3,
        "fresh sessions after op 9 false / 4009: {done:?}"
    );

    let machine = handle.shutdown().await.unwrap();
    assert_eq!(
        machine.desired(),
        vec!["DM_MESSAGE_CREATE", "MESSAGE_CREATE"]
    );
    let collected = within("the consumer", consumer).await.unwrap();
    assert_eq!(collected.keys.len(), TOTAL, "nothing lost, nothing twice");
    assert_eq!(collected.keys, pushed);
    let generated = [
        "BOT_READY",
        "RESUMED",
        "EVENTS_SUBSCRIBED",
        "EVENTS_UNSUBSCRIBED",
    ];
    assert_eq!(
        collected.keys,
        sent_keys_first(&sim.sent_dispatches(), &generated)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_refused_at_the_upgrade_and_fatal_without_retry() {
    let sim = BubbleSim::start(sim_config()).await.unwrap();
    let (handle, events) = driver::run(
        session(&sim, "not-the-token", &["MESSAGE_CREATE"]),
        &DriverConfig::default(),
    );
    let (_progress, consumer) = consume(events);
    let collected = within("the consumer", consumer).await.unwrap();
    assert_eq!(
        collected.progress.fatal,
        vec![ErrorKind::AuthFailed {
            close_code: None,
            http_status: Some(401)
        }]
    );
    within("the driver", handle.join()).await.unwrap();
    let records = sim.log().snapshot();
    let rejected = records
        .iter()
        .filter(|r| matches!(r, Record::Rejected { status: 401, .. }))
        .count();
    assert_eq!(rejected, 1, "one attempt, no retry loop");
    assert!(!records
        .iter()
        .any(|r| matches!(r, Record::Connected { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_at_run_time_goes_out_now_and_brings_the_events() {
    let sim = BubbleSim::start(sim_config()).await.unwrap();
    let (handle, mut events) = driver::run(
        session(&sim, "sim-bubble-token", &["MESSAGE_CREATE"]),
        &DriverConfig::default(),
    );
    loop {
        if let SessionEvent::Subscriptions { confirmed } =
            within("subscribed", events.recv()).await.unwrap()
        {
            assert_eq!(confirmed, vec!["MESSAGE_CREATE"]);
            break;
        }
    }
    handle
        .subscribe(vec!["GUILD_MEMBER_ADD".into()])
        .await
        .unwrap();
    loop {
        if let SessionEvent::Subscriptions { confirmed } =
            within("subscribed again", events.recv()).await.unwrap()
        {
            assert_eq!(confirmed, vec!["GUILD_MEMBER_ADD", "MESSAGE_CREATE"]);
            break;
        }
    }
    assert_eq!(
        sim.push_event("GUILD_MEMBER_ADD", json!({"id": 5, "userId": 9})),
        1
    );
    loop {
        if let SessionEvent::Dispatch(frame) = within("the event", events.recv()).await.unwrap() {
            if driver_common::is_control(&frame) {
                continue;
            }
            assert_eq!(
                frame_key(&frame),
                ("GUILD_MEMBER_ADD".to_owned(), "5".to_owned())
            );
            break;
        }
    }
    let confirmed = handle.with_machine(|m, _| m.confirmed()).await.unwrap();
    assert_eq!(confirmed, vec!["GUILD_MEMBER_ADD", "MESSAGE_CREATE"]);
    handle.shutdown().await.unwrap();
}

/// Waits for a dispatch of type `t` (control frames and others skipped); returns its `d.id`.
async fn next_of(
    events: &mut botgate_session::driver::EventReceiver<SessionEvent>,
    t: &str,
) -> String {
    loop {
        if let SessionEvent::Dispatch(frame) = within(t, events.recv()).await.unwrap() {
            if frame.event_type() == Some(t) {
                return frame_key(&frame).1;
            }
        }
    }
}

/// `all_events()` against a server whose BOT_READY lists no `availableEvents` (the seed
/// shape, spec §1.2): everything botgate knows is subscribed, not nothing (review of stop 32:
/// the bot subscribed to nothing and received nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_events_without_available_events_subscribes_every_known_type() {
    let sim = BubbleSim::start(BubbleConfig {
        ready_shape: botgate_sim::bubble::ReadyShape::Seed,
        ..sim_config()
    })
    .await
    .unwrap();
    let mut config = bubble::Config::new(
        sim.url().parse().unwrap(),
        "sim-bubble-token",
        Subscription::All,
    );
    config.seed = Some(11);
    let machine = bubble::Session::new(config, Instant::now(), None);
    let (handle, mut events) = driver::run(machine, &DriverConfig::default());
    loop {
        let event = within("a subscription", events.recv()).await.unwrap();
        if let SessionEvent::Subscriptions { confirmed } = event {
            assert!(
                confirmed.iter().any(|t| t == "MESSAGE_CREATE"),
                "{confirmed:?}"
            );
            break;
        }
    }
    assert_eq!(
        sim.push_event(
            "MESSAGE_CREATE",
            json!({"id": 7, "channelId": 5, "content": "hi"})
        ),
        1
    );
    assert_eq!(next_of(&mut events, "MESSAGE_CREATE").await, "7");
    handle.shutdown().await.unwrap();
}

/// A BOT_READY whose guild name holds half an emoji (`\ud83d`: JavaScript's `JSON.stringify`
/// of a name cut in the middle of a surrogate pair; decision 0049) still gives its session
/// id, bot id and `availableEvents` (review of stop 32: the whole BOT_READY read as empty, so
/// the bot lost its own id and the session could never be resumed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_ready_with_a_lone_surrogate_keeps_its_fields() {
    let sim = BubbleSim::start(sim_config()).await.unwrap();
    let (handle, mut events) = driver::run(
        session(&sim, "sim-bubble-token", &["MESSAGE_CREATE"]),
        &DriverConfig::default(),
    );
    loop {
        if let SessionEvent::Ready(_) = within("the first ready", events.recv()).await.unwrap() {
            break;
        }
    }
    sim.send_raw(
        r#"{"op":0,"s":1,"t":"BOT_READY","d":{"bot":{"id":1,"name":"b","botUser":{"id":777,"name":"bot_b"}},"subscribedGuilds":[{"id":10,"name":"cut \ud83d"}],"subscribedDMs":[],"availableEvents":["MESSAGE_CREATE","GUILD_MEMBER_ADD"],"sessionId":"raw-session"}}"#,
    );
    let ready = loop {
        if let SessionEvent::Ready(ready) = within("the raw ready", events.recv()).await.unwrap() {
            break ready;
        }
    };
    assert_eq!(ready.bot_id.as_deref(), Some("777"));
    assert_eq!(ready.session_id.as_deref(), Some("raw-session"));
    assert_eq!(
        ready.available_events,
        ["MESSAGE_CREATE", "GUILD_MEMBER_ADD"]
    );
    let state = handle.with_machine(|m, _| m.resume_state()).await.unwrap();
    assert_eq!(state.map(|s| s.session_id).as_deref(), Some("raw-session"));
    handle.shutdown().await.unwrap();
}

/// A server stricter than its documented budget (or one whose clock sees a burst the client
/// paced) drops a subscribe with `ERROR` `RATE_LIMIT` (spec §1.2): the session sends what the
/// server may have lost again, so the subscription is not stuck unconfirmed on this connection
/// (review of stop 32: the names stayed "on their way", never sent again, their events never
/// came).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscribe_dropped_by_the_server_rate_limit_is_sent_again() {
    let sim = BubbleSim::start(BubbleConfig {
        // The op 30 after BOT_READY and one more; then one a second.
        rate_limit: Some(botgate_sim::bubble::RateLimit {
            per_second: 1.0,
            burst: 2,
        }),
        ..sim_config()
    })
    .await
    .unwrap();
    let (handle, mut events) = driver::run(
        session(&sim, "sim-bubble-token", &["MESSAGE_CREATE"]),
        &DriverConfig::default(),
    );
    loop {
        if let SessionEvent::Subscriptions { .. } =
            within("subscribed", events.recv()).await.unwrap()
        {
            break;
        }
    }
    // Three op 30 in one turn: the server takes the first, drops the others.
    handle
        .with_machine(|m, now| {
            m.subscribe(now, &["GUILD_MEMBER_ADD"]);
            m.subscribe(now, &["DM_MESSAGE_CREATE"]);
            m.subscribe(now, &["MESSAGE_DELETE"]);
        })
        .await
        .unwrap();
    let want = [
        "DM_MESSAGE_CREATE",
        "GUILD_MEMBER_ADD",
        "MESSAGE_CREATE",
        "MESSAGE_DELETE",
    ];
    let mut limited = false;
    loop {
        match within("every subscription confirmed", events.recv())
            .await
            .unwrap()
        {
            SessionEvent::ServerError { code, .. } if code == "RATE_LIMIT" => limited = true,
            SessionEvent::Subscriptions { confirmed } if confirmed == want => break,
            _ => {}
        }
    }
    assert!(limited, "the sim's budget refused a subscribe");
    sim.push_event(
        "MESSAGE_DELETE",
        json!({"id": 41, "channelId": 5, "deleted": true}),
    );
    assert_eq!(next_of(&mut events, "MESSAGE_DELETE").await, "41");
    handle.shutdown().await.unwrap();
}

/// A session id sent as a number (ids are `string | number` in the AlemonJS client's types,
/// spec §1.5) is a session id: the session stays resumable (review of stop 32: it was
/// ignored, so every reconnect was a fresh session and lost what the server had buffered).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_numeric_session_id_is_kept() {
    let sim = BubbleSim::start(sim_config()).await.unwrap();
    let (handle, mut events) = driver::run(
        session(&sim, "sim-bubble-token", &["MESSAGE_CREATE"]),
        &DriverConfig::default(),
    );
    loop {
        if let SessionEvent::Ready(_) = within("the first ready", events.recv()).await.unwrap() {
            break;
        }
    }
    sim.send_raw(
        r#"{"op":0,"s":1,"t":"BOT_READY","d":{"session_id":4242,"guilds":[],"dm_threads":[],"available_events":["MESSAGE_CREATE"]}}"#,
    );
    let ready = loop {
        if let SessionEvent::Ready(ready) = within("the raw ready", events.recv()).await.unwrap() {
            break ready;
        }
    };
    assert_eq!(ready.session_id.as_deref(), Some("4242"));
    let state = handle.with_machine(|m, _| m.resume_state()).await.unwrap();
    assert_eq!(state.map(|s| s.session_id).as_deref(), Some("4242"));
    handle.shutdown().await.unwrap();
}
