//! The driver task: one loop that joins a [`SessionMachine`] to its socket, its timer, the
//! application's commands and the bounded event channel.
//!
//! Each turn: send everything `poll_transmit` gives, move events into the channel until it is
//! full, then wait for the first of: a command, room in the channel (only while an event is
//! held), the machine's timer, or the link (connect due, attempt finished, frame read). While
//! an event is held the socket is not polled (unless an action is pending: then the driver
//! reads ahead for its response, see `ahead.rs`): a slow consumer stops the reader and nothing
//! is dropped; commands are still served. The timer then runs only for what the machine sends
//! on its own (`poll_paused_timeout`: QQ / Bubble heartbeats, so that the server keeps the
//! session; decision 0065), never for a judgement of the peer. When reading resumes, the
//! machine hears how long it was stopped (`handle_read_resumed`) before its timer is looked at
//! again: what the peer sent meanwhile is unread, so that time says nothing of the peer
//! (decision 0055).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_transport::ws::Message;
use tokio::sync::mpsc::{self, error::TrySendError};

use super::ahead::ReadAhead;
use super::channel::EventSender;
use super::config::DriverConfig;
use super::handle::{Command, LinkState, Shared};
use super::link::{self, Link, LinkEvent};
use super::persist::Persister;
use crate::event::{ConnectFailure, Outgoing, SessionEvent};
use crate::machine::SessionMachine;

/// How many frames the driver takes off the socket in a row without a `select!` (see `run`).
const READ_BURST: u32 = 32;

/// The events one frame is counted for when judging whether a burst's events may fill the
/// channel: a dispatch gives one; the margin covers frames that give more.
const EVENTS_PER_FRAME: usize = 2;

/// Whether the driver dials (`next_connect`) or runs one accepted connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Connect whenever the machine says so, for as long as it lives.
    Dial,
    /// Run the connection given at the start; end when it ends.
    Accepted,
}

enum Wake<T> {
    Command(Option<T>),
    Room(bool),
    Timer,
    Link(LinkEvent),
}

/// What stopped the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// The machine is stopped (Fatal / Stopped delivered) or the connection is over.
    Done,
    /// `shutdown()`.
    Shutdown,
    /// The event receiver was dropped.
    ConsumerGone,
}

pub(crate) struct Task<M, T, W> {
    pub(crate) machine: M,
    pub(crate) mode: Mode,
    pub(crate) events: EventSender<T>,
    pub(crate) wrap: W,
    pub(crate) commands: mpsc::Receiver<Command<M>>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) config: DriverConfig,
    commands_open: bool,
    /// Events waiting for room in the channel, and the calls made through the handle.
    ahead: ReadAhead<T>,
    terminal: bool,
    persist: Option<Persister>,
}

impl<M, T, W> Task<M, T, W>
where
    M: SessionMachine + Send + 'static,
    T: Send + 'static,
    W: FnMut(SessionEvent) -> T + Send + 'static,
{
    pub(crate) fn new(
        machine: M,
        mode: Mode,
        events: EventSender<T>,
        wrap: W,
        commands: mpsc::Receiver<Command<M>>,
        shared: Arc<Shared>,
        config: &DriverConfig,
    ) -> Self {
        Self {
            machine,
            mode,
            events,
            wrap,
            commands,
            shared,
            config: config.clone(),
            commands_open: true,
            ahead: ReadAhead::new(config.read_ahead),
            terminal: false,
            persist: config.persist.clone().map(Persister::start),
        }
    }

    /// Runs until the machine stops, the connection (accepted mode) ends, the consumer goes
    /// away or `shutdown` is asked; returns the machine.
    // Not an `async fn`: its arguments would be stored twice in the future (once as the
    // argument, once moved into the body's locals), and the task is most of what an idle
    // connection holds; an `async move` block captures them once.
    #[allow(clippy::manual_async_fn)]
    pub(crate) fn run(mut self, mut link: Link) -> impl std::future::Future<Output = M> + Send {
        async move {
            if let Link::Up(_) = link {
                Shared::count(&self.shared.connections);
                self.shared.set_link(LinkState::Up);
                self.machine.handle_connected(Instant::now());
            }
            let far = tokio::time::Instant::now() + Duration::from_secs(365 * 24 * 3600);
            let mut timer = Box::pin(tokio::time::sleep_until(far));
            let mut armed: Option<Instant> = None;
            let mut burst = 0u32;
            // Frames of the burst whose events have not gone to the channel yet.
            let mut unflushed = 0usize;
            // The time of the burst's first frame: the frames of one burst were all read
            // already, and reading the clock per frame was 1.7 % of a flood's time (`perf`).
            let mut burst_at = None;
            // Since when the reader has been stopped by held events (the machine hears how
            // long once it reads again: `handle_read_resumed`).
            let mut paused_since: Option<Instant> = None;
            let exit = loop {
                self.transmit(&mut link).await;
                // Under load the next frame is usually read already: take it without the
                // `select!` (its futures cost more than the frame's own handling), for at most
                // `READ_BURST` frames in a row so that commands and timers are still served. What
                // the machine wants written went out above, before the next frame is read. The
                // burst's events wait in the machine and go to the channel together when it
                // ends (one lock, one wake-up of the consumer; decision 0043).
                if burst < READ_BURST && self.ahead.is_empty() {
                    if let Some(message) = link.ready_message() {
                        burst += 1;
                        unflushed += 1;
                        let now = *burst_at.get_or_insert_with(Instant::now);
                        self.on_link(&mut link, LinkEvent::Message(message), now);
                        // Near a full channel the events go at once: the first one that does
                        // not fit is held and stops the burst, as the read-ahead rule wants.
                        if self.events.may_fill(unflushed * EVENTS_PER_FRAME) {
                            if !self.flush_events() {
                                break Exit::ConsumerGone;
                            }
                            unflushed = 0;
                        }
                        continue;
                    }
                }
                if !self.flush_events() {
                    break Exit::ConsumerGone;
                }
                unflushed = 0;
                burst = 0;
                burst_at = None;
                if self.ahead.is_empty() && link.is_down() {
                    if self.terminal {
                        break Exit::Done;
                    }
                    if self.mode == Mode::Accepted {
                        break Exit::Done;
                    }
                }
                let connect_at = match (&link, self.mode) {
                    (Link::Down, Mode::Dial) => self.machine.next_connect().map(|(at, _)| at),
                    _ => None,
                };
                if let Some(p) = &mut self.persist {
                    let events = self.shared.events_out.load(Ordering::Relaxed);
                    p.turn(&self.machine, events, Instant::now());
                }
                // The read-ahead rule: a held event stops the reader and the timer, unless an
                // action waits for its response (which shares the socket with the events).
                let reading = self.ahead.may_read();
                match (reading, paused_since) {
                    (false, None) => paused_since = Some(Instant::now()),
                    (true, Some(since)) => {
                        paused_since = None;
                        // Before the timer is looked at: what the peer sent meanwhile (its
                        // heartbeats) is unread, and a deadline that passed while we were not
                        // reading would fire before the socket is (decision 0055).
                        let now = Instant::now();
                        self.machine
                            .handle_read_resumed(now, now.saturating_duration_since(since));
                    }
                    _ => {}
                }
                // Paused, only what the machine sends on its own is timed (decision 0065).
                let machine_deadline = if reading {
                    self.machine.poll_timeout()
                } else {
                    self.machine.poll_paused_timeout()
                };
                let deadline = match (
                    machine_deadline,
                    self.persist.as_ref().and_then(Persister::due),
                ) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                if link.is_down()
                    && connect_at.is_none()
                    && deadline.is_none()
                    && self.ahead.is_empty()
                    && !self.commands_open
                {
                    tracing::warn!("session driver: nothing left to wait for (handle dropped while idle); stopping");
                    break Exit::Done;
                }
                if deadline != armed {
                    if let Some(at) = deadline {
                        timer.as_mut().reset(tokio::time::Instant::from_std(at));
                    }
                    armed = deadline;
                }
                let connect_at = connect_at.map(tokio::time::Instant::from_std);
                let blocked = !self.ahead.is_empty();
                let wake = tokio::select! {
                    biased;
                    command = self.commands.recv(), if self.commands_open => Wake::Command(command),
                    // Room: the next turn's flush moves the held events.
                    alive = self.events.room(), if blocked => Wake::Room(alive),
                    () = self.events.closed(), if !blocked => Wake::Room(false),
                    () = &mut timer, if armed.is_some() => Wake::Timer,
                    event = link.next(connect_at), if reading => Wake::Link(event),
                };
                match wake {
                    Wake::Command(Some(command)) => {
                        if self.command(command) {
                            break Exit::Shutdown;
                        }
                    }
                    Wake::Command(None) => self.commands_open = false,
                    // The next turn's flush moves more and updates the status.
                    Wake::Room(true) => {}
                    Wake::Room(false) => break Exit::ConsumerGone,
                    Wake::Timer => {
                        // Fired: re-arm from whatever the machine says next. (The store's
                        // deadline shares the timer: the machine is woken only for its own.)
                        armed = None;
                        let now = Instant::now();
                        if reading {
                            if self.machine.poll_timeout().is_some_and(|at| at <= now) {
                                self.machine.handle_timeout(now);
                            }
                        } else if self
                            .machine
                            .poll_paused_timeout()
                            .is_some_and(|at| at <= now)
                        {
                            self.machine.handle_paused_timeout(now);
                        }
                    }
                    Wake::Link(event) => self.on_link(&mut link, event, Instant::now()),
                }
            };
            Box::pin(self.finish(&mut link, exit)).await;
            self.machine
        }
    }

    /// Applies a command; true for `Shutdown`.
    fn command(&mut self, command: Command<M>) -> bool {
        let now = Instant::now();
        match command {
            Command::Run(f) => f(&mut self.machine, now),
            Command::Call(f, reply) => {
                let id = f(&mut self.machine, now);
                self.ahead.register(id, reply);
            }
            Command::Shutdown => return true,
        }
        false
    }

    /// Handles what the link brought at `now`.
    fn on_link(&mut self, link: &mut Link, event: LinkEvent, now: Instant) {
        match event {
            LinkEvent::ConnectDue => {
                let Some((_, url)) = self.machine.next_connect() else {
                    return;
                };
                match link::connect_options(&self.config.connect, self.machine.connect_headers()) {
                    Ok(options) => {
                        tracing::debug!(
                            host = url.host_str().unwrap_or_default(),
                            "session driver: connecting"
                        );
                        *link = Link::Connecting(link::dial(url, options));
                        self.shared.set_link(LinkState::Connecting);
                    }
                    Err(header) => {
                        // A credential that cannot be sent will never be accepted.
                        tracing::error!(header, "session driver: header value cannot be sent; treating as rejected credentials");
                        self.machine
                            .handle_connect_failed(now, ConnectFailure::Http { status: 401 });
                    }
                }
            }
            LinkEvent::Connected(Ok(stream)) => {
                *link = Link::Up(stream);
                Shared::count(&self.shared.connections);
                self.shared.set_link(LinkState::Up);
                // Calls waiting for this connection whose callers gave up do not go out.
                for id in self.ahead.take_abandoned_calls() {
                    self.machine.cancel_call(id);
                }
                self.machine.handle_connected(now);
            }
            LinkEvent::Connected(Err(error)) => {
                *link = Link::Down;
                self.shared.set_link(LinkState::Down);
                tracing::warn!(error = %error.report(), "session driver: connect failed");
                self.machine
                    .handle_connect_failed(now, link::connect_failure(&error));
            }
            LinkEvent::Message(Ok(Some(Message::Text(bytes) | Message::Binary(bytes)))) => {
                Shared::count(&self.shared.frames_in);
                self.machine.handle_frame(now, bytes);
            }
            LinkEvent::Message(Ok(Some(Message::Close { code, reason }))) => {
                // The transport has already answered the close frame.
                tracing::debug!(?code, %reason, "session driver: closed by the peer");
                self.link_down(link);
                self.machine.handle_closed(now, code, &reason);
            }
            LinkEvent::Message(Ok(Some(Message::Pong(_)))) => self.machine.handle_pong(now),
            LinkEvent::Message(Ok(Some(_))) => {}
            LinkEvent::Message(Ok(None)) => {
                self.link_down(link);
                self.machine
                    .handle_closed(now, None, "connection closed without a close frame");
            }
            LinkEvent::Message(Err(error)) => {
                tracing::debug!(%error, "session driver: connection lost");
                self.link_down(link);
                self.machine.handle_closed(now, None, &error.to_string());
            }
        }
    }

    fn link_down(&self, link: &mut Link) {
        *link = Link::Down;
        self.shared.set_link(LinkState::Down);
    }

    /// Sends everything the machine wants sent. A close frame (ours) or a failed write ends
    /// the connection here, with `handle_closed` called once.
    async fn transmit(&mut self, link: &mut Link) {
        while let Some(outgoing) = self.machine.poll_transmit() {
            let Link::Up(stream) = link else {
                tracing::debug!(?outgoing, "session driver: nothing to send on; dropped");
                continue;
            };
            match outgoing {
                Outgoing::Text(text) => {
                    match write(self.config.write_timeout, stream.send_text(text)).await {
                        Ok(()) => Shared::count(&self.shared.frames_out),
                        Err(error) => self.write_failed(link, error).await,
                    }
                }
                Outgoing::Ping => {
                    match write(self.config.write_timeout, stream.send_ping()).await {
                        Ok(()) => Shared::count(&self.shared.frames_out),
                        Err(error) => self.write_failed(link, error).await,
                    }
                }
                Outgoing::Close { code, reason } => {
                    tracing::debug!(code, %reason, "session driver: closing");
                    let close = stream.close(code, &reason);
                    if write(self.config.close_timeout, close).await.is_ok() {
                        Shared::count(&self.shared.frames_out);
                    }
                    // What arrives after our close is not processed (the machine has moved
                    // on; a resume replays it).
                    let ending =
                        Box::pin(link::drain(stream, self.config.close_timeout, |_| {})).await;
                    self.link_down(link);
                    self.machine
                        .handle_closed(Instant::now(), ending.code.or(Some(code)), &reason);
                }
            }
        }
    }

    /// A write failed: the connection ends, once the frames the peer sent before it went (a
    /// close code above all) are read, since they still count.
    async fn write_failed(&mut self, link: &mut Link, error: String) {
        let Link::Up(stream) = link else {
            return;
        };
        tracing::debug!(%error, "session driver: write failed; reading what is left");
        let limit = self.config.close_timeout;
        let machine = &mut self.machine;
        let shared = &self.shared;
        let mut ending = Box::pin(link::drain(stream, limit, |bytes| {
            Shared::count(&shared.frames_in);
            machine.handle_frame(Instant::now(), bytes);
        }))
        .await;
        if ending.code.is_none() {
            ending.reason = format!("write failed: {error}");
        }
        self.link_down(link);
        self.machine
            .handle_closed(Instant::now(), ending.code, &ending.reason);
    }

    /// Moves held events, then the machine's, into the channel until it is full; the rest is
    /// held, in order. Results of calls made through the handle go to their caller at once,
    /// whatever is held. False when the receiver is gone.
    fn flush_events(&mut self) -> bool {
        // One lock and at most one wake-up of the consumer for all of them (decision 0043).
        let mut batch = self.events.batch();
        while let Some(item) = self.ahead.pop_front() {
            match batch.push(item) {
                Ok(()) => Shared::count(&self.shared.events_out),
                Err(TrySendError::Full(item)) => {
                    self.ahead.push_front(item);
                    break;
                }
                Err(TrySendError::Closed(_)) => return false,
            }
        }
        while let Some(event) = self.machine.poll_event() {
            let Some(event) = self.ahead.route(event) else {
                continue;
            };
            if matches!(event, SessionEvent::Fatal(_) | SessionEvent::Stopped) {
                self.terminal = true;
            }
            let item = (self.wrap)(event);
            if !self.ahead.is_empty() {
                self.ahead.push_back(item);
                continue;
            }
            match batch.push(item) {
                Ok(()) => Shared::count(&self.shared.events_out),
                Err(TrySendError::Full(item)) => self.ahead.push_back(item),
                Err(TrySendError::Closed(_)) => return false,
            }
        }
        drop(batch);
        self.ahead.shed_at_cap();
        if let Some(held) = self.ahead.held_changed() {
            self.shared.set_backpressured(held);
        }
        if let Some(peak) = self.ahead.new_peak() {
            self.shared.held_peak(peak);
        }
        true
    }

    /// Ends the task: on shutdown or a vanished consumer the machine is closed (close frame
    /// sent if connected); what is left goes to the channel in order as far as it fits, and
    /// the rest (from the first that does not fit) is dropped.
    async fn finish(&mut self, link: &mut Link, exit: Exit) {
        if exit != Exit::Done {
            self.machine.close(Instant::now());
        }
        self.transmit(link).await;
        if let Link::Up(stream) = link {
            // Done while connected (machine stopped without a close of its own).
            let _ = write(self.config.close_timeout, stream.close(1000, "shutdown")).await;
            let _ = Box::pin(link::drain(stream, self.config.close_timeout, |_| {})).await;
            let now = Instant::now();
            *link = Link::Down;
            self.machine.handle_closed(now, Some(1000), "shutdown");
        }
        let mut dropped = 0usize;
        if exit != Exit::ConsumerGone {
            while let Some(event) = self.machine.poll_event() {
                if let Some(event) = self.ahead.route(event) {
                    let item = (self.wrap)(event);
                    self.ahead.push_back(item);
                }
            }
            // A prefix of what is left, never one with a hole (see `send_prefix`).
            let (sent, refused) = self.events.send_prefix(self.ahead.drain());
            for _ in 0..sent {
                Shared::count(&self.shared.events_out);
            }
            dropped = refused;
        }
        if dropped > 0 {
            tracing::debug!(
                dropped,
                "session driver: events left over at shutdown dropped (channel full)"
            );
        }
        // Calls still waiting get `DriverError::Stopped` when their reply is dropped.
        self.ahead.clear_calls();
        if let Some(p) = self.persist.take() {
            p.finish(&self.machine).await;
        }
        self.shared.set_stopped();
        tracing::debug!(?exit, "session driver stopped");
    }
}

/// A write, given up after `limit`: a peer that stops reading would hold it (and the driver)
/// for ever. A write cut short leaves the stream unusable; the caller ends the connection.
async fn write<E: std::fmt::Display>(
    limit: std::time::Duration,
    send: impl std::future::Future<Output = Result<(), E>>,
) -> Result<(), String> {
    match tokio::time::timeout(limit, send).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!(
            "no write progress in {limit:?} (the peer does not read)"
        )),
    }
}
