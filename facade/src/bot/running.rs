//! A started bot: the pump that carries session events into the dispatcher, and its handle.

use std::sync::Arc;
use std::time::Duration;

use botgate_codec::Frame;
use botgate_dispatch::{BotError, BotErrorKind, BotInfo, Dispatcher, Platform};
use botgate_session::driver::{DriverHandle, EventReceiver};
use botgate_session::{SessionEvent, SessionMachine, TokenReason, Why};
use botgate_transport::Secret;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::error::{Error, ErrorKind};
use botgate_transport::qq::TokenSource;

use super::glue::Glue;
use super::persist::{Begin, SessionTrack};
use super::stop::{give_up, within_grace, SHUTDOWN_GRACE};

/// What has happened to a running bot so far (watch it with [`RunningBot::lifecycle`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lifecycle {
    /// New sessions (READY / BOT_READY / OneBot lifecycle connect).
    pub readies: u64,
    /// Sessions resumed without loss.
    pub resumes: u64,
    /// Connections lost or closed that the session reconnects from.
    pub reconnects: u64,
    /// Dispatches handed to the dispatcher. Counted per burst: the figure is brought up to
    /// date whenever the pump has no further event waiting (and before any other change here).
    pub dispatched: u64,
    /// Replayed dispatches not handed to the dispatcher because the process before a restart
    /// had handled them (the store's journal; decision 0016).
    pub skipped: u64,
    /// The bot's own id, once known.
    pub self_id: Option<String>,
    /// Set when the bot has stopped (`Some("")` on a clean stop, else why).
    pub stopped: Option<String>,
}

/// A bot that runs: its session driver, its dispatcher and the task between them.
///
/// Dropped before it has stopped (without [`shutdown`](Self::shutdown), or with a
/// [`wait`](Self::wait) cancelled half-way), it closes its session as `shutdown` does, in the
/// background of the runtime it was dropped on: a lost handle leaves no bot running for good.
pub struct RunningBot<P: Platform, M> {
    pub(crate) dispatcher: Arc<Dispatcher<P>>,
    pub(crate) driver: Arc<DriverHandle<M>>,
    pub(crate) pump: JoinHandle<Result<(), Error>>,
    pub(crate) lifecycle: watch::Receiver<Lifecycle>,
    /// Closes the session if the handle is dropped before the bot has stopped.
    pub(crate) close_on_drop: CloseOnDrop,
}

/// What a [`RunningBot`] dropped without [`shutdown`](RunningBot::shutdown) does: it closes
/// the session as `shutdown` does (on the runtime it was dropped on), so a lost handle leaves
/// no socket open and no task running for good (decision 0082). Disarmed once the bot has
/// stopped through its handle.
pub(crate) struct CloseOnDrop(Option<Box<dyn FnOnce() + Send + Sync>>);

impl CloseOnDrop {
    /// Armed: a drop closes `driver`'s session, gives the handlers [`SHUTDOWN_GRACE`], then
    /// closes `dispatcher`.
    pub(crate) fn new<P: Platform, M: SessionMachine + Send + 'static>(
        driver: &Arc<DriverHandle<M>>,
        dispatcher: &Arc<Dispatcher<P>>,
    ) -> Self {
        let (driver, dispatcher) = (Arc::clone(driver), Arc::clone(dispatcher));
        Self(Some(Box::new(move || {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                // No runtime: the driver and the pump are gone with it.
                return;
            };
            runtime.spawn(async move {
                if driver.is_finished() {
                    return;
                }
                tracing::info!(platform = %P::KIND, "bot handle dropped: closing the session");
                let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
                let _ = driver.with_machine(|m, now| m.close(now)).await;
                let mut status = driver.status();
                let stopped = async {
                    let _ = status.wait_for(|s| s.stopped).await;
                };
                within_grace(deadline, stopped, || give_up(&dispatcher)).await;
            });
        })))
    }

    /// The bot stopped through its handle: nothing to do on drop.
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        if let Some(close) = self.0.take() {
            close();
        }
    }
}

impl<P: Platform, M> std::fmt::Debug for RunningBot<P, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningBot")
            .field("platform", &P::KIND)
            .field("lifecycle", &*self.lifecycle.borrow())
            .finish_non_exhaustive()
    }
}

impl<P: Platform, M: SessionMachine + Send + 'static> RunningBot<P, M> {
    /// The dispatcher (stats, pending work, the bot identity).
    pub fn dispatcher(&self) -> &Dispatcher<P> {
        &self.dispatcher
    }

    /// The session driver (status, counters, run-time machine calls).
    pub fn driver(&self) -> &DriverHandle<M> {
        &self.driver
    }

    /// A receiver of the lifecycle counters; await changes with `wait_for(..)`.
    pub fn lifecycle(&self) -> watch::Receiver<Lifecycle> {
        self.lifecycle.clone()
    }

    /// Closes the session cleanly (close frame, pending actions failed), lets running
    /// handlers finish for at most [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE), and returns how
    /// the bot ended. See [`shutdown_within`](Self::shutdown_within).
    pub async fn shutdown(self) -> Result<(), Error> {
        self.shutdown_within(SHUTDOWN_GRACE).await
    }

    /// [`shutdown`](Self::shutdown), letting running handlers finish for at most `grace`.
    /// Past it the bot stops without them: its dispatcher is closed
    /// ([`Dispatcher::close`]), the events still queued are not dispatched, and the handlers
    /// still running are not cancelled but no longer waited for. Their events count as not
    /// handled: with a session store the saved resume point stays below them, so the next
    /// start replays them.
    pub async fn shutdown_within(self, grace: Duration) -> Result<(), Error> {
        let deadline = tokio::time::Instant::now() + grace;
        self.close_session().await;
        self.finish(Some(deadline)).await
    }

    /// Waits until the bot stops on its own (a fatal session error, or `shutdown` elsewhere).
    /// After a fatal error its running handlers get [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE)
    /// to finish.
    pub async fn wait(self) -> Result<(), Error> {
        self.finish(None).await
    }

    /// The machine's `close()`: it emits `Stopped`, which ends the pump once the dispatcher
    /// drained.
    pub(crate) async fn close_session(&self) {
        let _ = self.driver.with_machine(|m, now| m.close(now)).await;
    }

    /// The pump's result, once the driver has ended too. Past `deadline` the dispatcher is
    /// closed: the pump then no longer waits for a handler (for room, or for the drain).
    pub(crate) async fn finish(self, deadline: Option<tokio::time::Instant>) -> Result<(), Error> {
        let Self {
            dispatcher,
            driver,
            pump,
            mut close_on_drop,
            ..
        } = self;
        let pumped = join(pump, &driver);
        // Armed until the bot has stopped: a `wait` dropped half-way still closes it.
        let result = match deadline {
            Some(deadline) => within_grace(deadline, pumped, || give_up(&dispatcher)).await,
            None => pumped.await,
        };
        close_on_drop.disarm();
        result
    }

    /// Runs until Ctrl-C or SIGTERM (then shuts down cleanly, see [`shutdown`](Self::shutdown))
    /// or until the bot stops on its own.
    ///
    /// Once listened for, SIGINT and SIGTERM no longer end the process on their own (tokio's
    /// handler stays installed): a program that goes on after this returns must stop itself.
    pub async fn until_ctrl_c(self) -> Result<(), Error> {
        let mut lifecycle = self.lifecycle.clone();
        tokio::select! {
            () = super::stop::stop_signal() => {
                tracing::info!("stop signal: closing the session");
                self.shutdown().await
            }
            // the wait's guard is dropped before the pump is awaited: the future stays Send
            _ = async { let _ = lifecycle.wait_for(|l| l.stopped.is_some()).await; } => {
                self.finish(None).await
            }
        }
    }
}

/// The pump's result, once the driver has ended too (its last save to the session store is
/// then written: the pump's end drops the event channel, which ends the driver).
async fn join<M>(
    pump: JoinHandle<Result<(), Error>>,
    driver: &DriverHandle<M>,
) -> Result<(), Error> {
    let result = match pump.await {
        Ok(result) => result,
        Err(e) => Err(Error::with_source(ErrorKind::Driver, e)),
    };
    let _ = driver.status().wait_for(|s| s.stopped).await;
    result
}

/// The most events the pump takes from the session's channel at once.
const PUMP_BATCH: usize = 16;

/// Dispatches counted by the pump and not yet in its lifecycle watch.
#[derive(Debug, Default)]
struct Unpublished {
    dispatched: u64,
    skipped: u64,
}

pub(crate) struct Pump<P: Platform, M> {
    pub(crate) events: EventReceiver<SessionEvent>,
    pub(crate) dispatcher: Arc<Dispatcher<P>>,
    pub(crate) driver: Arc<DriverHandle<M>>,
    pub(crate) bot: BotInfo,
    pub(crate) tokens: Option<TokenSource>,
    pub(crate) lifecycle: watch::Sender<Lifecycle>,
    /// Whether this pump's end also ends the dispatcher (not when shards share one).
    pub(crate) owns_dispatcher: bool,
    /// What this session has handled, when the bot has a session store.
    pub(crate) track: Option<Arc<SessionTrack>>,
}

impl<P, M> Pump<P, M>
where
    P: Glue<Machine = M>,
    M: SessionMachine + Send + 'static,
{
    /// Carries events until the session stops; the dispatcher is drained before it returns.
    pub(crate) async fn run(mut self) -> Result<(), Error> {
        let result = self.pump().await;
        if self.owns_dispatcher {
            let dispatcher = &self.dispatcher;
            if result.is_ok() {
                // Closed by a shutdown: its grace bounds the wait (it closes the dispatcher).
                dispatcher.shutdown().await;
            } else {
                // Ended on its own (fatal): nothing else bounds the wait for a handler that
                // never returns.
                let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
                within_grace(deadline, dispatcher.shutdown(), || give_up(dispatcher)).await;
            }
        }
        let why = match &result {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        };
        self.lifecycle.send_modify(|l| l.stopped = Some(why));
        result
    }

    async fn pump(&mut self) -> Result<(), Error> {
        let mut counts = Unpublished::default();
        let result = self.pump_events(&mut counts).await;
        self.publish(&mut counts);
        result
    }

    /// The dispatch counters reach the lifecycle watch whenever the event channel is empty
    /// and before any other lifecycle change: one watch update (a lock and a wake-up of every
    /// watcher) per burst of events instead of one per event.
    ///
    /// Events are taken from the channel up to [`PUMP_BATCH`] at a time (`recv_many` gives the
    /// channel's permits back once per batch; one at a time, each took the channel's lock) and
    /// handled in order. The batch's buffer is kept while batches come full, and dropped when
    /// the channel runs dry after a small one, so an idle connection holds none.
    async fn pump_events(&mut self, counts: &mut Unpublished) -> Result<(), Error> {
        // Reversed after each `recv_many`, so that `pop` gives the events in order.
        let mut batch: Vec<SessionEvent> = Vec::new();
        let mut last = 0;
        loop {
            let event = match batch.pop() {
                Some(event) => event,
                None => {
                    if self.events.is_empty() {
                        self.publish(counts);
                        if last < PUMP_BATCH {
                            batch = Vec::new();
                        }
                    }
                    last = self.events.recv_many(&mut batch, PUMP_BATCH).await;
                    if last == 0 {
                        return Ok(());
                    }
                    batch.reverse();
                    match batch.pop() {
                        Some(event) => event,
                        None => continue,
                    }
                }
            };
            if !matches!(event, SessionEvent::Dispatch(_) | SessionEvent::Event(_)) {
                self.publish(counts);
            }
            match event {
                SessionEvent::Dispatch(frame) => {
                    let seq = frame.seq();
                    if let Some(input) = P::from_frame(frame) {
                        if self.dispatch_tracked(input, seq).await {
                            counts.dispatched += 1;
                        } else {
                            counts.skipped += 1;
                        }
                    }
                }
                SessionEvent::Event(frame) => match P::from_event(frame) {
                    Ok(Some(input)) => {
                        counts.dispatched += 1;
                        self.dispatcher.dispatch(input).await;
                    }
                    Ok(None) => {}
                    Err(e) => self.dispatcher.report(BotError::with_source(
                        BotErrorKind::Decode {
                            event_type: "<envelope>".into(),
                        },
                        e,
                    )),
                },
                SessionEvent::Ready(ready) => {
                    if self.owns_dispatcher {
                        self.dispatcher.reset_seq();
                    }
                    if let Some(track) = &self.track {
                        let seq = ready.frame.as_ref().and_then(Frame::seq);
                        track.new_session(ready.session_id.clone(), seq);
                    }
                    if let Some(id) = &ready.bot_id {
                        self.set_self_id(id.clone());
                    }
                    self.lifecycle.send_modify(|l| l.readies += 1);
                    tracing::info!(platform = %P::KIND, session = ?ready.session_id, "ready");
                    // Untracked: the track counts it as handled already.
                    if let Some(input) = ready.frame.and_then(P::from_frame) {
                        self.dispatcher.dispatch(input).await;
                    }
                }
                SessionEvent::SelfId(id) => {
                    // Not a ready of its own: the session follows it with `Ready` when the
                    // connection becomes ready (counted there, once per connection).
                    self.set_self_id(id.to_string());
                    tracing::info!(platform = %P::KIND, self_id = id, "self id");
                }
                SessionEvent::Resumed { replayed } => {
                    self.lifecycle.send_modify(|l| l.resumes += 1);
                    tracing::info!(platform = %P::KIND, ?replayed, "resumed");
                }
                SessionEvent::Reconnecting { why, resume, .. } => {
                    self.lifecycle.send_modify(|l| l.reconnects += 1);
                    tracing::info!(platform = %P::KIND, ?why, resume, "reconnecting");
                    self.dispatcher.report(reconnect_error(&why));
                }
                SessionEvent::TokenRequired { reason } => {
                    tracing::debug!(?reason, "the session needs an access token");
                    if let Err(error) = self.refresh_token(reason).await {
                        // It stops the bot as a fatal session error does: `on_error` hears
                        // of it the same way (decision 0082).
                        self.report_failure(&error);
                        return Err(error);
                    }
                }
                SessionEvent::Fatal(error) => {
                    self.report_failure(&error);
                    return Err(Error::with_source(ErrorKind::Session, error));
                }
                SessionEvent::Stopped => return Ok(()),
                SessionEvent::ServerError { code, message } => {
                    tracing::warn!(platform = %P::KIND, %code, %message, "server error event");
                }
                other => tracing::debug!(platform = %P::KIND, event = ?other, "session event"),
            }
        }
    }

    /// Hands the counted dispatches to the lifecycle watch (nothing when there are none).
    fn publish(&self, counts: &mut Unpublished) {
        if counts.dispatched == 0 && counts.skipped == 0 {
            return;
        }
        let Unpublished {
            dispatched,
            skipped,
        } = std::mem::take(counts);
        self.lifecycle.send_modify(|l| {
            l.dispatched += dispatched;
            l.skipped += skipped;
        });
    }

    /// To the dispatcher, unless the process before a restart handled it; false if skipped.
    async fn dispatch_tracked(&mut self, input: P::Input, seq: Option<u64>) -> bool {
        match self.track.as_ref().map(|t| t.begin(seq)) {
            Some(Begin::Track(done)) => {
                self.dispatcher.dispatch_tracked(input, done).await;
            }
            Some(Begin::Skip) => {
                tracing::debug!(platform = %P::KIND, ?seq, "replayed event handled before the restart: skipped");
                return false;
            }
            Some(Begin::Untracked) | None => {
                self.dispatcher.dispatch(input).await;
            }
        }
        true
    }

    /// A failure that stops the bot: logged, and reported to the error handlers.
    fn report_failure(&self, error: &impl std::fmt::Display) {
        tracing::error!(platform = %P::KIND, %error, "session failed");
        self.dispatcher
            .report(BotError::new(BotErrorKind::Connection {
                reason: error.to_string(),
            }));
    }

    fn set_self_id(&mut self, id: String) {
        self.bot = self.bot.clone().with_self_id(id.clone());
        self.dispatcher.set_bot(self.bot.clone());
        self.lifecycle.send_modify(|l| l.self_id = Some(id));
    }

    /// Answers `TokenRequired` from the shared token source: the cached token while it is
    /// fresh, else a new one. After a rejection (4004) the rejected token is dropped from the
    /// cache first, so a fresh one is issued. A rejected app id / secret stops the bot;
    /// transient failures are retried with backoff.
    async fn refresh_token(&mut self, reason: TokenReason) -> Result<(), Error> {
        let Some(tokens) = self.tokens.clone() else {
            return Err(Error::new(ErrorKind::Token));
        };
        if reason == TokenReason::Rejected {
            let rejected = self
                .driver
                .with_machine(|m, _| P::token(m))
                .await
                .map_err(|e| Error::with_source(ErrorKind::Driver, e))?;
            if let Some(rejected) = rejected {
                tokens.invalidate(&Secret::new(rejected));
            }
        }
        let mut delay = Duration::from_millis(500);
        let mut attempt = 0;
        let (token, expires_in) = loop {
            attempt += 1;
            match tokens.token_with_ttl().await {
                Ok(fresh) => break fresh,
                // A rejected app id / secret will not get better: stop at once.
                Err(e) if e.is_auth_failure() || attempt >= 5 => {
                    return Err(Error::with_source(ErrorKind::Token, e))
                }
                Err(e) => {
                    tracing::warn!(attempt, error = %e, "access token fetch failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
            }
        };
        let token = token.expose().to_owned();
        self.driver
            .with_machine(move |m, now| P::set_token(m, now, token, expires_in))
            .await
            .map_err(|e| Error::with_source(ErrorKind::Driver, e))
    }
}

fn reconnect_error(why: &Why) -> BotError {
    match why {
        Why::InvalidSession { resumable } => BotError::new(BotErrorKind::InvalidSession {
            resumable: *resumable,
        }),
        Why::Closed { code, reason } => BotError::new(BotErrorKind::Connection {
            reason: match code {
                Some(code) => format!("closed with {code} {reason}"),
                None if reason.is_empty() => "connection lost".to_owned(),
                None => reason.clone(),
            },
        }),
        other => BotError::new(BotErrorKind::Reconnect {
            reason: format!("{other:?}"),
        }),
    }
}
