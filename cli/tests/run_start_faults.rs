//! `botgate run` while it connects to Redis (review of stop 29): a stop signal is obeyed at
//! once, and a Redis that cannot be reached is a failing exit with the cause, within seconds
//! (it had retried silently for 8 minutes, deaf to SIGTERM). No Redis server is needed: the
//! port is one nobody listens on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{argv, Proc, Signal};

/// A loopback port with no listener (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn run(role: &str, port: u16) -> Proc {
    let redis = format!("redis://127.0.0.1:{port}/0");
    Proc::spawn(argv(
        &["run"],
        &[
            "--redis",
            &redis,
            "--role",
            role,
            "--url",
            "ws://127.0.0.1:9/websocket",
            "--token",
            "QQBot x",
            "--shards",
            "1",
        ],
    ))
}

#[tokio::test]
async fn a_stop_signal_while_connecting_to_redis_ends_the_process_cleanly() {
    for (role, signal) in [("gateway", Signal::Term), ("worker", Signal::Int)] {
        let mut p = run(role, closed_port());
        p.stderr_until(|l| l.contains("connecting to Redis")).await;
        let exit = p.stop(signal).await;
        assert_eq!(exit.code, Some(0), "{role}: {}", exit.stderr);
        assert!(
            exit.stderr.contains("while connecting to Redis"),
            "{}",
            exit.stderr
        );
    }
}

#[tokio::test]
async fn an_unreachable_redis_is_a_failing_exit_with_its_cause() {
    // both at once: each takes its connect's retries (about 5 s)
    let (all, worker) = (run("all", closed_port()), run("worker", closed_port()));
    let (all, worker) = tokio::join!(all.finish(), worker.finish());
    for (role, exit) in [("all", all), ("worker", worker)] {
        assert_eq!(exit.code, Some(2), "{role}: {}", exit.stderr);
        assert!(
            exit.stderr.contains("Redis connect failed") && exit.stderr.contains("refused"),
            "{role}: {}",
            exit.stderr
        );
    }
}

/// A gateway URL whose scheme is not `ws` / `wss` is refused at start (it had been retried
/// for ever, "not ws or wss" logged on every try).
#[tokio::test]
async fn listen_refuses_a_gateway_url_that_is_not_a_websocket_one() {
    let cases: [&[&str]; 3] = [
        &["--platform", "onebot", "--url", "http://127.0.0.1:9/"],
        &[
            "--platform",
            "qq",
            "--token",
            "QQBot x",
            "--url",
            "http://127.0.0.1:9/websocket",
        ],
        &[
            "--platform",
            "bubble",
            "--token",
            "x",
            "--url",
            "https://127.0.0.1:9/gateway",
        ],
    ];
    for args in cases {
        let exit = Proc::spawn(argv(&["listen"], args)).finish().await;
        assert_eq!(exit.code, Some(2), "{args:?}: {}", exit.stderr);
        assert!(
            exit.stderr.contains("not ws or wss"),
            "{args:?}: {}",
            exit.stderr
        );
    }
}
