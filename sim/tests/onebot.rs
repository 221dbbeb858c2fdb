//! OneBotSim: forward server driven by a raw client, reverse client against the transport
//! Listener.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::time::Duration;

use botgate_sim::onebot::{AuthFailure, OneBotConfig, OneBotSim, ResponseOrder};
use botgate_sim::{Fault, Record};
use botgate_testkit::within;
use botgate_transport::ws::{Listener, ListenerConfig, Message};
use botgate_transport::Secret;
use common::Raw;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite;

async fn connect(sim: &OneBotSim) -> Raw {
    let mut c = Raw::connect(&sim.url(), None).await.unwrap();
    let lifecycle = c.frame().await;
    assert_eq!(lifecycle["meta_event_type"], "lifecycle");
    assert_eq!(lifecycle["sub_type"], "connect");
    assert_eq!(lifecycle["self_id"], 123_456_789);
    c
}

#[tokio::test]
async fn forward_connection_gets_lifecycle_then_pushed_events() {
    let sim = OneBotSim::start_default().await.unwrap();
    // Held until someone connects.
    assert_eq!(
        sim.push_event(json!({"post_type": "notice", "notice_type": "friend_add", "user_id": 1})),
        0
    );
    let mut c = connect(&sim).await;
    assert_eq!(c.frame().await["notice_type"], "friend_add");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/onebot/events.jsonl"
    ))
    .unwrap();
    let n = sim.load_script(&text).unwrap();
    assert!(n >= 15, "{n}");
    let first = c.frame().await;
    assert_eq!(first["post_type"], "message");
    assert_eq!(first["message"][0]["data"]["text"], "hello");
    sim.inject(Fault::DuplicateLast);
    for _ in 1..n {
        c.frame().await;
    }
    let last = sim.log().sent().last().cloned().unwrap();
    assert_eq!(c.frame().await, last);
}

#[tokio::test]
async fn actions_are_answered_by_echo() {
    let sim = OneBotSim::start_default().await.unwrap();
    let mut c = connect(&sim).await;
    c.send(json!({"action": "send_group_msg", "params": {"group_id": 42, "message": [{"type": "text", "data": {"text": "hi"}}]}, "echo": "a"})).await;
    assert_eq!(
        c.frame().await,
        json!({"status": "ok", "retcode": 0, "data": {"message_id": 1}, "echo": "a"})
    );
    c.send(json!({"action": "get_login_info", "echo": {"n": 2}}))
        .await;
    assert_eq!(
        c.frame().await,
        json!({"status": "ok", "retcode": 0, "data": {"user_id": 123_456_789, "nickname": "botgate-sim"}, "echo": {"n": 2}})
    );
    // No action: dropped silently; bad JSON too; then an unknown action without echo.
    c.send(json!({"params": {}, "echo": "x"})).await;
    c.send_text("{oops").await;
    c.send(json!({"action": "set_restart"})).await;
    assert_eq!(
        c.frame().await,
        json!({"status": "failed", "retcode": 1404, "msg": "不支持的 API", "data": null})
    );
    sim.set_action_response(
        "get_status",
        json!({"status": "ok", "retcode": 0, "data": {"online": false, "good": true}}),
    );
    c.send(json!({"action": "get_status", "echo": "s"})).await;
    assert_eq!(c.frame().await["data"]["online"], false);

    let sent = sim.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].action, "send_group_msg");
    assert_eq!(sent[0].params["group_id"], 42);
    assert_eq!(sent[0].message_id, 1);
    assert_eq!(sim.actions().len(), 4);
}

#[tokio::test]
async fn responses_can_come_back_out_of_order() {
    let config = OneBotConfig {
        response_order: ResponseOrder::Reversed { batch: 3 },
        ..Default::default()
    };
    let sim = OneBotSim::start(config).await.unwrap();
    let mut c = connect(&sim).await;
    for i in 1..=3 {
        c.send(json!({"action": "send_private_msg", "params": {"user_id": i, "message": "x"}, "echo": i})).await;
    }
    let echoes: Vec<Value> = vec![
        c.frame().await["echo"].clone(),
        c.frame().await["echo"].clone(),
        c.frame().await["echo"].clone(),
    ];
    assert_eq!(echoes, vec![json!(3), json!(2), json!(1)]);
    let ids: Vec<i64> = sim.sent_messages().iter().map(|m| m.message_id).collect();
    assert_eq!(ids, vec![1, 2, 3]);
}

#[tokio::test]
async fn shuffled_responses_all_arrive_with_their_echo() {
    let config = OneBotConfig {
        response_order: ResponseOrder::Shuffled {
            max_delay: Duration::from_millis(20),
        },
        ..Default::default()
    };
    let sim = OneBotSim::start(config).await.unwrap();
    let mut c = connect(&sim).await;
    for i in 0..10 {
        c.send(json!({"action": "send_msg", "params": {"message": "x"}, "echo": format!("e{i}")}))
            .await;
    }
    let mut echoes = Vec::new();
    for _ in 0..10 {
        echoes.push(c.frame().await["echo"].as_str().unwrap().to_owned());
    }
    echoes.sort();
    let mut want: Vec<String> = (0..10).map(|i| format!("e{i}")).collect();
    want.sort();
    assert_eq!(echoes, want);
}

#[tokio::test]
async fn heartbeat_meta_events_every_interval_until_stopped() {
    let config = OneBotConfig {
        heartbeat_interval: Some(Duration::from_millis(20)),
        lifecycle_zero_first: true,
        ..Default::default()
    };
    let sim = OneBotSim::start(config).await.unwrap();
    let mut c = Raw::connect(&sim.url(), None).await.unwrap();
    assert_eq!(c.frame().await["self_id"], 0);
    assert_eq!(c.frame().await["self_id"], 123_456_789);
    for _ in 0..2 {
        let hb = c.frame().await;
        assert_eq!(hb["meta_event_type"], "heartbeat");
        assert_eq!(hb["interval"], 20);
        assert_eq!(hb["status"]["online"], true);
    }
}

#[tokio::test]
async fn forward_token_mismatch_closes_1008_like_waylay_or_answers_401_403() {
    let config = OneBotConfig {
        access_token: Some("tok".into()),
        ..Default::default()
    };
    let sim = OneBotSim::start(config).await.unwrap();
    let mut c = Raw::connect(&sim.url(), Some("Bearer nope")).await.unwrap();
    assert_eq!(c.close_code().await, Some(1008));
    let _ok = connect_with(&sim, &format!("{}?access_token=tok", sim.url()), None).await;
    let _ok = connect_with(&sim, &sim.url(), Some("Bearer tok")).await;

    let config = OneBotConfig {
        access_token: Some("tok".into()),
        auth_failure: AuthFailure::HttpStatus,
        ..Default::default()
    };
    let sim = OneBotSim::start(config).await.unwrap();
    for (auth, status) in [(None, 401), (Some("Bearer nope"), 403)] {
        match Raw::connect(&sim.url(), auth).await {
            Err(tungstenite::Error::Http(r)) => assert_eq!(r.status(), status),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}

async fn connect_with(_sim: &OneBotSim, url: &str, auth: Option<&str>) -> Raw {
    let mut c = Raw::connect(url, auth).await.unwrap();
    assert_eq!(c.frame().await["meta_event_type"], "lifecycle");
    c
}

#[tokio::test]
async fn reverse_client_reaches_the_listener_without_x_self_id() {
    let mut listener = Listener::bind(
        "127.0.0.1:0",
        ListenerConfig {
            access_token: Some(Secret::new("tok")),
            path: Some("/onebot/v11".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let config = OneBotConfig {
        access_token: Some("tok".into()),
        heartbeat_interval: None,
        ..Default::default()
    };
    let sim = OneBotSim::start(config).await.unwrap();
    sim.connect_reverse(&format!("ws://{}/onebot/v11", listener.local_addr()))
        .unwrap();
    let (mut stream, peer) = within("the reverse connection", listener.accept())
        .await
        .unwrap();
    assert_eq!(peer.self_id, None);
    assert_eq!(peer.role, None);
    let lifecycle = match within("the lifecycle event", stream.recv()).await.unwrap() {
        Some(Message::Text(t)) => serde_json::from_slice::<Value>(&t).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(lifecycle["self_id"], 123_456_789);
    stream
        .send_text(json!({"action": "send_msg", "params": {"message_type": "group", "group_id": 7, "message": "hi"}, "echo": 1}).to_string())
        .await
        .unwrap();
    match within("the action's answer", stream.recv()).await.unwrap() {
        Some(Message::Text(t)) => {
            let v: Value = serde_json::from_slice(&t).unwrap();
            assert_eq!(v["echo"], 1);
            assert_eq!(v["data"]["message_id"], 1);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.sent_messages()[0].params["group_id"], 7);
}

#[tokio::test]
async fn reverse_client_with_a_wrong_token_is_refused_403() {
    let listener = Listener::bind(
        "127.0.0.1:0",
        ListenerConfig {
            access_token: Some(Secret::new("right")),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let config = OneBotConfig {
        access_token: Some("wrong".into()),
        ..Default::default()
    };
    let sim = OneBotSim::start(config).await.unwrap();
    sim.connect_reverse(&format!("ws://{}/", listener.local_addr()))
        .unwrap();
    let status = within(
        "the refusal",
        sim.log().wait_for(|r| match r {
            Record::Rejected { status, .. } => Some(*status),
            _ => None,
        }),
    )
    .await;
    assert_eq!(status, 403, "a wrong token (a missing one would be 401)");
    assert!(sim.connect_reverse("not a url").is_err());
}

#[tokio::test]
async fn reverse_client_with_identity_names_its_account_and_role_as_go_cqhttp_does() {
    let mut listener = Listener::bind(
        "127.0.0.1:0",
        ListenerConfig {
            path: Some("/onebot/v11/ws".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let config = OneBotConfig {
        heartbeat_interval: None,
        reverse_identity: true,
        ..Default::default()
    };
    let sim = OneBotSim::start(config).await.unwrap();
    sim.connect_reverse_as(
        &format!("ws://{}/onebot/v11/ws", listener.local_addr()),
        10_000_000_001,
    )
    .unwrap();
    let (mut stream, peer) = within("the reverse connection", listener.accept())
        .await
        .unwrap();
    // Wider than 32 bits, as QQ numbers are.
    assert_eq!(peer.self_id, Some(10_000_000_001));
    assert_eq!(peer.role.as_deref(), Some("Universal"));
    let lifecycle = match within("the lifecycle event", stream.recv()).await.unwrap() {
        Some(Message::Text(t)) => serde_json::from_slice::<Value>(&t).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(lifecycle["self_id"], 10_000_000_001_i64);
}
