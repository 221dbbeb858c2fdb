//! Handlers that never finish: a shutdown must not wait for them for ever, and an input whose
//! handlers never finished is never reported handled (its resume point and journal stay below
//! it, so a restart replays it).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod support;

use std::sync::Arc;
use std::time::Duration;

use botgate_dispatch::{Completion, DispatchConfig, Dispatcher, Disposition, Handlers};
use futures_util::future::poll_immediate;
use support::{input, Test};
use tokio::sync::{mpsc, Semaphore};

/// Handlers of route `msg`: conversation `stuck` never finishes, the others wait for `gate`.
fn handlers(gate: Arc<Semaphore>, started: mpsc::UnboundedSender<u64>) -> Handlers<Test> {
    let mut handlers = Handlers::<Test>::new();
    handlers.on("msg".to_owned(), move |_ctx, ev| {
        let (gate, started) = (gate.clone(), started.clone());
        async move {
            started.send(ev.n)?;
            if ev.key.as_deref() == Some("stuck") {
                std::future::pending::<()>().await;
            }
            gate.acquire().await?.forget();
            Ok(())
        }
    });
    handlers
}

fn config(max_in_flight: usize, max_pending: usize) -> DispatchConfig {
    DispatchConfig {
        max_in_flight,
        max_pending,
        dedupe_window: 16,
    }
}

/// A completion that reports `(n, ran)` on `tx`.
fn track(tx: &mpsc::UnboundedSender<(u64, bool)>, n: u64) -> Completion {
    let tx = tx.clone();
    Completion::new(move |ran| {
        let _ = tx.send((n, ran));
    })
}

/// The runtime ends (the process exits after a shutdown gave up on its handlers) while a
/// handler never finished, a job waits behind it in its lane and a dispatch waits for room:
/// none of them was handled, so each completes with `false` (the facade's journal then does
/// not mark them handled, and a restart replays them). Before the fix a dropped job, and a
/// dispatch dropped while it waited for room, completed with `true`.
#[test]
fn inputs_whose_handlers_never_finished_complete_unhandled_when_dropped() {
    let (done_tx, mut done) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let gate = Arc::new(Semaphore::new(0));
        let (started_tx, mut started) = mpsc::unbounded_channel();
        let d = Dispatcher::new(handlers(Arc::clone(&gate), started_tx), config(4, 3));
        let accepted = d
            .dispatch_tracked(input("msg", "stuck", 1), track(&done_tx, 1))
            .await;
        assert_eq!(accepted, Disposition::Accepted);
        assert_eq!(started.recv().await, Some(1));
        // Another conversation runs, and finishes once let through.
        d.dispatch_tracked(input("msg", "free", 2), track(&done_tx, 2))
            .await;
        assert_eq!(started.recv().await, Some(2));
        gate.add_permits(1);
        assert_eq!(done.recv().await, Some((2, true)));
        // Behind the stuck one in its lane: never start.
        for n in [3, 4] {
            d.dispatch_tracked(input("msg", "stuck", n), track(&done_tx, n))
                .await;
        }
        assert_eq!(d.pending(), 3);
        // No room: the dispatch waits, and is given up (its caller was dropped).
        let mut waiting = Box::pin(d.dispatch_tracked(input("msg", "free", 5), track(&done_tx, 5)));
        assert_eq!(poll_immediate(waiting.as_mut()).await, None);
        drop(waiting);
    });
    drop(runtime);
    let mut completed = Vec::new();
    while let Ok(c) = done.try_recv() {
        completed.push(c);
    }
    completed.sort_unstable();
    // 3 and 4 never started: they stay in the lanes that hold them and are never dropped, or
    // complete with `false`; either way they are not reported handled.
    assert_eq!(
        completed
            .iter()
            .filter(|(n, _)| [1, 5].contains(n))
            .collect::<Vec<_>>(),
        [&(1, false), &(5, false)],
        "neither was handled"
    );
    assert!(
        completed.iter().all(|(_, ran)| !ran),
        "nothing here was handled: {completed:?}"
    );
}

/// `close` gives up on handlers that never finish: a shutdown waiting for them and a dispatch
/// waiting for room return at once, later dispatches are refused, and the handlers that do
/// finish still report what they did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_stops_every_wait_for_handlers_that_never_finish() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let (done_tx, mut done) = mpsc::unbounded_channel();
    let d = Dispatcher::new(handlers(Arc::clone(&gate), started_tx), config(4, 3));
    d.dispatch_tracked(input("msg", "stuck", 1), track(&done_tx, 1))
        .await;
    d.dispatch_tracked(input("msg", "slow", 2), track(&done_tx, 2))
        .await;
    d.dispatch_tracked(input("msg", "stuck", 3), track(&done_tx, 3))
        .await;
    assert_eq!(started.recv().await, Some(1));
    assert_eq!(started.recv().await, Some(2));
    // Both wait (polled once here: in line before the close).
    let mut waiting = Box::pin(d.dispatch_tracked(input("msg", "free", 4), track(&done_tx, 4)));
    assert_eq!(poll_immediate(waiting.as_mut()).await, None);
    let mut shutdown = Box::pin(d.shutdown());
    assert_eq!(poll_immediate(shutdown.as_mut()).await, None);
    d.close();
    let refused = tokio::time::timeout(Duration::from_secs(10), waiting).await;
    assert_eq!(
        refused.expect("the dispatch stops waiting"),
        Disposition::Closed
    );
    assert_eq!(done.recv().await, Some((4, false)));
    tokio::time::timeout(Duration::from_secs(10), shutdown)
        .await
        .expect("the shutdown stops waiting");
    d.idle().await;
    assert_eq!(
        d.dispatch_tracked(input("msg", "free", 5), track(&done_tx, 5))
            .await,
        Disposition::Closed
    );
    assert_eq!(done.recv().await, Some((5, false)));
    // A handler still running when the dispatcher closed finishes, and counts.
    gate.add_permits(1);
    assert_eq!(done.recv().await, Some((2, true)));
    assert!(done.try_recv().is_err(), "1 and 3 never finish");
}
