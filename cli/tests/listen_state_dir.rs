//! `botgate listen --state-dir`: a second run resumes the session the first one left (QQ and
//! Bubble extended sims): it prints exactly the events sent while no process ran.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;

use botgate_sim::bubble::Profile;
use botgate_sim::{BubbleConfig, BubbleSim, QqConfig, QqSim};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const BIN: &str = env!("CARGO_BIN_EXE_botgate");
/// A bound on each wait so a broken build fails instead of hanging CI.
const LIMIT: Duration = Duration::from_secs(30);

struct Listener {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Listener {
    fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .arg("listen")
            .args(args)
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, lines }
    }

    /// The `content` of the next printed event.
    async fn next_content(&mut self) -> String {
        let line = tokio::time::timeout(LIMIT, self.lines.next_line())
            .await
            .expect("a line within the limit")
            .unwrap()
            .expect("stdout still open");
        let v: Value = serde_json::from_str(&line).unwrap();
        v["data"]["content"].as_str().unwrap().to_owned()
    }

    /// Closes stdin (a clean stop: the last state is saved) and checks what is left unread.
    async fn close(mut self) -> Vec<String> {
        drop(self.child.stdin.take());
        let status = tokio::time::timeout(LIMIT, self.child.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success(), "{status:?}");
        let mut rest = Vec::new();
        while let Some(line) = self.lines.next_line().await.unwrap() {
            rest.push(line);
        }
        rest
    }
}

async fn two_runs(args: &[&str], push: impl Fn(u32)) {
    let mut first = Listener::spawn(args);
    for i in 0..3 {
        push(i);
    }
    for i in 0..3 {
        assert_eq!(first.next_content().await, format!("m{i}"));
    }
    assert_eq!(first.close().await, Vec::<String>::new());
    for i in 3..5 {
        push(i);
    }
    let mut second = Listener::spawn(args);
    for i in 3..5 {
        assert_eq!(second.next_content().await, format!("m{i}"));
    }
    push(5);
    assert_eq!(second.next_content().await, "m5");
    assert_eq!(second.close().await, Vec::<String>::new(), "nothing twice");
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
    let resumes = sim
        .log()
        .received()
        .into_iter()
        .filter(|f| f["op"] == 6)
        .count();
    assert_eq!(resumes, 1, "the second run resumed");
    assert!(dir.path().join("bubble_default.json").exists());
}
