//! How a bot's `run` learns it should stop: Ctrl-C (SIGINT), or SIGTERM where there is one (how
//! services are stopped).

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
