//! The waiting line around `close` and `idle`: a frame refused by a close is never reported
//! handled, and an `idle` whose caller stopped waiting holds no later dispatch back.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod support;

use std::sync::Arc;
use std::time::Duration;

use botgate_dispatch::{Completion, DispatchConfig, Dispatcher, Disposition, Handlers};
use futures_util::future::poll_immediate;
use support::{input, Test};
use tokio::sync::{mpsc, Semaphore};

/// Conversation `stuck` never finishes; `slow` waits for `gate`; the others finish at once.
fn handlers(gate: Arc<Semaphore>) -> Handlers<Test> {
    let mut handlers = Handlers::<Test>::new();
    handlers.on("msg".to_owned(), move |_ctx, ev| {
        let gate = gate.clone();
        async move {
            match ev.key.as_deref() {
                Some("stuck") => std::future::pending::<()>().await,
                Some("slow") => gate.acquire().await?.forget(),
                _ => {}
            }
            Ok(())
        }
    });
    handlers
}

/// The watermark once frame 1's end has reached it: its completion is told as its work ends,
/// a moment before the lanes end its `seq` (bounded wait, no sleep).
async fn watermark_after_frame_1<P: botgate_dispatch::Platform>(d: &Dispatcher<P>) -> Option<u64> {
    let moved = tokio::time::timeout(Duration::from_secs(10), async {
        while d.handled_seq() == Some(0) {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(moved.is_ok(), "frame 1's end never reached the watermark");
    d.handled_seq()
}

fn config(max_in_flight: usize, max_pending: usize) -> DispatchConfig {
    DispatchConfig {
        max_in_flight,
        max_pending,
        dedupe_window: 16,
    }
}

/// A frame that waited for room when the dispatcher closed was refused, not handled: the
/// handled watermark (the resume point to save) must stay below it once the frames before it
/// finish. Before the fix the refusal ended its `seq` as if handled, and the watermark passed
/// it: a resume from there skips a frame no handler ever saw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_refused_by_close_is_not_handled_for_the_watermark() {
    let gate = Arc::new(Semaphore::new(0));
    let d = Dispatcher::new(handlers(Arc::clone(&gate)), config(4, 1));
    let (done_tx, mut done) = mpsc::unbounded_channel();
    let first = Completion::new(move |ran| {
        let _ = done_tx.send(ran);
    });
    assert_eq!(
        d.dispatch_tracked(input("msg", "slow", 1), first).await,
        Disposition::Accepted
    );
    // No room: frame 2 waits, then the close refuses it.
    let mut waiting = Box::pin(d.dispatch(input("msg", "free", 2)));
    assert_eq!(poll_immediate(waiting.as_mut()).await, None);
    d.close();
    let refused = tokio::time::timeout(Duration::from_secs(10), waiting).await;
    assert_eq!(refused.expect("refused at once"), Disposition::Closed);
    // Frame 1, running when the dispatcher closed, still finishes and counts.
    gate.add_permits(1);
    let ran = tokio::time::timeout(Duration::from_secs(10), done.recv()).await;
    assert_eq!(ran.expect("frame 1 finishes"), Some(true));
    assert_eq!(
        watermark_after_frame_1(&d).await,
        Some(1),
        "frame 2 was never handled"
    );
}

/// The same with `on_raw` handlers: the raw job is the one refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_whose_raw_job_is_refused_by_close_is_not_handled_for_the_watermark() {
    let gate = Arc::new(Semaphore::new(0));
    let mut h = handlers(Arc::clone(&gate));
    h.on_raw(|_ctx, _input| async { Ok(()) });
    let d = Dispatcher::new(h, config(4, 1));
    let (done_tx, mut done) = mpsc::unbounded_channel();
    let first = Completion::new(move |ran| {
        let _ = done_tx.send(ran);
    });
    // Frame 1's raw job ends at once; its typed job waits, holding the only place.
    assert_eq!(
        d.dispatch_tracked(input("msg", "slow", 1), first).await,
        Disposition::Accepted
    );
    assert_eq!(d.pending(), 1);
    // Frame 2's raw job waits for room, then the close refuses it.
    let mut waiting = Box::pin(d.dispatch(input("msg", "free", 2)));
    assert_eq!(poll_immediate(waiting.as_mut()).await, None);
    d.close();
    let refused = tokio::time::timeout(Duration::from_secs(10), waiting).await;
    assert_eq!(refused.expect("refused at once"), Disposition::Closed);
    gate.add_permits(1);
    let ran = tokio::time::timeout(Duration::from_secs(10), done.recv()).await;
    assert_eq!(ran.expect("frame 1 finishes"), Some(true));
    assert_eq!(
        watermark_after_frame_1(&d).await,
        Some(1),
        "frame 2 was never handled"
    );
}

/// An `idle` given up by its caller (a timeout around it) leaves the line: dispatches after
/// it are accepted at once. Before the fix its place in line stayed until nothing was pending,
/// so with a handler that never returns every later dispatch waited for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_given_up_holds_no_dispatch_back() {
    let gate = Arc::new(Semaphore::new(0));
    let d = Dispatcher::new(handlers(Arc::clone(&gate)), config(4, 8));
    assert_eq!(
        d.dispatch(input("msg", "stuck", 1)).await,
        Disposition::Accepted
    );
    let waited = tokio::time::timeout(Duration::from_millis(20), d.idle()).await;
    assert!(waited.is_err(), "the stuck handler never finishes");
    let next = tokio::time::timeout(Duration::from_secs(10), d.dispatch(input("msg", "free", 2)));
    assert_eq!(
        next.await.expect("not held behind the abandoned idle"),
        Disposition::Accepted
    );
    // A dispatcher already waiting behind the abandoned idle gets its turn too.
    let d = Dispatcher::new(handlers(Arc::clone(&gate)), config(4, 8));
    d.dispatch(input("msg", "stuck", 1)).await;
    let mut idle = Box::pin(d.idle());
    assert_eq!(poll_immediate(idle.as_mut()).await, None);
    let mut behind = Box::pin(d.dispatch(input("msg", "free", 2)));
    assert_eq!(
        poll_immediate(behind.as_mut()).await,
        None,
        "behind the idle"
    );
    drop(idle);
    let behind = tokio::time::timeout(Duration::from_secs(10), behind).await;
    assert_eq!(
        behind.expect("served once the idle left"),
        Disposition::Accepted
    );
    assert_eq!(d.handled_seq(), Some(0), "1 still runs");
}
