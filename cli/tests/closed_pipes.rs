//! A long-running command whose reader went away (`botgate sim | head -1`, a log collector
//! that died or restarted) still stops cleanly on SIGTERM: exit 0 and a normal close, not a
//! panic (`println!` / `eprintln!` panic on a broken pipe: the stop's own lines killed the
//! process with status 101, before the session was closed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use botgate_sim::{OneBotSim, Record};
use support::{command, exited, signal_child, Signal, LIMIT};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader, Lines};
use tokio::process::Child;

/// Reads `pipe` to its end in the background (a reader that never goes away).
fn drain(pipe: impl AsyncRead + Unpin + Send + 'static) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        let mut all = String::new();
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            all.push_str(&line);
            all.push('\n');
        }
        all
    })
}

/// Reads lines of `lines` until one contains `what` (bounded); returns it.
async fn line_with<R: AsyncRead + Unpin>(lines: &mut Lines<BufReader<R>>, what: &str) -> String {
    let found = tokio::time::timeout(LIMIT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains(what) {
                return Some(line);
            }
        }
        None
    })
    .await;
    found
        .expect("the line within the limit")
        .unwrap_or_else(|| panic!("the pipe ended before a line with {what:?}"))
}

/// SIGTERM, then the exit code.
async fn stop(child: &mut Child) -> Option<i32> {
    signal_child(child, Signal::Term);
    exited(child).await.code()
}

/// `botgate sim` whose stdout reader read the announcement and left: SIGTERM prints the
/// summary into the broken pipe and exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sim_whose_stdout_reader_left_stops_with_status_0() {
    for platform in ["qq", "bubble", "onebot"] {
        let mut child = command(["sim", "--platform", platform]).spawn().unwrap();
        let stderr = drain(child.stderr.take().unwrap());
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        line_with(&mut stdout, "\"url\"").await;
        drop(stdout); // the reader is gone: writes fail with EPIPE
        let code = stop(&mut child).await;
        let stderr = stderr.await.unwrap();
        assert_eq!(code, Some(0), "{platform}: {stderr}");
        assert!(!stderr.contains("panicked"), "{platform}: {stderr}");
    }
}

/// `botgate listen` whose stderr reader left once the session was up: SIGTERM still closes
/// the session normally (1000) and exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_whose_stderr_reader_left_closes_normally_with_status_0() {
    let sim = OneBotSim::start_default().await.unwrap();
    let mut child = command(["listen", "--platform", "onebot", "--url", &sim.url()])
        .spawn()
        .unwrap();
    let stdout = drain(child.stdout.take().unwrap());
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    line_with(&mut stderr, "ready").await;
    drop(stderr);
    let code = stop(&mut child).await;
    let printed = stdout.await.unwrap();
    assert_eq!(code, Some(0), "stdout:\n{printed}");
    let closed = tokio::time::timeout(
        LIMIT,
        sim.log().wait_for(|r| match r {
            Record::Disconnected { code, .. } => Some(*code),
            _ => None,
        }),
    )
    .await
    .expect("the sim saw the client go");
    assert_eq!(closed, Some(1000), "a normal close");
}

/// The reverse-WS and webhook listeners, their stderr reader gone: exit 0 on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverse_and_webhook_listeners_whose_stderr_reader_left_stop_with_status_0() {
    let cases: [(&[&str], &str); 2] = [
        (
            &["listen", "--platform", "onebot", "--bind", "127.0.0.1:0"],
            "reverse WS on",
        ),
        (
            &[
                "listen",
                "--platform",
                "bubble",
                "--webhook",
                "127.0.0.1:0",
                "--webhook-secret",
                "s",
            ],
            "webhook on",
        ),
    ];
    for (args, up) in cases {
        let mut child = command(args).spawn().unwrap();
        let stdout = drain(child.stdout.take().unwrap());
        let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        line_with(&mut stderr, up).await;
        drop(stderr);
        let code = stop(&mut child).await;
        let printed = stdout.await.unwrap();
        assert_eq!(code, Some(0), "{args:?}; stdout:\n{printed}");
    }
}
