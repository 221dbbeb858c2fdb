//! Ordering, concurrency bound and backpressure of the dispatcher.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botgate_dispatch::{Completion, DispatchConfig, Dispatcher, Disposition, Handlers};
use futures_util::future::poll_immediate;
use support::{input, Test};
use tokio::sync::{mpsc, Notify, Semaphore};

fn config(max_in_flight: usize, max_pending: usize) -> DispatchConfig {
    DispatchConfig {
        max_in_flight,
        max_pending,
        dedupe_window: 16,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_of_one_conversation_run_in_order_across_many_concurrent_conversations() {
    const KEYS: u64 = 16;
    const PER_KEY: u64 = 40;
    let seen: Arc<Mutex<HashMap<String, Vec<u64>>>> = Arc::default();
    let busy: Arc<HashMap<String, AtomicBool>> = Arc::new(
        (0..KEYS)
            .map(|k| (format!("k{k}"), AtomicBool::new(false)))
            .collect(),
    );
    let overlaps = Arc::new(AtomicUsize::new(0));

    let mut handlers = Handlers::<Test>::new();
    {
        let (seen, busy, overlaps) = (seen.clone(), busy.clone(), overlaps.clone());
        handlers.on("msg".to_owned(), move |_ctx, ev| {
            let (seen, busy, overlaps) = (seen.clone(), busy.clone(), overlaps.clone());
            async move {
                let key = ev.key.clone().unwrap();
                if busy[&key].swap(true, Ordering::SeqCst) {
                    overlaps.fetch_add(1, Ordering::SeqCst);
                }
                // A pseudo-random number of yields lets other lanes overtake this one.
                let spins = (ev.n * 7 + key.len() as u64 * 13) % 5;
                for _ in 0..spins {
                    tokio::task::yield_now().await;
                }
                seen.lock()
                    .unwrap()
                    .entry(key.clone())
                    .or_default()
                    .push(ev.n);
                busy[&key].store(false, Ordering::SeqCst);
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, config(8, 32));
    for n in 0..PER_KEY {
        for k in 0..KEYS {
            assert_eq!(
                d.dispatch(input("msg", &format!("k{k}"), n)).await,
                Disposition::Accepted
            );
        }
    }
    d.idle().await;

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), KEYS as usize);
    let expected: Vec<u64> = (0..PER_KEY).collect();
    for (key, ns) in seen.iter() {
        assert_eq!(ns, &expected, "order of {key}");
    }
    assert_eq!(
        overlaps.load(Ordering::SeqCst),
        0,
        "handlers of one key overlapped"
    );
    let stats = d.stats();
    assert_eq!(stats.accepted, KEYS * PER_KEY);
    assert_eq!(stats.handled, KEYS * PER_KEY);
    assert_eq!(d.pending(), 0);
}

#[tokio::test]
async fn different_conversations_run_concurrently() {
    // A's handler can only finish once B's handler has run: serial execution would hang.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let rx = Arc::new(tokio::sync::Mutex::new(Some(rx)));
    let mut handlers = Handlers::<Test>::new();
    {
        let (tx, rx) = (tx.clone(), rx.clone());
        handlers.on("msg".to_owned(), move |_ctx, ev| {
            let (tx, rx) = (tx.clone(), rx.clone());
            async move {
                if ev.key.as_deref() == Some("a") {
                    let rx = rx.lock().await.take().unwrap();
                    rx.await?;
                } else if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, config(2, 8));
    d.dispatch(input("msg", "a", 0)).await;
    d.dispatch(input("msg", "b", 0)).await;
    tokio::time::timeout(Duration::from_secs(10), d.idle())
        .await
        .expect("A waited for B: the lanes did not run concurrently");
    assert_eq!(d.stats().handled, 2);
}

/// A handler that reports its start and then waits for the gate.
fn gated(
    handlers: &mut Handlers<Test>,
    gate: Arc<Semaphore>,
    started: mpsc::UnboundedSender<u64>,
    running: Arc<AtomicUsize>,
    max_running: Arc<AtomicUsize>,
) {
    handlers.on("msg".to_owned(), move |_ctx, ev| {
        let (gate, started, running, max_running) = (
            gate.clone(),
            started.clone(),
            running.clone(),
            max_running.clone(),
        );
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            max_running.fetch_max(now, Ordering::SeqCst);
            started.send(ev.n)?;
            gate.acquire().await?.forget();
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        }
    });
}

#[tokio::test]
async fn dispatch_waits_once_the_pending_bound_is_reached_and_loses_nothing() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let (running, max_running) = (Arc::default(), Arc::default());
    let mut handlers = Handlers::<Test>::new();
    gated(
        &mut handlers,
        gate.clone(),
        started_tx,
        running,
        max_running,
    );
    let d = Dispatcher::new(handlers, config(8, 3));

    for n in 0..3 {
        let r = d.dispatch(input("msg", &format!("k{n}"), n)).await;
        assert_eq!(r, Disposition::Accepted);
    }
    for _ in 0..3 {
        started.recv().await.unwrap();
    }
    assert_eq!(d.pending(), 3);

    // The bound is reached: the fourth dispatch pends (the socket reader would wait here).
    let mut fourth = Box::pin(d.dispatch(input("msg", "k3", 3)));
    assert!(poll_immediate(&mut fourth).await.is_none());
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(poll_immediate(&mut fourth).await.is_none());
    assert_eq!(d.stats().accepted, 3);

    gate.add_permits(4);
    assert_eq!(fourth.await, Disposition::Accepted);
    assert_eq!(started.recv().await, Some(3));
    d.idle().await;
    let stats = d.stats();
    assert_eq!((stats.accepted, stats.handled), (4, 4));
}

#[tokio::test]
async fn running_handlers_never_exceed_max_in_flight() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let running = Arc::new(AtomicUsize::new(0));
    let max_running = Arc::new(AtomicUsize::new(0));
    let mut handlers = Handlers::<Test>::new();
    gated(
        &mut handlers,
        gate.clone(),
        started_tx,
        running.clone(),
        max_running.clone(),
    );
    let d = Dispatcher::new(handlers, config(2, 16));

    for n in 0..5 {
        d.dispatch(input("msg", &format!("k{n}"), n)).await;
    }
    let first_two = [started.recv().await.unwrap(), started.recv().await.unwrap()];
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    assert!(started.try_recv().is_err(), "a third handler started");
    assert_eq!(running.load(Ordering::SeqCst), 2);
    assert_eq!(d.active_conversations(), 5);

    gate.add_permits(5);
    d.idle().await;
    let mut all: Vec<u64> = first_two.to_vec();
    while let Ok(n) = started.try_recv() {
        all.push(n);
    }
    all.sort_unstable();
    assert_eq!(all, [0, 1, 2, 3, 4]);
    assert_eq!(max_running.load(Ordering::SeqCst), 2);
    assert_eq!(d.active_conversations(), 0);
}

#[tokio::test]
async fn events_of_one_conversation_never_overlap() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let (running, max_running) = (Arc::new(AtomicUsize::new(0)), Arc::default());
    let mut handlers = Handlers::<Test>::new();
    gated(
        &mut handlers,
        gate.clone(),
        started_tx,
        running.clone(),
        max_running,
    );
    let d = Dispatcher::new(handlers, config(8, 8));

    d.dispatch(input("msg", "same", 0)).await;
    d.dispatch(input("msg", "same", 1)).await;
    assert_eq!(started.recv().await, Some(0));
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    assert!(
        started.try_recv().is_err(),
        "the second event started early"
    );
    gate.add_permits(1);
    assert_eq!(started.recv().await, Some(1));
    gate.add_permits(1);
    d.idle().await;
    assert_eq!(d.stats().handled, 2);
}

#[tokio::test]
async fn shutdown_waits_for_running_handlers_then_refuses_new_events() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let mut handlers = Handlers::<Test>::new();
    gated(
        &mut handlers,
        gate.clone(),
        started_tx,
        Arc::default(),
        Arc::default(),
    );
    let d = Dispatcher::new(handlers, config(4, 4));
    d.dispatch(input("msg", "a", 0)).await;
    started.recv().await.unwrap();

    let mut shutdown = Box::pin(d.shutdown());
    assert!(poll_immediate(&mut shutdown).await.is_none());
    gate.add_permits(1);
    shutdown.await;
    assert_eq!(d.stats().handled, 1);
    assert_eq!(d.dispatch(input("msg", "a", 1)).await, Disposition::Closed);
}

#[tokio::test]
async fn the_handled_seq_stops_below_the_oldest_unfinished_event() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let mut handlers = Handlers::<Test>::new();
    gated(
        &mut handlers,
        gate.clone(),
        started_tx,
        Arc::default(),
        Arc::default(),
    );
    let d = Dispatcher::new(handlers, config(4, 8));
    assert_eq!(d.handled_seq(), None);
    // The test platform numbers each input's `s` with its `n`.
    d.dispatch(input("msg", "a", 1)).await;
    d.dispatch(input("msg", "b", 2)).await;
    assert_eq!(
        d.dispatch(input("unhandled", "c", 3)).await,
        Disposition::Unhandled
    );
    assert_eq!(started.recv().await, Some(1));
    assert_eq!(started.recv().await, Some(2));
    assert_eq!(d.handled_seq(), Some(0), "1 and 2 are still running");

    gate.add_permits(1); // the first waiter, event 1, finishes
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    assert_eq!(d.handled_seq(), Some(1), "2 is still running");

    gate.add_permits(1);
    d.idle().await;
    assert_eq!(d.handled_seq(), Some(3));
    d.reset_seq();
    assert_eq!(d.handled_seq(), None);
}

#[tokio::test]
async fn a_tracked_input_completes_when_its_handlers_finish_or_at_once_when_it_needs_none() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let mut handlers = Handlers::<Test>::new();
    gated(
        &mut handlers,
        gate.clone(),
        started_tx,
        Arc::default(),
        Arc::default(),
    );
    let d = Dispatcher::new(handlers, config(4, 8));
    let (done_tx, mut done) = mpsc::unbounded_channel();
    let track = |n: u64| {
        let tx = done_tx.clone();
        botgate_dispatch::Completion::new(move |ran| tx.send((n, ran)).unwrap())
    };
    d.dispatch_tracked(input("msg", "a", 1), track(1)).await;
    assert_eq!(
        d.dispatch_tracked(input("unhandled", "b", 2), track(2))
            .await,
        Disposition::Unhandled
    );
    assert_eq!(
        done.try_recv(),
        Ok((2, true)),
        "no handler: complete at once"
    );
    assert_eq!(started.recv().await, Some(1));
    assert!(done.try_recv().is_err(), "1 is still running");
    gate.add_permits(1);
    assert_eq!(done.recv().await, Some((1, true)));

    d.shutdown().await;
    assert_eq!(
        d.dispatch_tracked(input("msg", "a", 3), track(3)).await,
        Disposition::Closed
    );
    assert_eq!(done.try_recv(), Ok((3, false)), "never handled");
}

/// Yields until `done` holds (at most 10 s of yields: a failure, not a hang).
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(Duration::from_secs(10), async {
        while !done() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out waiting until {what}");
}

/// Review of stop 28: with raw handlers, the raw job ended the frame's `seq` before the typed
/// job began it, and in between the watermark reported the frame handled.
#[tokio::test]
async fn the_handled_seq_never_passes_a_frame_between_its_raw_and_typed_handlers() {
    let typed_done: Arc<Mutex<Vec<u64>>> = Arc::default();
    let mut handlers = Handlers::<Test>::new();
    handlers.on_raw(|_ctx, _input| async { Ok(()) });
    {
        let typed_done = typed_done.clone();
        handlers.on("between".to_owned(), move |_ctx, ev| {
            let typed_done = typed_done.clone();
            async move {
                typed_done.lock().unwrap().push(ev.n);
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, config(4, 16));
    let ahead: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
    let checks = Arc::new(AtomicUsize::new(0));
    {
        let (d, typed_done, ahead, checks) =
            (d.clone(), typed_done.clone(), ahead.clone(), checks.clone());
        *support::ON_DECODE.lock().unwrap() = Some(Arc::new(move |inp: &support::Input| {
            if inp.route.as_deref() != Some("between") {
                return;
            }
            // What a resume-point saver reading the watermark now would save.
            checks.fetch_add(1, Ordering::SeqCst);
            if let Some(h) = d.handled_seq() {
                if h >= inp.n && !typed_done.lock().unwrap().contains(&inp.n) {
                    ahead.lock().unwrap().push((inp.n, h));
                }
            }
        }));
    }
    for n in 1..=3 {
        assert_eq!(
            d.dispatch(input("between", "k", n)).await,
            Disposition::Accepted
        );
    }
    d.idle().await;
    assert_eq!(checks.load(Ordering::SeqCst), 3);
    assert_eq!(
        *ahead.lock().unwrap(),
        [],
        "frame n handled before its typed handler"
    );
    assert_eq!(d.handled_seq(), Some(3));
}

/// Review of stop 28: a job of the old session ending after `reset_seq` ended the new
/// session's job of the same number, and the watermark passed it.
#[tokio::test]
async fn an_old_sessions_job_never_ends_a_new_sessions_frame() {
    let old_gate = Arc::new(Notify::new());
    let new_gate = Arc::new(Notify::new());
    let mut handlers = Handlers::<Test>::new();
    {
        let (old_gate, new_gate) = (old_gate.clone(), new_gate.clone());
        handlers.on("again".to_owned(), move |_ctx, ev| {
            let (old_gate, new_gate) = (old_gate.clone(), new_gate.clone());
            async move {
                match ev.key.as_deref() {
                    Some("old") => old_gate.notified().await,
                    Some("new") if ev.n == 3 => new_gate.notified().await,
                    _ => {}
                }
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, config(4, 16));
    d.dispatch(input("again", "old", 3)).await; // the old session's 3, still running
    d.reset_seq(); // a new session
    for n in 1..=3 {
        d.dispatch(input("again", "new", n)).await; // the new 3 waits
    }
    until("the new 1 and 2 are done", || d.pending() == 2).await;
    assert_eq!(d.handled_seq(), Some(2));
    old_gate.notify_one();
    until("the old 3 is done", || d.pending() == 1).await;
    assert_eq!(d.handled_seq(), Some(2), "the new 3 is still running");
    new_gate.notify_one();
    d.idle().await;
    assert_eq!(d.handled_seq(), Some(3));
}

/// Review of stop 28: a completion callback that panicked ended the worker running the job,
/// which never gave back its running slot and lane: with one slot, dispatch stalled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_completion_callback_gives_back_the_slot_and_the_lane() {
    let gate = Arc::new(Notify::new());
    let mut handlers = Handlers::<Test>::new();
    {
        let gate = gate.clone();
        handlers.on("cb".to_owned(), move |_ctx, ev| {
            let gate = gate.clone();
            async move {
                if ev.n == 1 {
                    gate.notified().await;
                }
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, config(1, 16));
    let done = Completion::new(|_| panic!("a completion callback that panics"));
    // It waits: the job moves to a worker and holds the last share of `done`.
    d.dispatch_tracked(input("cb", "a", 1), done).await;
    gate.notify_one();
    // Another conversation needs the one running slot.
    d.dispatch(input("cb", "b", 2)).await;
    let idle = tokio::time::timeout(Duration::from_secs(10), d.idle()).await;
    assert!(
        idle.is_ok(),
        "dispatch stalled after a completion callback panicked"
    );
    assert_eq!(d.pending(), 0);
    assert_eq!(d.active_conversations(), 0);
    assert_eq!(d.handled_seq(), Some(2));
}

/// Review of stop 28: a dispatch dropped while it waited for room left its `seq` begun, and
/// the watermark stayed below it for the rest of the session.
#[tokio::test]
async fn a_dispatch_cancelled_while_waiting_for_room_does_not_pin_the_handled_seq() {
    let gate = Arc::new(Notify::new());
    let mut handlers = Handlers::<Test>::new();
    {
        let gate = gate.clone();
        handlers.on("cancel".to_owned(), move |_ctx, ev| {
            let gate = gate.clone();
            async move {
                if ev.n == 1 {
                    gate.notified().await;
                }
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, config(4, 1));
    d.dispatch(input("cancel", "a", 1)).await; // takes the one place
                                               // Polled once: it waits for room; then dropped (cancelled). Its input is lost, as
                                               // documented, but its `seq` must not stay in flight.
    assert_eq!(
        poll_immediate(d.dispatch(input("cancel", "b", 2))).await,
        None
    );
    gate.notify_one();
    d.idle().await;
    d.dispatch(input("cancel", "c", 3)).await;
    d.idle().await;
    assert_eq!(d.handled_seq(), Some(3));
}

/// A handler that dispatches, released while `idle` (or `shutdown`) waits for it.
async fn a_handler_dispatches_while_a_drain_waits(close: bool) {
    let cell: Arc<std::sync::OnceLock<Dispatcher<Test>>> = Arc::default();
    let gate = Arc::new(Notify::new());
    let nested = Arc::new(Mutex::new(None));
    let mut handlers = Handlers::<Test>::new();
    {
        let (cell, gate, nested) = (cell.clone(), gate.clone(), nested.clone());
        handlers.on("nest".to_owned(), move |_ctx, ev| {
            let (cell, gate, nested) = (cell.clone(), gate.clone(), nested.clone());
            async move {
                if ev.n == 1 {
                    gate.notified().await;
                    let d = cell.get().unwrap().clone();
                    let disposition = d.dispatch(input("nest", "other", 2)).await;
                    *nested.lock().unwrap() = Some(disposition);
                }
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, config(4, 16));
    cell.set(d.clone()).unwrap();
    d.dispatch(input("nest", "a", 1)).await;
    let mut drain = Box::pin(async {
        if close {
            d.shutdown().await
        } else {
            d.idle().await
        }
    });
    // Polled once: the drain is in line, waiting for the handler.
    assert_eq!(poll_immediate(&mut drain).await, None);
    gate.notify_one();
    let drained = tokio::time::timeout(Duration::from_secs(10), drain).await;
    assert!(
        drained.is_ok(),
        "the drain waits for the handler, the handler for the drain"
    );
    // Made before the drain was served: accepted, and run before it returned.
    assert_eq!(*nested.lock().unwrap(), Some(Disposition::Accepted));
    assert_eq!(d.pending(), 0);
    assert_eq!(d.handled_seq(), Some(2));
}

/// Review of stop 28: a handler's dispatch waited in line behind `idle`, which waited for the
/// handler.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_dispatches_while_idle_waits_does_not_deadlock() {
    a_handler_dispatches_while_a_drain_waits(false).await;
}

/// As above, with `shutdown`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_dispatches_while_shutdown_waits_does_not_deadlock() {
    a_handler_dispatches_while_a_drain_waits(true).await;
}

/// A handler that says `NotHandled` keeps its frame below the handled watermark and completes
/// its tracked input with `false`, whether it ran inline, in a worker or as a raw handler;
/// other errors count as handled.
#[tokio::test]
async fn a_not_handled_event_stays_below_the_watermark_and_completes_unhandled() {
    use botgate_dispatch::NotHandled;
    let gate = Arc::new(Semaphore::new(0));
    let mut handlers = Handlers::<Test>::new();
    {
        let gate = gate.clone();
        handlers.on("msg".to_owned(), move |_ctx, ev| {
            let gate = gate.clone();
            async move {
                match ev.key.as_deref() {
                    // waits first: finishes in a worker
                    Some("slow-refused") => {
                        gate.acquire().await.unwrap().forget();
                        Err(NotHandled::new("stream down").into())
                    }
                    Some("refused") => Err(NotHandled::new("stream down").into()),
                    Some("failed") => Err("an ordinary error".into()),
                    _ => Ok(()),
                }
            }
        });
    }
    handlers.on_raw(|_ctx, input: support::Input| async move {
        if input.key.as_deref() == Some("raw-refused") {
            return Err(NotHandled::new(std::io::Error::other("publish failed")).into());
        }
        Ok(())
    });
    let d = Dispatcher::new(handlers, config(4, 16));
    let (done_tx, mut done) = mpsc::unbounded_channel();
    let track = |n: u64| {
        let tx = done_tx.clone();
        Completion::new(move |ran| tx.send((n, ran)).unwrap())
    };
    let keys = [
        "ok",
        "failed",
        "refused",
        "ok",
        "slow-refused",
        "raw-refused",
        "ok",
    ];
    for (i, key) in keys.iter().enumerate() {
        let n = i as u64 + 1;
        d.dispatch_tracked(input("msg", key, n), track(n)).await;
    }
    gate.add_permits(1);
    d.idle().await;
    let mut completed: Vec<(u64, bool)> =
        (0..keys.len()).map(|_| done.try_recv().unwrap()).collect();
    completed.sort();
    assert_eq!(
        completed,
        vec![
            (1, true),
            (2, true),
            (3, false),
            (4, true),
            (5, false),
            (6, false),
            (7, true)
        ]
    );
    assert_eq!(d.handled_seq(), Some(2), "3 was not handled");
    // later frames do not move it either; a new session does
    d.dispatch(input("msg", "ok", 8)).await;
    d.idle().await;
    assert_eq!(d.handled_seq(), Some(2));
    d.reset_seq();
    d.dispatch(input("msg", "ok", 1)).await;
    d.idle().await;
    assert_eq!(d.handled_seq(), Some(1));
}
