//! Where resume state lives between connections and between processes.
//!
//! The state machines never call a store themselves (they do no I/O): a session hands out its
//! [`ResumeState`] (`resume_state()`) and is built from one, and the driver loads and saves it.
//! [`FileStore`] writes atomically (temp file, fsync, rename), so a crash mid-write leaves the
//! previous state, and a restarted process resumes instead of identifying again.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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

/// One JSON file per key in a directory, replaced atomically.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// A store writing into `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
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
        })
    }

    fn clear(&self, key: &str) -> Result<(), Error> {
        let path = self.path_for(key);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Self::err(&path, "clear", e)),
        }
    }
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
    fn file_store_keys_cannot_escape_the_directory() {
        let s = FileStore::new("/tmp/x");
        assert_eq!(
            s.path_for("../../etc/passwd"),
            PathBuf::from("/tmp/x/_.._.._etc_passwd.json")
        );
        assert_eq!(s.path_for(""), PathBuf::from("/tmp/x/_.json"));
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
