//! OneBot v11 reverse WebSocket: the implementation (Waylay, NapCat, ...) connects to us.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use botgate_dispatch::onebot::{OneBot, OneBotHandlers};
use botgate_dispatch::{BotInfo, DispatchConfig, Dispatcher, PlatformKind};
use botgate_session::driver::{accept_onebot, DriverConfig};
use botgate_session::onebot;
use botgate_transport::ws::{Listener, ListenerConfig};
use botgate_transport::Secret;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::actions::OneBotActions;
use super::error::{Error, ErrorKind};
use super::running::{Lifecycle, Pump, RunningBot};

type MakeHandlers = Arc<dyn Fn() -> OneBotHandlers + Send + Sync>;

/// Builds a reverse-WS listener. Each accepted connection (one per bot account; many may share
/// the listener) gets its own session, dispatcher and handlers, made by the factory given to
/// [`handlers_fn`](Self::handlers_fn), so contexts carry the right `self_id` and `ctx.call` goes
/// back over the right connection.
pub struct OneBotReverse {
    addr: String,
    access_token: Option<String>,
    path: Option<String>,
    make: MakeHandlers,
    dispatch: DispatchConfig,
    driver: DriverConfig,
}

impl std::fmt::Debug for OneBotReverse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneBotReverse")
            .field("addr", &self.addr)
            .field("path", &self.path)
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl OneBotReverse {
    pub(crate) fn new(addr: String) -> Self {
        Self {
            addr,
            access_token: None,
            path: None,
            make: Arc::new(OneBotHandlers::new),
            dispatch: DispatchConfig::default(),
            driver: DriverConfig::default(),
        }
    }

    /// The handlers of each connection, made fresh per accepted connection.
    pub fn handlers_fn(
        mut self,
        make: impl Fn() -> OneBotHandlers + Send + Sync + 'static,
    ) -> Self {
        self.make = Arc::new(make);
        self
    }

    /// Require this token (`Authorization: Bearer` / `Token`, or `?access_token=`); a wrong
    /// one is answered 401 before the upgrade.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// Accept upgrades only on this path (e.g. `/onebot/v11/ws`); default: any path.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Ordering / concurrency settings of each connection's dispatcher.
    pub fn dispatch_config(mut self, config: DispatchConfig) -> Self {
        self.dispatch = config;
        self
    }

    /// Settings of each connection's driver.
    pub fn driver_config(mut self, config: DriverConfig) -> Self {
        self.driver = config;
        self
    }

    /// Binds the listener and starts accepting; returns at once.
    ///
    /// # Errors
    /// The address cannot be bound ([`ErrorKind::Listen`]).
    pub async fn start(self) -> Result<ReverseBot, Error> {
        let config = ListenerConfig {
            access_token: self.access_token.map(Secret::new),
            path: self.path,
            ..ListenerConfig::default()
        };
        let mut listener = Listener::bind(self.addr.as_str(), config)
            .await
            .map_err(|e| Error::with_source(ErrorKind::Listen, e))?;
        let local_addr = listener.local_addr();
        let bots: Arc<Mutex<Vec<RunningBot<OneBot, onebot::Session>>>> = Arc::default();
        let (accepted_tx, accepted) = watch::channel(0usize);
        let session_config = onebot::Config::reverse();
        let (make, dispatch, driver) = (self.make, self.dispatch, self.driver);
        let accepted_bots = Arc::clone(&bots);
        let task = tokio::spawn(async move {
            loop {
                let accepted = match accept_onebot(&mut listener, &session_config, &driver).await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(error = %e, "reverse-WS accept failed");
                        continue;
                    }
                };
                let handle = Arc::new(accepted.handle);
                let dispatcher = Arc::new(Dispatcher::<OneBot>::new(make(), dispatch));
                let mut bot = BotInfo::new(PlatformKind::OneBot)
                    .with_actions(Arc::new(OneBotActions::new(Arc::clone(&handle))));
                if let Some(id) = accepted.peer.self_id {
                    bot = bot.with_self_id(id.to_string());
                }
                dispatcher.set_bot(bot.clone());
                let (lifecycle_tx, lifecycle) = watch::channel(Lifecycle::default());
                let pump = Pump {
                    events: accepted.events,
                    dispatcher: Arc::clone(&dispatcher),
                    driver: Arc::clone(&handle),
                    bot,
                    tokens: None,
                    lifecycle: lifecycle_tx,
                    owns_dispatcher: true,
                    track: None,
                };
                let running = RunningBot {
                    dispatcher,
                    driver: handle,
                    pump: tokio::spawn(pump.run()),
                    lifecycle,
                };
                if let Ok(mut list) = accepted_bots.lock() {
                    list.retain(|b| b.lifecycle.borrow().stopped.is_none());
                    list.push(running);
                }
                accepted_tx.send_modify(|n| *n += 1);
            }
        });
        Ok(ReverseBot {
            local_addr,
            bots,
            accepted,
            task,
        })
    }

    /// Starts, then runs until Ctrl-C.
    pub async fn run(self) -> Result<(), Error> {
        let bot = self.start().await?;
        let _ = tokio::signal::ctrl_c().await;
        bot.shutdown().await;
        Ok(())
    }
}

/// A running reverse-WS listener and the bots connected to it.
pub struct ReverseBot {
    local_addr: SocketAddr,
    bots: Arc<Mutex<Vec<RunningBot<OneBot, onebot::Session>>>>,
    accepted: watch::Receiver<usize>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for ReverseBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReverseBot")
            .field("local_addr", &self.local_addr)
            .field("accepted", &*self.accepted.borrow())
            .finish_non_exhaustive()
    }
}

impl ReverseBot {
    /// The address the listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A receiver of the number of connections accepted so far.
    pub fn accepted(&self) -> watch::Receiver<usize> {
        self.accepted.clone()
    }

    /// The lifecycle of each connection that is still running.
    pub fn lifecycles(&self) -> Vec<watch::Receiver<Lifecycle>> {
        self.bots
            .lock()
            .map(|list| list.iter().map(RunningBot::lifecycle).collect())
            .unwrap_or_default()
    }

    /// Stops accepting and closes every connection cleanly.
    pub async fn shutdown(self) {
        self.task.abort();
        let bots = self
            .bots
            .lock()
            .map(|mut list| std::mem::take(&mut *list))
            .unwrap_or_default();
        for bot in bots {
            if let Err(e) = bot.shutdown().await {
                tracing::debug!(error = %e, "reverse connection ended with an error");
            }
        }
    }
}
