//! Review of decision 0089 (the dispatch state under the lanes' one lock): what it changed
//! about resends and the bot identity, and what it must not change about the counts.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use botgate_dispatch::{
    ActionCall, ActionCallError, ActionSink, BotInfo, DispatchConfig, Dispatcher, Disposition,
    HandlerError, Handlers, NotHandled, PlatformKind,
};
use futures_util::future::BoxFuture;
use support::{input, Input, Test, ON_DECODE};

/// A resend is decoded before the claim drops it (decision 0089): `decoded` counts it, as it
/// counts every payload decoded ("successfully or not"), and every input is still one frame.
#[tokio::test]
async fn a_resend_decoded_before_it_is_dropped_counts_as_decoded() {
    const ROUTE: &str = "rv.decoded";
    let decodes = Arc::new(AtomicU64::new(0));
    {
        let decodes = decodes.clone();
        *ON_DECODE.lock().unwrap() = Some(Arc::new(move |i: &Input| {
            if i.route.as_deref() == Some(ROUTE) {
                decodes.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let mut handlers = Handlers::<Test>::new();
    handlers.on(ROUTE.to_owned(), |_ctx, _ev| async { Ok(()) });
    handlers.on_error(|_| {});
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let with_id = |n: u64, bad: bool| Input {
        id: Some("rv-decoded-1".into()),
        bad,
        ..input(ROUTE, "k", n)
    };
    assert_eq!(d.dispatch(with_id(1, false)).await, Disposition::Accepted);
    assert_eq!(d.dispatch(with_id(2, false)).await, Disposition::Duplicate);
    // A resend that fails to decode is reported as such (decision 0089).
    assert_eq!(
        d.dispatch(with_id(3, true)).await,
        Disposition::DecodeFailed
    );
    d.idle().await;
    let s = d.stats();
    assert_eq!(decodes.load(Ordering::SeqCst), 3);
    assert_eq!(
        (s.accepted, s.duplicates, s.decode_errors, s.handled),
        (1, 1, 1, 1)
    );
    assert_eq!(s.decoded, 3, "every decode is one decoded: {s:?}");
    assert_eq!(s.frames, 3, "every input is one frame: {s:?}");
}

/// An action handle whose drop looks at the dispatcher (a metrics hook, a loopback sink):
/// user code, run when the bot identity holding it is replaced.
struct LooksBack(Arc<Mutex<Option<Dispatcher<Test>>>>);

impl ActionSink for LooksBack {
    fn call(
        &self,
        _: ActionCall,
    ) -> BoxFuture<'static, Result<serde_json::Value, ActionCallError>> {
        Box::pin(async { Ok(serde_json::Value::Null) })
    }
}

impl Drop for LooksBack {
    fn drop(&mut self) {
        if let Some(d) = self.0.lock().unwrap().take() {
            let _ = (d.stats(), d.pending(), d.handled_seq());
        }
    }
}

/// `set_bot` drops the identity it replaces (and its action and reply handles, user code)
/// outside the lanes' lock: a handle whose drop reads the dispatcher does not deadlock it.
#[test]
fn the_bot_identity_replaced_is_dropped_outside_the_lanes_lock() {
    let d = Dispatcher::new(Handlers::<Test>::new(), DispatchConfig::default());
    let slot = Arc::new(Mutex::new(None));
    d.set_bot(
        BotInfo::new(PlatformKind::Other("test"))
            .with_self_id("old")
            .with_actions(Arc::new(LooksBack(slot.clone()))),
    );
    *slot.lock().unwrap() = Some(d.clone());
    let (done, replaced) = mpsc::channel();
    let d2 = d.clone();
    // A deadlock is the failure: watched from here, not waited for for ever.
    std::thread::spawn(move || {
        d2.set_bot(BotInfo::new(PlatformKind::Other("test")).with_self_id("new"));
        let _ = done.send(());
    });
    replaced
        .recv_timeout(Duration::from_secs(20))
        .expect("set_bot deadlocked: the old identity was dropped under the lanes' lock");
    assert_eq!(d.bot().self_id(), Some("new"));
    assert!(slot.lock().unwrap().is_none(), "the old handle was dropped");
}

/// Two tasks dispatch the same events at once on a multi-thread runtime, through every path
/// (at once, detached after a wait, queued for want of room or slot), with errors, panics and
/// `NotHandled`: each event is accepted once, each resend counted once, and `handled` is
/// exactly the handlers' `Ok`s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_stay_exact_when_two_tasks_dispatch_the_same_events() {
    const ROUTE: &str = "rv.msg";
    const N: u64 = 1500;
    let oks = Arc::new(AtomicU64::new(0));
    let mut handlers = Handlers::<Test>::new();
    for h in 0..2u64 {
        let oks = oks.clone();
        handlers.on(ROUTE.to_owned(), move |_ctx, ev| {
            let oks = oks.clone();
            async move {
                let x = ev.n + h;
                if x % 3 == 0 {
                    tokio::task::yield_now().await;
                }
                if x % 5 == 0 {
                    return Err(HandlerError::from("boom"));
                }
                if x % 11 == 0 {
                    return Err(NotHandled::new("later").into());
                }
                if x % 13 == 0 {
                    panic!("a handler panics");
                }
                oks.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        });
    }
    handlers.on_error(|_| {});
    let d = Dispatcher::new(
        handlers,
        DispatchConfig {
            max_in_flight: 3,
            max_pending: 5,
            ..DispatchConfig::default()
        },
    );
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let d = d.clone();
            tokio::spawn(async move {
                let mut duplicates = 0;
                for n in 0..N {
                    let i = Input {
                        id: Some(format!("rv-{n}")),
                        ..input(ROUTE, &format!("k{}", n % 7), n)
                    };
                    duplicates += u64::from(d.dispatch(i).await == Disposition::Duplicate);
                }
                duplicates
            })
        })
        .collect();
    let mut duplicates = 0;
    for t in tasks {
        duplicates += t.await.unwrap();
    }
    d.idle().await;
    let s = d.stats();
    assert_eq!(duplicates, N);
    assert_eq!((s.accepted, s.duplicates, s.frames), (N, N, 2 * N));
    assert_eq!(s.handled, oks.load(Ordering::SeqCst));
}
