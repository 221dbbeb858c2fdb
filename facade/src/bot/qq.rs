//! The QQ bot builder.

use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_codec::Intents;
use botgate_dispatch::qq::{Qq, QqHandlers};
use botgate_dispatch::{BotInfo, DispatchConfig, Dispatcher, PlatformKind};
use botgate_session::driver::DriverConfig;
use botgate_session::{
    qq, BudgetedIdentifyQueue, IdentifyQueue, LocalIdentifyQueue, NoIdentifyQueue, ResumeState,
    SessionStore,
};
use botgate_transport::http::HttpClient;
use botgate_transport::qq::{AppCredentials, OpenApi, OpenApiConfig, QqAuth, TokenSource};
use botgate_transport::Secret;
use url::Url;

use super::error::{Error, ErrorKind};
use super::persist::StoreOptions;
use super::{launch_shared, RunningBot, ShardedBot};
use crate::reply::QqReplies;

/// Production OpenAPI base.
pub const API_BASE: &str = "https://api.sgroup.qq.com";
/// Sandbox OpenAPI base.
pub const SANDBOX_API_BASE: &str = "https://sandbox.api.sgroup.qq.com";
/// Where access tokens come from.
pub const AUTH_BASE: &str = "https://bots.qq.com";

enum Credentials {
    AppSecret { app_id: String, secret: Secret },
    Fixed(Secret),
}

/// Builds and starts a QQ bot. Defaults: production bases, intents from the handlers, shard
/// `[0, 1]`, gateway URL from `GET /gateway/bot`.
pub struct QqBot {
    credentials: Credentials,
    api_base: String,
    auth_base: String,
    gateway_url: Option<String>,
    intents: Option<Intents>,
    shard: [u32; 2],
    shard_explicit: bool,
    shard_count: Option<u32>,
    handlers: QqHandlers,
    dispatch: DispatchConfig,
    driver: DriverConfig,
    store: StoreOptions,
    identify_queue: Option<Arc<dyn IdentifyQueue>>,
}

impl std::fmt::Debug for QqBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QqBot")
            .field("api_base", &self.api_base)
            .field("gateway_url", &self.gateway_url)
            .field("intents", &self.intents)
            .field("shard", &self.shard)
            .finish_non_exhaustive()
    }
}

impl QqBot {
    pub(crate) fn with_app_secret(app_id: String, secret: String) -> Self {
        Self::new(Credentials::AppSecret {
            app_id,
            secret: Secret::new(secret),
        })
    }

    pub(crate) fn with_fixed_token(token: String) -> Self {
        Self::new(Credentials::Fixed(Secret::new(token)))
    }

    fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            api_base: API_BASE.to_owned(),
            auth_base: AUTH_BASE.to_owned(),
            gateway_url: None,
            intents: None,
            shard: [0, 1],
            shard_explicit: false,
            shard_count: None,
            handlers: QqHandlers::new(),
            dispatch: DispatchConfig::default(),
            driver: DriverConfig::default(),
            store: StoreOptions::default(),
            identify_queue: None,
        }
    }

    /// The handlers (they also decide the intents unless [`intents`](Self::intents) is set).
    pub fn handlers(mut self, handlers: QqHandlers) -> Self {
        self.handlers = handlers;
        self
    }

    /// Use the sandbox OpenAPI base.
    pub fn sandbox(mut self) -> Self {
        self.api_base = SANDBOX_API_BASE.to_owned();
        self
    }

    /// The OpenAPI base (for `/gateway/bot` and the sends of `ctx.reply`), e.g. a simulator's.
    pub fn api_base(mut self, base: impl Into<String>) -> Self {
        self.api_base = base.into();
        self
    }

    /// The base of `getAppAccessToken`.
    pub fn auth_base(mut self, base: impl Into<String>) -> Self {
        self.auth_base = base.into();
        self
    }

    /// Skip discovery and connect to this gateway URL.
    pub fn gateway_url(mut self, url: impl Into<String>) -> Self {
        self.gateway_url = Some(url.into());
        self
    }

    /// Send these intents instead of the ones computed from the handlers (empty: GUILDS, see
    /// [`effective_intents`](Self::effective_intents)).
    pub fn intents(mut self, intents: Intents) -> Self {
        self.intents = Some(intents);
        self
    }

    /// Run only shard `id` of `count` (other processes run the others): [`run`](Self::run)
    /// then starts this one shard.
    pub fn shard(mut self, id: u32, count: u32) -> Self {
        self.shard = [id, count.max(1)];
        self.shard_explicit = true;
        self
    }

    /// Run shards `0..count` in this process instead of the number `/gateway/bot` recommends
    /// (see [`start_sharded`](Self::start_sharded)).
    pub fn shards(mut self, count: u32) -> Self {
        self.shard_count = Some(count.max(1));
        self
    }

    /// Ordering / concurrency / dedupe settings of the dispatcher.
    pub fn dispatch_config(mut self, config: DispatchConfig) -> Self {
        self.dispatch = config;
        self
    }

    /// Settings of the session driver (event channel size, connect options).
    pub fn driver_config(mut self, config: DriverConfig) -> Self {
        self.driver = config;
        self
    }

    /// Keeps each shard's resume point in `store` (e.g. `FileStore::new(dir)`): a restarted
    /// process resumes its sessions instead of identifying again, so the events sent while it
    /// was down are replayed, and the replayed events it had already handled are skipped
    /// (decision 0016). Keys: `qq/<app id>/<shard>-<count>` (see
    /// [`session_key`](Self::session_key)).
    pub fn session_store(mut self, store: impl SessionStore + 'static) -> Self {
        self.store.store = Some(Arc::new(store));
        self
    }

    /// The key prefix in the session store instead of `qq/<app id>` (`qq/token` with a fixed
    /// `QQBot` token); `/<shard>-<count>` is appended. Needed when several bots share a store
    /// and their prefixes would be equal.
    pub fn session_key(mut self, prefix: impl Into<String>) -> Self {
        self.store.key = Some(prefix.into());
        self
    }

    /// Saves the resume point after at most `events` dispatches or `interval` after the first
    /// unsaved one (default 256 and 1 s); a new session is saved at once, and the last point
    /// when the bot stops. After a crash, what was handled since the last save is replayed and
    /// skipped through the store's journal.
    pub fn save_every(mut self, events: u64, interval: Duration) -> Self {
        self.store.every_events = events.max(1);
        self.store.every = interval;
        self
    }

    /// Where identifies get their slot (QQ: one per `max_concurrency` bucket per 5 s), e.g. a
    /// queue shared by every process of the bot (`botgate-redis`). Default: none for one shard
    /// ([`start`](Self::start)), an in-process queue for [`start_sharded`](Self::start_sharded).
    /// Either way, once `/gateway/bot`'s `session_start_limit` is spent, identifies wait for its
    /// `reset_after` (decision 0070).
    pub fn identify_queue(mut self, queue: Arc<dyn IdentifyQueue>) -> Self {
        self.identify_queue = Some(queue);
        self
    }

    /// The key of shard `[id, count]` in the session store.
    fn store_key(&self, shard: [u32; 2]) -> String {
        let prefix = self.store.key.clone().unwrap_or_else(|| {
            let app = match &self.credentials {
                Credentials::AppSecret { app_id, .. } => Some(app_id.clone()),
                Credentials::Fixed(token) => token
                    .expose()
                    .strip_prefix("Bot ")
                    .and_then(|rest| rest.split_once('.'))
                    .map(|(app, _)| app.to_owned()),
            };
            format!("qq/{}", app.as_deref().unwrap_or("token"))
        });
        format!("{prefix}/{}-{}", shard[0], shard[1])
    }

    /// The intents this bot will send in its first Identify: those set with
    /// [`intents`](Self::intents), else the handlers' (required and optional); GUILDS when
    /// that is none, as botgo and botpy identify ([`Intents::for_identify`]).
    pub fn effective_intents(&self) -> Intents {
        self.asked_intents().for_identify()
    }

    /// The intents set or the handlers', before GUILDS stands in for none.
    fn asked_intents(&self) -> Intents {
        self.intents.unwrap_or_else(|| {
            self.handlers
                .intents()
                .union(self.handlers.optional_intents())
        })
    }

    /// The part of [`effective_intents`](Self::effective_intents) dropped when the gateway
    /// refuses an intent (4013 / 4014) instead of stopping: those only unified handlers asked
    /// for (decision 0054). None when the intents were set with [`intents`](Self::intents).
    pub fn optional_intents(&self) -> Intents {
        match self.intents {
            Some(_) => Intents::empty(),
            None => self.handlers.optional_intents(),
        }
    }

    /// Fetches the token, discovers the gateway and starts the session; returns at once.
    ///
    /// # Errors
    /// A rejected app id / secret ([`ErrorKind::Token`]), failed discovery
    /// ([`ErrorKind::Gateway`]) or an invalid URL ([`ErrorKind::Config`]).
    pub async fn start(self) -> Result<RunningBot<Qq, qq::Session>, Error> {
        let p = self.prepare().await?;
        let (track, resume) = self.store.open(self.store_key(self.shard)).await?;
        let queue = p.budgeted(
            self.identify_queue
                .clone()
                .unwrap_or_else(|| Arc::new(NoIdentifyQueue)),
        );
        let machine = p.machine(self.shard, queue, resume);
        tracing::info!(intents = p.intents.bits(), names = %p.intents, optional = %p.optional_intents, shard = ?self.shard, "starting QQ bot");
        let dispatcher = Arc::new(Dispatcher::<Qq>::new(self.handlers, self.dispatch));
        let replies = Arc::clone(&p.replies);
        let driver = self.store.driver_config(&self.driver, track.as_ref());
        Ok(launch_shared(
            machine,
            dispatcher,
            true,
            p.bot.clone(),
            Some(p.tokens.clone()),
            (&driver, track),
            move |_, bot| bot.with_replies(replies),
        ))
    }

    /// Starts every shard in this process, as botgo's session manager does: as many as
    /// `/gateway/bot` recommends (or [`shards`](Self::shards)), identifies spaced by its
    /// `session_start_limit.max_concurrency` per 5 s, all feeding one dispatcher (events of one
    /// conversation always come on the same shard, so ordering holds; dedupe by event id
    /// absorbs anything delivered twice).
    ///
    /// # Errors
    /// As [`start`](Self::start).
    pub async fn start_sharded(self) -> Result<ShardedBot, Error> {
        let p = self.prepare().await?;
        let count = self.shard_count.unwrap_or(p.recommended_shards).max(1);
        let queue: Arc<dyn IdentifyQueue> = match &self.identify_queue {
            Some(queue) => Arc::clone(queue),
            None => Arc::new(LocalIdentifyQueue::new(p.max_concurrency.max(1))),
        };
        let queue = p.budgeted(queue);
        tracing::info!(intents = p.intents.bits(), names = %p.intents, optional = %p.optional_intents, shards = count, "starting QQ bot");
        let mut opened = Vec::with_capacity(count as usize);
        for id in 0..count {
            opened.push(self.store.open(self.store_key([id, count])).await?);
        }
        let dispatcher = Arc::new(Dispatcher::<Qq>::new(self.handlers, self.dispatch));
        let shards = (0..count)
            .zip(opened)
            .map(|(id, (track, resume))| {
                let machine = p.machine([id, count], Arc::clone(&queue), resume);
                let replies = Arc::clone(&p.replies);
                let driver = self.store.driver_config(&self.driver, track.as_ref());
                launch_shared(
                    machine,
                    Arc::clone(&dispatcher),
                    false,
                    p.bot.clone(),
                    Some(p.tokens.clone()),
                    (&driver, track),
                    move |_, bot| bot.with_replies(replies),
                )
            })
            .collect();
        Ok(ShardedBot::new(dispatcher, shards))
    }

    /// Fetches the token and discovers the gateway (shared by every shard).
    async fn prepare(&self) -> Result<Prepared, Error> {
        botgate_transport::install_default_crypto_provider();
        let http = HttpClient::new().map_err(|e| {
            Error::with_source(
                ErrorKind::Config {
                    what: "HTTP client".into(),
                },
                e,
            )
        })?;
        let intents = self.effective_intents();
        if self.asked_intents().is_empty() {
            tracing::warn!(
                intents = %intents,
                "QQ: no intent asked for (none set, or no registered handler needs one); identifying with GUILDS instead of 0, as botgo and botpy do"
            );
        }
        let optional_intents = self.optional_intents();
        // One token source for the gateway (Identify / Resume, refreshed on `TokenRequired`)
        // and the OpenAPI client behind `ctx.reply`: one cache, refreshed before expiry and
        // after a rejection (decision 0008).
        let (tokens, app_id) = match &self.credentials {
            Credentials::AppSecret { app_id, secret } => (
                TokenSource::app(
                    http.clone(),
                    AppCredentials::new(app_id.clone(), secret.clone())
                        .with_auth_base(self.auth_base.clone()),
                ),
                Some(app_id.clone()),
            ),
            Credentials::Fixed(token) => (TokenSource::fixed(fixed_auth(token)), None),
        };
        let fetched_at = Instant::now();
        let (header, ttl) = tokens
            .token_with_ttl()
            .await
            .map_err(|e| Error::with_source(ErrorKind::Token, e))?;
        // Identify carries what REST sends: a bare fixed token is an access token there too
        // (`QQBot <token>`, as botgo and botpy send it; a bare one is refused with 4004).
        let token = header.expose().to_owned();
        let refreshable = app_id.is_some();
        let api = OpenApi::new(
            http.clone(),
            tokens.clone(),
            OpenApiConfig {
                api_base: self.api_base.clone(),
                ..OpenApiConfig::production()
            },
        );
        let (url, recommended_shards, max_concurrency, budget) = match &self.gateway_url {
            Some(url) => (url.clone(), 1, 1, None),
            None => {
                // Through the OpenAPI client: 5xx and timeouts retried, QQ's code and trace id
                // in the error, a refused token dropped from the cache.
                let gateway = api
                    .gateway_bot()
                    .await
                    .map_err(|e| Error::with_source(ErrorKind::Gateway, e))?;
                let limit = &gateway.session_start_limit;
                if limit.remaining == 0 {
                    tracing::warn!(reset_after = ?limit.reset_after, "no identifies left: they wait for the reset");
                }
                // An Identify over the budget is refused: the spent budget holds identifies
                // until the reset (a resume needs none). QQ's period is hours: a wire value
                // past a day is capped, so no far-off instant reaches the timers.
                let reset_at =
                    Instant::now() + limit.reset_after.min(Duration::from_secs(24 * 3600));
                (
                    gateway.url,
                    gateway.shards,
                    limit.max_concurrency,
                    Some((limit.remaining, reset_at)),
                )
            }
        };
        let url: Url = super::error::websocket_url(&url, "gateway URL")?;
        let mut bot = BotInfo::new(PlatformKind::Qq);
        if let Some(app_id) = &app_id {
            bot = bot.with_app_id(app_id.clone());
        }
        Ok(Prepared {
            intents,
            optional_intents,
            tokens,
            token,
            ttl,
            fetched_at,
            refreshable,
            url,
            recommended_shards,
            max_concurrency,
            budget,
            replies: Arc::new(QqReplies::new(api)),
            bot,
        })
    }

    /// Starts (every recommended shard, or the one set with [`shard`](Self::shard)), then runs
    /// until Ctrl-C or SIGTERM (clean close) or a fatal session error.
    pub async fn run(self) -> Result<(), Error> {
        if self.shard_explicit {
            self.start().await?.until_ctrl_c().await
        } else {
            self.start_sharded().await?.until_ctrl_c().await
        }
    }
}

/// What every shard of one bot shares: the token source, the gateway, the reply client.
struct Prepared {
    intents: Intents,
    optional_intents: Intents,
    tokens: TokenSource,
    token: String,
    ttl: Option<std::time::Duration>,
    fetched_at: Instant,
    refreshable: bool,
    url: Url,
    recommended_shards: u32,
    max_concurrency: u32,
    /// `session_start_limit`'s identifies left and when they reset (`None`: not discovered).
    budget: Option<(u32, Instant)>,
    replies: Arc<QqReplies>,
    bot: BotInfo,
}

impl Prepared {
    /// `queue` held to the identify budget of `/gateway/bot`, when it is known.
    fn budgeted(&self, queue: Arc<dyn IdentifyQueue>) -> Arc<dyn IdentifyQueue> {
        match self.budget {
            Some((remaining, reset_at)) => {
                Arc::new(BudgetedIdentifyQueue::new(queue, remaining, reset_at))
            }
            None => queue,
        }
    }

    /// Shard `shard`'s machine, resuming `resume` if it is a session of that shard.
    fn machine(
        &self,
        shard: [u32; 2],
        queue: Arc<dyn IdentifyQueue>,
        resume: Option<ResumeState>,
    ) -> qq::Session {
        let resume = resume.filter(|r| {
            let same = r.shard.is_none_or(|s| s == shard);
            if !same {
                tracing::warn!(stored = ?r.shard, ?shard, "stored session is of another shard layout: identifying afresh");
            }
            same
        });
        let mut config = qq::Config::new(self.url.clone(), self.token.clone(), self.intents.bits());
        config.optional_intents = self.optional_intents.bits();
        config.refreshable_token = self.refreshable;
        config.shard = shard;
        config.identify_queue = queue;
        let mut machine = qq::Session::new(config, Instant::now(), resume);
        if self.ttl.is_some() {
            machine.set_token(self.fetched_at, self.token.clone(), self.ttl);
        }
        machine
    }
}

/// `Bot <app>.<token>` → legacy auth; `QQBot <t>` or a bare token → access token.
fn fixed_auth(token: &Secret) -> QqAuth {
    let raw = token.expose();
    if let Some(rest) = raw.strip_prefix("Bot ") {
        if let Some((app_id, t)) = rest.split_once('.') {
            return QqAuth::BotToken {
                app_id: app_id.to_owned(),
                token: Secret::new(t),
            };
        }
    }
    QqAuth::AccessToken(Secret::new(raw.strip_prefix("QQBot ").unwrap_or(raw)))
}
