//! [`DriverHandle`]: how the application talks to a running driver (machine calls at run time,
//! status, shutdown), and the [`DriverError`] those calls return.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::onebot::{self, ActionId, ActionResponse, OneBotCallError};
use crate::token::Token;
use crate::{bubble, qq};

/// A machine call run inside the driver task.
pub(crate) type MachineFn<M> = Box<dyn FnOnce(&mut M, Instant) + Send>;
/// A machine call that starts a OneBot action; the driver routes its result back.
pub(crate) type CallFn<M> = Box<dyn FnOnce(&mut M, Instant) -> ActionId + Send>;
/// Where the result of an action goes.
pub(crate) type CallReply = oneshot::Sender<Result<ActionResponse, OneBotCallError>>;

/// What the handle asks of the driver task.
pub(crate) enum Command<M> {
    /// Run a closure on the machine, then poll it again.
    Run(MachineFn<M>),
    /// Start an action; its `ActionResult` is answered on the reply instead of the channel.
    Call(CallFn<M>, CallReply),
    /// `close(now)`, send the close frame, deliver what is left, end the task.
    Shutdown,
}

/// Why a handle call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// The driver task has ended (fatal error, shutdown, consumer gone, connection over).
    #[error("the session driver has stopped")]
    Stopped,
    /// The driver task panicked (a `with_machine` closure panicked) or was aborted.
    #[error("the session driver task failed")]
    Join(#[source] tokio::task::JoinError),
}

/// The state of the driver's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LinkState {
    /// No connection (waiting for the next attempt, a token, or nothing).
    #[default]
    Down,
    /// A connection attempt is under way.
    Connecting,
    /// The WebSocket is open.
    Up,
}

/// What the driver is doing now; watch it with [`DriverHandle::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DriverStatus {
    /// The connection.
    pub link: LinkState,
    /// The event channel is full and events wait for the consumer: the driver reads nothing
    /// more, except while an action is pending (it then reads ahead for the response, see
    /// [`DriverConfig::read_ahead`](super::DriverConfig::read_ahead)).
    pub backpressured: bool,
    /// The task has ended.
    pub stopped: bool,
}

/// Counters since the driver started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DriverStats {
    /// WebSocket connections opened (dialled or accepted).
    pub connections: u64,
    /// Text and binary frames read from sockets and given to the machine.
    pub frames_in: u64,
    /// Frames written (text, ping and close).
    pub frames_out: u64,
    /// Events handed to the channel.
    pub events_out: u64,
    /// The most events held back at once, waiting for room in the channel. Above a few only
    /// when the driver read ahead for a pending action's response.
    pub read_ahead_peak: u64,
}

/// Shared between the task and its handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) status: watch::Sender<DriverStatus>,
    pub(crate) connections: AtomicU64,
    pub(crate) frames_in: AtomicU64,
    pub(crate) frames_out: AtomicU64,
    pub(crate) events_out: AtomicU64,
    pub(crate) read_ahead_peak: AtomicU64,
}

impl Shared {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            status: watch::Sender::new(DriverStatus::default()),
            connections: AtomicU64::new(0),
            frames_in: AtomicU64::new(0),
            frames_out: AtomicU64::new(0),
            events_out: AtomicU64::new(0),
            read_ahead_peak: AtomicU64::new(0),
        })
    }

    pub(crate) fn set_link(&self, link: LinkState) {
        self.status.send_if_modified(|s| {
            let changed = s.link != link;
            s.link = link;
            changed
        });
    }

    pub(crate) fn set_backpressured(&self, on: bool) {
        self.status.send_if_modified(|s| {
            let changed = s.backpressured != on;
            s.backpressured = on;
            changed
        });
    }

    pub(crate) fn set_stopped(&self) {
        self.status.send_modify(|s| {
            s.stopped = true;
            s.backpressured = false;
            s.link = LinkState::Down;
        });
    }

    /// Adds one to a counter. Only the driver's task writes these counters (its polls are
    /// ordered by the runtime), so a load and a store do: no locked read-modify-write, which
    /// cost two of them per event (`frames_in`, `events_out`).
    pub(crate) fn count(counter: &AtomicU64) {
        counter.store(
            counter.load(Ordering::Relaxed).wrapping_add(1),
            Ordering::Relaxed,
        );
    }

    pub(crate) fn held_peak(&self, peak: usize) {
        let peak = u64::try_from(peak).unwrap_or(u64::MAX);
        self.read_ahead_peak.store(peak, Ordering::Relaxed);
    }
}

/// The application's side of a running driver. Dropping it does not stop the driver (drop
/// the event receiver or call [`shutdown`](Self::shutdown) for that).
pub struct DriverHandle<M> {
    pub(crate) commands: mpsc::Sender<Command<M>>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) task: JoinHandle<M>,
}

impl<M> fmt::Debug for DriverHandle<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DriverHandle")
            .field("status", &*self.shared.status.borrow())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl<M: Send + 'static> DriverHandle<M> {
    /// Runs `f` on the machine inside the driver task (with the current instant), then the
    /// driver sends what the machine now wants to send and delivers its events. Returns `f`'s
    /// result. Use it for calls the application makes at run time: Bubble
    /// `subscribe` / `unsubscribe`, QQ `set_token`, reading `resume_state()`, ...
    ///
    /// The closure runs on the driver task: keep it short and never block in it (a panic in
    /// it ends the driver). Cancel safety: if cancelled after the command was queued, the
    /// closure still runs; its result is discarded.
    pub async fn with_machine<R, F>(&self, f: F) -> Result<R, DriverError>
    where
        F: FnOnce(&mut M, Instant) -> R + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let run: MachineFn<M> = Box::new(move |machine, now| {
            let _ = tx.send(f(machine, now));
        });
        self.commands
            .send(Command::Run(run))
            .await
            .map_err(|_| DriverError::Stopped)?;
        rx.await.map_err(|_| DriverError::Stopped)
    }

    /// Starts an action with `f` (which returns the machine's [`ActionId`], e.g.
    /// `|m, now| m.call(now, "send_msg", &params, None)`) and waits for its result. The result
    /// is routed here directly, never through the event channel, so it arrives even while the
    /// consumer is behind on events: while a call is pending the driver keeps reading the
    /// socket, holding the events it reads (up to
    /// [`DriverConfig::read_ahead`](super::DriverConfig::read_ahead); at that cap the call
    /// fails with `OneBotCallError::ReadAheadFull`).
    pub async fn call_action<F>(
        &self,
        f: F,
    ) -> Result<Result<ActionResponse, OneBotCallError>, DriverError>
    where
        F: FnOnce(&mut M, Instant) -> ActionId + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Call(Box::new(f), tx))
            .await
            .map_err(|_| DriverError::Stopped)?;
        rx.await.map_err(|_| DriverError::Stopped)
    }

    /// Closes the session for good: the machine's `close(now)` (a clean close frame if
    /// connected, `Stopped` to the channel, pending actions fail with `Stopped`), then waits
    /// for the task to end and returns the machine (e.g. to save its `resume_state()`).
    /// Events that do not fit in the channel at that point are dropped (logged).
    pub async fn shutdown(self) -> Result<M, DriverError> {
        // An ended task has closed its receiver: nothing to ask, only to join.
        let _ = self.commands.send(Command::Shutdown).await;
        self.task.await.map_err(DriverError::Join)
    }

    /// Waits for the task to end on its own (fatal error, consumer gone, connection over) and
    /// returns the machine.
    pub async fn join(self) -> Result<M, DriverError> {
        self.task.await.map_err(DriverError::Join)
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl<M> DriverHandle<M> {
    /// A receiver of the driver's status (connection, backpressure, stopped); await changes
    /// with `changed()` / `wait_for(..)`.
    pub fn status(&self) -> watch::Receiver<DriverStatus> {
        self.shared.status.subscribe()
    }

    /// The counters so far.
    pub fn stats(&self) -> DriverStats {
        DriverStats {
            connections: self.shared.connections.load(Ordering::Relaxed),
            frames_in: self.shared.frames_in.load(Ordering::Relaxed),
            frames_out: self.shared.frames_out.load(Ordering::Relaxed),
            events_out: self.shared.events_out.load(Ordering::Relaxed),
            read_ahead_peak: self.shared.read_ahead_peak.load(Ordering::Relaxed),
        }
    }
}

impl DriverHandle<onebot::Session> {
    /// Calls OneBot `action` with `params` and waits for the response (or the call's
    /// timeout: `timeout`, else the session's default). See [`call_action`](Self::call_action).
    pub async fn call(
        &self,
        action: impl Into<String>,
        params: serde_json::Value,
        timeout: Option<Duration>,
    ) -> Result<Result<ActionResponse, OneBotCallError>, DriverError> {
        let action = action.into();
        self.call_action(move |m, now| m.call(now, &action, &params, timeout))
            .await
    }
}

impl DriverHandle<qq::Session> {
    /// Supplies a (fresh) access token (the answer to `SessionEvent::TokenRequired`).
    pub async fn set_token(
        &self,
        token: impl Into<Token>,
        expires_in: Option<Duration>,
    ) -> Result<(), DriverError> {
        let token = token.into();
        self.with_machine(move |m, now| m.set_token(now, token, expires_in))
            .await
    }
}

impl DriverHandle<bubble::Session> {
    /// Adds event types to the subscription (op 30 now if ready, and after every reconnect).
    pub async fn subscribe(&self, events: Vec<String>) -> Result<(), DriverError> {
        self.with_machine(move |m, now| m.subscribe(now, &events))
            .await
    }

    /// Removes event types from the subscription (op 31 now if ready).
    pub async fn unsubscribe(&self, events: Vec<String>) -> Result<(), DriverError> {
        self.with_machine(move |m, now| m.unsubscribe(now, &events))
            .await
    }
}
