//! A second SIGINT / SIGTERM during a graceful stop ends the process at once: status 130
//! (SIGINT) or 143 (SIGTERM), the shell's 128 + the signal's number, and a line on stderr that
//! says so. The stop held up here is a real one: `botgate listen` whose stdout reader stopped
//! reading, its printing handlers waiting for room (the stop waits for them for the handlers'
//! grace, 10 s, then for the last flush, 5 s). Before, the second signal was ignored and the
//! process exited 0 once that stop was over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::ExitStatus;

use botgate_sim::OneBotSim;
use support::unread::{flooded_listener, Out};
use support::{exited, signal_child, Signal, LIMIT};
use tokio::process::{Child, ChildStderr, ChildStdout};

/// Far more output than the pipe (64 KiB) and the CLI's queue (1024 lines) hold together:
/// about 250 bytes a line.
const EVENTS: usize = 3000;

/// A `botgate listen` whose stdout is held open and not read.
struct Stalled {
    child: Child,
    stderr: Out<ChildStderr>,
    seen: String,
    _stdout: Out<ChildStdout>,
}

impl Stalled {
    /// Reads stderr until a line contains `what` (bounded); every line is kept.
    async fn stderr_until(&mut self, what: &str) {
        let found = tokio::time::timeout(LIMIT, async {
            while let Ok(Some(line)) = self.stderr.next_line().await {
                self.seen.push_str(&line);
                self.seen.push('\n');
                if line.contains(what) {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(found, Ok(true), "no {what:?} on stderr:\n{}", self.seen);
    }

    /// How the process ended, and the whole of its stderr.
    async fn end(mut self) -> (ExitStatus, String) {
        let status = exited(&mut self.child).await;
        while let Ok(Ok(Some(line))) = tokio::time::timeout(LIMIT, self.stderr.next_line()).await {
            self.seen.push_str(&line);
            self.seen.push('\n');
        }
        (status, self.seen)
    }
}

/// `botgate listen` whose stdout is not read, its printing waiting for room (the CLI said so).
async fn stalled_listener(sim: &OneBotSim) -> Stalled {
    let (child, stdout, stderr) = flooded_listener(sim, EVENTS).await;
    let mut stalled = Stalled {
        child,
        stderr,
        seen: String::new(),
        _stdout: stdout,
    };
    stalled.stderr_until("stdout is not keeping up").await;
    stalled
}

async fn second_signal_ends_the_stop(first: Signal, second: Signal, code: i32, name: &str) {
    let sim = OneBotSim::start_default().await.unwrap();
    let mut proc = stalled_listener(&sim).await;
    signal_child(&proc.child, first);
    // The graceful stop has begun; it waits for the handlers (they wait for stdout).
    proc.stderr_until(", closing").await;
    signal_child(&proc.child, second);
    let (status, stderr) = proc.end().await;
    assert_eq!(status.code(), Some(code), "{stderr}");
    let said = stderr
        .lines()
        .find(|l| l.contains("second signal"))
        .unwrap_or_else(|| panic!("no second-signal line:\n{stderr}"));
    assert!(said.contains(&format!("{name} (second signal")), "{said}");
    assert!(said.contains("stopping now"), "{said}");
    assert!(said.contains("lines not written to stdout"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sigint_during_a_held_up_stop_exits_130_at_once() {
    second_signal_ends_the_stop(Signal::Term, Signal::Int, 130, "SIGINT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sigterm_during_a_held_up_stop_exits_143_at_once() {
    second_signal_ends_the_stop(Signal::Int, Signal::Term, 143, "SIGTERM").await;
}
