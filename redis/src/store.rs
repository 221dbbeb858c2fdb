//! [`RedisSessionStore`]: the resume point of each session in Redis, so that whichever process
//! runs a shard next (a restart, or another process that took its lease over) resumes it.
//!
//! Keys (with the default prefix `botgate`):
//! - `botgate:session:<key>`: the `ResumeState` as JSON (the same shape the `FileStore` writes);
//! - `botgate:handled:<key>:<session id>`: a sorted set of the seqs handled past the saved
//!   point (the journal, decision 0016), score = member = seq.
//!
//! A save and its journal compaction run in one Lua script (atomic). Journal notes are queued
//! to a writer thread that pipelines them (one round trip per batch, not per event): a process
//! killed with notes still queued loses those (the events they name may be handled again by
//! the next owner); a clean stop writes them (every `save` waits for the queue first), and
//! `handled_since_save` waits for it too (a store reads the notes it queued itself).

use std::fmt;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

use botgate_session::{
    Error as SessionError, ErrorKind as SessionErrorKind, ResumeState, SessionStore,
};
use redis::{Client, Commands, Script};

use crate::conn::SyncConn;
use crate::error::Error;

/// Saves the state and drops the journal entries the save makes useless: those of another
/// session (the previous one under this key) and those at or below the saved seq. Fenced
/// (KEYS[2] given): only while the lease KEYS[2] holds ARGV[5], else returns 0 and writes
/// nothing. KEYS[1] state key; ARGV: state JSON, journal key prefix, session id, seq, owner.
const SAVE: &str = r"
if KEYS[2] and redis.call('GET', KEYS[2]) ~= ARGV[5] then
  return 0
end
local old = redis.call('GET', KEYS[1])
if old then
  local ok, o = pcall(cjson.decode, old)
  if ok and type(o) == 'table' and o.session_id and o.session_id ~= ARGV[3] then
    redis.call('DEL', ARGV[2] .. o.session_id)
  end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', ARGV[2] .. ARGV[3], '-inf', ARGV[4])
return 1
";

/// Deletes the state and its session's journal. KEYS[1] state key; ARGV[1] journal prefix.
/// Fenced like [`SAVE`] (KEYS[2] lease, ARGV[2] owner): returns -1 and deletes nothing.
const CLEAR: &str = r"
if KEYS[2] and redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return -1
end
local old = redis.call('GET', KEYS[1])
if old then
  local ok, o = pcall(cjson.decode, old)
  if ok and type(o) == 'table' and o.session_id then
    redis.call('DEL', ARGV[1] .. o.session_id)
  end
end
return redis.call('DEL', KEYS[1])
";

/// How many queued notes one pipeline carries at most.
const BATCH: usize = 512;

/// A [`SessionStore`] in Redis, shared by every process of a bot. Writes for a leased shard
/// go through [`fenced`](Self::fenced): a process whose lease was taken over cannot overwrite
/// the new owner's resume point.
pub struct RedisSessionStore {
    conn: SyncConn,
    prefix: String,
    save: Script,
    clear: Script,
    /// The journal writer, started on the first note.
    journal: Mutex<Option<mpsc::Sender<Note>>>,
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("conn", &self.conn)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

enum Note {
    Handled {
        key: String,
        seq: u64,
    },
    /// Answered once every note before it is written.
    Flush(mpsc::Sender<()>),
}

impl RedisSessionStore {
    /// A store on the Redis at `url` (`redis://127.0.0.1:6379/0`); connects on first use.
    ///
    /// # Errors
    /// [`Error::Url`] when `url` is not a Redis URL.
    pub fn open(url: &str) -> Result<Self, Error> {
        let client = Client::open(url).map_err(Error::Url)?;
        Ok(Self {
            conn: SyncConn::new(client),
            prefix: "botgate".to_owned(),
            save: Script::new(SAVE),
            clear: Script::new(CLEAR),
            journal: Mutex::new(None),
        })
    }

    /// Key prefix instead of `botgate` (several bots or test runs on one Redis).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// This store's writes for one shard, allowed only while `fence`'s lease is held
    /// ([`ShardLeases::fence`](crate::ShardLeases::fence)). A process that lost its lease in
    /// a partition and has not noticed yet (it may take up to 2/3 of the lease's TTL) would
    /// otherwise save an older resume point over the new owner's, or clear it.
    pub fn fenced(self: &Arc<Self>, fence: Fence) -> FencedSessionStore {
        FencedSessionStore {
            store: Arc::clone(self),
            fence,
        }
    }

    fn state_key(&self, key: &str) -> String {
        format!("{}:session:{key}", self.prefix)
    }

    fn journal_prefix(&self, key: &str) -> String {
        format!("{}:handled:{key}:", self.prefix)
    }

    /// Waits until every journal note queued so far is written (or dropped after an error).
    pub fn flush_journal(&self) {
        let tx = self
            .journal
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(tx) = tx {
            let (done_tx, done_rx) = mpsc::channel();
            if tx.send(Note::Flush(done_tx)).is_ok() {
                let _ = done_rx.recv();
            }
        }
    }

    fn journal(&self) -> Option<mpsc::Sender<Note>> {
        let mut slot = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            let (tx, rx) = mpsc::channel();
            let client = self.conn.client().clone();
            let spawned = thread::Builder::new()
                .name("botgate-redis-journal".into())
                .spawn(move || write_notes(&SyncConn::new(client), &rx));
            match spawned {
                Ok(_) => *slot = Some(tx),
                Err(error) => {
                    tracing::warn!(%error, "journal writer thread not started; notes dropped");
                    return None;
                }
            }
        }
        slot.clone()
    }
}

/// Writes queued notes, a batch per pipeline, until the store is dropped.
fn write_notes(conn: &SyncConn, rx: &mpsc::Receiver<Note>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(note) => batch.push(note),
                Err(_) => break,
            }
        }
        let mut acks = Vec::new();
        let mut pipe = redis::pipe();
        let mut notes = 0;
        for note in batch {
            match note {
                Note::Handled { key, seq } => {
                    // Scores are doubles: seqs stay exact below 2^53.
                    pipe.zadd(key, seq, seq as f64).ignore();
                    notes += 1;
                }
                Note::Flush(ack) => acks.push(ack),
            }
        }
        if notes > 0 {
            if let Err(error) = conn.run("journal", |c| pipe.query::<()>(c)) {
                tracing::warn!(%error, notes, "journal notes not written");
            }
        }
        for ack in acks {
            let _ = ack.send(());
        }
    }
}

impl RedisSessionStore {
    fn save_fenced(
        &self,
        key: &str,
        state: &ResumeState,
        fence: Option<&Fence>,
    ) -> Result<(), SessionError> {
        self.flush_journal();
        let json = serde_json::to_string(state)
            .map_err(|source| Error::Decode { op: "save", source })
            .map_err(store_error("save"))?;
        let written = self
            .conn
            .run("save", |c| {
                let mut call = self.save.key(self.state_key(key));
                call.arg(&json)
                    .arg(self.journal_prefix(key))
                    .arg(&state.session_id)
                    .arg(state.seq);
                if let Some(fence) = fence {
                    call.key(&fence.lease_key).arg(&fence.owner);
                }
                call.invoke::<i64>(c)
            })
            .map_err(store_error("save"))?;
        fenced("save", written == 0, fence)
    }

    fn clear_fenced(&self, key: &str, fence: Option<&Fence>) -> Result<(), SessionError> {
        self.flush_journal();
        let deleted = self
            .conn
            .run("clear", |c| {
                let mut call = self.clear.key(self.state_key(key));
                call.arg(self.journal_prefix(key));
                if let Some(fence) = fence {
                    call.key(&fence.lease_key).arg(&fence.owner);
                }
                call.invoke::<i64>(c)
            })
            .map_err(store_error("clear"))?;
        fenced("clear", deleted < 0, fence)
    }
}

/// The error of a write its fence refused.
fn fenced(op: &'static str, refused: bool, fence: Option<&Fence>) -> Result<(), SessionError> {
    match fence {
        Some(fence) if refused => {
            tracing::warn!(op, owner = %fence.owner, lease = %fence.lease_key,
                "session store write refused: the shard's lease is not ours");
            Err(store_error(op)(Error::Fenced {
                op,
                owner: fence.owner.clone(),
            }))
        }
        _ => Ok(()),
    }
}

/// What fences a shard's writes: its lease key and the owner that must hold it (from
/// [`ShardLeases::fence`](crate::ShardLeases::fence)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub(crate) lease_key: String,
    pub(crate) owner: String,
}

/// A [`RedisSessionStore`] whose writes ([`save`](SessionStore::save),
/// [`clear`](SessionStore::clear)) succeed only while this process holds the shard's lease
/// (see [`RedisSessionStore::fenced`]). Reads and journal notes are the store's own.
#[derive(Debug, Clone)]
pub struct FencedSessionStore {
    store: Arc<RedisSessionStore>,
    fence: Fence,
}

impl SessionStore for FencedSessionStore {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, SessionError> {
        self.store.load(key)
    }

    fn save(&self, key: &str, state: &ResumeState) -> Result<(), SessionError> {
        self.store.save_fenced(key, state, Some(&self.fence))
    }

    fn clear(&self, key: &str) -> Result<(), SessionError> {
        self.store.clear_fenced(key, Some(&self.fence))
    }

    fn mark_handled(&self, key: &str, session_id: &str, seq: u64) -> Result<(), SessionError> {
        self.store.mark_handled(key, session_id, seq)
    }

    fn handled_since_save(&self, key: &str) -> Result<Vec<u64>, SessionError> {
        self.store.handled_since_save(key)
    }
}

fn store_error(op: &'static str) -> impl FnOnce(Error) -> SessionError {
    move |e| SessionError::with_source(SessionErrorKind::Store { path: None, op }, e)
}

impl SessionStore for RedisSessionStore {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, SessionError> {
        let raw: Option<String> = self
            .conn
            .run("load", |c| c.get(self.state_key(key)))
            .map_err(store_error("load"))?;
        raw.map(|raw| {
            serde_json::from_str(&raw)
                .map_err(|source| Error::Decode { op: "load", source })
                .map_err(store_error("decode"))
        })
        .transpose()
    }

    fn save(&self, key: &str, state: &ResumeState) -> Result<(), SessionError> {
        self.save_fenced(key, state, None)
    }

    fn clear(&self, key: &str) -> Result<(), SessionError> {
        self.clear_fenced(key, None)
    }

    fn mark_handled(&self, key: &str, session_id: &str, seq: u64) -> Result<(), SessionError> {
        // Queued, not written here: this runs on the handler's task, once per event.
        if let Some(tx) = self.journal() {
            let key = format!("{}{session_id}", self.journal_prefix(key));
            let _ = tx.send(Note::Handled { key, seq });
        }
        Ok(())
    }

    fn handled_since_save(&self, key: &str) -> Result<Vec<u64>, SessionError> {
        // This store's own notes may still be queued: written first, so it reads what it
        // noted (a shard that stops and starts again in this process skips its handled
        // events, as with the file store).
        self.flush_journal();
        let Some(state) = self.load(key)? else {
            return Ok(Vec::new());
        };
        let journal = format!("{}{}", self.journal_prefix(key), state.session_id);
        let seqs: Vec<u64> = self
            .conn
            .run("load journal", |c| {
                c.zrangebyscore(&journal, format!("({}", state.seq), "+inf")
            })
            .map_err(store_error("load"))?;
        Ok(seqs)
    }
}
