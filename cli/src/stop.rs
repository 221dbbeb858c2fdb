//! How long-running commands learn that they should stop: SIGINT (Ctrl-C) or SIGTERM, the way
//! services are stopped (systemd, containers, `kill`). Stdin is never read for it: a service's
//! stdin is often /dev/null.

use std::fmt;
use std::future::Future;

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
/// the process with a non-zero status).
#[derive(Debug)]
pub struct Stop {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Stop {
    /// Registers SIGINT and SIGTERM handlers (Ctrl-C only where there are no Unix signals).
    pub fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(int), Ok(term)) => Some((int, term)),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(error = %e, "cannot watch SIGINT / SIGTERM; Ctrl-C only");
                    None
                }
            };
            Self { signals }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Resolves when a stop signal arrives or, with `stdin_eof` (`--exit-on-stdin-eof`),
    /// stdin ends: what stopped it, as a log line says it (`SIGTERM`, `end of stdin`).
    pub async fn wait_or_stdin_eof(&mut self, stdin_eof: bool) -> String {
        tokio::select! {
            signal = self.wait() => signal.to_string(),
            () = stdin_closed(), if stdin_eof => "end of stdin".to_owned(),
        }
    }

    /// Resolves when a stop signal arrives.
    pub async fn wait(&mut self) -> StopSignal {
        #[cfg(unix)]
        if let Some((int, term)) = self.signals.as_mut() {
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
/// registered first (a signal during start-up must not kill the process). The runtime is not
/// waited for at the end (with `--exit-on-stdin-eof` the stdin reader is a blocking thread that
/// may never return); the event lines are written to stdout first (for at most
/// [`LAST_FLUSH`](crate::print::LAST_FLUSH)).
pub fn run_until_stopped<T, F>(
    serve: impl FnOnce(Stop) -> F,
) -> Result<T, Box<dyn std::error::Error>>
where
    F: Future<Output = Result<T, Box<dyn std::error::Error>>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let result = serve(Stop::new()).await;
        // The event lines still queued; a reader that stopped reading cannot hold the end.
        crate::print::flush(crate::print::LAST_FLUSH).await;
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
