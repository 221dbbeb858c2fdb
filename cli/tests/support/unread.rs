//! Processes whose stdout is held open and not read (a consumer that hangs): the tests that
//! check a full pipe never stalls a stop. [`Proc`](super::Proc) reads stdout into a channel,
//! so these hold the raw pipes instead.

use std::process::ExitStatus;
use std::time::Duration;

use botgate_sim::OneBotSim;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, ChildStdout};

use super::{command, signal_child, Signal, LIMIT};

/// The lines of a piped stdout or stderr.
pub type Out<R> = Lines<BufReader<R>>;

/// `botgate listen` on `sim`, its first line (the lifecycle event: the session is up and
/// printing) read, then `events` group messages of about 250 bytes a line pushed. Its stdout
/// is not read from here on by this helper.
pub async fn flooded_listener(
    sim: &OneBotSim,
    events: usize,
) -> (Child, Out<ChildStdout>, Out<ChildStderr>) {
    let mut child = command(["listen", "--platform", "onebot", "--url", &sim.url()])
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(LIMIT, stdout.next_line())
        .await
        .expect("a first line")
        .unwrap()
        .unwrap();
    assert!(first.contains("meta_event.lifecycle"), "{first}");
    for i in 0..events {
        sim.push_event(json!({"post_type": "message", "message_type": "group",
            "sub_type": "normal", "message_id": i, "group_id": i % 16, "user_id": 42,
            "message": format!("line {i} of many, long enough to fill a pipe soon"),
            "raw_message": "", "font": 0, "sender": {"user_id": 42, "nickname": "u"}}));
    }
    (child, stdout, stderr)
}

/// Sends `signal`, then reads stderr to its end and waits for the exit, within `limit` (the
/// process is killed, and the test fails, past it): all of stderr and how it ended.
pub async fn stop_within(
    child: &mut Child,
    stderr: &mut Out<ChildStderr>,
    signal: Signal,
    limit: Duration,
) -> (String, ExitStatus) {
    signal_child(child, signal);
    let stopped = tokio::time::timeout(limit, async {
        let mut seen = String::new();
        while let Ok(Some(line)) = stderr.next_line().await {
            seen.push_str(&line);
            seen.push('\n');
        }
        (seen, child.wait().await)
    })
    .await;
    let Ok((seen, status)) = stopped else {
        let _ = child.kill().await;
        panic!("still running {limit:?} after SIG{}", signal.name());
    };
    (seen, status.unwrap())
}
