//! `botgate listen --state-dir`: a second run resumes the session the first one left (QQ and
//! Bubble extended sims): it prints exactly the events sent while no process ran.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use botgate_sim::bubble::Profile;
use botgate_sim::{BubbleConfig, BubbleSim, QqConfig, QqSim};
use serde_json::json;
use support::{argv, Proc};

/// `botgate listen ARGS --exit-on-stdin-eof`, with stdin to close.
fn listen(args: &[&str]) -> Proc {
    let mut all = argv(&["listen"], args);
    all.push("--exit-on-stdin-eof".into());
    Proc::spawn_with_stdin(all)
}

/// The `content` of the next printed event.
async fn next_content(listener: &mut Proc) -> String {
    let v = listener.next_json().await;
    v["data"]["content"].as_str().unwrap().to_owned()
}

/// Closes stdin (a clean stop: the last state is saved) and returns what is left unread.
async fn close(mut listener: Proc) -> String {
    listener.close_stdin();
    let exit = listener.finish().await;
    assert_eq!(exit.code, Some(0), "{}", exit.stderr);
    exit.rest
}

async fn two_runs(args: &[&str], push: impl Fn(u32)) {
    let mut first = listen(args);
    for i in 0..3 {
        push(i);
    }
    for i in 0..3 {
        assert_eq!(next_content(&mut first).await, format!("m{i}"));
    }
    assert_eq!(close(first).await, "");
    for i in 3..5 {
        push(i);
    }
    let mut second = listen(args);
    for i in 3..5 {
        assert_eq!(next_content(&mut second).await, format!("m{i}"));
    }
    push(5);
    assert_eq!(next_content(&mut second).await, "m5");
    assert_eq!(close(second).await, "", "nothing twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_listen_with_a_state_dir_resumes_where_the_last_run_stopped() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url();
    let args = [
        "--platform",
        "qq",
        "--token",
        "QQBot sim-access-token",
        "--url",
        &url,
        "--events",
        "AT_MESSAGE_CREATE",
        "--state-dir",
        dir.path().to_str().unwrap(),
    ];
    two_runs(&args, |i| {
        sim.push_event(
            "AT_MESSAGE_CREATE",
            json!({"id": format!("id{i}"), "channel_id": "1", "guild_id": "1",
                   "content": format!("m{i}"), "author": {"id": "2"}}),
        );
    })
    .await;
    assert_eq!(sim.identify_log().len(), 1, "the second run resumed");
    assert_eq!(sim.resume_log().len(), 1);
    assert!(dir.path().join("qq_token_0-1.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_listen_with_a_state_dir_resumes_where_the_last_run_stopped() {
    let sim = BubbleSim::start(BubbleConfig {
        profile: Profile::Extended,
        ..BubbleConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url();
    let token = sim.config().token.clone();
    let args = [
        "--platform",
        "bubble",
        "--token",
        &token,
        "--url",
        &url,
        "--events",
        "MESSAGE_CREATE",
        "--state-dir",
        dir.path().to_str().unwrap(),
    ];
    two_runs(&args, |i| {
        sim.push_event(
            "MESSAGE_CREATE",
            json!({"id": 100 + i, "channelId": 1, "content": format!("m{i}"),
                   "author": {"id": 2, "name": "u"}}),
        );
    })
    .await;
    let resumes = support::bubble_resumes(&sim);
    assert_eq!(resumes, 1, "the second run resumed");
    assert!(dir.path().join("bubble_default.json").exists());
}
