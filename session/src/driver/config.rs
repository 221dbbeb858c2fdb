//! [`DriverConfig`]: channel sizes, the base connect options and the close wait of a driver.

use std::time::Duration;

use botgate_transport::ws::ConnectOptions;

use super::persist::Persistence;

/// How a driver runs. `DriverConfig::default()`, then adjust the fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DriverConfig {
    /// Capacity of the event channel. When it is full the driver stops reading the socket
    /// (backpressure) until the consumer takes an event; nothing is dropped.
    pub event_capacity: usize,
    /// Most events held back while the driver reads ahead for a pending action's response
    /// (OneBot: responses share the socket with events). With no action pending, a full
    /// channel stops the reader; while one is pending, the reader keeps reading and holds the
    /// events in order, up to this many; at the cap the pending calls fail with
    /// `OneBotCallError::ReadAheadFull` and the reader stops. No event is ever dropped.
    pub read_ahead: usize,
    /// Capacity of the command channel (`with_machine`, `call`, `shutdown`).
    pub command_capacity: usize,
    /// Base options of every client connection (timeouts, size limits). The machine's
    /// `connect_headers` are added to a copy for each attempt.
    pub connect: ConnectOptions,
    /// After the driver sends a close frame (or a write fails), how long it waits for the
    /// peer's close frame or the end of the TCP stream before it drops the socket.
    pub close_timeout: Duration,
    /// How long one frame may take to be written. A peer that stops reading fills the socket
    /// and a write would wait for ever, and with it the driver (no reads, timers, heartbeats
    /// or commands); past this the connection counts as lost and the machine reconnects.
    pub write_timeout: Duration,
    /// Where the driver keeps the machine's resume point (`None`: nowhere). The caller builds
    /// the machine from [`Persistence::load`] to resume after a restart.
    pub persist: Option<Persistence>,
}

impl Default for DriverConfig {
    /// 1024 events, 16,384 read ahead, 64 commands, default connect options, 2 s close wait,
    /// 10 s write timeout, no persistence.
    fn default() -> Self {
        Self {
            event_capacity: 1024,
            read_ahead: 16_384,
            command_capacity: 64,
            connect: ConnectOptions::new(),
            close_timeout: Duration::from_secs(2),
            write_timeout: Duration::from_secs(10),
            persist: None,
        }
    }
}

impl DriverConfig {
    /// The defaults (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`event_capacity`](Self::event_capacity) (at least 1).
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// Sets [`read_ahead`](Self::read_ahead) (at least 1).
    pub fn read_ahead(mut self, cap: usize) -> Self {
        self.read_ahead = cap.max(1);
        self
    }

    /// Sets [`connect`](Self::connect).
    pub fn connect_options(mut self, options: ConnectOptions) -> Self {
        self.connect = options;
        self
    }

    /// Sets [`persist`](Self::persist).
    pub fn persist(mut self, persistence: Persistence) -> Self {
        self.persist = Some(persistence);
        self
    }

    /// Sets [`close_timeout`](Self::close_timeout).
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// Sets [`write_timeout`](Self::write_timeout).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }
}
