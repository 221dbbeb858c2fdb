//! QqSim driven frame by frame with a raw tungstenite client.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::time::Duration;

use botgate_sim::{Fault, QqConfig, QqSim, Record};
use botgate_testkit::within;
use common::{Got, Raw};
use serde_json::{json, Value};

const TOKEN: &str = "QQBot sim-access-token";

fn identify(token: &str, intents: u64, shard: Value) -> Value {
    json!({"op": 2, "d": {"token": token, "intents": intents, "shard": shard,
        "properties": {"$os": "linux", "$browser": "test", "$device": "test"}}})
}

async fn hello(sim: &QqSim) -> Raw {
    let mut c = Raw::connect(&sim.url(), None).await.unwrap();
    let hello = c.frame().await;
    assert_eq!(hello["op"], 10);
    assert_eq!(hello["d"]["heartbeat_interval"], 45000);
    c
}

/// Connects and identifies; returns the client and READY's `d`.
async fn ready(sim: &QqSim, intents: u64) -> (Raw, Value) {
    let mut c = hello(sim).await;
    c.send(identify(TOKEN, intents, json!([0, 1]))).await;
    let ready = c.frame().await;
    assert_eq!(
        (ready["op"].clone(), ready["t"].clone(), ready["s"].clone()),
        (json!(0), json!("READY"), json!(1))
    );
    (c, ready["d"].clone())
}

#[tokio::test]
async fn identify_gets_ready_and_heartbeats_are_acked() {
    let sim = QqSim::start_default().await.unwrap();
    let (mut c, ready) = ready(&sim, 1 << 30).await;
    assert_eq!(ready["user"]["id"], "6158788878435714165");
    assert_eq!(ready["shard"], json!([0, 1]));
    let session_id = ready["session_id"].as_str().unwrap().to_owned();
    c.send(json!({"op": 1, "d": 1})).await;
    assert_eq!(c.frame().await, json!({"op": 11}));

    let sessions = sim.sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].id, session_id);
    assert_eq!(sessions[0].intents, 1 << 30);
    assert_eq!(sim.identify_log()[0]["intents"], 1 << 30);
}

#[tokio::test]
async fn bad_identify_closes_with_the_right_code() {
    let config = QqConfig {
        allowed_intents: (1 << 0) | (1 << 1) | (1 << 30),
        shards: 2,
        ..Default::default()
    };
    let sim = QqSim::start(config).await.unwrap();
    let cases = [
        (identify("QQBot wrong", 1 << 30, json!([0, 2])), 4004),
        (identify("Bot 1.2", 1 << 30, json!([0, 2])), 4004),
        (identify(TOKEN, 1 << 2, json!([0, 2])), 4013),
        (identify(TOKEN, 1 << 12, json!([0, 2])), 4014),
        (identify(TOKEN, 1 << 30, json!([2, 2])), 4010),
        (identify(TOKEN, 1 << 30, json!([0, 0])), 4010),
        (identify(TOKEN, 1 << 30, json!("x")), 4010),
        (identify(TOKEN, 1 << 30, json!([0, 1])), 4011),
        (json!({"op": 0, "d": {}}), 4003),
        (json!({"d": {}}), 4002),
    ];
    for (frame, code) in cases {
        let mut c = hello(&sim).await;
        c.send(frame.clone()).await;
        assert_eq!(c.close_code().await, Some(code), "{frame}");
    }
    let mut c = hello(&sim).await;
    c.send_text("{not json").await;
    assert_eq!(c.close_code().await, Some(4002));
    // A second Identify on a live session.
    let mut c = hello(&sim).await;
    c.send(identify(TOKEN, 1 << 30, json!([1, 2]))).await;
    assert_eq!(c.frame().await["t"], "READY");
    c.send(identify(TOKEN, 1 << 30, json!([1, 2]))).await;
    assert_eq!(c.close_code().await, Some(4005));
}

#[tokio::test]
async fn dispatches_follow_intents_and_pending_events_wait_for_ready() {
    let sim = QqSim::start_default().await.unwrap();
    assert_eq!(
        sim.push_event("AT_MESSAGE_CREATE", json!({"content": "early"})),
        0
    );
    let (mut c, _) = ready(&sim, 1 << 30).await;
    let early = c.frame().await;
    assert_eq!(
        (early["s"].clone(), early["d"]["content"].clone()),
        (json!(2), json!("early"))
    );
    assert!(early["id"]
        .as_str()
        .unwrap()
        .starts_with("AT_MESSAGE_CREATE:"));

    assert_eq!(
        sim.push_event("MESSAGE_CREATE", json!({"content": "private"})),
        0
    );
    assert_eq!(sim.push_event("FUTURE_EVENT", json!({"x": 1})), 1);
    assert_eq!(
        sim.push_event("AT_MESSAGE_CREATE", json!({"content": "at"})),
        1
    );
    let f1 = c.frame().await;
    let f2 = c.frame().await;
    assert_eq!(
        (f1["t"].clone(), f1["s"].clone()),
        (json!("FUTURE_EVENT"), json!(3))
    );
    assert_eq!(
        (f2["t"].clone(), f2["s"].clone()),
        (json!("AT_MESSAGE_CREATE"), json!(4))
    );
    let types: Vec<Value> = sim
        .sent_dispatches()
        .iter()
        .map(|f| f["t"].clone())
        .collect();
    assert_eq!(
        types,
        vec![
            json!("READY"),
            json!("AT_MESSAGE_CREATE"),
            json!("FUTURE_EVENT"),
            json!("AT_MESSAGE_CREATE")
        ]
    );
}

#[tokio::test]
async fn resume_replays_every_dispatch_after_the_clients_seq() {
    let sim = QqSim::start_default().await.unwrap();
    let (mut c, ready) = ready(&sim, 1 << 30).await;
    let session_id = ready["session_id"].as_str().unwrap().to_owned();
    for i in 0..3 {
        sim.push_event("AT_MESSAGE_CREATE", json!({"n": i}));
    }
    for s in 2..=4 {
        assert_eq!(c.frame().await["s"], s);
    }
    assert_eq!(sim.inject(Fault::Drop), 1);
    assert!(matches!(c.got().await, Got::End));
    sim.log()
        .wait_for(|r| matches!(r, Record::Dropped { .. }).then_some(()))
        .await;
    // Two more while nobody is connected: kept for the session.
    sim.push_event("AT_MESSAGE_CREATE", json!({"n": 3}));
    sim.push_event("AT_MESSAGE_CREATE", json!({"n": 4}));

    let mut c = hello(&sim).await;
    c.send(json!({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": 2}}))
        .await;
    let mut replay = Vec::new();
    loop {
        let f = c.frame().await;
        replay.push((
            f["s"].as_u64().unwrap(),
            f["t"].as_str().unwrap().to_owned(),
            f["d"]["n"].clone(),
        ));
        if f["t"] == "RESUMED" {
            break;
        }
    }
    assert_eq!(
        replay,
        vec![
            (3, "AT_MESSAGE_CREATE".into(), json!(1)),
            (4, "AT_MESSAGE_CREATE".into(), json!(2)),
            (5, "AT_MESSAGE_CREATE".into(), json!(3)),
            (6, "AT_MESSAGE_CREATE".into(), json!(4)),
            (7, "RESUMED".into(), Value::Null),
        ]
    );
    // Live again on the resumed connection.
    sim.push_event("AT_MESSAGE_CREATE", json!({"n": 5}));
    assert_eq!(c.frame().await["s"], 8);
    assert_eq!(sim.resume_log()[0]["seq"], 2);
}

#[tokio::test]
async fn resume_with_unknown_session_or_future_seq_is_refused() {
    let sim = QqSim::start_default().await.unwrap();
    let (_c, ready) = ready(&sim, 1 << 30).await;
    let session_id = ready["session_id"].as_str().unwrap().to_owned();

    let mut c = hello(&sim).await;
    c.send(json!({"op": 6, "d": {"token": TOKEN, "session_id": "nope", "seq": 1}}))
        .await;
    assert_eq!(c.close_code().await, Some(4006));

    let mut c = hello(&sim).await;
    c.send(json!({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": 99}}))
        .await;
    assert_eq!(c.close_code().await, Some(4007));

    let mut c = hello(&sim).await;
    c.send(json!({"op": 6, "d": {"token": "QQBot bad", "session_id": session_id, "seq": 1}}))
        .await;
    assert_eq!(c.close_code().await, Some(4004));
}

#[tokio::test]
async fn faults_reach_the_connection() {
    let sim = QqSim::start_default().await.unwrap();
    let (mut c, ready) = ready(&sim, 1 << 30).await;
    let session_id = ready["session_id"].as_str().unwrap().to_owned();

    sim.inject(Fault::Reconnect);
    assert_eq!(c.frame().await, json!({"op": 7}));
    sim.inject(Fault::RequestHeartbeat);
    assert_eq!(c.frame().await, json!({"op": 1, "d": null}));

    sim.inject(Fault::StopAcks);
    c.send(json!({"op": 1, "d": 1})).await;
    sim.push_event("AT_MESSAGE_CREATE", json!({"n": 1}));
    // The next frame is the dispatch, not an ACK.
    let f = c.frame().await;
    assert_eq!(f["t"], "AT_MESSAGE_CREATE");
    sim.inject(Fault::DuplicateLast);
    assert_eq!(c.frame().await, f);
    sim.inject(Fault::ResumeAcks);
    c.send(json!({"op": 1, "d": 2})).await;
    assert_eq!(c.frame().await, json!({"op": 11}));

    sim.inject(Fault::InvalidSession { resumable: false });
    assert_eq!(c.frame().await, json!({"op": 9, "d": false}));
    assert!(sim.sessions().is_empty());
    sim.inject(Fault::Close {
        code: 4009,
        reason: "expired".into(),
    });
    assert_eq!(c.close_code().await, Some(4009));

    let mut c = hello(&sim).await;
    c.send(json!({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": 2}}))
        .await;
    assert_eq!(c.close_code().await, Some(4006));
}

#[tokio::test]
async fn silent_client_is_closed_4009() {
    let config = QqConfig {
        heartbeat_timeout: Some(Duration::from_millis(50)),
        ..Default::default()
    };
    let sim = QqSim::start(config).await.unwrap();
    let mut c = hello(&sim).await;
    assert_eq!(c.close_code().await, Some(4009));
}

#[tokio::test]
async fn script_lines_become_dispatches() {
    let sim = QqSim::start_default().await.unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/qq/frames.jsonl"
    ))
    .unwrap();
    let n = sim.load_script(&text).unwrap();
    assert!(n >= 10, "{n}");
    let (mut c, _) = ready(&sim, u64::from(botgate_sim::qq::intents::KNOWN)).await;
    let first = c.frame().await;
    assert_eq!(first["s"], 2);
    assert_ne!(first["t"], "READY");
    within(
        "every dispatch sent",
        sim.log().wait_count(
            n + 1,
            |r| matches!(r, Record::Sent { frame, .. } if frame["op"] == 0),
        ),
    )
    .await;
}

/// `POST {base}{path}` with `body`: `(status, answer)`.
async fn post(sim: &QqSim, path: &str, body: Value) -> (u16, Value) {
    botgate_transport::install_default_crypto_provider();
    let res = reqwest::Client::new()
        .post(format!("{}{path}", sim.http_base()))
        .header("authorization", TOKEN)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// As QQ sends them, the audit events of held sends name the guild and the channel both (a
/// channel's guild, a DM guild's channel, as the sim saw them), and go to the guild's shard.
#[tokio::test]
async fn audit_events_name_guild_and_channel_and_go_to_the_guilds_shard() {
    let config = QqConfig {
        shards: 2,
        ..Default::default()
    };
    let sim = QqSim::start(config).await.unwrap();
    let audit_intent = 1 << 27;
    let mut shards = Vec::new();
    for shard in 0..2 {
        let mut c = hello(&sim).await;
        c.send(identify(TOKEN, audit_intent, json!([shard, 2])))
            .await;
        assert_eq!(c.frame().await["t"], "READY");
        shards.push(c);
    }
    // Guild 1 << 22 is shard 1's; the sim learns channel c1's guild from an event.
    let guild = (1u64 << 22).to_string();
    sim.push_event(
        "AT_MESSAGE_CREATE",
        json!({"id": "m1", "guild_id": guild, "channel_id": "c1", "content": "hi"}),
    );
    let (status, dm) = post(
        &sim,
        "/users/@me/dms",
        json!({"source_guild_id": guild, "recipient_id": "u9"}),
    )
    .await;
    assert_eq!(status, 200, "{dm}");
    sim.hold_for_audit(2);
    let (status, held) = post(
        &sim,
        "/channels/c1/messages",
        json!({"content": "echo", "msg_id": "m1"}),
    )
    .await;
    assert_eq!(status, 202, "{held}");
    let dm_guild = dm["guild_id"].as_str().unwrap();
    let (status, held) = post(
        &sim,
        &format!("/dms/{dm_guild}/messages"),
        json!({"content": "psst"}),
    )
    .await;
    assert_eq!(status, 202, "{held}");
    assert_eq!(sim.held_for_audit(), ["sim-audit-1", "sim-audit-2"]);

    let seqs = |sim: &QqSim| -> Vec<([u64; 2], u64)> {
        sim.sessions().iter().map(|s| (s.shard, s.seq)).collect()
    };
    let message_id = sim.pass_audit("sim-audit-1").unwrap();
    let mut got = seqs(&sim);
    got.sort();
    assert_eq!(got, [([0, 2], 1), ([1, 2], 2)], "the pass went to shard 1");
    let pass = shards[1].frame_skipping_acks().await;
    assert_eq!(pass["t"], "MESSAGE_AUDIT_PASS");
    assert_eq!(
        (
            &pass["d"]["audit_id"],
            &pass["d"]["message_id"],
            &pass["d"]["guild_id"],
            &pass["d"]["channel_id"]
        ),
        (
            &json!("sim-audit-1"),
            &json!(message_id),
            &json!(guild),
            &json!("c1")
        )
    );
    // A DM guild's id is not a number: shard 0.
    assert!(sim.reject_audit("sim-audit-2"));
    let mut got = seqs(&sim);
    got.sort();
    assert_eq!(
        got,
        [([0, 2], 2), ([1, 2], 2)],
        "the reject went to shard 0"
    );
    let reject = shards[0].frame_skipping_acks().await;
    assert_eq!(reject["t"], "MESSAGE_AUDIT_REJECT");
    assert_eq!(
        (
            &reject["d"]["audit_id"],
            &reject["d"]["guild_id"],
            &reject["d"]["channel_id"]
        ),
        (&json!("sim-audit-2"), &dm["guild_id"], &dm["channel_id"])
    );
    assert!(reject["d"].get("message_id").is_none());
}

#[test]
fn sims_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<QqSim>();
    send_sync::<botgate_sim::BubbleSim>();
    send_sync::<botgate_sim::OneBotSim>();
    send_sync::<botgate_sim::Log>();
}
