//! Helpers shared by the session tests: drain a machine, read what it sent.
#![allow(dead_code)]

use std::time::Instant;

use botgate_session::{Outgoing, SessionEvent, SessionMachine, Why};
use bytes::Bytes;
use serde_json::Value;

pub fn tx<M: SessionMachine>(m: &mut M) -> Vec<Outgoing> {
    std::iter::from_fn(|| m.poll_transmit()).collect()
}

pub fn events<M: SessionMachine>(m: &mut M) -> Vec<SessionEvent> {
    std::iter::from_fn(|| m.poll_event()).collect()
}

/// The machine's next events are one `Reconnecting`, for `why`.
pub fn assert_reconnecting<M: SessionMachine>(m: &mut M, why: Why) {
    let events = events(m);
    assert!(
        matches!(events.as_slice(), [SessionEvent::Reconnecting { why: w, .. }] if *w == why),
        "{events:?}"
    );
}

/// The JSON of every text frame sent (closes skipped).
pub fn sent_json<M: SessionMachine>(m: &mut M) -> Vec<Value> {
    tx(m)
        .into_iter()
        .filter_map(|o| match o {
            Outgoing::Text(t) => Some(serde_json::from_str(&t).unwrap()),
            _ => None,
        })
        .collect()
}

pub fn ops(v: &[Value]) -> Vec<u64> {
    v.iter().map(|x| x["op"].as_u64().unwrap()).collect()
}

pub fn frame(m: &mut impl SessionMachine, now: Instant, json: &str) {
    m.handle_frame(now, Bytes::copy_from_slice(json.as_bytes()));
}

/// Seqs of the dispatches among `events`.
pub fn dispatch_seqs(ev: &[SessionEvent]) -> Vec<u64> {
    ev.iter()
        .filter_map(|e| match e {
            SessionEvent::Dispatch(f) => f.seq(),
            _ => None,
        })
        .collect()
}

pub fn close_code(o: &[Outgoing]) -> Option<u16> {
    o.iter().find_map(|x| match x {
        Outgoing::Close { code, .. } => Some(*code),
        _ => None,
    })
}

/// Runs `run(seed)` for every seed in `0..seeds` on all cores; if any panics, panics naming
/// the smallest failing seed. `SEED=n` runs that seed alone (to read its trace).
pub fn for_each_seed(seeds: u64, run: impl Fn(u64) + Sync) {
    use std::sync::atomic::{AtomicU64, Ordering};
    if let Some(seed) = std::env::var("SEED").ok().and_then(|s| s.parse().ok()) {
        run(seed);
        return;
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8) as u64;
    let failed = AtomicU64::new(u64::MAX);
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (run, failed) = (&run, &failed);
            scope.spawn(move || {
                let mut seed = t;
                while seed < seeds && seed < failed.load(Ordering::Relaxed) {
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(seed))).is_err()
                    {
                        failed.fetch_min(seed, Ordering::Relaxed);
                        return;
                    }
                    seed += threads;
                }
            });
        }
    });
    let f = failed.load(Ordering::Relaxed);
    assert!(f == u64::MAX, "failing seed: {f}");
}
