//! The QQ webhook bot builder: QQ POSTs events to us (HTTP callback mode) instead of a
//! gateway session; replies go out through the OpenAPI as usual.

use std::time::Duration;

use botgate_codec::Frame;
use botgate_dispatch::qq::{Qq, QqHandlers};
use botgate_dispatch::{BotInfo, DispatchConfig, Dispatcher, PlatformKind};
use botgate_transport::http::HttpClient;
use botgate_transport::qq::{AppCredentials, OpenApi, OpenApiConfig, TokenSource};
use botgate_transport::webhook::{QqKey, QqReceiver, QqReceiverConfig};
use botgate_transport::Secret;
use std::sync::Arc;
use tokio::sync::mpsc;

use super::error::{Error, ErrorKind};
use super::qq::{API_BASE, AUTH_BASE, SANDBOX_API_BASE};
use super::webhook::{ServerSetup, WebhookBot, QUEUE};
use super::webhook_setters::server_setters;
use crate::reply::QqReplies;

/// Builds and starts a QQ bot in webhook mode. Every delivery is verified (Ed25519 with the
/// key of the bot secret, timestamp within [`timestamp_window`](Self::timestamp_window)); the
/// callback-URL validation (op 13) is answered; events reach the same handlers as over the
/// gateway, and `ctx.reply` sends passive replies through the OpenAPI (the access token is
/// fetched on the first reply). No intents: QQ delivers what the console subscribes.
pub struct QqWebhookBot {
    app_id: String,
    secret: Secret,
    api_base: String,
    auth_base: String,
    window: Duration,
    server: ServerSetup,
    handlers: QqHandlers,
    dispatch: DispatchConfig,
}

impl std::fmt::Debug for QqWebhookBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QqWebhookBot")
            .field("app_id", &self.app_id)
            .field("api_base", &self.api_base)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

server_setters!(QqWebhookBot);

impl QqWebhookBot {
    pub(crate) fn new(app_id: String, secret: String) -> Self {
        Self {
            app_id,
            secret: Secret::new(secret),
            api_base: API_BASE.to_owned(),
            auth_base: AUTH_BASE.to_owned(),
            window: QqReceiverConfig::default().timestamp_window,
            server: ServerSetup::default(),
            handlers: QqHandlers::new(),
            dispatch: DispatchConfig::default(),
        }
    }

    /// The handlers (the same `QqHandlers` a gateway bot takes).
    pub fn handlers(mut self, handlers: QqHandlers) -> Self {
        self.handlers = handlers;
        self
    }

    /// How far `X-Signature-Timestamp` may be from our clock, either way (default 300 s);
    /// older or newer deliveries get 401.
    pub fn timestamp_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Use the sandbox OpenAPI base for replies.
    pub fn sandbox(mut self) -> Self {
        self.api_base = SANDBOX_API_BASE.to_owned();
        self
    }

    /// The OpenAPI base replies go to (e.g. a simulator's).
    pub fn api_base(mut self, base: impl Into<String>) -> Self {
        self.api_base = base.into();
        self
    }

    /// The base of `getAppAccessToken`.
    pub fn auth_base(mut self, base: impl Into<String>) -> Self {
        self.auth_base = base.into();
        self
    }

    /// Ordering / concurrency / dedupe settings of the dispatcher (the dedupe window absorbs
    /// QQ's redeliveries of one event id).
    pub fn dispatch_config(mut self, config: DispatchConfig) -> Self {
        self.dispatch = config;
        self
    }

    /// Binds the server and starts serving; returns at once.
    ///
    /// # Errors
    /// An empty secret or an unusable TLS identity ([`ErrorKind::Config`]), an address that
    /// cannot be bound ([`ErrorKind::Webhook`]).
    pub async fn start(self) -> Result<WebhookBot<Qq>, Error> {
        botgate_transport::install_default_crypto_provider();
        let config_error = |what: &str, e: botgate_transport::Error| {
            Error::with_source(ErrorKind::Config { what: what.into() }, e)
        };
        let key = QqKey::from_secret(self.secret.expose())
            .map_err(|e| config_error("QQ bot secret", e))?;
        let http = HttpClient::new().map_err(|e| config_error("HTTP client", e))?;
        let tokens = TokenSource::app(
            http.clone(),
            AppCredentials::new(self.app_id.clone(), self.secret.clone())
                .with_auth_base(self.auth_base.clone()),
        );
        let api = OpenApi::new(
            http,
            tokens,
            OpenApiConfig {
                api_base: self.api_base.clone(),
                ..OpenApiConfig::production()
            },
        );
        let dispatcher = Dispatcher::<Qq>::new(self.handlers, self.dispatch);
        dispatcher.set_bot(
            BotInfo::new(PlatformKind::Qq)
                .with_app_id(self.app_id.clone())
                .with_replies(Arc::new(QqReplies::new(api))),
        );
        let (tx, rx) = mpsc::channel(QUEUE);
        let receiver = QqReceiver::new(
            key,
            QqReceiverConfig {
                app_id: Some(self.app_id),
                timestamp_window: self.window,
            },
            tx,
        );
        let server = self.server.bind(Arc::new(receiver)).await?;
        tracing::info!(addr = %server.local_addr(), "QQ webhook bot listening");
        Ok(WebhookBot::start(server, dispatcher, rx, |body| {
            Frame::scan(body)
        }))
    }

    /// Starts, then runs until Ctrl-C or SIGTERM (then stops cleanly).
    pub async fn run(self) -> Result<(), Error> {
        self.start().await?.until_ctrl_c().await
    }
}
