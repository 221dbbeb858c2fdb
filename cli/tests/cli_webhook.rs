//! `botgate listen --webhook` fed by `botgate sim --webhook-target`, both as real processes on
//! 127.0.0.1: the sim validates the URL (QQ), delivers a `/ping`, replays it and posts each
//! fault; listen prints the verified deliveries exactly as WebSocket `listen` prints frames
//! (a replayed delivery is printed once, as a resent frame is), refuses the faults, and stops
//! with exit 0 on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{Exit, Proc, Signal};

fn free_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port().to_string()
}

/// Reads the sim's webhook lines until the last fault; returns them (the announce line and
/// failed attempts at a target not listening yet are skipped).
async fn sim_lines(sim: &mut Proc, last_fault: &str) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let line = sim.next_json().await;
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
    let mut listen = Proc::spawn([
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
    let mut sim = Proc::spawn([
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

    let event = listen.next_json().await;
    assert_eq!(event["t"], "GROUP_AT_MESSAGE_CREATE");
    assert_eq!(event["data"]["content"], " /ping");
    assert_eq!(event["id"], lines[1]["event_id"]);

    let Exit { code, rest, stderr } = listen.stop(Signal::Term).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        rest, "",
        "the replay is not printed again, nothing refused was printed"
    );
    // The replay is acknowledged and not delivered (its signature was taken already).
    assert!(stderr.contains("1 delivered, 4 refused"), "{stderr}");
    let Exit { code, rest, .. } = sim.stop(Signal::Term).await;
    assert_eq!(code, Some(0));
    // 7 answered requests, plus any validation tried before listen was up.
    let summary: Value = serde_json::from_str(rest.trim()).unwrap();
    assert!(summary["stopped"]["webhooks"].as_u64() >= Some(7), "{rest}");
}

#[tokio::test]
async fn bubble_webhook_listen_checks_the_hmac() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut listen = Proc::spawn([
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
    let mut sim = Proc::spawn([
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
    let event = listen.next_json().await;
    assert_eq!(event["t"], "MESSAGE_CREATE");
    assert_eq!(event["data"]["content"], "/ping");
    let Exit { code, rest, stderr } = listen.stop(Signal::Term).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(rest, "", "the replay is not printed again");
    assert!(stderr.contains("2 delivered, 3 refused"), "{stderr}");
    let Exit { code, .. } = sim.stop(Signal::Term).await;
    assert_eq!(code, Some(0));
}

/// `--exit-on-stdin-eof` stops `listen --webhook` too (it was ignored there: a supervisor that
/// stops the process by closing stdin left it running).
#[tokio::test]
async fn webhook_listen_exits_at_end_of_stdin_when_asked() {
    let addr = format!("127.0.0.1:{}", free_port());
    let mut listen = Proc::spawn_with_stdin([
        "listen",
        "--platform",
        "bubble",
        "--webhook",
        &addr,
        "--webhook-secret",
        "whsec",
        "--exit-on-stdin-eof",
    ]);
    listen
        .stderr_until(|line| line.contains("webhook on"))
        .await;
    listen.close_stdin();
    let Exit { code, stderr, .. } = listen.finish().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("end of stdin, closing"), "{stderr}");
    assert!(stderr.contains("0 delivered, 0 refused"), "{stderr}");
}
