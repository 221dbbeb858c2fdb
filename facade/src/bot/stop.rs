//! How a bot stops: a stop signal (Ctrl-C / SIGINT, or SIGTERM where there is one, how
//! services are stopped), and the grace its running handlers get (decision 0065).

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// How long a stop lets the running handlers finish (`shutdown`, a stop signal, a session
/// that ended on its own) before it stops waiting for them: a handler that never returns must
/// not hold a stopping process for ever (decision 0065). `shutdown_within` takes another.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `stop`'s output, awaited until `deadline`; once it has passed, `give_up` runs (it closes
/// the dispatchers `stop` waits for, so that no handler holds it any more) and `stop` is
/// awaited to its end.
pub(crate) async fn within_grace<F: Future>(
    deadline: Instant,
    stop: F,
    give_up: impl FnOnce(),
) -> F::Output {
    let mut stop = std::pin::pin!(stop);
    match tokio::time::timeout_at(deadline, stop.as_mut()).await {
        Ok(output) => output,
        Err(_) => {
            give_up();
            stop.await
        }
    }
}

/// Closes `dispatcher` at the end of a grace, naming what was still pending.
pub(crate) fn give_up<P: botgate_dispatch::Platform>(dispatcher: &botgate_dispatch::Dispatcher<P>) {
    tracing::warn!(
        platform = %P::KIND,
        pending = dispatcher.pending(),
        "handlers still running after the shutdown grace: no longer waited for (their events stay unhandled)"
    );
    dispatcher.close();
}
