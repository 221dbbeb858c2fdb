//! `botgate listen --webhook` fed by `botgate sim --webhook-target`, both as real processes on
//! 127.0.0.1: the sim validates the URL (QQ), delivers a `/ping`, replays it and posts each
//! fault; listen prints the verified deliveries exactly as WebSocket `listen` prints frames
//! (a replayed delivery is printed once, as a resent frame is), refuses the faults, and stops
//! with exit 0 on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const BIN: &str = env!("CARGO_BIN_EXE_botgate");
/// A bound on each wait (Bubble's retry schedule may add 1 s when the sim posts first).
const LIMIT: Duration = Duration::from_secs(30);

struct Proc {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Proc {
    fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, lines }
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(LIMIT, self.lines.next_line())
            .await
            .expect("a line within the limit")
            .unwrap()
            .expect("stdout still open");
        serde_json::from_str(&line).unwrap()
    }

    /// SIGTERM; returns the exit code, what was left on stdout and stderr.
    async fn term(mut self) -> (Option<i32>, String, String) {
        let pid = self.child.id().unwrap();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let mut rest = String::new();
        while let Some(line) = tokio::time::timeout(LIMIT, self.lines.next_line())
            .await
            .unwrap()
            .unwrap()
        {
            rest.push_str(&line);
            rest.push('\n');
        }
        let out = tokio::time::timeout(LIMIT, self.child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        (
            out.status.code(),
            rest,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn free_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port().to_string()
}

/// Reads the sim's webhook lines until the last fault; returns them (the announce line and
/// failed attempts at a target not listening yet are skipped).
async fn sim_lines(sim: &mut Proc, last_fault: &str) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let line = sim.next().await;
        // Skipped: the announce line, and attempts made before listen was up (no fault).
        if line.get("webhook").is_none() || (line["status"].is_null() && line["fault"].is_null()) {
            continue;
        }
        let done = line["fault"] == last_fault;
        out.push(line);
        if done {
            return out;
        }
    }
}

fn statuses(lines: &[Value]) -> Vec<(String, u64)> {
    lines
        .iter()
        .map(|l| {
            (
                l["fault"]
                    .as_str()
                    .unwrap_or(l["webhook"].as_str().unwrap())
                    .to_owned(),
                l["status"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("no answer: {l}")),
            )
        })
        .collect()
}

#[tokio::test]
async fn qq_webhook_listen_prints_verified_deliveries_and_refuses_faults() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut listen = Proc::spawn(&[
        "listen",
        "--platform",
        "qq",
        "--webhook",
        &addr,
        "--app-id",
        "102000001",
        "--secret",
        "sim-client-secret",
    ]);
    let target = format!("http://{addr}/");
    let mut sim = Proc::spawn(&[
        "sim",
        "--platform",
        "qq",
        "--webhook-target",
        &target,
        "--webhook-faults",
    ]);
    let lines = sim_lines(&mut sim, "OversizedBody(2097152)").await;
    assert_eq!(lines[0]["valid"], true, "{lines:?}");
    assert_eq!(
        statuses(&lines),
        [
            ("op13".to_owned(), 200),
            ("GROUP_AT_MESSAGE_CREATE".to_owned(), 200),
            ("Replay".to_owned(), 200),
            ("WrongSignature".to_owned(), 401),
            ("Unsigned".to_owned(), 401),
            ("StaleTimestamp(3600s)".to_owned(), 401),
            ("OversizedBody(2097152)".to_owned(), 413),
        ]
    );

    let event = listen.next().await;
    assert_eq!(event["t"], "GROUP_AT_MESSAGE_CREATE");
    assert_eq!(event["data"]["content"], " /ping");
    assert_eq!(event["id"], lines[1]["event_id"]);

    let (code, rest, stderr) = listen.term().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        rest, "",
        "the replay is not printed again, nothing refused was printed"
    );
    assert!(stderr.contains("2 delivered, 4 refused"), "{stderr}");
    let (code, rest, _) = sim.term().await;
    assert_eq!(code, Some(0));
    // 7 answered requests, plus any validation tried before listen was up.
    let summary: Value = serde_json::from_str(rest.trim()).unwrap();
    assert!(summary["stopped"]["webhooks"].as_u64() >= Some(7), "{rest}");
}

#[tokio::test]
async fn bubble_webhook_listen_checks_the_hmac() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut listen = Proc::spawn(&[
        "listen",
        "--platform",
        "bubble",
        "--webhook",
        &addr,
        "--webhook-secret",
        "whsec",
        "--webhook-path",
        "/bubble",
    ]);
    let target = format!("http://{addr}/bubble");
    let mut sim = Proc::spawn(&[
        "sim",
        "--platform",
        "bubble",
        "--webhook-target",
        &target,
        "--webhook-secret",
        "whsec",
        "--webhook-faults",
    ]);
    let lines = sim_lines(&mut sim, "OversizedBody(2097152)").await;
    assert_eq!(
        statuses(&lines),
        [
            ("MESSAGE_CREATE".to_owned(), 200),
            ("Replay".to_owned(), 200),
            ("WrongSignature".to_owned(), 401),
            ("Unsigned".to_owned(), 401),
            ("OversizedBody(2097152)".to_owned(), 413),
        ]
    );
    let event = listen.next().await;
    assert_eq!(event["t"], "MESSAGE_CREATE");
    assert_eq!(event["data"]["content"], "/ping");
    let (code, rest, stderr) = listen.term().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(rest, "", "the replay is not printed again");
    assert!(stderr.contains("2 delivered, 3 refused"), "{stderr}");
    let (code, _, _) = sim.term().await;
    assert_eq!(code, Some(0));
}
