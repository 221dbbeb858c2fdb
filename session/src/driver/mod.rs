// Owned by the DRIVER engineer (tokio driver); the sans-IO machines are elsewhere.
//! The tokio driver: one task that joins any [`SessionMachine`] to a WebSocket.
//!
//! The task waits for the machine's `next_connect`, dials with its `connect_headers`, feeds
//! every frame to `handle_frame`, sends everything `poll_transmit` gives, wakes the machine at
//! `poll_timeout`, and reconnects when the machine plans it. Events go to a bounded channel
//! ([`EventReceiver`]; the events of a burst of frames cross it together): when it is full the
//! driver stops reading the socket (and pauses the machine's timers, but for its QQ / Bubble
//! heartbeats: the server keeps the session, decision 0065) until the consumer takes one, so
//! a slow consumer slows the reader and nothing is dropped. While a
//! OneBot action called through the handle is pending, the driver reads ahead instead (events
//! held in order, up to [`DriverConfig::read_ahead`]) so that its response is never stuck
//! behind unread events.
//!
//! - [`run`]: dial and keep the session alive (QQ, Bubble, OneBot forward).
//! - [`run_accepted`]: one connection someone else opened (OneBot reverse WS);
//!   [`accept_onebot`] does the accept and the machine for a [`Listener`].
//! - [`run_shards`]: one driver per QQ shard, identifies spaced by an [`IdentifyQueue`].
//! - [`Persistence`] (in [`DriverConfig::persist`]): the resume point kept in a
//!   [`SessionStore`](crate::SessionStore), batched, so a restarted process resumes.
//! - [`DriverHandle`]: machine calls at run time ([`DriverHandle::with_machine`], OneBot
//!   [`DriverHandle::call`], QQ `set_token`, Bubble `subscribe`), status, `shutdown`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Instant;
//! use botgate_session::driver::{self, DriverConfig};
//! use botgate_session::{qq, SessionEvent};
//!
//! let config = qq::Config::new("wss://api.sgroup.qq.com/websocket".parse()?, "QQBot token", 1 << 30);
//! let session = qq::Session::new(config, Instant::now(), None);
//! let (handle, mut events) = driver::run(session, &DriverConfig::default());
//! while let Some(event) = events.recv().await {
//!     match event {
//!         SessionEvent::Dispatch(frame) => println!("{:?}", frame.event_type()),
//!         SessionEvent::Fatal(error) => { eprintln!("{error}"); break }
//!         _ => {}
//!     }
//! }
//! let session = handle.shutdown().await?;
//! let _resume_point = session.resume_state();
//! # Ok(()) }
//! ```
//!
//! Sharp edges: the functions spawn on the current tokio runtime (call them inside one). A
//! stalled consumer keeps its session (heartbeats go on while nothing is read), but what the
//! server sends meanwhile waits in the socket, op 7 and close frames included, until the
//! consumer takes an event. A consumer that waits for its actions while the server floods it
//! with more than `read_ahead` events sees those actions fail with
//! `OneBotCallError::ReadAheadFull` (the events are all kept).
//!
//! [`SessionMachine`]: crate::SessionMachine
//! [`Listener`]: botgate_transport::ws::Listener
//! [`IdentifyQueue`]: crate::IdentifyQueue

mod ahead;
mod channel;
mod config;
mod handle;
mod link;
mod persist;
mod reverse;
mod shards;
mod task;

use botgate_transport::ws::WsStream;
use tokio::sync::mpsc;

use channel::EventSender;
pub use channel::{EventReceiver, TryRecvError};

pub use config::DriverConfig;
pub use handle::{DriverError, DriverHandle, DriverStats, DriverStatus, LinkState};
pub use persist::{HandledPoint, Persistence};
pub use reverse::{accept_onebot, Accepted};
pub use shards::{run_shards, ShardEvent, Shards};

use crate::event::SessionEvent;
use crate::machine::SessionMachine;
use handle::Shared;
use link::Link;
use task::{Mode, Task};

/// Spawns a driver that dials whenever `machine` says so, for as long as the machine lives
/// (until `Fatal` / `Stopped`, `shutdown`, or the receiver is dropped). Returns its handle and
/// the event receiver (capacity `config.event_capacity`).
pub fn run<M>(machine: M, config: &DriverConfig) -> (DriverHandle<M>, EventReceiver<SessionEvent>)
where
    M: SessionMachine + Send + 'static,
{
    let (tx, rx) = channel::channel(config.event_capacity);
    (
        spawn(machine, Mode::Dial, Link::Down, tx, |e| e, config),
        rx,
    )
}

/// Spawns a driver for one connection someone else opened (OneBot reverse WS: the
/// implementation connected to our [`Listener`](botgate_transport::ws::Listener)). The machine
/// gets `handle_connected` at once; the task ends when the connection ends (the receiver then
/// yields `None`) and `join` returns the machine, to be reused for the bot's next connection.
pub fn run_accepted<M>(
    stream: WsStream,
    machine: M,
    config: &DriverConfig,
) -> (DriverHandle<M>, EventReceiver<SessionEvent>)
where
    M: SessionMachine + Send + 'static,
{
    let (tx, rx) = channel::channel(config.event_capacity);
    (
        spawn(
            machine,
            Mode::Accepted,
            Link::Up(Box::new(stream)),
            tx,
            |e| e,
            config,
        ),
        rx,
    )
}

pub(crate) fn spawn<M, T, W>(
    machine: M,
    mode: Mode,
    link: Link,
    events: EventSender<T>,
    wrap: W,
    config: &DriverConfig,
) -> DriverHandle<M>
where
    M: SessionMachine + Send + 'static,
    T: Send + 'static,
    W: FnMut(SessionEvent) -> T + Send + 'static,
{
    let (commands_tx, commands_rx) = mpsc::channel(config.command_capacity.max(1));
    let shared = Shared::new();
    if let Link::Up(_) = link {
        // An accepted connection is open from the start: its handle says so before the task
        // first runs. One watching for the link to go down (the reverse listener moves an
        // account's actions off a connection that did) must not take the `Down` of a task
        // not yet started for it.
        shared.set_link(LinkState::Up);
    }
    let task = Task::new(
        machine,
        mode,
        events,
        wrap,
        commands_rx,
        shared.clone(),
        config,
    );
    let task = tokio::spawn(task.run(link));
    DriverHandle {
        commands: commands_tx,
        shared,
        task,
    }
}
