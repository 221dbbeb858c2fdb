//! OneBot v11 reverse WebSocket: the implementation (Waylay, NapCat, ...) connects to us.
//!
//! Many bot accounts share one listener. Each account (a `self_id`) gets its own handlers,
//! dispatcher and lifecycle, kept across the implementation's reconnects; its events come in
//! the order its connections delivered them, and its actions go over the connection that
//! carries it now. The account of a connection comes from `X-Self-ID` when sent, else from
//! the first event with a non-zero `self_id` (Waylay sends neither header, and `self_id` 0
//! before its QQ login).
//!
//! `X-Client-Role` says what a connection carries (see [`OneBotReverse`], decision 0057):
//! `Universal` (or no header) events and actions, `Event` only events, `API` only actions.

mod conn;
mod link;
mod notice;
mod registry;

pub use notice::ReverseNotice;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use botgate_dispatch::onebot::{OneBot, OneBotHandlers};
use botgate_dispatch::{DispatchConfig, Dispatcher};
use botgate_session::driver::{accept_onebot, DriverConfig};
use botgate_session::onebot;
use botgate_transport::ws::{Listener, ListenerConfig};
use botgate_transport::Secret;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::error::{Error, ErrorKind};
use super::running::Lifecycle;
use super::stop::{stop_signal, SHUTDOWN_GRACE};
use registry::{MakeHandlers, Registry};

/// Builds a reverse-WS listener. Each bot account that connects gets its own handlers, made
/// once by the factory given to [`handlers_for`](Self::handlers_for) (or
/// [`handlers_fn`](Self::handlers_fn)), so contexts carry the right `self_id` and `ctx.call`
/// goes back over that account's connection.
///
/// # Client roles
/// A connection's `X-Client-Role` header (read without regard to case) says what it carries:
///
/// - `Universal`, no header (Waylay, NapCat) or a value not known: events and actions. A
///   newer connection of the account takes its actions at once and dispatches once the older
///   one has delivered what it read; an older one still open that has read nothing for a
///   second is closed ([`ReverseNotice::Replaced`]).
/// - `Event`: events (heartbeats included), as a `Universal` one, but never the account's
///   actions (it does not answer them).
/// - `API`: only the account's actions. go-cqhttp split (its `api` and `event` URLs set, no
///   `universal` one) opens one beside its `Event` socket, with the same `X-Self-ID`. It
///   must send `X-Self-ID` (it sends no events to learn the account from): without, it is
///   closed at once. It is not closed for silence
///   ([`first_frame_timeout`](Self::first_frame_timeout) and the heartbeat watchdog do not
///   apply: it speaks only to answer), dispatches nothing (an event on it is dropped), takes
///   the account's actions from whichever connection had them, and closes the account's
///   older `API` connection at once: one per account.
///
/// The account's actions go over the newest `Universal` or `API` connection; when it goes
/// down, they wait for the next one (up to the action timeout), even while an older one is
/// still open.
pub struct OneBotReverse {
    addr: String,
    access_token: Option<String>,
    path: Option<String>,
    make: MakeHandlers,
    dispatch: DispatchConfig,
    driver: DriverConfig,
    first_frame_timeout: Duration,
    /// `(ping_interval, pong_timeout)` of a connection without heartbeats.
    ping_watch: Option<(Duration, Duration)>,
    max_accounts: usize,
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
    /// The most accounts a listener keeps unless told otherwise ([`max_accounts`](Self::max_accounts)).
    pub const DEFAULT_MAX_ACCOUNTS: usize = 100_000;

    pub(crate) fn new(addr: String) -> Self {
        Self {
            addr,
            access_token: None,
            path: None,
            make: Arc::new(|_: &str| OneBotHandlers::new()),
            dispatch: DispatchConfig::default(),
            driver: DriverConfig::default(),
            first_frame_timeout: onebot::Config::reverse().first_frame_timeout,
            ping_watch: None,
            max_accounts: Self::DEFAULT_MAX_ACCOUNTS,
        }
    }

    /// The handlers of each account, made once per account on its first connection.
    pub fn handlers_fn(
        mut self,
        make: impl Fn() -> OneBotHandlers + Send + Sync + 'static,
    ) -> Self {
        self.make = Arc::new(move |_: &str| make());
        self
    }

    /// The handlers of each account, made once per account on its first connection, given the
    /// account's `self_id`.
    pub fn handlers_for(
        mut self,
        make: impl Fn(&str) -> OneBotHandlers + Send + Sync + 'static,
    ) -> Self {
        self.make = Arc::new(make);
        self
    }

    /// Require this token (`Authorization: Bearer` / `Token`, or `?access_token=`), compared
    /// in constant time; before the upgrade, a connection without one is answered 401, one
    /// with a wrong one 403. An empty token means none (no check), as for a forward bot.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// Accept upgrades only on this path (e.g. `/onebot/v11/ws`; others get 404); default:
    /// any path.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Ordering / concurrency settings of each account's dispatcher.
    pub fn dispatch_config(mut self, config: DispatchConfig) -> Self {
        self.dispatch = config;
        self
    }

    /// Settings of each connection's driver.
    pub fn driver_config(mut self, config: DriverConfig) -> Self {
        self.driver = config;
        self
    }

    /// How long a connection may stay silent after its upgrade before it is closed (default
    /// 60 s). Implementations send their lifecycle `connect` event at once; a peer that sends
    /// nothing would otherwise hold its tasks and socket for good. Not for an `API`
    /// connection (see [Client roles](Self#client-roles)), which is silent until asked and
    /// of which an account keeps one.
    pub fn first_frame_timeout(mut self, timeout: Duration) -> Self {
        self.first_frame_timeout = timeout;
        self
    }

    /// How a `Universal` or `Event` connection that sends no heartbeats is watched (decision
    /// 0060): a WebSocket ping every `interval` (default 15 s), closed when one gets no pong in
    /// `pong_timeout` (default 10 s). A connection that sends heartbeats is watched by them; an
    /// `API` connection is not watched.
    pub fn ping_watch(mut self, interval: Duration, pong_timeout: Duration) -> Self {
        self.ping_watch = Some((interval, pong_timeout));
        self
    }

    /// The most bot accounts kept (default [`DEFAULT_MAX_ACCOUNTS`](Self::DEFAULT_MAX_ACCOUNTS)). An account is kept for
    /// good once it has connected; a connection for a new `self_id` beyond the limit is
    /// closed.
    pub fn max_accounts(mut self, max: usize) -> Self {
        self.max_accounts = max;
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
        let mut session_config = onebot::Config::reverse();
        session_config.first_frame_timeout = self.first_frame_timeout;
        if let Some((interval, pong_timeout)) = self.ping_watch {
            session_config.ping_interval = interval;
            session_config.pong_timeout = pong_timeout;
        }
        // An action made while the account is between connections waits for the next one,
        // as long as an action may take anyway.
        let registry = Arc::new(Registry::new(
            self.make,
            self.dispatch,
            session_config.action_timeout,
            self.max_accounts,
        ));
        let (accepted_tx, accepted) = watch::channel(0usize);
        let driver = self.driver;
        let shared = Arc::clone(&registry);
        let task = tokio::spawn(async move {
            let next = AtomicU64::new(1);
            loop {
                let accepted = match accept_onebot(&mut listener, &session_config, &driver).await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(error = %e, "reverse-WS accept failed");
                        continue;
                    }
                };
                let id = next.fetch_add(1, Ordering::Relaxed);
                let handle = Arc::new(accepted.handle);
                let (lifecycle, lifecycle_rx) = watch::channel(Lifecycle::default());
                shared.add_live(id, Arc::clone(&handle), lifecycle_rx);
                tokio::spawn(conn::run(
                    Arc::clone(&shared),
                    id,
                    (accepted.peer, accepted.role, accepted.events),
                    handle,
                    lifecycle,
                ));
                accepted_tx.send_modify(|n| *n += 1);
            }
        });
        Ok(ReverseBot {
            local_addr,
            registry,
            accepted,
            task,
            stopped: false,
        })
    }

    /// Starts, then runs until Ctrl-C or SIGTERM, then shuts down cleanly.
    ///
    /// # Errors
    /// The address cannot be bound ([`ErrorKind::Listen`]).
    pub async fn run(self) -> Result<(), Error> {
        let bot = self.start().await?;
        stop_signal().await;
        tracing::info!("stop signal: closing every reverse connection");
        bot.shutdown().await;
        Ok(())
    }
}

/// A running reverse-WS listener, its accounts and their connections.
///
/// Dropped without [`shutdown`](Self::shutdown) (or with a shutdown cancelled half-way), it
/// stops accepting at once and closes its connections as `shutdown` does, in the background
/// of the runtime it was dropped on: a lost handle leaves no port bound and no connection
/// served for good.
pub struct ReverseBot {
    local_addr: SocketAddr,
    registry: Arc<Registry>,
    accepted: watch::Receiver<usize>,
    task: JoinHandle<()>,
    /// Set once a shutdown has closed everything: nothing left for a drop to do.
    stopped: bool,
}

impl Drop for ReverseBot {
    fn drop(&mut self) {
        self.task.abort();
        if self.stopped {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // No runtime: the connections' tasks are gone with it.
            return;
        };
        tracing::info!(addr = %self.local_addr, "reverse-WS bot dropped: closing every connection");
        let registry = Arc::clone(&self.registry);
        runtime.spawn(async move {
            let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
            registry.close_all(deadline).await;
        });
    }
}

impl std::fmt::Debug for ReverseBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReverseBot")
            .field("local_addr", &self.local_addr)
            .field("accepted", &*self.accepted.borrow())
            .field("accounts", &self.account_ids())
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

    /// The lifecycle of each connection that is still running, oldest first (`readies` is 1
    /// once it serves its account, `self_id` which).
    pub fn lifecycles(&self) -> Vec<watch::Receiver<Lifecycle>> {
        self.registry.live_lifecycles()
    }

    /// A receiver of the number of accounts seen so far.
    pub fn account_count(&self) -> watch::Receiver<usize> {
        self.registry.account_count()
    }

    /// The `self_id` of every account seen so far, in numeric order.
    pub fn account_ids(&self) -> Vec<String> {
        self.registry
            .accounts()
            .iter()
            .map(|a| a.self_id.to_string())
            .collect()
    }

    /// The lifecycle of account `self_id` across its connections: `readies` counts the
    /// connections that served it (go-cqhttp's `API` and `Event` sockets each count),
    /// `reconnects` those that ended, `dispatched` its events.
    pub fn account(&self, self_id: &str) -> Option<watch::Receiver<Lifecycle>> {
        let id = self_id.trim().parse().ok()?;
        self.registry.account(id).map(|a| a.lifecycle.subscribe())
    }

    /// The dispatcher of account `self_id` (stats, pending work).
    pub fn dispatcher(&self, self_id: &str) -> Option<Dispatcher<OneBot>> {
        let id = self_id.trim().parse().ok()?;
        self.registry
            .account(id)
            .map(|a| Dispatcher::clone(&a.dispatcher))
    }

    /// What happens to the connections from now on (connected, serving an account, replaced,
    /// ended). A receiver that falls more than 1024 notices behind misses the oldest.
    pub fn notices(&self) -> broadcast::Receiver<ReverseNotice> {
        self.registry.notices()
    }

    /// Stops accepting, closes every connection cleanly (close 1000), lets each deliver what
    /// it had read and every account's handlers finish, for at most
    /// [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE) in all.
    pub async fn shutdown(self) {
        self.shutdown_within(SHUTDOWN_GRACE).await;
    }

    /// [`shutdown`](Self::shutdown) within `grace`: past it every account's dispatcher is
    /// closed ([`Dispatcher::close`]), events not yet dispatched are dropped (OneBot has no
    /// resume) and handlers still running are no longer waited for.
    pub async fn shutdown_within(mut self, grace: Duration) {
        let deadline = tokio::time::Instant::now() + grace;
        self.task.abort();
        let _ = (&mut self.task).await;
        self.registry.close_all(deadline).await;
        self.stopped = true;
    }
}
