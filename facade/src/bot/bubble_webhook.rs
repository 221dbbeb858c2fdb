//! The Bubble webhook bot builder: Bubble POSTs `{type, data}` events to us instead of a
//! gateway session; replies go out through the REST API as usual.

use std::sync::Arc;

use botgate_dispatch::bubble::{Bubble, BubbleHandlers};
use botgate_dispatch::{BotInfo, DispatchConfig, Dispatcher, PlatformKind};
use botgate_transport::bubble::{Rest, RestConfig};
use botgate_transport::http::HttpClient;
use botgate_transport::webhook::BubbleReceiver;
use botgate_transport::Secret;
use tokio::sync::mpsc;

use super::bubble::REST_BASE;
use super::error::{Error, ErrorKind};
use super::webhook::{ServerSetup, WebhookBot, QUEUE};
use super::webhook_setters::server_setters;
use crate::reply::BubbleReplies;

/// Builds and starts a Bubble bot in webhook mode. With a
/// [`webhook_secret`](Self::webhook_secret), every delivery must carry a valid
/// `X-Bubble-Signature` (else 401); without one, deliveries are accepted and a warning is
/// logged once. Deliveries are answered 200 at once and handled asynchronously by the same
/// handlers as over the gateway; Bubble's retries (1 s / 5 s / 15 s) of an event named by its
/// `data.id` (a message) are dropped by the dispatcher's `(type, data.id)` dedupe. A retry of a
/// change that can come again (an edit, a reaction, a guild joined) is delivered again: nothing
/// in a webhook body tells it from a new event, and a duplicate beats a loss (decision 0076).
/// `ctx.reply` sends through the REST API with the bot token.
pub struct BubbleWebhookBot {
    token: Secret,
    secret: Option<Secret>,
    rest_base: String,
    server: ServerSetup,
    handlers: BubbleHandlers,
    dispatch: DispatchConfig,
}

impl std::fmt::Debug for BubbleWebhookBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BubbleWebhookBot")
            .field("rest_base", &self.rest_base)
            .field("signed", &self.secret.is_some())
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

server_setters!(BubbleWebhookBot);

impl BubbleWebhookBot {
    pub(crate) fn new(token: String) -> Self {
        Self {
            token: Secret::new(token),
            secret: None,
            rest_base: REST_BASE.to_owned(),
            server: ServerSetup::default(),
            handlers: BubbleHandlers::new(),
            dispatch: DispatchConfig::default(),
        }
    }

    /// The handlers (the same `BubbleHandlers` a gateway bot takes).
    pub fn handlers(mut self, handlers: BubbleHandlers) -> Self {
        self.handlers = handlers;
        self
    }

    /// The secret deliveries are signed with (HMAC-SHA256 of the raw body).
    pub fn webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(Secret::new(secret)).filter(|s| !s.is_empty());
        self
    }

    /// The REST base `ctx.reply` sends to (a simulator's `rest_base()`).
    pub fn rest_base(mut self, base: impl Into<String>) -> Self {
        self.rest_base = base.into();
        self
    }

    /// Ordering / concurrency / dedupe settings of the dispatcher.
    pub fn dispatch_config(mut self, config: DispatchConfig) -> Self {
        self.dispatch = config;
        self
    }

    /// Binds the server and starts serving; returns at once.
    ///
    /// # Errors
    /// An unusable TLS identity ([`ErrorKind::Config`]), an address that cannot be bound
    /// ([`ErrorKind::Webhook`]).
    pub async fn start(self) -> Result<WebhookBot<Bubble>, Error> {
        botgate_transport::install_default_crypto_provider();
        let http = HttpClient::new().map_err(|e| {
            Error::with_source(
                ErrorKind::Config {
                    what: "HTTP client".into(),
                },
                e,
            )
        })?;
        let rest = Rest::new(
            http,
            self.token,
            RestConfig {
                base: self.rest_base,
                ..RestConfig::default()
            },
        );
        let dispatcher = Dispatcher::<Bubble>::new(self.handlers, self.dispatch);
        dispatcher.set_bot(
            BotInfo::new(PlatformKind::Bubble).with_replies(Arc::new(BubbleReplies::new(rest))),
        );
        let (tx, rx) = mpsc::channel(QUEUE);
        let receiver = BubbleReceiver::new(self.secret, tx);
        let server = self.server.bind(Arc::new(receiver)).await?;
        tracing::info!(addr = %server.local_addr(), "Bubble webhook bot listening");
        Ok(WebhookBot::start(server, dispatcher, rx, |body| {
            botgate_codec::bubble::webhook_frame(&body)
        }))
    }

    /// Starts, then runs until Ctrl-C or SIGTERM (then stops cleanly).
    pub async fn run(self) -> Result<(), Error> {
        self.start().await?.until_ctrl_c().await
    }
}
