//! What the QQ and Bubble webhook bots share: the server settings, the pump from verified
//! deliveries to the dispatcher, and the running handle [`WebhookBot`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use botgate_dispatch::{BotError, BotErrorKind, Dispatcher, Platform};
use botgate_transport::webhook::{
    tls_config_from_files, Delivery, Receiver, ServerConfig, WebhookServer, WebhookStats,
};
use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::{Error, ErrorKind};
use super::stop::{give_up, stop_signal, within_grace, SHUTDOWN_GRACE};

/// Verified deliveries waiting for the dispatcher; past this the server answers 503 and the
/// platform retries later.
pub(crate) const QUEUE: usize = 1024;

/// Where and how the webhook server listens (the part both builders share).
#[derive(Debug, Clone)]
pub(crate) struct ServerSetup {
    pub(crate) addr: String,
    pub(crate) config: ServerConfig,
    pub(crate) tls_files: Option<(PathBuf, PathBuf)>,
}

impl Default for ServerSetup {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            config: ServerConfig::default(),
            tls_files: None,
        }
    }
}

impl ServerSetup {
    /// Loads the TLS identity (if any) and binds the server.
    pub(crate) async fn bind(self, receiver: Arc<dyn Receiver>) -> Result<WebhookServer, Error> {
        let mut config = self.config;
        if let Some((cert, key)) = &self.tls_files {
            let tls = tls_config_from_files(cert, key).map_err(|e| {
                Error::with_source(
                    ErrorKind::Config {
                        what: "webhook TLS certificate / key".into(),
                    },
                    e,
                )
            })?;
            config.tls = Some(tls);
        }
        WebhookServer::bind(self.addr.as_str(), config, receiver)
            .await
            .map_err(|e| Error::with_source(ErrorKind::Webhook, e))
    }
}

/// A running webhook bot: the HTTP server, and the dispatcher its verified deliveries feed.
pub struct WebhookBot<P: Platform> {
    server: WebhookServer,
    dispatcher: Arc<Dispatcher<P>>,
    pump: JoinHandle<()>,
}

impl<P: Platform> std::fmt::Debug for WebhookBot<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookBot")
            .field("platform", &P::KIND)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl<P: Platform> WebhookBot<P> {
    /// Starts the pump from `deliveries` (turned into inputs by `input`) to `dispatcher`.
    pub(crate) fn start(
        server: WebhookServer,
        dispatcher: Dispatcher<P>,
        deliveries: mpsc::Receiver<Delivery>,
        input: fn(Bytes) -> Result<P::Input, botgate_codec::Error>,
    ) -> Self {
        let dispatcher = Arc::new(dispatcher);
        let pump = tokio::spawn(pump(deliveries, Arc::clone(&dispatcher), input));
        Self {
            server,
            dispatcher,
            pump,
        }
    }

    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// What the server did with the requests so far (deliveries, rejections by cause).
    pub fn stats(&self) -> WebhookStats {
        self.server.stats()
    }

    /// The dispatcher (its stats count duplicates dropped, handlers run, ...).
    pub fn dispatcher(&self) -> &Dispatcher<P> {
        &self.dispatcher
    }

    /// Stops accepting, answers the requests in flight, dispatches what was queued and lets
    /// the handlers finish for at most [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE); returns
    /// what the server did in all (the requests answered during the stop included).
    pub async fn shutdown(self) -> WebhookStats {
        self.shutdown_within(SHUTDOWN_GRACE).await
    }

    /// [`shutdown`](Self::shutdown), giving the handlers `grace` once the server has
    /// stopped. Past it the dispatcher is closed ([`Dispatcher::close`]): deliveries still
    /// queued are not dispatched (they were answered 200: the platform does not send them
    /// again) and handlers still running are no longer waited for.
    pub async fn shutdown_within(self, grace: Duration) -> WebhookStats {
        let stats = self.server.shutdown().await;
        let deadline = tokio::time::Instant::now() + grace;
        // The server (and with it the queue's sender) is gone: the pump ends once it has
        // dispatched what was queued, then drains the dispatcher.
        let dispatcher = &self.dispatcher;
        let pumped = within_grace(deadline, self.pump, || give_up(dispatcher)).await;
        if let Err(e) = pumped {
            tracing::warn!(error = %e, "webhook pump ended abnormally");
        }
        stats
    }

    /// Runs until Ctrl-C (or SIGTERM), then shuts down cleanly.
    pub async fn until_ctrl_c(self) -> Result<(), Error> {
        stop_signal().await;
        tracing::info!(platform = %P::KIND, "stopping the webhook server");
        self.shutdown().await;
        Ok(())
    }
}

async fn pump<P: Platform>(
    mut deliveries: mpsc::Receiver<Delivery>,
    dispatcher: Arc<Dispatcher<P>>,
    input: fn(Bytes) -> Result<P::Input, botgate_codec::Error>,
) {
    while let Some(delivery) = deliveries.recv().await {
        match input(delivery.body) {
            // Retries carry the same event id / (t, d.id): the dispatcher's dedupe drops them.
            Ok(input) => {
                dispatcher.dispatch(input).await;
            }
            Err(e) => dispatcher.report(BotError::with_source(
                BotErrorKind::Decode {
                    event_type: "<webhook body>".into(),
                },
                e,
            )),
        }
    }
    dispatcher.shutdown().await;
}
