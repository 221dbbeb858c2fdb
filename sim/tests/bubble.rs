//! BubbleSim driven frame by frame with a raw tungstenite client.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use botgate_sim::bubble::{BubbleConfig, BubbleSim, Profile, RateLimit, ReadyShape};
use botgate_sim::{Fault, Record};
use botgate_testkit::within;
use botgate_transport::ws::{self, ConnectOptions};
use botgate_transport::{ErrorKind, Secret};
use common::{Got, Raw};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite;

const AUTH: &str = "Bearer sim-bubble-token";

async fn connect(sim: &BubbleSim) -> Raw {
    let mut c = Raw::connect(&sim.url(), Some(AUTH)).await.unwrap();
    assert_eq!(
        c.frame().await,
        json!({"op": 10, "d": {"heartbeat_interval": 30000}})
    );
    c
}

fn extended() -> BubbleConfig {
    BubbleConfig {
        profile: Profile::Extended,
        // Long enough that a loaded machine cannot turn a resume into a fresh session; the
        // tests end the window by sending a frame.
        resume_window: std::time::Duration::from_secs(5),
        ..Default::default()
    }
}

#[tokio::test]
async fn wrong_bearer_is_refused_with_401_before_the_upgrade() {
    let sim = BubbleSim::start_default().await.unwrap();
    match Raw::connect(&sim.url(), Some("Bearer wrong")).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("{:?}", other.map(|_| ())),
    }
    let err = ws::connect(&sim.url(), &ConnectOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::UpgradeRejected { status: 401 });
    assert!(err.is_auth_failure());
    // The right token through the transport client works.
    let options = ConnectOptions::new().bearer(Secret::new("sim-bubble-token"));
    let _ok = ws::connect(&sim.url(), &options).await.unwrap();
    let rejected = sim
        .log()
        .snapshot()
        .iter()
        .filter(|r| matches!(r, Record::Rejected { status: 401, .. }))
        .count();
    assert_eq!(rejected, 2);
}

#[tokio::test]
async fn strict_profile_subscribes_and_dispatches_only_subscribed_events() {
    let sim = BubbleSim::start_default().await.unwrap();
    let mut c = connect(&sim).await;
    let ready = c.frame().await;
    assert_eq!(ready["t"], "BOT_READY");
    assert!(ready.get("s").is_none(), "strict has no s: {ready}");
    assert!(ready["d"].get("sessionId").is_none());
    assert_eq!(ready["d"]["bot"]["botUser"]["id"], 123);
    assert!(ready["d"]["availableEvents"]
        .as_array()
        .unwrap()
        .contains(&json!("MESSAGE_CREATE")));

    c.send(json!({"op": 1, "d": null})).await;
    assert_eq!(c.frame().await, json!({"op": 11}));

    c.send(json!({"op": 30, "d": {"events": ["MESSAGE_CREATE", "NOPE"]}}))
        .await;
    assert_eq!(
        c.frame().await,
        json!({"op": 0, "t": "EVENTS_SUBSCRIBED", "d": {"subscribedEvents": ["MESSAGE_CREATE"], "invalidEvents": ["NOPE"]}})
    );
    assert_eq!(sim.push_event("DM_MESSAGE_CREATE", json!({"id": 1})), 0);
    assert_eq!(sim.push_event("MESSAGE_CREATE", json!({"id": 2})), 1);
    assert_eq!(
        c.frame().await,
        json!({"op": 0, "t": "MESSAGE_CREATE", "d": {"id": 2}})
    );

    // The seed's `event_types` is accepted too; the held DM event follows the subscription.
    c.send(json!({"op": 30, "d": {"event_types": ["DM_MESSAGE_CREATE"]}}))
        .await;
    assert_eq!(
        c.frame().await["d"]["subscribedEvents"],
        json!(["DM_MESSAGE_CREATE"])
    );
    assert_eq!(
        c.frame().await,
        json!({"op": 0, "t": "DM_MESSAGE_CREATE", "d": {"id": 1}})
    );

    c.send(json!({"op": 31, "d": {"events": ["MESSAGE_CREATE"]}}))
        .await;
    assert_eq!(
        c.frame().await,
        json!({"op": 0, "t": "EVENTS_UNSUBSCRIBED", "d": {"unsubscribedEvents": ["MESSAGE_CREATE"]}})
    );
    assert_eq!(sim.push_event("MESSAGE_CREATE", json!({"id": 3})), 0);
    assert_eq!(
        sim.subscriptions(),
        vec![vec!["DM_MESSAGE_CREATE".to_owned()]]
    );
    // Unknown (future) event types reach every session.
    assert_eq!(sim.push_event("SOMETHING_NEW", json!({"x": 1})), 1);
    assert_eq!(c.frame().await["t"], "SOMETHING_NEW");
}

#[tokio::test]
async fn extended_profile_resumes_with_replay_and_keeps_subscriptions() {
    let sim = BubbleSim::start(extended()).await.unwrap();
    let mut c = connect(&sim).await;
    // Any frame other than op 6 ends the resume window at once.
    c.send(json!({"op": 1, "d": null})).await;
    let ready = c.frame_skipping_acks().await;
    assert_eq!(
        (ready["t"].clone(), ready["s"].clone()),
        (json!("BOT_READY"), json!(1))
    );
    let session_id = ready["d"]["sessionId"].as_str().unwrap().to_owned();
    c.send(json!({"op": 30, "d": {"events": ["MESSAGE_CREATE"]}}))
        .await;
    assert_eq!(c.frame_skipping_acks().await["s"], 2);
    for id in 1..=3 {
        sim.push_event("MESSAGE_CREATE", json!({"id": id}));
    }
    for s in 3..=5 {
        assert_eq!(c.frame_skipping_acks().await["s"], s);
    }
    sim.inject(Fault::Drop);
    assert!(matches!(c.got().await, Got::End));
    within(
        "the sim logging the drop",
        sim.log()
            .wait_for(|r| matches!(r, Record::Dropped { .. }).then_some(())),
    )
    .await;
    assert_eq!(sim.push_event("MESSAGE_CREATE", json!({"id": 4})), 1);

    let mut c = connect(&sim).await;
    c.send(json!({"op": 6, "d": {"sessionId": session_id, "seq": 3}}))
        .await;
    let mut got = Vec::new();
    loop {
        let f = c.frame().await;
        got.push((
            f["s"].as_u64().unwrap(),
            f["t"].as_str().unwrap().to_owned(),
            f["d"].clone(),
        ));
        if f["t"] == "RESUMED" {
            break;
        }
    }
    assert_eq!(
        got,
        vec![
            (4, "MESSAGE_CREATE".into(), json!({"id": 2})),
            (5, "MESSAGE_CREATE".into(), json!({"id": 3})),
            (6, "MESSAGE_CREATE".into(), json!({"id": 4})),
            (7, "RESUMED".into(), json!({"replayed": 3})),
        ]
    );
    assert_eq!(sim.push_event("MESSAGE_CREATE", json!({"id": 5})), 1);
    assert_eq!(c.frame().await["s"], 8);
}

/// A dispatch pushed while the connection is busy takes its seq first, so it is written
/// before the answer to a client frame that was waiting on the socket: one socket never
/// carries seqs out of order (a client drops the lower seq after such a gap as a replay).
#[tokio::test]
async fn pushed_dispatches_and_answers_to_client_frames_leave_in_seq_order() {
    let sim = BubbleSim::start(BubbleConfig {
        rate_limit: None,
        ..extended()
    })
    .await
    .unwrap();
    let mut c = connect(&sim).await;
    c.send(json!({"op": 30, "d": {"events": ["MESSAGE_CREATE"]}}))
        .await;
    assert_eq!(c.frame_skipping_acks().await["t"], "BOT_READY");
    assert_eq!(c.frame_skipping_acks().await["s"], 2);
    let mut last = 2;
    // Each round the push and the client's op 30 are both waiting when the stall ends; the
    // connection used to answer the op 30 (seq n + 1) before writing the push (seq n).
    for round in 0..16 {
        sim.inject(Fault::Delay(std::time::Duration::from_millis(20)));
        assert_eq!(sim.push_event("MESSAGE_CREATE", json!({"id": round})), 1);
        let name = if round % 2 == 0 {
            "MESSAGE_UPDATE"
        } else {
            "MESSAGE_DELETE"
        };
        c.send(json!({"op": 30, "d": {"events": [name]}})).await;
        let mut types = Vec::new();
        for _ in 0..2 {
            let f = c.frame_skipping_acks().await;
            let s = f["s"].as_u64().unwrap();
            assert_eq!(s, last + 1, "round {round}: {f}");
            last = s;
            types.push(f["t"].as_str().unwrap().to_owned());
        }
        assert_eq!(
            types,
            ["MESSAGE_CREATE", "EVENTS_SUBSCRIBED"],
            "round {round}"
        );
    }
}

/// An op 6 that comes after the sim has announced a fresh session on the connection (its
/// resume window over: a slow client, a loaded machine) is too late: the connection keeps the
/// session its BOT_READY named. The sim used to give that session up and resume the old one
/// behind it, so the client held the id of a session that no longer existed: its next resume
/// got op 9 and a fresh session, and what the real session had buffered was lost (review of
/// stop 32).
#[tokio::test]
async fn a_resume_after_the_fresh_bot_ready_keeps_the_fresh_session() {
    let sim = BubbleSim::start(extended()).await.unwrap();
    let mut c = connect(&sim).await;
    c.send(json!({"op": 1, "d": null})).await;
    let first = c.frame_skipping_acks().await;
    let old_id = first["d"]["sessionId"].as_str().unwrap().to_owned();
    c.send(json!({"op": 30, "d": {"events": ["MESSAGE_CREATE"]}}))
        .await;
    assert_eq!(c.frame_skipping_acks().await["s"], 2);
    sim.inject(Fault::Drop);
    assert!(matches!(c.got().await, Got::End));

    // The window ends (a heartbeat) before the op 6 arrives.
    let mut c = connect(&sim).await;
    c.send(json!({"op": 1, "d": 2})).await;
    let ready = c.frame().await;
    assert_eq!(
        (ready["t"].clone(), ready["s"].clone()),
        (json!("BOT_READY"), json!(1))
    );
    assert_eq!(c.frame().await, json!({"op": 11}));
    let fresh_id = ready["d"]["sessionId"].as_str().unwrap().to_owned();
    assert_ne!(fresh_id, old_id);
    c.send(json!({"op": 6, "d": {"sessionId": old_id, "seq": 2}}))
        .await;
    // Frames are answered in order: no RESUMED (nor a replay) before this heartbeat's ACK.
    c.send(json!({"op": 1, "d": 1})).await;
    assert_eq!(c.frame().await, json!({"op": 11}));
    // The connection's session is the fresh one: its numbering goes on ...
    c.send(json!({"op": 30, "d": {"events": ["MESSAGE_CREATE"]}}))
        .await;
    let subscribed = c.frame_skipping_acks().await;
    assert_eq!(
        (subscribed["t"].clone(), subscribed["s"].clone()),
        (json!("EVENTS_SUBSCRIBED"), json!(2))
    );
    sim.inject(Fault::Drop);
    assert!(matches!(c.got().await, Got::End));
    // ... and it is the one a later resume finds.
    let mut c = connect(&sim).await;
    c.send(json!({"op": 6, "d": {"sessionId": fresh_id, "seq": 2}}))
        .await;
    assert_eq!(c.frame().await["t"], "RESUMED");
}

#[tokio::test]
async fn extended_resume_of_an_unknown_session_gets_op9_and_a_fresh_ready() {
    let sim = BubbleSim::start(extended()).await.unwrap();
    let mut c = connect(&sim).await;
    c.send(json!({"op": 6, "d": {"sessionId": "gone", "seq": 5}}))
        .await;
    assert_eq!(c.frame().await, json!({"op": 9, "d": false}));
    let ready = c.frame().await;
    assert_eq!(ready["t"], "BOT_READY");
    assert!(ready["d"]["sessionId"].is_string());
    c.send(json!({"op": 99})).await;
    assert_eq!(c.close_code().await, Some(4001));
}

#[tokio::test]
async fn over_rate_messages_get_error_rate_limit_and_heartbeats_are_exempt() {
    // Burst 20 with (almost) no refill: exactly 20 pass however slow the machine is. The
    // refill rate itself is unit-tested on the token bucket.
    let config = BubbleConfig {
        rate_limit: Some(RateLimit {
            per_second: 0.001,
            burst: 20,
        }),
        ..Default::default()
    };
    let sim = BubbleSim::start(config).await.unwrap();
    let mut c = connect(&sim).await;
    assert_eq!(c.frame().await["t"], "BOT_READY");
    for _ in 0..30 {
        c.send(json!({"op": 1, "d": null})).await;
    }
    for _ in 0..30 {
        assert_eq!(c.frame().await, json!({"op": 11}));
    }
    for _ in 0..25 {
        c.send(json!({"op": 30, "d": {"events": ["MESSAGE_CREATE"]}}))
            .await;
    }
    let mut kinds = Vec::new();
    for _ in 0..25 {
        let f = c.frame().await;
        if f["t"] == "ERROR" {
            assert_eq!(
                f["d"],
                json!({"code": "RATE_LIMIT", "message": "Too many messages"})
            );
        }
        kinds.push(f["t"].as_str().unwrap().to_owned());
    }
    let mut want = vec!["EVENTS_SUBSCRIBED".to_owned(); 20];
    want.extend(vec!["ERROR".to_owned(); 5]);
    assert_eq!(kinds, want);
    // With close_on_rate_limit the connection also goes (4008).
    let config = BubbleConfig {
        rate_limit: Some(RateLimit {
            per_second: 0.001,
            burst: 1,
        }),
        close_on_rate_limit: true,
        ..Default::default()
    };
    let sim = BubbleSim::start(config).await.unwrap();
    let mut c = connect(&sim).await;
    for _ in 0..2 {
        c.send(json!({"op": 30, "d": {"events": []}})).await;
    }
    assert_eq!(c.close_code().await, Some(4008));
}

#[tokio::test]
async fn a_second_connection_closes_the_first_with_4010() {
    let sim = BubbleSim::start_default().await.unwrap();
    let mut first = connect(&sim).await;
    assert_eq!(first.frame().await["t"], "BOT_READY");
    let mut second = connect(&sim).await;
    assert_eq!(first.close_code().await, Some(4010));
    assert_eq!(second.frame().await["t"], "BOT_READY");
}

#[tokio::test]
async fn ready_shapes_follow_the_config() {
    for (shape, key) in [
        (ReadyShape::Seed, "guilds"),
        (ReadyShape::AlemonJs, "available_events"),
    ] {
        let config = BubbleConfig {
            ready_shape: shape,
            profile: Profile::Extended,
            ..Default::default()
        };
        let sim = BubbleSim::start(config).await.unwrap();
        let mut c = connect(&sim).await;
        c.send(json!({"op": 30, "d": {"events": []}})).await;
        let ready = c.frame().await;
        assert_eq!(ready["t"], "BOT_READY");
        assert!(ready["d"].get(key).is_some(), "{ready}");
        let session_key = if shape == ReadyShape::AlemonJs {
            "session_id"
        } else {
            "sessionId"
        };
        assert!(ready["d"][session_key].is_string(), "{ready}");
        let sub: Value = c.frame().await;
        assert_eq!(sub["d"]["subscribedEvents"], json!([]));
    }
}
