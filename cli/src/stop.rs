//! How long-running commands learn that they should stop: SIGINT (Ctrl-C) or SIGTERM, the way
//! services are stopped (systemd, containers, `kill`). Stdin is never read for it: a service's
//! stdin is often /dev/null. The first signal starts a graceful stop; a second one during it
//! ends the process at once, with status 130 (SIGINT) or 143 (SIGTERM) (decision 0077).

use std::fmt;
use std::future::Future;

use tokio::sync::watch;

/// The signal that asked us to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl fmt::Display for StopSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Interrupt => "SIGINT",
            Self::Terminate => "SIGTERM",
        })
    }
}

/// The stop signals, registered when this is made (call it first, inside the runtime, so a
/// signal that arrives during start-up is not handled by the default action, which would kill
/// the process with a non-zero status). A task of its own watches them: the first starts the
/// graceful stop ([`wait`](Self::wait) resolves), a second one ends the process at once (see
/// [`stop_now`]).
#[derive(Debug)]
pub struct Stop {
    first: watch::Receiver<Option<StopSignal>>,
}

impl Stop {
    /// Registers SIGINT and SIGTERM handlers (Ctrl-C only where there are no Unix signals).
    pub fn new() -> Self {
        let (tx, first) = watch::channel(None);
        let mut signals = Signals::register();
        tokio::spawn(async move {
            let signal = signals.next().await;
            tx.send_replace(Some(signal));
            let again = signals.next().await;
            stop_now(signal, again);
        });
        Self { first }
    }

    /// Resolves when a stop signal arrives or, with `stdin_eof` (`--exit-on-stdin-eof`),
    /// stdin ends: what stopped it, as a log line says it (`SIGTERM`, `end of stdin`).
    pub async fn wait_or_stdin_eof(&mut self, stdin_eof: bool) -> String {
        tokio::select! {
            signal = self.wait() => signal.to_string(),
            () = stdin_closed(), if stdin_eof => "end of stdin".to_owned(),
        }
    }

    /// Resolves when a stop signal has arrived (at once if one already has).
    pub async fn wait(&mut self) -> StopSignal {
        match self.first.wait_for(Option::is_some).await {
            Ok(signal) => signal.unwrap_or(StopSignal::Interrupt),
            // The watcher is gone (the runtime is ending): no stop signal will come.
            Err(_) => std::future::pending().await,
        }
    }
}

impl StopSignal {
    /// The status of a process this signal ended: 128 + its number, as shells report it.
    fn exit_status(self) -> i32 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
        }
    }
}

/// A second signal during a graceful stop: the one who sent it wants the process gone now
/// (Ctrl-C twice, a service manager's escalation). The stop may be waiting for handlers (for
/// the shutdown grace) or for a reader of stdout (for the last flush); nothing is waited for
/// any more. Stdout is not written here: its writer may be blocked in a full pipe.
fn stop_now(first: StopSignal, again: StopSignal) -> ! {
    let unwritten = match crate::stdout::queued() {
        0 => String::new(),
        n => format!("; at least {n} lines not written to stdout"),
    };
    errln!(
        "botgate: {again} (second signal, after {first}): stopping now, the graceful stop \
         unfinished{unwritten}"
    );
    std::process::exit(again.exit_status())
}

/// SIGINT and SIGTERM as one stream.
struct Signals {
    #[cfg(unix)]
    unix: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn register() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let unix = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(int), Ok(term)) => Some((int, term)),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(error = %e, "cannot watch SIGINT / SIGTERM; Ctrl-C only");
                    None
                }
            };
            Self { unix }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// The next signal.
    async fn next(&mut self) -> StopSignal {
        #[cfg(unix)]
        if let Some((int, term)) = self.unix.as_mut() {
            return tokio::select! {
                _ = int.recv() => StopSignal::Interrupt,
                _ = term.recv() => StopSignal::Terminate,
            };
        }
        match tokio::signal::ctrl_c().await {
            Ok(()) => StopSignal::Interrupt,
            // No way to learn of a stop: wait forever rather than stop at once.
            Err(_) => std::future::pending().await,
        }
    }
}

/// Runs a long-running command: `serve` on a two-thread runtime, given the stop signals
/// registered first (a signal during start-up must not kill the process). See
/// [`run_printing`].
pub fn run_until_stopped<T, F>(
    serve: impl FnOnce(Stop) -> F,
) -> Result<T, Box<dyn std::error::Error>>
where
    F: Future<Output = Result<T, Box<dyn std::error::Error>>>,
{
    run_printing(async { serve(Stop::new()).await })
}

/// Runs `command` on a two-thread runtime, then writes the lines it queued for stdout (for at
/// most [`LAST_FLUSH`](crate::stdout::LAST_FLUSH): a reader that stopped reading cannot hold
/// the end). The runtime is not waited for at the end (with `--exit-on-stdin-eof` the stdin
/// reader is a blocking thread that may never return).
pub fn run_printing<T, F>(command: F) -> Result<T, Box<dyn std::error::Error>>
where
    F: Future<Output = Result<T, Box<dyn std::error::Error>>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let result = command.await;
        crate::stdout::flush(crate::stdout::LAST_FLUSH).await;
        result
    });
    runtime.shutdown_background();
    result
}

/// Resolves when stdin ends (`--exit-on-stdin-eof`: a supervisor that stops the process by
/// closing its stdin).
async fn stdin_closed() {
    use tokio::io::AsyncReadExt;
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 512];
    while stdin.read(&mut buf).await.is_ok_and(|n| n > 0) {}
}
