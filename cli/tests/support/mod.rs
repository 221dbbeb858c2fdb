//! The `botgate` binary as the CLI tests run it: one place that spawns it, reads its output
//! and stops it, so each test file keeps only what it checks.
//!
//! A [`Proc`] is started like a service (stdin at /dev/null unless asked otherwise), its
//! stdout and stderr lines are read by background tasks into channels (so a chatty process
//! never blocks on a full pipe), every wait is bounded by the process's limit (a broken build
//! fails instead of hanging CI), and the process is killed when the [`Proc`] is dropped.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test binary uses a subset

use std::ffi::{OsStr, OsString};
use std::process::{ExitStatus, Output, Stdio};
use std::time::Duration;

use botgate_sim::{BubbleSim, QqConfig, QqSim};
#[allow(unused_imports)] // each test binary uses a subset
pub use botgate_testkit::redis::{redis_url, unique_prefix};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

pub mod unread;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_botgate");
/// The default bound on each wait.
pub const LIMIT: Duration = Duration::from_secs(30);

/// `botgate ARGS` ready to spawn: stdin /dev/null, stdout and stderr piped, killed on drop.
/// Adjust it (env, stdin) and hand it to [`Proc::from_command`].
pub fn command<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// `head`, then `args`: one argument list (e.g. a subcommand before a test's arguments).
pub fn argv(head: &[&str], args: &[impl AsRef<OsStr>]) -> Vec<OsString> {
    let head = head.iter().map(OsString::from);
    head.chain(args.iter().map(|a| a.as_ref().to_owned()))
        .collect()
}

/// `botgate listen`'s arguments that log in to `sim` as its QQ app, then `more`.
pub fn qq_app(sim: &QqSim, more: &[&str]) -> Vec<String> {
    let c = sim.config();
    let login = [
        "--platform",
        "qq",
        "--app-id",
        &c.app_id,
        "--secret",
        &c.client_secret,
        "--api-base",
        &sim.http_base(),
    ];
    login.iter().chain(more).map(|a| (*a).to_owned()).collect()
}

/// A QQ sim of `shards` shards, all of which may identify at once (max concurrency
/// `shards`), for tests of several processes sharing a bot.
pub async fn qq_sim_shards(shards: u32) -> QqSim {
    QqSim::start(QqConfig {
        shards,
        session_start_limit: (1000, 999, 14_400_000, shards),
        ..QqConfig::default()
    })
    .await
    .unwrap()
}

/// How many resumes (op 6) the Bubble sim received.
pub fn bubble_resumes(sim: &BubbleSim) -> usize {
    sim.log()
        .received()
        .into_iter()
        .filter(|f| f["op"] == 6)
        .count()
}

/// Runs `botgate ARGS` to its end (stdin /dev/null) and returns what it printed.
pub fn run(args: &[&str]) -> Output {
    std::process::Command::new(BIN).args(args).output().unwrap()
}

/// Runs `botgate ARGS` to its end with `stdin` as its input.
pub fn run_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = std::process::Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// A signal for [`Proc::signal`].
#[derive(Clone, Copy, Debug)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Int,
    /// SIGTERM (a service manager's stop).
    Term,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::Int => "INT",
            Signal::Term => "TERM",
        }
    }
}

/// How a stopped process ended.
#[derive(Debug)]
pub struct Exit {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// The stdout lines nobody read before the end, each followed by `\n`.
    pub rest: String,
    /// The whole of stderr.
    pub stderr: String,
}

/// A running `botgate` process.
pub struct Proc {
    child: Child,
    stdout: mpsc::UnboundedReceiver<String>,
    stderr: mpsc::UnboundedReceiver<String>,
    /// Every stderr line received so far, each followed by `\n`.
    stderr_seen: String,
    limit: Duration,
}

impl Proc {
    /// Starts `botgate ARGS` the way a service runs: stdin is /dev/null.
    pub fn spawn<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Self::from_command(command(args))
    }

    /// Starts `botgate ARGS` with stdin piped (see [`Proc::close_stdin`]).
    pub fn spawn_with_stdin<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = command(args);
        cmd.stdin(Stdio::piped());
        Self::from_command(cmd)
    }

    /// Starts `cmd` (from [`command`]: its stdout and stderr must be piped).
    pub fn from_command(mut cmd: Command) -> Self {
        let mut child = cmd.spawn().unwrap();
        let stdout = lines(child.stdout.take().expect("stdout piped"));
        let stderr = lines(child.stderr.take().expect("stderr piped"));
        Self {
            child,
            stdout,
            stderr,
            stderr_seen: String::new(),
            limit: LIMIT,
        }
    }

    /// Bounds each wait by `limit` instead of [`LIMIT`].
    pub fn with_limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// The bound on each wait.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// The process's stdin, when it was spawned with one.
    pub fn stdin(&mut self) -> Option<&mut ChildStdin> {
        self.child.stdin.as_mut()
    }

    /// Closes stdin (the end of input for `--exit-on-stdin-eof`).
    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// The next stdout line (panics after the limit or at the end of stdout, with stderr).
    pub async fn next_line(&mut self) -> String {
        let limit = self.limit;
        match tokio::time::timeout(limit, self.stdout.recv()).await {
            Ok(Some(line)) => line,
            Ok(None) => panic!("stdout ended; stderr:\n{}", self.stderr()),
            Err(_) => panic!(
                "no stdout line within {limit:?}; stderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// The next stdout line, parsed as JSON.
    pub async fn next_json(&mut self) -> Value {
        let line = self.next_line().await;
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// The first stdout line for which `matches` holds (earlier lines are skipped).
    pub async fn stdout_until(&mut self, mut matches: impl FnMut(&str) -> bool) -> String {
        loop {
            let line = self.next_line().await;
            if matches(&line) {
                return line;
            }
        }
    }

    /// The first stderr line from here on for which `matches` holds (panics after the limit).
    pub async fn stderr_until(&mut self, mut matches: impl FnMut(&str) -> bool) -> String {
        let limit = self.limit;
        let found = tokio::time::timeout(limit, async {
            while let Some(line) = self.stderr.recv().await {
                self.stderr_seen.push_str(&line);
                self.stderr_seen.push('\n');
                if matches(&line) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            Ok(None) => panic!("stderr ended without the line:\n{}", self.stderr_seen),
            Err(_) => panic!(
                "no such stderr line within {limit:?}:\n{}",
                self.stderr_seen
            ),
        }
    }

    /// Everything on stderr so far.
    pub fn stderr(&mut self) -> String {
        while let Ok(line) = self.stderr.try_recv() {
            self.stderr_seen.push_str(&line);
            self.stderr_seen.push('\n');
        }
        self.stderr_seen.clone()
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: Signal) {
        signal_child(&self.child, signal);
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub async fn kill(&mut self) {
        self.child.kill().await.unwrap();
    }

    /// The exit code, once the process ended by itself (panics after the limit).
    pub async fn wait(&mut self) -> Option<i32> {
        let status = tokio::time::timeout(self.limit, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("still running after {:?}", self.limit))
            .unwrap();
        status.code()
    }

    /// Sends `signal`, then waits for the end: the exit code, unread stdout and all of stderr.
    pub async fn stop(self, signal: Signal) -> Exit {
        self.signal(signal);
        self.finish().await
    }

    /// Waits for the end without a signal: the exit code, unread stdout and all of stderr.
    pub async fn finish(mut self) -> Exit {
        let limit = self.limit;
        let mut rest = String::new();
        while let Some(line) = tokio::time::timeout(limit, self.stdout.recv())
            .await
            .unwrap_or_else(|_| panic!("stdout still open after {limit:?}"))
        {
            rest.push_str(&line);
            rest.push('\n');
        }
        let code = self.wait().await;
        while let Some(line) = tokio::time::timeout(limit, self.stderr.recv())
            .await
            .unwrap_or_else(|_| panic!("stderr still open after {limit:?}"))
        {
            self.stderr_seen.push_str(&line);
            self.stderr_seen.push('\n');
        }
        Exit {
            code,
            rest,
            stderr: std::mem::take(&mut self.stderr_seen),
        }
    }
}

/// Sends `signal` to `child`.
pub fn signal_child(child: &Child, signal: Signal) {
    let pid = child.id().expect("the process is running");
    let sent = std::process::Command::new("kill")
        .args([&format!("-{}", signal.name()), &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// How `child` ended (panics if it still runs after [`LIMIT`]).
pub async fn exited(child: &mut Child) -> ExitStatus {
    tokio::time::timeout(LIMIT, child.wait())
        .await
        .unwrap_or_else(|_| panic!("still running after {LIMIT:?}"))
        .unwrap()
}

/// `args` as owned strings (an argument list built from borrowed parts).
pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// A line of one of several processes read together: (its name, from stdout?, the line).
pub type Tagged = (&'static str, bool, String);

/// Starts `cmd` (from [`command`]) as process `name`; its stdout and stderr lines go to `tx`
/// as [`Tagged`] lines, so a test can follow several processes in the order they print.
pub fn spawn_tagged(
    name: &'static str,
    mut cmd: Command,
    tx: &mpsc::UnboundedSender<Tagged>,
) -> Child {
    let mut child = cmd.spawn().unwrap();
    let pipes: [(bool, Box<dyn AsyncRead + Unpin + Send>); 2] = [
        (true, Box::new(child.stdout.take().expect("stdout piped"))),
        (false, Box::new(child.stderr.take().expect("stderr piped"))),
    ];
    for (stdout, pipe) in pipes {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send((name, stdout, line));
            }
        });
    }
    child
}

/// The next [`Tagged`] line (panics after [`LIMIT`]).
pub async fn next_tagged(rx: &mut mpsc::UnboundedReceiver<Tagged>) -> Tagged {
    tokio::time::timeout(LIMIT, rx.recv())
        .await
        .expect("a line within the limit")
        .expect("lines")
}

/// Reads `pipe` line by line into a channel, until its end.
fn lines(pipe: impl AsyncRead + Unpin + Send + 'static) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            // Read on after the receiver is gone, so the process never blocks on a full pipe.
            let _ = tx.send(line);
        }
    });
    rx
}
