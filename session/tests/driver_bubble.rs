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
        resume_window: Duration::from_millis(10),
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
