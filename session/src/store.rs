//! Where resume state lives between connections and between processes.
//!
//! The state machines never call a store themselves (they do no I/O): a session hands out its
//! [`ResumeState`] (`resume_state()`) and is built from one, and the driver loads and saves it.
//! [`FileStore`] writes atomically (temp file, fsync, rename), so a crash mid-write leaves the
//! previous state, and a restarted process resumes instead of identifying again. Its journal
//! ([`SessionStore::mark_handled`]) records the events handled past the saved point, so the
//! replay that follows a crash can skip them (decision 0016).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// What a session needs to resume: the session id and the last sequence number handled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ResumeState {
    /// The gateway session id (QQ `READY.session_id`, Bubble `BOT_READY.sessionId`).
    pub session_id: String,
    /// The last sequence number delivered (or handled, if the application tracks that).
    pub seq: u64,
    /// A gateway URL the server asked resumes to use, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume_url: Option<String>,
    /// `[shard_id, shard_count]` the session was opened with (QQ).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<[u32; 2]>,
}

/// A place to keep [`ResumeState`] per session key (`qq/<app>/<shard>`, `bubble/<bot>`, ...).
pub trait SessionStore: Send + Sync {
    /// The stored state for `key`, if any.
    fn load(&self, key: &str) -> Result<Option<ResumeState>, Error>;
    /// Replaces the stored state for `key`.
    fn save(&self, key: &str, state: &ResumeState) -> Result<(), Error>;
    /// Forgets the state for `key` (the session can no longer be resumed).
    fn clear(&self, key: &str) -> Result<(), Error>;

    /// Notes that dispatch `seq` of session `session_id` was handled, past the point saved
    /// under `key`: a restart that resumes from the saved point replays it, and
    /// [`handled_since_save`](Self::handled_since_save) lets the application skip it. Called
    /// once per handled event, so it must be cheap (the file store appends a line without
    /// fsync: it survives a killed process, not a power loss). Default: nothing is noted, and
    /// such replays are handled again.
    fn mark_handled(&self, key: &str, session_id: &str, seq: u64) -> Result<(), Error> {
        let _ = (key, session_id, seq);
        Ok(())
    }

    /// The sequence numbers noted by [`mark_handled`](Self::mark_handled) for the session
    /// saved under `key`, above its saved `seq` (ascending). A `save` may drop the notes it
    /// has made useless (other sessions, `seq` at or below the saved one).
    fn handled_since_save(&self, key: &str) -> Result<Vec<u64>, Error> {
        let _ = key;
        Ok(Vec::new())
    }
}

/// A shared store is a store (one `Arc<FileStore>` for many bots, or an `Arc<dyn SessionStore>`).
impl<S: SessionStore + ?Sized> SessionStore for Arc<S> {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, Error> {
        (**self).load(key)
    }
    fn save(&self, key: &str, state: &ResumeState) -> Result<(), Error> {
        (**self).save(key, state)
    }
    fn clear(&self, key: &str) -> Result<(), Error> {
        (**self).clear(key)
    }
    fn mark_handled(&self, key: &str, session_id: &str, seq: u64) -> Result<(), Error> {
        (**self).mark_handled(key, session_id, seq)
    }
    fn handled_since_save(&self, key: &str) -> Result<Vec<u64>, Error> {
        (**self).handled_since_save(key)
    }
}

/// An in-process store: survives reconnects, not restarts.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<String, ResumeState>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SessionStore for MemoryStore {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, Error> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        Ok(map.get(key).cloned())
    }

    fn save(&self, key: &str, state: &ResumeState) -> Result<(), Error> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(key.to_owned(), state.clone());
        Ok(())
    }

    fn clear(&self, key: &str) -> Result<(), Error> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
        Ok(())
    }
}

/// One JSON file per key in a directory, replaced atomically, and beside it a journal of the
/// events handled past the saved point (`<key>.handled`, one JSON line per event, appended
/// without fsync and compacted by each save). One process per directory: a load removes the
/// key's temporary files that another process (killed mid-save) left behind.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
    /// Open journals, by path; the lock also orders appends against a save's compaction.
    journals: Arc<Mutex<HashMap<PathBuf, fs::File>>>,
}

impl FileStore {
    /// A store writing into `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            journals: Arc::default(),
        }
    }

    /// The directory the files are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `key`: unsafe characters become `_`, so a key never escapes `dir`.
    pub fn path_for(&self, key: &str) -> PathBuf {
        let name: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = if name.is_empty() || name.starts_with('.') {
            format!("_{name}")
        } else {
            name
        };
        self.dir.join(format!("{name}.json"))
    }

    /// The journal of handled events beside [`path_for`](Self::path_for)`(key)`.
    pub fn journal_path_for(&self, key: &str) -> PathBuf {
        self.path_for(key).with_extension("handled")
    }

    /// The journal's `(session id, seq)` lines; a line that does not parse (a torn write after
    /// a power loss) is skipped.
    fn read_journal(path: &Path) -> Result<Vec<(String, u64)>, Error> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Self::err(path, "load", e)),
        };
        Ok(text
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect())
    }

    /// Rewrites the journal of `key` with only the notes still useful after `state` was saved.
    fn compact_journal(&self, key: &str, state: &ResumeState) -> Result<(), Error> {
        let path = self.journal_path_for(key);
        let mut journals = self.journals.lock().unwrap_or_else(|p| p.into_inner());
        let notes = Self::read_journal(&path)?;
        if notes.is_empty() {
            return Ok(());
        }
        let mut body = String::new();
        for (session, seq) in notes {
            if session == state.session_id && seq > state.seq {
                body.push_str(&journal_line(&session, seq));
            }
        }
        // The handle appends to the file being replaced: reopen after the rename.
        journals.remove(&path);
        let tmp = path.with_extension(format!("handled.tmp.{}", std::process::id()));
        fs::write(&tmp, body.as_bytes()).map_err(|e| Self::err(&tmp, "save", e))?;
        fs::rename(&tmp, &path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Self::err(&path, "rename", e)
        })
    }

    /// Removes `key`'s temporary files (`<file>.tmp.<pid>`) of other processes: with one
    /// process per directory, they are what a process killed between write and rename left.
    fn remove_stale_temps(&self, key: &str) {
        let ours = std::process::id().to_string();
        let (state, journal) = (self.path_for(key), self.journal_path_for(key));
        let prefixes: Vec<String> = [state, journal]
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(|n| format!("{n}.tmp.")))
            .collect();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale = prefixes.iter().any(|prefix| {
                name.strip_prefix(prefix.as_str())
                    .is_some_and(|pid| pid != ours && pid.bytes().all(|b| b.is_ascii_digit()))
            });
            if stale {
                match fs::remove_file(entry.path()) {
                    Ok(()) => {
                        tracing::info!(file = %entry.path().display(), "removed a stale temporary file")
                    }
                    Err(error) => {
                        tracing::warn!(%error, file = %entry.path().display(), "a stale temporary file was not removed")
                    }
                }
            }
        }
    }

    fn err(
        path: &Path,
        op: &'static str,
        e: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        Error::with_source(
            ErrorKind::Store {
                path: Some(path.to_owned()),
                op,
            },
            e,
        )
    }
}

impl SessionStore for FileStore {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, Error> {
        self.remove_stale_temps(key);
        let path = self.path_for(key);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Self::err(&path, "load", e)),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Self::err(&path, "decode", e))
    }

    fn save(&self, key: &str, state: &ResumeState) -> Result<(), Error> {
        let path = self.path_for(key);
        fs::create_dir_all(&self.dir).map_err(|e| Self::err(&self.dir, "save", e))?;
        let body = serde_json::to_vec(state).map_err(|e| Self::err(&path, "save", e))?;
        let tmp = path.with_extension(format!("json.tmp.{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(Self::err(&tmp, "save", e));
        }
        fs::rename(&tmp, &path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Self::err(&path, "rename", e)
        })?;
        self.compact_journal(key, state)
    }

    fn clear(&self, key: &str) -> Result<(), Error> {
        let journal = self.journal_path_for(key);
        let mut journals = self.journals.lock().unwrap_or_else(|p| p.into_inner());
        journals.remove(&journal);
        for path in [self.path_for(key), journal] {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Self::err(&path, "clear", e)),
            }
        }
        Ok(())
    }

    fn mark_handled(&self, key: &str, session_id: &str, seq: u64) -> Result<(), Error> {
        let path = self.journal_path_for(key);
        let line = journal_line(session_id, seq);
        let mut journals = self.journals.lock().unwrap_or_else(|p| p.into_inner());
        let file = match journals.entry(path) {
            Entry::Occupied(open) => open.into_mut(),
            Entry::Vacant(slot) => {
                fs::create_dir_all(&self.dir).map_err(|e| Self::err(&self.dir, "save", e))?;
                let mut file = fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(slot.key())
                    .map_err(|e| Self::err(slot.key(), "save", e))?;
                // After a torn last line, start on a fresh one so the next note survives.
                let torn =
                    fs::read(slot.key()).is_ok_and(|b| b.last().is_some_and(|&c| c != b'\n'));
                if torn {
                    file.write_all(b"\n")
                        .map_err(|e| Self::err(slot.key(), "save", e))?;
                }
                slot.insert(file)
            }
        };
        // One write per line: a killed process leaves whole lines.
        if let Err(e) = file.write_all(line.as_bytes()) {
            let path = self.journal_path_for(key);
            journals.remove(&path);
            return Err(Self::err(&path, "save", e));
        }
        Ok(())
    }

    fn handled_since_save(&self, key: &str) -> Result<Vec<u64>, Error> {
        let Some(state) = self.load(key)? else {
            return Ok(Vec::new());
        };
        let path = self.journal_path_for(key);
        let notes = {
            let _journals = self.journals.lock().unwrap_or_else(|p| p.into_inner());
            Self::read_journal(&path)?
        };
        let mut seqs: Vec<u64> = notes
            .into_iter()
            .filter(|(session, seq)| *session == state.session_id && *seq > state.seq)
            .map(|(_, seq)| seq)
            .collect();
        seqs.sort_unstable();
        seqs.dedup();
        Ok(seqs)
    }
}

/// One journal line: `["<session id>",<seq>]` (JSON, so any session id is safe).
fn journal_line(session_id: &str, seq: u64) -> String {
    let mut line = serde_json::to_string(&(session_id, seq)).unwrap_or_default();
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ResumeState {
        ResumeState {
            session_id: "082ee18c".into(),
            seq: 1337,
            resume_url: None,
            shard: Some([0, 1]),
        }
    }

    #[test]
    fn memory_store_round_trips_and_clears() {
        let s = MemoryStore::new();
        assert_eq!(s.load("qq/1/0").unwrap(), None);
        s.save("qq/1/0", &state()).unwrap();
        assert_eq!(s.load("qq/1/0").unwrap(), Some(state()));
        s.clear("qq/1/0").unwrap();
        assert_eq!(s.load("qq/1/0").unwrap(), None);
    }

    #[test]
    fn file_store_round_trips_through_a_new_instance() {
        let dir = tempfile::tempdir().unwrap();
        FileStore::new(dir.path()).save("qq/1/0", &state()).unwrap();
        let reopened = FileStore::new(dir.path());
        assert_eq!(reopened.load("qq/1/0").unwrap(), Some(state()));
        let mut newer = state();
        newer.seq = 2000;
        reopened.save("qq/1/0", &newer).unwrap();
        assert_eq!(reopened.load("qq/1/0").unwrap().unwrap().seq, 2000);
        // no temp file left behind
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["qq_1_0.json".to_owned()]);
        reopened.clear("qq/1/0").unwrap();
        assert_eq!(reopened.load("qq/1/0").unwrap(), None);
        reopened.clear("qq/1/0").unwrap();
    }

    #[test]
    fn a_load_removes_temporary_files_a_killed_process_left() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        store.save("qq/1/0", &state()).unwrap();
        let ours = std::process::id();
        let other = ours.wrapping_add(1);
        let left = [
            format!("qq_1_0.json.tmp.{other}"),
            format!("qq_1_0.handled.tmp.{other}"),
        ];
        let kept = [
            format!("qq_1_0.json.tmp.{ours}"),  // this process's own, mid-save
            format!("qq_2_0.json.tmp.{other}"), // another key's
            "qq_1_0.json.tmp.x".to_owned(),     // not a temporary file of ours
        ];
        for name in left.iter().chain(&kept) {
            fs::write(dir.path().join(name), b"{").unwrap();
        }
        assert_eq!(store.load("qq/1/0").unwrap(), Some(state()));
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let mut expected: Vec<String> = kept.to_vec();
        expected.push("qq_1_0.json".to_owned());
        expected.sort();
        assert_eq!(names, expected);
    }

    #[test]
    fn file_store_keys_cannot_escape_the_directory() {
        let s = FileStore::new("/tmp/x");
        assert_eq!(
            s.path_for("../../etc/passwd"),
            PathBuf::from("/tmp/x/_.._.._etc_passwd.json")
        );
        assert_eq!(s.path_for(""), PathBuf::from("/tmp/x/_.json"));
    }

    #[test]
    fn the_journal_keeps_what_is_past_the_saved_point_of_the_saved_session() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileStore::new(dir.path());
        assert_eq!(s.handled_since_save("k").unwrap(), Vec::<u64>::new());
        s.save("k", &state()).unwrap(); // seq 1337
        for seq in [1339, 1336, 1340, 1338] {
            s.mark_handled("k", "082ee18c", seq).unwrap();
        }
        s.mark_handled("k", "another", 2000).unwrap();
        // a new instance (a restarted process) reads what the killed one appended
        let reopened = FileStore::new(dir.path());
        assert_eq!(
            reopened.handled_since_save("k").unwrap(),
            vec![1338, 1339, 1340]
        );
        // a save compacts: notes at or below the saved seq and of other sessions go
        let mut newer = state();
        newer.seq = 1339;
        s.save("k", &newer).unwrap();
        let text = fs::read_to_string(s.journal_path_for("k")).unwrap();
        assert_eq!(text, "[\"082ee18c\",1340]\n");
        // appends after a compaction go to the new file
        s.mark_handled("k", "082ee18c", 1341).unwrap();
        assert_eq!(s.handled_since_save("k").unwrap(), vec![1340, 1341]);
        // a torn last line (power loss) is skipped
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(s.journal_path_for("k"))
            .unwrap();
        f.write_all(b"[\"082ee18c\",13").unwrap();
        assert_eq!(reopened.handled_since_save("k").unwrap(), vec![1340, 1341]);
        // and the next note (by a new process) still counts
        reopened.mark_handled("k", "082ee18c", 1342).unwrap();
        assert_eq!(s.handled_since_save("k").unwrap(), vec![1340, 1341, 1342]);
        s.clear("k").unwrap();
        assert!(!s.journal_path_for("k").exists());
        assert_eq!(s.handled_since_save("k").unwrap(), Vec::<u64>::new());
    }

    #[test]
    fn a_corrupt_file_is_a_typed_decode_error() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileStore::new(dir.path());
        fs::write(s.path_for("k"), b"{not json").unwrap();
        let err = s.load("k").unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Store { op: "decode", .. }));
    }
}
