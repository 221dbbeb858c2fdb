//! The fast path of the lanes: a handler that does not wait runs in the dispatching task, so it
//! has run when `dispatch` returns; one that waits moves to a worker, and the events queued
//! behind it in its conversation still run after it, in order.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use botgate_dispatch::{DispatchConfig, Dispatcher, Disposition, Handlers};
use support::{input, Test};
use tokio::sync::Notify;

#[tokio::test]
async fn a_handler_that_does_not_wait_has_run_when_dispatch_returns() {
    let mut handlers = Handlers::<Test>::new();
    handlers.on("msg".to_owned(), |_ctx, _ev| async { Ok(()) });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    for n in 0..100 {
        assert_eq!(
            d.dispatch(input("msg", "k", n)).await,
            Disposition::Accepted
        );
        assert_eq!(d.stats().handled, n + 1);
        assert_eq!(d.pending(), 0);
        assert_eq!(d.active_conversations(), 0, "an idle lane is removed");
    }
}

#[tokio::test]
async fn a_waiting_handler_moves_to_a_worker_and_its_conversation_keeps_order() {
    let gate = Arc::new(Notify::new());
    let seen: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let mut handlers = Handlers::<Test>::new();
    {
        let (gate, seen) = (gate.clone(), seen.clone());
        handlers.on("msg".to_owned(), move |_ctx, ev| {
            let (gate, seen) = (gate.clone(), seen.clone());
            async move {
                let key = ev.key.clone().unwrap();
                if key == "slow" && ev.n == 0 {
                    gate.notified().await;
                }
                seen.lock().unwrap().push((key, ev.n));
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(input("msg", "slow", 0)).await;
    d.dispatch(input("msg", "slow", 1)).await;
    d.dispatch(input("msg", "fast", 0)).await;
    // The other conversation ran at once; the slow one waits, its second event behind it.
    assert_eq!(*seen.lock().unwrap(), vec![("fast".to_owned(), 0)]);
    assert_eq!(d.pending(), 2);
    gate.notify_one();
    tokio::time::timeout(Duration::from_secs(10), d.idle())
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    let slow: Vec<u64> = seen
        .iter()
        .filter(|(k, _)| k == "slow")
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(slow, vec![0, 1]);
    assert_eq!(d.stats().handled, 3);
}
