//! [`Persistence`]: the driver keeps its machine's resume point in a [`SessionStore`] while it
//! runs, so a restarted process resumes instead of identifying again (decision 0016).
//!
//! The rule: a change of session (READY of a new one, an invalidated one) is written at once;
//! the sequence number at most every [`Persistence::every_events`] events or
//! [`Persistence::every`] after the first unsaved one, whichever comes first; and once more
//! when the driver ends. Writes run on a blocking thread, one at a time, newest state wins: the
//! driver's loop never waits for a disk.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::machine::SessionMachine;
use crate::store::{ResumeState, SessionStore};

/// Where the application reports how far it has handled a session's dispatches.
pub trait HandledPoint: Send + Sync {
    /// The highest `seq` of session `session_id` up to which every dispatch was handled
    /// (a new session: at least the seq of its READY); `None` while the application has not
    /// seen this session yet: the driver then waits (a few ms) before it writes it.
    fn handled(&self, session_id: &str) -> Option<u64>;
}

/// How soon the driver looks again at a session the application has not seen yet.
const UNSEEN_RETRY: Duration = Duration::from_millis(10);

/// Where and how often a driver saves its machine's [`ResumeState`]; set it with
/// [`DriverConfig::persist`](super::DriverConfig::persist).
#[derive(Clone)]
#[non_exhaustive]
pub struct Persistence {
    /// The store.
    pub store: Arc<dyn SessionStore>,
    /// The key of this session in the store (`qq/<app id>/<shard>`, `bubble/<name>`, ...).
    pub key: String,
    /// Save after this many events since the last save (default 256).
    pub every_events: u64,
    /// Save at the latest this long after the first unsaved event (default 1 s).
    pub every: Duration,
    /// The application's handled point. Without one the machine's read point is saved:
    /// events read but not yet handled when the process dies, and events the driver dropped
    /// at shutdown because the channel was full, are then not replayed. Set one for
    /// at-least-once delivery (the `botgate` facade always does).
    pub handled: Option<Arc<dyn HandledPoint>>,
}

impl fmt::Debug for Persistence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Persistence")
            .field("key", &self.key)
            .field("every_events", &self.every_events)
            .field("every", &self.every)
            .field("handled", &self.handled.is_some())
            .finish_non_exhaustive()
    }
}

impl Persistence {
    /// Saves under `key` in `store`, every 256 events or 1 s.
    pub fn new(store: Arc<dyn SessionStore>, key: impl Into<String>) -> Self {
        Self {
            store,
            key: key.into(),
            every_events: 256,
            every: Duration::from_secs(1),
            handled: None,
        }
    }

    /// Sets [`every_events`](Self::every_events) (at least 1).
    pub fn every_events(mut self, events: u64) -> Self {
        self.every_events = events.max(1);
        self
    }

    /// Sets [`every`](Self::every).
    pub fn every(mut self, interval: Duration) -> Self {
        self.every = interval;
        self
    }

    /// Sets [`handled`](Self::handled).
    pub fn handled(mut self, point: Arc<dyn HandledPoint>) -> Self {
        self.handled = Some(point);
        self
    }

    /// The stored state to build the machine with (blocking I/O: call it before the driver
    /// starts, or on a blocking thread).
    pub fn load(&self) -> Result<Option<ResumeState>, Error> {
        self.store.load(&self.key)
    }
}

/// What one write does: `Some` saves, `None` clears.
type Write = Option<ResumeState>;

/// The driver's side: decides when to write and hands states to the writer task.
pub(crate) struct Persister {
    p: Persistence,
    /// `Some(w)`: a write waiting for the writer.
    tx: watch::Sender<Option<Write>>,
    writer: JoinHandle<()>,
    /// The last state handed to the writer (`None`: nothing yet).
    written: Option<Write>,
    /// The driver's event count at that write.
    events_at_write: u64,
    /// The event count seen last turn.
    events_seen: u64,
    /// When the pending change must be written.
    due: Option<Instant>,
}

impl Persister {
    /// Starts the writer task (on the current runtime).
    pub(crate) fn start(p: Persistence) -> Self {
        let (tx, rx) = watch::channel(None);
        let writer = tokio::spawn(write_loop(Arc::clone(&p.store), p.key.clone(), rx));
        Self {
            p,
            tx,
            writer,
            written: None,
            events_at_write: 0,
            events_seen: 0,
            due: None,
        }
    }

    /// When the driver must call [`turn`](Self::turn) even if nothing else happens.
    pub(crate) fn due(&self) -> Option<Instant> {
        self.due
    }

    /// One driver turn: `events` is the driver's event count so far.
    pub(crate) fn turn<M: SessionMachine>(&mut self, machine: &M, events: u64, now: Instant) {
        let reached = self.due.is_some_and(|at| at <= now);
        if events == self.events_seen && !reached {
            return;
        }
        self.events_seen = events;
        let Some((state, lagging)) = self.snapshot(machine) else {
            // The new session's READY is still on its way to the application.
            self.due = Some(now + UNSEEN_RETRY.min(self.p.every));
            return;
        };
        if self.written.as_ref() == Some(&state) {
            // Nothing new to write; while handlers are behind, look again later.
            self.due = lagging.then(|| now + self.p.every);
            return;
        }
        let session_changed = match &self.written {
            None => true,
            Some(old) => {
                old.as_ref().map(|s| &s.session_id) != state.as_ref().map(|s| &s.session_id)
            }
        };
        let enough = events.saturating_sub(self.events_at_write) >= self.p.every_events;
        if session_changed || enough || reached {
            self.write(state, events);
            self.due = lagging.then(|| now + self.p.every);
        } else if self.due.is_none() {
            self.due = Some(now + self.p.every);
        }
    }

    /// The last write; the future waits for the writer to finish (it does not hold the
    /// machine, which need not be `Sync`).
    pub(crate) fn finish<M: SessionMachine>(
        mut self,
        machine: &M,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        // A session the application never saw has nothing handled worth keeping.
        if let Some((state, _)) = self.snapshot(machine) {
            if self.written.as_ref() != Some(&state) {
                let events = self.events_seen;
                self.write(state, events);
            }
        }
        let Self { p, tx, writer, .. } = self;
        drop(tx);
        async move {
            if let Err(error) = writer.await {
                tracing::warn!(%error, key = %p.key, "session store writer failed");
            }
        }
    }

    /// The state to store, and whether the handled point is behind the delivered one;
    /// `None` while the application has not seen the session yet.
    fn snapshot<M: SessionMachine>(&self, machine: &M) -> Option<(Write, bool)> {
        let Some(mut state) = machine.resume_state() else {
            return Some((None, false));
        };
        let delivered = state.seq;
        if let Some(point) = &self.p.handled {
            state.seq = point.handled(&state.session_id)?.min(delivered);
        }
        let lagging = state.seq < delivered;
        Some((Some(state), lagging))
    }

    fn write(&mut self, state: Write, events: u64) {
        self.tx.send_replace(Some(state.clone()));
        self.written = Some(state);
        self.events_at_write = events;
    }
}

/// Writes the newest state handed over, one write at a time, until the driver is done.
async fn write_loop(
    store: Arc<dyn SessionStore>,
    key: String,
    mut rx: watch::Receiver<Option<Write>>,
) {
    // An unseen value is reported even after the sender is gone: the last write is not lost.
    while rx.changed().await.is_ok() {
        let Some(state) = rx.borrow_and_update().clone() else {
            continue;
        };
        let store = Arc::clone(&store);
        let k = key.clone();
        let done = tokio::task::spawn_blocking(move || match &state {
            Some(state) => store.save(&k, state).map(|()| Some(state.seq)),
            None => store.clear(&k).map(|()| None),
        })
        .await;
        match done {
            Ok(Ok(seq)) => tracing::trace!(%key, ?seq, "session state saved"),
            Ok(Err(error)) => tracing::warn!(%error, %key, "session state not saved"),
            Err(error) => tracing::warn!(%error, %key, "session store write failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::store::MemoryStore;

    /// A machine whose resume state the test sets.
    #[derive(Default)]
    struct Fake(Option<ResumeState>);

    impl SessionMachine for Fake {
        fn handle_connected(&mut self, _: Instant) {}
        fn handle_connect_failed(&mut self, _: Instant, _: crate::ConnectFailure) {}
        fn handle_frame(&mut self, _: Instant, _: bytes::Bytes) {}
        fn handle_closed(&mut self, _: Instant, _: Option<u16>, _: &str) {}
        fn handle_timeout(&mut self, _: Instant) {}
        fn poll_transmit(&mut self) -> Option<crate::Outgoing> {
            None
        }
        fn poll_event(&mut self) -> Option<crate::SessionEvent> {
            None
        }
        fn poll_timeout(&self) -> Option<Instant> {
            None
        }
        fn next_connect(&self) -> Option<(Instant, url::Url)> {
            None
        }
        fn connect_headers(&self) -> Vec<(&'static str, crate::Token)> {
            Vec::new()
        }
        fn close(&mut self, _: Instant) {}
        fn resume_state(&self) -> Option<ResumeState> {
            self.0.clone()
        }
    }

    fn at(session: &str, seq: u64) -> Fake {
        Fake(Some(ResumeState {
            session_id: session.into(),
            seq,
            ..ResumeState::default()
        }))
    }

    /// Records every save in order (the writer coalesces, so the test waits for each).
    #[derive(Default)]
    struct Log(std::sync::Mutex<Vec<Write>>);

    impl SessionStore for Log {
        fn load(&self, _: &str) -> Result<Option<ResumeState>, Error> {
            Ok(None)
        }
        fn save(&self, _: &str, state: &ResumeState) -> Result<(), Error> {
            self.0.lock().unwrap().push(Some(state.clone()));
            Ok(())
        }
        fn clear(&self, _: &str) -> Result<(), Error> {
            self.0.lock().unwrap().push(None);
            Ok(())
        }
    }

    #[tokio::test]
    async fn seq_is_batched_by_count_and_time_session_changes_at_once_and_the_end_is_saved() {
        let store = Arc::new(MemoryStore::new());
        let p = Persistence::new(store.clone(), "k")
            .every_events(10)
            .every(Duration::from_secs(1));
        let mut persister = Persister::start(p);
        let t0 = Instant::now();
        // a new session is written at once
        persister.turn(&at("a", 1), 1, t0);
        assert_eq!(persister.written, Some(at("a", 1).0));
        assert_eq!(persister.due(), None);
        // 5 more events: not yet; a deadline one `every` later
        persister.turn(&at("a", 6), 6, t0);
        assert_eq!(persister.written, Some(at("a", 1).0));
        assert_eq!(persister.due(), Some(t0 + Duration::from_secs(1)));
        // 10 events since the write: written, no deadline left
        persister.turn(&at("a", 11), 11, t0);
        assert_eq!(persister.written, Some(at("a", 11).0));
        assert_eq!(persister.due(), None);
        // one event, then the deadline passes with nothing else happening
        persister.turn(&at("a", 12), 12, t0);
        assert_eq!(persister.written, Some(at("a", 11).0));
        persister.turn(&at("a", 12), 12, t0 + Duration::from_secs(1));
        assert_eq!(persister.written, Some(at("a", 12).0));
        // an invalidated session clears at once
        persister.turn(&Fake(None), 13, t0 + Duration::from_secs(1));
        assert_eq!(persister.written, Some(None));
        // the end writes what is pending
        persister.turn(&at("b", 2), 14, t0 + Duration::from_secs(1));
        persister.turn(&at("b", 3), 15, t0 + Duration::from_secs(1));
        persister.finish(&at("b", 3)).await;
        assert_eq!(store.load("k").unwrap(), at("b", 3).0);
    }

    struct Point(u64);
    impl HandledPoint for Point {
        fn handled(&self, session_id: &str) -> Option<u64> {
            (session_id == "a").then_some(self.0)
        }
    }

    #[tokio::test]
    async fn the_handled_point_is_saved_and_an_unseen_session_waits() {
        let log = Arc::new(Log::default());
        let p = Persistence::new(log.clone(), "k").handled(Arc::new(Point(4)));
        let mut persister = Persister::start(p);
        let t0 = Instant::now();
        persister.turn(&at("a", 9), 1, t0);
        assert_eq!(persister.written, Some(at("a", 4).0));
        // handlers behind: looked at again after `every`
        assert_eq!(persister.due(), Some(t0 + Duration::from_secs(1)));
        // a session the application has not seen: not written, looked at again soon
        persister.turn(&at("b", 3), 2, t0);
        assert_eq!(persister.written, Some(at("a", 4).0));
        assert_eq!(persister.due(), Some(t0 + UNSEEN_RETRY));
        persister.finish(&at("b", 3)).await;
        let writes = log.0.lock().unwrap().clone();
        assert_eq!(writes, [at("a", 4).0]);
    }
}
