//! A resend dropped by the dedupe window while its original still runs (decision 0089,
//! addendum "a duplicate's completion"): its [`Completion`] must not read as handled before
//! the original's handlers have finished. The facade's session track (`facade/src/bot/persist.rs`)
//! journals every frame whose completion says handled (`SessionStore::mark_handled`), and a
//! restart skips the journaled frames it replays: a resend journaled while its original (same
//! `seq`: a QQ resume replays with the original numbers) still runs loses the event if the
//! process dies before the original ends.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};

use botgate_dispatch::{
    Completion, DispatchConfig, Dispatcher, Disposition, Handlers, NotHandled, SeqTracker,
};
use support::{input, Input, Test};
use tokio::sync::{mpsc, Semaphore};

/// What the facade's `SessionTrack` keeps for one session: its own watermark and the journal.
#[derive(Default)]
struct Track {
    seqs: Mutex<SeqTracker>,
    journal: Mutex<Vec<u64>>,
}

impl Track {
    /// `SessionTrack::begin`: a ticket for `seq`, ended (and journaled) when `done` says handled.
    fn begin(self: &Arc<Self>, seq: u64, told: &mpsc::UnboundedSender<(u64, bool)>) -> Completion {
        let ticket = self.seqs.lock().unwrap().begin(seq);
        let (track, told) = (Arc::clone(self), told.clone());
        Completion::new(move |ran| {
            if ran {
                track.seqs.lock().unwrap().end(ticket);
                track.journal.lock().unwrap().push(seq);
            }
            told.send((seq, ran)).unwrap();
        })
    }

    fn handled(&self) -> Option<u64> {
        self.seqs.lock().unwrap().handled()
    }

    fn journal(&self) -> Vec<u64> {
        self.journal.lock().unwrap().clone()
    }
}

fn event(id: &str, key: &str, seq: u64) -> Input {
    Input {
        id: Some(id.to_owned()),
        ..input("msg", key, seq)
    }
}

/// `msg` handlers that say they started, then wait for a permit of `gate`; `NotHandled` for
/// key `no`.
fn gated(gate: Arc<Semaphore>, started: mpsc::UnboundedSender<u64>) -> Handlers<Test> {
    let mut handlers = Handlers::<Test>::new();
    handlers.on("msg".to_owned(), move |_ctx, ev| {
        let (gate, started) = (gate.clone(), started.clone());
        async move {
            started.send(ev.n)?;
            gate.acquire().await?.forget();
            if ev.key.as_deref() == Some("no") {
                return Err(NotHandled::new("later").into());
            }
            Ok(())
        }
    });
    handlers
}

/// The original (seq 5) waits in its handler; the server replays it (same seq, same id) and a
/// later copy (seq 8) arrives too. Neither copy's completion may journal or end anything
/// before the original ends; then all three complete as handled.
#[tokio::test]
async fn a_resend_of_a_running_event_completes_only_when_the_original_has_run() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let d = Dispatcher::new(gated(gate.clone(), started_tx), DispatchConfig::default());
    let track = Arc::new(Track::default());
    let (told_tx, mut told) = mpsc::unbounded_channel();

    for seq in 1..=4 {
        d.dispatch_tracked(input("unhandled", "a", seq), track.begin(seq, &told_tx))
            .await;
        track.seqs.lock().unwrap().observe(seq);
    }
    for seq in 1..=4 {
        assert_eq!(told.recv().await, Some((seq, true)));
    }
    assert_eq!(
        d.dispatch_tracked(event("ev-5", "a", 5), track.begin(5, &told_tx))
            .await,
        Disposition::Accepted
    );
    assert_eq!(
        started.recv().await,
        Some(5),
        "the original waits on the gate"
    );

    // The replay after a resume: the same frame, the same number.
    assert_eq!(
        d.dispatch_tracked(event("ev-5", "a", 5), track.begin(5, &told_tx))
            .await,
        Disposition::Duplicate
    );
    assert!(
        told.try_recv().is_err(),
        "the resend of 5 completed while the original still runs"
    );
    assert_eq!(track.journal(), [1, 2, 3, 4], "5 journaled before it ran");
    assert_eq!(track.handled(), Some(4));
    assert_eq!(
        d.handled_seq(),
        Some(4),
        "the dispatcher's watermark passed 5"
    );

    // A copy under another number: its own number is nothing the original needs, and the
    // track's watermark stays below the original's all the same.
    assert_eq!(
        d.dispatch_tracked(event("ev-5", "a", 8), track.begin(8, &told_tx))
            .await,
        Disposition::Duplicate
    );
    assert_eq!(told.recv().await, Some((8, true)));
    assert_eq!(track.handled(), Some(4), "5 still runs");
    assert_eq!(d.handled_seq(), Some(4), "5 still runs");

    gate.add_permits(1);
    let mut ends = vec![told.recv().await.unwrap(), told.recv().await.unwrap()];
    ends.sort_unstable();
    assert_eq!(ends, [(5, true), (5, true)], "the original and its resend");
    assert!(told.try_recv().is_err());
    assert_eq!(track.handled(), Some(8));
    assert_eq!(track.journal(), [1, 2, 3, 4, 8, 5, 5]);
    d.idle().await;
    assert_eq!(d.handled_seq(), Some(8));
    assert_eq!(d.stats().duplicates, 2);
    assert_eq!(started.try_recv().ok(), None, "one delivery");
}

/// A resend whose original has finished (the usual replay) completes at once, as before.
#[tokio::test]
async fn a_resend_of_a_finished_event_completes_at_once() {
    let gate = Arc::new(Semaphore::new(1));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let d = Dispatcher::new(gated(gate, started_tx), DispatchConfig::default());
    let track = Arc::new(Track::default());
    let (told_tx, mut told) = mpsc::unbounded_channel();
    d.dispatch_tracked(event("ev-1", "a", 1), track.begin(1, &told_tx))
        .await;
    assert_eq!(started.recv().await, Some(1));
    assert_eq!(told.recv().await, Some((1, true)));
    assert_eq!(
        d.dispatch_tracked(event("ev-1", "a", 1), track.begin(1, &told_tx))
            .await,
        Disposition::Duplicate
    );
    assert_eq!(
        told.try_recv(),
        Ok((1, true)),
        "completed before it returned"
    );
    assert_eq!(track.handled(), Some(1));
    assert_eq!(d.handled_seq(), Some(1));
}

/// A resend of an event its handler said it did not handle is not handled either: its
/// completion waits (the frame stays in flight) and says `false` when the numbers are reset
/// (a new session), so the journal never lets a restart skip the event.
#[tokio::test]
async fn a_resend_of_an_event_not_handled_is_not_handled() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let d = Dispatcher::new(gated(gate.clone(), started_tx), DispatchConfig::default());
    let track = Arc::new(Track::default());
    let (told_tx, mut told) = mpsc::unbounded_channel();
    d.dispatch_tracked(event("ev-3", "no", 3), track.begin(3, &told_tx))
        .await;
    assert_eq!(started.recv().await, Some(3));
    assert_eq!(
        d.dispatch_tracked(event("ev-3", "no", 3), track.begin(3, &told_tx))
            .await,
        Disposition::Duplicate
    );
    assert!(told.try_recv().is_err(), "the original still runs");
    gate.add_permits(1);
    assert_eq!(told.recv().await, Some((3, false)), "the original");
    d.idle().await;
    assert!(told.try_recv().is_err(), "the resend is not handled either");
    assert_eq!(d.handled_seq(), Some(2));
    d.reset_seq();
    assert_eq!(told.recv().await, Some((3, false)), "the resend");
    assert!(track.journal().is_empty());
    assert_eq!(track.handled(), Some(2));
}

/// With `on_raw` handlers a resend is in flight itself while it is dispatched (its raw job,
/// and the frame held across the raw and typed steps): its completion still waits for the
/// original's typed handlers, not only for its own raw job.
#[tokio::test]
async fn with_raw_handlers_a_resend_still_waits_for_its_original() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let mut handlers = gated(gate.clone(), started_tx);
    handlers.on_raw(|_ctx, _input| async { Ok(()) });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let track = Arc::new(Track::default());
    let (told_tx, mut told) = mpsc::unbounded_channel();
    d.dispatch_tracked(event("ev-2", "a", 2), track.begin(2, &told_tx))
        .await;
    assert_eq!(started.recv().await, Some(2));
    assert_eq!(
        d.dispatch_tracked(event("ev-2", "a", 2), track.begin(2, &told_tx))
            .await,
        Disposition::Duplicate
    );
    // The resend's raw job runs on a worker: wait until nothing but the original is pending.
    while d.pending() > 1 {
        tokio::task::yield_now().await;
    }
    assert!(told.try_recv().is_err(), "the original still runs");
    assert_eq!(track.handled(), Some(1));
    gate.add_permits(1);
    assert_eq!(told.recv().await, Some((2, true)));
    assert_eq!(told.recv().await, Some((2, true)));
    assert_eq!(track.handled(), Some(2));
    assert_eq!(track.journal(), [2, 2]);
}
