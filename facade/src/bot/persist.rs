//! A bot's persisted resume (decision 0016): what one session's pump has handled, for the
//! driver's saves (the handled point) and the store's journal (each event handled past it),
//! and the replayed events a restart skips because the killed process had handled them.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use botgate_dispatch::{Completion, SeqTicket, SeqTracker};
use botgate_session::driver::{DriverConfig, HandledPoint, Persistence};
use botgate_session::{ResumeState, SessionStore};

use super::error::{Error, ErrorKind};

/// Where a bot keeps its resume point, and how often it saves it (the builders' settings).
#[derive(Clone)]
pub(crate) struct StoreOptions {
    pub(crate) store: Option<Arc<dyn SessionStore>>,
    /// Overrides the key prefix the builder derives.
    pub(crate) key: Option<String>,
    pub(crate) every_events: u64,
    pub(crate) every: Duration,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("store", &self.store.is_some())
            .field("key", &self.key)
            .field("every_events", &self.every_events)
            .field("every", &self.every)
            .finish()
    }
}

impl Default for StoreOptions {
    /// No store; 256 events or 1 s when one is set.
    fn default() -> Self {
        Self {
            store: None,
            key: None,
            every_events: 256,
            every: Duration::from_secs(1),
        }
    }
}

impl StoreOptions {
    /// With a store: the track of session `key` and the state to resume (`None`, `None`
    /// without a store).
    pub(crate) async fn open(
        &self,
        key: String,
    ) -> Result<(Option<Arc<SessionTrack>>, Option<ResumeState>), Error> {
        match &self.store {
            Some(store) => {
                let (track, state) = SessionTrack::open(store, key).await?;
                Ok((Some(track), state))
            }
            None => Ok((None, None)),
        }
    }

    /// `base` with the saving of `track`'s session (`base` itself without a track).
    pub(crate) fn driver_config(
        &self,
        base: &DriverConfig,
        track: Option<&Arc<SessionTrack>>,
    ) -> DriverConfig {
        match (track, &self.store) {
            (Some(track), Some(store)) => {
                let handled: Arc<dyn HandledPoint> = Arc::clone(track) as Arc<dyn HandledPoint>;
                base.clone().persist(
                    Persistence::new(Arc::clone(store), track.key.clone())
                        .every_events(self.every_events)
                        .every(self.every)
                        .handled(handled),
                )
            }
            _ => base.clone(),
        }
    }
}

/// What to do with one dispatch.
pub(crate) enum Begin {
    /// Dispatch it and report its end.
    Track(Completion),
    /// The killed process handled it (journal): do not run it again.
    Skip,
    /// No sequence number: nothing to track.
    Untracked,
}

/// The handled point of one session and its journal.
pub(crate) struct SessionTrack {
    store: Arc<dyn SessionStore>,
    key: String,
    state: Mutex<TrackState>,
}

struct TrackState {
    /// The session the numbers belong to.
    session: Option<String>,
    /// Bumped with each new session: a job of an older one must not end a number of this one.
    generation: u64,
    seqs: SeqTracker,
    /// Numbers of `session` handled before a restart: skipped when replayed.
    skip: HashSet<u64>,
}

impl SessionTrack {
    /// Loads the stored state and its journal (blocking I/O: on a blocking thread), and
    /// returns the track with the state the machine resumes from.
    async fn open(
        store: &Arc<dyn SessionStore>,
        key: String,
    ) -> Result<(Arc<Self>, Option<ResumeState>), Error> {
        let store = Arc::clone(store);
        let (reader, k) = (Arc::clone(&store), key.clone());
        let loaded = tokio::task::spawn_blocking(move || {
            let state = reader.load(&k)?;
            let handled = match &state {
                Some(_) => reader.handled_since_save(&k)?,
                None => Vec::new(),
            };
            Ok::<_, botgate_session::Error>((state, handled))
        })
        .await
        .map_err(|e| Error::with_source(ErrorKind::Driver, e))?;
        let (state, handled) =
            loaded.map_err(|e| Error::with_source(ErrorKind::Store { key: key.clone() }, e))?;
        let mut seqs = SeqTracker::default();
        if let Some(s) = &state {
            seqs.observe(s.seq);
            tracing::info!(
                key,
                seq = s.seq,
                journal = handled.len(),
                "resuming a stored session"
            );
        }
        let track = Arc::new(Self {
            store,
            key,
            state: Mutex::new(TrackState {
                session: state.as_ref().map(|s| s.session_id.clone()),
                generation: 0,
                seqs,
                skip: handled.into_iter().collect(),
            }),
        });
        Ok((track, state))
    }

    fn state(&self) -> MutexGuard<'_, TrackState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session (READY with `ready_seq`): numbers start again, from the READY on, which
    /// counts as handled (a resume point before it would replay it as a new session's).
    pub(crate) fn new_session(&self, id: Option<String>, ready_seq: Option<u64>) {
        let mut st = self.state();
        st.session = id;
        st.generation += 1;
        st.seqs.reset();
        st.seqs.observe(ready_seq.unwrap_or(0));
        st.skip.clear();
    }

    /// Before a dispatch with `seq`.
    pub(crate) fn begin(self: &Arc<Self>, seq: Option<u64>) -> Begin {
        let Some(seq) = seq else {
            return Begin::Untracked;
        };
        let mut st = self.state();
        if st.skip.remove(&seq) {
            st.seqs.observe(seq);
            return Begin::Skip;
        }
        let ticket = st.seqs.begin(seq);
        let (generation, session) = (st.generation, st.session.clone());
        drop(st);
        let track = Arc::clone(self);
        Begin::Track(Completion::new(move |ran| {
            // Not run (dispatcher closed): stays in flight, so the saved point stays below it.
            if ran {
                track.handled(generation, session.as_deref(), ticket);
            }
        }))
    }

    /// Every handler of `ticket`'s frame has run: the watermark moves, and the journal notes
    /// it. A frame of an earlier session ends nothing (its ticket says so) and is not noted.
    fn handled(&self, generation: u64, session: Option<&str>, ticket: SeqTicket) {
        let seq = ticket.seq();
        {
            let mut st = self.state();
            if st.generation != generation {
                return;
            }
            st.seqs.end(ticket);
        }
        if let Some(session) = session {
            if let Err(error) = self.store.mark_handled(&self.key, session, seq) {
                tracing::warn!(%error, key = %self.key, seq, "handled event not journaled");
            }
        }
    }
}

impl HandledPoint for SessionTrack {
    fn handled(&self, session_id: &str) -> Option<u64> {
        let st = self.state();
        if st.session.as_deref() == Some(session_id) {
            st.seqs.handled()
        } else {
            None
        }
    }
}
