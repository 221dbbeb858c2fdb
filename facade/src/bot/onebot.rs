//! The OneBot v11 (forward WebSocket) bot builder.

use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_dispatch::onebot::{OneBot, OneBotHandlers};
use botgate_dispatch::{ActionSink, BotInfo, DispatchConfig, Dispatcher, PlatformKind};
use botgate_session::driver::DriverConfig;
use botgate_session::onebot;
use url::Url;

use super::actions::OneBotActions;
use super::error::Error;
use super::{launch, RunningBot};
use crate::reply::OneBotReplies;

/// Builds and starts a OneBot bot that connects to an implementation's WebSocket server
/// (Waylay, NapCat, Lagrange, go-cqhttp, LLOneBot). Handlers call actions with
/// `ctx.call(name, params)` or typed with `ctx.onebot().send_group_msg(..)`, and answer with
/// `ctx.reply(..)`; responses are matched by `echo`.
pub struct OneBotBot {
    url: String,
    access_token: Option<String>,
    handlers: OneBotHandlers,
    dispatch: DispatchConfig,
    driver: DriverConfig,
    first_frame_timeout: Option<Duration>,
    /// `(ping_interval, pong_timeout)` of a connection without heartbeats.
    ping_watch: Option<(Duration, Duration)>,
}

impl std::fmt::Debug for OneBotBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneBotBot")
            .field("url", &botgate_session::token::redact_url(&self.url))
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl OneBotBot {
    pub(crate) fn new(url: String) -> Self {
        Self {
            url,
            access_token: None,
            handlers: OneBotHandlers::new(),
            dispatch: DispatchConfig::default(),
            driver: DriverConfig::default(),
            first_frame_timeout: None,
            ping_watch: None,
        }
    }

    /// The handlers.
    pub fn handlers(mut self, handlers: OneBotHandlers) -> Self {
        self.handlers = handlers;
        self
    }

    /// The implementation's access token (sent as `Authorization: Bearer`); an empty one
    /// means none.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// Ordering / concurrency settings of the dispatcher.
    pub fn dispatch_config(mut self, config: DispatchConfig) -> Self {
        self.dispatch = config;
        self
    }

    /// Settings of the session driver.
    pub fn driver_config(mut self, config: DriverConfig) -> Self {
        self.driver = config;
        self
    }

    /// How long a connection may stay silent before its first frame (default 60 s), and the
    /// least the heartbeat watchdog waits on a new connection until its first heartbeat
    /// (decision 0055): a shorter one notices a dead reconnect sooner, but must cover the
    /// implementation's longest heartbeat interval. A connection that has spoken but sent no
    /// heartbeat by then (an implementation with heartbeats off) is kept and watched with
    /// WebSocket pings from then on (decision 0060).
    pub fn first_frame_timeout(mut self, timeout: Duration) -> Self {
        self.first_frame_timeout = Some(timeout);
        self
    }

    /// How a connection that sends no heartbeats is watched (decision 0060): a WebSocket ping
    /// every `interval` (default 15 s), cut when one gets no pong in `pong_timeout` (default
    /// 10 s). At most one ping waits for its pong. A connection that sends heartbeats is
    /// watched by them instead.
    pub fn ping_watch(mut self, interval: Duration, pong_timeout: Duration) -> Self {
        self.ping_watch = Some((interval, pong_timeout));
        self
    }

    /// Starts the session; returns at once.
    ///
    /// # Errors
    /// An invalid URL ([`ErrorKind::Config`](crate::ErrorKind::Config)).
    pub async fn start(self) -> Result<RunningBot<OneBot, onebot::Session>, Error> {
        let url: Url = super::error::websocket_url(&self.url, "URL")?;
        let mut config = onebot::Config::forward(url, self.access_token.map(Into::into));
        if let Some(timeout) = self.first_frame_timeout {
            config.first_frame_timeout = timeout;
        }
        if let Some((interval, pong_timeout)) = self.ping_watch {
            config.ping_interval = interval;
            config.pong_timeout = pong_timeout;
        }
        let machine = onebot::Session::new(config, Instant::now());
        let dispatcher = Dispatcher::<OneBot>::new(self.handlers, self.dispatch);
        let bot = BotInfo::new(PlatformKind::OneBot);
        Ok(launch(
            machine,
            dispatcher,
            bot,
            None,
            &self.driver,
            |handle, bot| {
                let actions: Arc<dyn ActionSink> = Arc::new(OneBotActions::new(Arc::clone(handle)));
                bot.with_actions(Arc::clone(&actions))
                    .with_replies(Arc::new(OneBotReplies::new(actions)))
            },
        ))
    }

    /// Starts, then runs until Ctrl-C or SIGTERM (clean close) or a fatal session error.
    pub async fn run(self) -> Result<(), Error> {
        self.start().await?.until_ctrl_c().await
    }
}
