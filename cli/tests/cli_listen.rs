//! `botgate listen` through the real binary, against the simulators on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::ffi::OsStr;

use botgate_sim::{BubbleConfig, BubbleSim, Fault, OneBotSim, QqConfig, QqSim, Record};
use serde_json::{json, Value};
use support::{argv, qq_app, Exit, Proc, Signal, LIMIT};

/// `botgate listen ARGS`, run the way a service runs: stdin is /dev/null.
fn listen(args: &[impl AsRef<OsStr>]) -> Proc {
    Proc::spawn(argv(&["listen"], args))
}

/// SIGTERM, and the clean exit it must cause.
async fn close(listener: Proc) {
    let exit = listener.stop(Signal::Term).await;
    assert_eq!(exit.code, Some(0), "stderr:\n{}", exit.stderr);
    assert_eq!(exit.rest, "", "no output after the last expected line");
}

/// The client closed connection `conn` of a sim with a normal close (1000).
async fn normal_close(log: &botgate_sim::Log) -> Option<u16> {
    tokio::time::timeout(
        LIMIT,
        log.wait_for(|r| match r {
            Record::Disconnected { code, .. } => Some(*code),
            _ => None,
        }),
    )
    .await
    .expect("the sim saw the client go")
}

fn msg(i: u32) -> Value {
    json!({"id": format!("m{i}"), "channel_id": "100010", "guild_id": "1", "content": format!("hello {i} 你好"),
           "author": {"id": "42", "username": "小明"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_qq_prints_events_sends_computed_intents_and_resumes() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let mut listener = listen(&qq_app(
        &sim,
        &["--events", "AT_MESSAGE_CREATE,GUILD_MEMBER_ADD"],
    ));
    for i in 0..3 {
        sim.push_event("AT_MESSAGE_CREATE", msg(i));
    }
    let mut seqs = Vec::new();
    for i in 0..3 {
        let line = listener.next_json().await;
        assert_eq!(line["t"], "AT_MESSAGE_CREATE");
        assert_eq!(line["data"]["content"], format!("hello {i} 你好"));
        assert_eq!(line["data"]["author"]["username"], "小明");
        seqs.push(line["s"].as_u64().unwrap());
    }
    // Identify carried the intents computed from --events: GUILD_MEMBERS | PUBLIC_GUILD_MESSAGES.
    let identify = sim.identify_log();
    assert_eq!(identify.len(), 1);
    assert_eq!(identify[0]["intents"], 1_073_741_826u64);

    sim.inject(Fault::Drop);
    for i in 3..5 {
        sim.push_event("AT_MESSAGE_CREATE", msg(i));
    }
    for i in 3..5 {
        let line = listener.next_json().await;
        assert_eq!(line["data"]["content"], format!("hello {i} 你好"));
        seqs.push(line["s"].as_u64().unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(
        sim.resume_log().len(),
        1,
        "reconnected with Resume, not a new Identify"
    );
    assert_eq!(sim.identify_log().len(), 1);
    close(listener).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_qq_with_a_wrong_fixed_token_fails_fast() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    // Run as a service (stdin /dev/null): the process must stop on its own, with exit 1.
    let out = listen(&[
        "--platform",
        "qq",
        "--token",
        "QQBot wrong-token",
        "--url",
        &sim.url(),
    ])
    .finish()
    .await;
    assert_eq!(out.code, Some(1));
    let stderr = out.stderr;
    assert!(
        stderr.contains("4004") || stderr.to_lowercase().contains("auth"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong-token"),
        "the token must not be logged: {stderr}"
    );
    assert_eq!(sim.identify_log().len(), 1, "no retry loop");
}

/// Started like a service (stdin /dev/null, so at its end from the first moment), `listen`
/// keeps running and delivering, and SIGTERM closes the session normally: exit 0, close 1000.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_with_stdin_at_dev_null_runs_until_sigterm() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let mut listener = listen(&qq_app(&sim, &["--events", "AT_MESSAGE_CREATE"]));
    for round in 0..3 {
        for i in 0..10 {
            sim.push_event("AT_MESSAGE_CREATE", msg(round * 10 + i));
        }
        for i in 0..10 {
            let line = listener.next_json().await;
            assert_eq!(
                line["data"]["content"],
                format!("hello {} 你好", round * 10 + i)
            );
        }
    }
    assert_eq!(sim.connections(), 1, "still connected after stdin ended");
    let Exit { code, rest, stderr } = listener.stop(Signal::Term).await;
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(rest, "");
    assert!(stderr.contains("SIGTERM"), "{stderr}");
    assert_eq!(normal_close(sim.log()).await, Some(1000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_stops_cleanly_on_sigint() {
    let sim = OneBotSim::start_default().await.unwrap();
    let mut listener = listen(&[
        "--platform",
        "onebot",
        "--url",
        &sim.url(),
        "--events",
        "message",
    ]);
    for i in 0..5 {
        sim.push_event(json!({"post_type": "message", "message_type": "private", "sub_type": "friend",
            "message_id": i, "user_id": 77, "message": format!("m{i}"), "raw_message": "", "font": 0,
            "sender": {"user_id": 77}}));
    }
    for i in 0..5 {
        assert_eq!(listener.next_json().await["data"]["message_id"], i);
    }
    let Exit { code, rest, stderr } = listener.stop(Signal::Int).await;
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(rest, "");
    assert!(stderr.contains("SIGINT"), "{stderr}");
    assert_eq!(normal_close(sim.log()).await, Some(1000));
}

/// The old behaviour survives as an opt-in: with `--exit-on-stdin-eof`, closing stdin stops
/// `listen` cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_exits_at_end_of_stdin_only_when_asked() {
    let sim = OneBotSim::start_default().await.unwrap();
    let mut listener = Proc::spawn_with_stdin([
        "listen",
        "--platform",
        "onebot",
        "--url",
        &sim.url(),
        "--exit-on-stdin-eof",
    ]);
    // the lifecycle event proves the session is up
    let first = listener.next_line().await;
    assert!(first.contains("meta_event.lifecycle"), "{first}");
    listener.close_stdin();
    let out = listener.finish().await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(normal_close(sim.log()).await, Some(1000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_bubble_prints_subscribed_events() {
    let sim = BubbleSim::start(BubbleConfig::default()).await.unwrap();
    let token = sim.config().token.clone();
    let mut listener = listen(&[
        "--platform",
        "bubble",
        "--token",
        &token,
        "--url",
        &sim.url(),
        "--events",
        "MESSAGE_CREATE",
    ]);
    sim.push_event(
        "MESSAGE_CREATE",
        json!({"id": 7, "channelId": 9, "content": "泡泡 🫧", "author": {"id": 5, "name": "a"}}),
    );
    let line = listener.next_json().await;
    assert_eq!(line["t"], "MESSAGE_CREATE");
    assert_eq!(line["data"]["content"], "泡泡 🫧");
    assert_eq!(line["data"]["id"], 7);
    assert_eq!(
        sim.subscriptions().last().unwrap(),
        &vec!["MESSAGE_CREATE".to_owned()]
    );
    close(listener).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_onebot_prints_kinds() {
    let sim = OneBotSim::start_default().await.unwrap();
    let mut listener = listen(&[
        "--platform",
        "onebot",
        "--url",
        &sim.url(),
        "--events",
        "message",
    ]);
    sim.push_event(json!({"time": 1, "self_id": 123456789, "post_type": "message", "message_type": "private",
        "sub_type": "friend", "message_id": 5, "user_id": 77, "message": "[CQ:face,id=178]hi", "raw_message": "hi", "font": 0,
        "sender": {"user_id": 77, "nickname": "n"}}));
    let line = listener.next_json().await;
    assert_eq!(line["kind"], "message.private");
    assert_eq!(line["data"]["user_id"], 77);
    assert_eq!(line["data"]["message"][0]["type"], "face");
    close(listener).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_unified_prints_unified_events() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let mut listener = listen(&qq_app(
        &sim,
        &["--events", "AT_MESSAGE_CREATE", "--unified"],
    ));
    sim.push_event("AT_MESSAGE_CREATE", msg(1));
    let line = listener.next_json().await;
    assert_eq!(line["platform"], "qq");
    assert_eq!(line["event"], "message");
    assert_eq!(line["sub_event"], "guild");
    assert_eq!(line["contact"]["scene"], "guild");
    assert_eq!(line["contact"]["peer"], "1");
    assert_eq!(line["contact"]["sub_peer"], "100010");
    assert_eq!(line["sender"]["uid"], "42");
    assert_eq!(line["self_id"], sim.config().bot_user.0);
    close(listener).await;
}
