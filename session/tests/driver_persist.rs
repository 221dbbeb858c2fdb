//! The driver keeps the resume point in a `FileStore`: a driver stopped and started again
//! (a new machine built from the store) resumes the same session on the QQ sim and gets
//! exactly the events sent while it was down; an invalidated session clears the store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod driver_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_session::driver::{self, DriverConfig, Persistence};
use botgate_session::{qq, Error, FileStore, ResumeState, SessionStore};
use botgate_sim::{Fault, QqConfig, QqSim};
use driver_common::*;
use serde_json::json;
use tokio::sync::watch;

const AT_MESSAGE: u32 = 1 << 30;

fn machine(sim: &QqSim, resume: Option<ResumeState>) -> qq::Session {
    let mut config = qq::Config::new(
        sim.url().parse().unwrap(),
        "QQBot sim-access-token",
        AT_MESSAGE,
    );
    config.seed = Some(3);
    config.invalid_session_wait = (Duration::ZERO, Duration::from_millis(10));
    qq::Session::new(config, Instant::now(), resume)
}

fn message(i: u32) -> serde_json::Value {
    json!({"id": format!("m{i}"), "channel_id": "1", "guild_id": "1", "content": "x",
           "author": {"id": "2"}})
}

/// A `FileStore` that records every write (`None`: a clear) and publishes the list, so tests
/// await saves instead of polling files.
struct Watched {
    inner: FileStore,
    writes: watch::Sender<Vec<Option<ResumeState>>>,
}

impl Watched {
    fn new(dir: &std::path::Path) -> Arc<Self> {
        Arc::new(Self {
            inner: FileStore::new(dir),
            writes: watch::Sender::new(Vec::new()),
        })
    }

    /// Waits until the writes so far satisfy `pred`.
    async fn wait(&self, what: &str, pred: impl FnMut(&Vec<Option<ResumeState>>) -> bool) {
        let mut rx = self.writes.subscribe();
        within(what, rx.wait_for(pred)).await.unwrap();
    }
}

impl SessionStore for Watched {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, Error> {
        self.inner.load(key)
    }
    fn save(&self, key: &str, state: &ResumeState) -> Result<(), Error> {
        self.inner.save(key, state)?;
        self.writes.send_modify(|w| w.push(Some(state.clone())));
        Ok(())
    }
    fn clear(&self, key: &str) -> Result<(), Error> {
        self.inner.clear(key)?;
        self.writes.send_modify(|w| w.push(None));
        Ok(())
    }
}

fn persisted(store: &Arc<Watched>) -> DriverConfig {
    DriverConfig::default().persist(Persistence::new(store.clone(), "qq/test/0").every_events(4))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_driver_resumes_from_the_store_and_misses_nothing() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Watched::new(dir.path());

    // first run: 10 events, then a clean stop
    let (handle, events) = driver::run(machine(&sim, None), &persisted(&store));
    let (mut rx, consumer) = consume(events);
    for i in 0..10 {
        sim.push_event("AT_MESSAGE_CREATE", message(i));
    }
    progress(&mut rx, "10 events", |p| p.delivered == 10).await;
    let first = within("shutdown", handle.shutdown()).await.unwrap();
    within("consumer", consumer).await.unwrap();
    let saved = store.load("qq/test/0").unwrap().expect("a saved state");
    assert_eq!(Some(saved.clone()), first.resume_state());
    assert_eq!(Some(saved.session_id.as_str()), first.session_id());
    assert_eq!(saved.shard, Some([0, 1]));

    // events while no process runs
    for i in 10..15 {
        sim.push_event("AT_MESSAGE_CREATE", message(i));
    }

    // second run: built from the store, it resumes and gets exactly the five
    let loaded = Persistence::new(store.clone(), "qq/test/0").load().unwrap();
    let (handle, events) = driver::run(machine(&sim, loaded), &persisted(&store));
    let (mut rx, consumer) = consume(events);
    let p = progress(&mut rx, "5 replayed events and RESUMED", |p| {
        p.delivered == 5 && p.resumes == 1
    })
    .await;
    assert_eq!((p.readies, p.resumes), (0, 1));
    assert_eq!(sim.identify_log().len(), 1, "no second Identify");
    assert_eq!(sim.resume_log()[0]["seq"], saved.seq);
    let second = within("shutdown", handle.shutdown()).await.unwrap();
    let collected = within("consumer", consumer).await.unwrap();
    let ids: Vec<_> = collected.keys.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids, ["m10", "m11", "m12", "m13", "m14"]);
    let saved = store.load("qq/test/0").unwrap().unwrap();
    assert_eq!(saved.seq, second.last_seq());
    // the five, and the RESUMED frame, which the sim numbers too
    assert!(saved.seq > first.last_seq() + 5, "{saved:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_the_server_invalidates_is_cleared_then_the_new_one_saved() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Watched::new(dir.path());
    let (handle, events) = driver::run(machine(&sim, None), &persisted(&store));
    let (mut rx, consumer) = consume(events);
    sim.push_event("AT_MESSAGE_CREATE", message(0));
    progress(&mut rx, "an event", |p| p.delivered == 1).await;
    let first_id = handle
        .with_machine(|m, _| m.session_id().map(str::to_owned))
        .await
        .unwrap()
        .unwrap();
    // a new session is written at once, without waiting for the batch (2 events of 4)
    store
        .wait("the first session saved", |w| {
            w.iter().flatten().any(|s| s.session_id == first_id)
        })
        .await;

    // op 9 (not resumable): cleared at once, then the fresh session written at once
    sim.inject(Fault::InvalidSession { resumable: false });
    progress(&mut rx, "a fresh session", |p| p.readies == 2).await;
    store
        .wait("the second session saved", |w| {
            w.iter().flatten().any(|s| s.session_id != first_id)
        })
        .await;
    let writes = store.writes.borrow().clone();
    let cleared = writes.iter().position(Option::is_none).expect("a clear");
    let fresh = writes
        .iter()
        .position(|w| w.as_ref().is_some_and(|s| s.session_id != first_id))
        .unwrap();
    assert!(cleared < fresh, "{writes:?}");
    let second = within("shutdown", handle.shutdown()).await.unwrap();
    within("consumer", consumer).await.unwrap();
    let saved = store.load("qq/test/0").unwrap().unwrap();
    assert_ne!(saved.session_id, first_id);
    assert_eq!(Some(saved.session_id.as_str()), second.session_id());
}
