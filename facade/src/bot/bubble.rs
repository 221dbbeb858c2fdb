//! The Bubble bot builder.

use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_dispatch::bubble::{Bubble, BubbleHandlers};
use botgate_dispatch::{BotInfo, DispatchConfig, Dispatcher, PlatformKind};
use botgate_session::bubble::{self, Subscription};
use botgate_session::driver::DriverConfig;
use botgate_session::SessionStore;
use botgate_transport::bubble::{Rest, RestConfig};
use botgate_transport::http::HttpClient;
use botgate_transport::Secret;
use url::Url;

use super::error::{Error, ErrorKind};
use super::persist::StoreOptions;
use super::{launch_shared, RunningBot};
use crate::reply::BubbleReplies;

/// Bubble's documented gateway URL.
pub const GATEWAY_URL: &str = "wss://bubble.alemonjs.com/api/bot/gateway";
/// Bubble's documented REST base (where `ctx.reply` sends).
pub const REST_BASE: &str = botgate_transport::bubble::API_BASE;

/// Builds and starts a Bubble bot. Defaults: the documented gateway URL, and a subscription
/// (op 30) to the event types the handlers handle, replayed after every reconnect.
pub struct BubbleBot {
    token: String,
    url: String,
    rest_base: String,
    subscription: Option<Subscription>,
    handlers: BubbleHandlers,
    dispatch: DispatchConfig,
    driver: DriverConfig,
    store: StoreOptions,
}

impl std::fmt::Debug for BubbleBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BubbleBot")
            .field("url", &self.url)
            .field("rest_base", &self.rest_base)
            .field("subscription", &self.subscription)
            .finish_non_exhaustive()
    }
}

impl BubbleBot {
    pub(crate) fn new(token: String) -> Self {
        Self {
            token,
            url: GATEWAY_URL.to_owned(),
            rest_base: REST_BASE.to_owned(),
            subscription: None,
            handlers: BubbleHandlers::new(),
            dispatch: DispatchConfig::default(),
            driver: DriverConfig::default(),
            store: StoreOptions::default(),
        }
    }

    /// The handlers (they also decide the subscription unless [`events`](Self::events) is set).
    pub fn handlers(mut self, handlers: BubbleHandlers) -> Self {
        self.handlers = handlers;
        self
    }

    /// Connect to this gateway URL (e.g. a simulator's).
    pub fn gateway_url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// The REST base `ctx.reply` sends to (default `https://bubble.alemonjs.com/api/bot/v1`; a simulator's
    /// `rest_base()`).
    pub fn rest_base(mut self, base: impl Into<String>) -> Self {
        self.rest_base = base.into();
        self
    }

    /// Subscribe to exactly these event types.
    pub fn events(mut self, events: Vec<String>) -> Self {
        self.subscription = Some(Subscription::Exact(events));
        self
    }

    /// Subscribe to everything the server offers (`availableEvents`; every event type botgate
    /// knows when BOT_READY lists none).
    pub fn all_events(mut self) -> Self {
        self.subscription = Some(Subscription::All);
        self
    }

    /// Ordering / concurrency / dedupe settings of the dispatcher.
    pub fn dispatch_config(mut self, config: DispatchConfig) -> Self {
        self.dispatch = config;
        self
    }

    /// Settings of the session driver.
    pub fn driver_config(mut self, config: DriverConfig) -> Self {
        self.driver = config;
        self
    }

    /// Keeps the resume point in `store` (e.g. `FileStore::new(dir)`): a restarted process
    /// resumes its session instead of starting a new one, so the events sent while it was
    /// down are replayed, and the replayed events it had already handled are skipped
    /// (decision 0016). Only servers with resume (the extended profile: `s`, `sessionId`,
    /// op 6) can resume; with the documented profile nothing is saved. Key: `bubble/default`
    /// (see [`session_key`](Self::session_key)).
    pub fn session_store(mut self, store: impl SessionStore + 'static) -> Self {
        self.store.store = Some(Arc::new(store));
        self
    }

    /// The key in the session store instead of `bubble/default` (one per bot when several
    /// bots share a store).
    pub fn session_key(mut self, key: impl Into<String>) -> Self {
        self.store.key = Some(key.into());
        self
    }

    /// Saves the resume point after at most `events` dispatches or `interval` after the first
    /// unsaved one (default 256 and 1 s); a new session is saved at once, and the last point
    /// when the bot stops.
    pub fn save_every(mut self, events: u64, interval: Duration) -> Self {
        self.store.every_events = events.max(1);
        self.store.every = interval;
        self
    }

    /// Starts the session; returns at once.
    ///
    /// # Errors
    /// An invalid URL or an HTTP client that cannot be built ([`ErrorKind::Config`]).
    pub async fn start(self) -> Result<RunningBot<Bubble, bubble::Session>, Error> {
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
            Secret::new(self.token.clone()),
            RestConfig {
                base: self.rest_base.clone(),
                ..RestConfig::default()
            },
        );
        let url: Url = super::error::websocket_url(&self.url, "gateway URL")?;
        let subscription = match self.subscription {
            Some(subscription) => subscription,
            None => Subscription::Handled(self.handlers.subscriptions()),
        };
        let key = self
            .store
            .key
            .clone()
            .unwrap_or_else(|| "bubble/default".to_owned());
        let (track, resume) = self.store.open(key).await?;
        let config = bubble::Config::new(url, self.token, subscription);
        let machine = bubble::Session::new(config, Instant::now(), resume);
        let dispatcher = Arc::new(Dispatcher::<Bubble>::new(self.handlers, self.dispatch));
        let bot = BotInfo::new(PlatformKind::Bubble);
        let driver = self.store.driver_config(&self.driver, track.as_ref());
        Ok(launch_shared(
            machine,
            dispatcher,
            true,
            bot,
            None,
            (&driver, track),
            |_, bot| bot.with_replies(Arc::new(BubbleReplies::new(rest))),
        ))
    }

    /// Starts, then runs until Ctrl-C or SIGTERM (clean close) or a fatal session error.
    pub async fn run(self) -> Result<(), Error> {
        self.start().await?.until_ctrl_c().await
    }
}
