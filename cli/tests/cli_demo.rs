//! `botgate demo` end to end: the binary runs the embedded simulators and bots and must report
//! every check of its story as passed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Proc, Signal};

#[test]
fn demo_plays_the_story_and_exits_0() {
    let out = support::run(&["demo"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("READY as botgate-sim"), "{stdout}");
    assert!(
        stdout.contains("10 events sent, 10 handled, the same ids"),
        "{stdout}"
    );
    assert!(stdout.contains("answered /ping"), "{stdout}");
    assert!(stdout.contains("result: OK"), "{stdout}");
    // every scripted message reached the handler exactly once
    for text in ["/天气 深圳", "好的，散会", "resume 真快 🚀"] {
        assert_eq!(stdout.matches(text).count(), 1, "{text} in\n{stdout}");
    }
}

/// Secrets never reach the logs, even at trace level: not the app secret, not the access
/// tokens the simulator issues (they travel in Identify / Resume frames and HTTP headers).
#[test]
fn demo_at_trace_level_logs_no_secret() {
    let out = support::run(&["-vvv", "demo"]);
    assert_eq!(out.status.code(), Some(0));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.lines().count() > 50, "trace logging is on:\n{all}");
    for secret in ["sim-client-secret", "sim-token-", "sim-access-token"] {
        assert!(
            !all.contains(secret),
            "{secret} leaked into the output:\n{all}"
        );
    }
}

/// `demo --forever` is a long-running command: stdin at /dev/null does not stop it, it keeps
/// delivering events, and SIGTERM ends it with exit 0.
#[tokio::test]
async fn demo_forever_runs_until_sigterm() {
    let mut demo = Proc::spawn(["demo", "--forever"]);
    let mut after_story = 0;
    let mut forever = false;
    // Two events after the story: the process outlived its stdin and keeps delivering.
    while after_story < 2 {
        let line = demo.next_line().await;
        if line.starts_with("--forever") {
            forever = true;
        } else if forever && line.contains("AT_MESSAGE_CREATE") {
            after_story += 1;
        }
    }
    let exit = demo.stop(Signal::Term).await;
    let rest = exit.rest;
    assert_eq!(exit.code, Some(0), "{rest:?}");
}
