//! Several unified handlers on one route: one mapping per event, the handlers in registration
//! order each with its own filter, a panic in one reported without stopping the others, and
//! typed handlers (when there are any) before all of them. The first unified handler of a
//! route without typed ones starts on the mapped event where the mapping left it (decision
//! 0034); these pin that it behaves as the handlers after it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod support;

use std::sync::{Arc, Mutex};

use botgate_dispatch::{
    BotError, BotErrorKind, DispatchConfig, Dispatcher, Filter, Handlers, Scene,
};
use support::{input, Test};

type Log<T> = Arc<Mutex<Vec<T>>>;

/// A unified message handler that logs `(n, tag)` and panics on event `panic_on`.
fn unified(
    handlers: &mut Handlers<Test>,
    filter: Filter,
    log: &Log<(u64, &'static str)>,
    tag: &'static str,
    panic_on: Option<u64>,
) {
    let log = Arc::clone(log);
    handlers.on_message(filter, move |_ctx, u: support::Unified| {
        let log = Arc::clone(&log);
        async move {
            log.lock().unwrap().push((u.n, tag));
            if Some(u.n) == panic_on {
                panic!("handler {tag} fails on {}", u.n);
            }
            Ok(())
        }
    });
}

fn panics(handlers: &mut Handlers<Test>) -> Log<String> {
    let log: Log<String> = Arc::default();
    let l = Arc::clone(&log);
    handlers.on_error(move |e: &BotError| {
        if let BotErrorKind::Panic { event_type, .. } = e.kind() {
            l.lock().unwrap().push(event_type.clone());
        }
    });
    log
}

#[tokio::test]
async fn unified_handlers_of_one_route_each_get_the_event_in_order() {
    let mut handlers = Handlers::<Test>::new();
    let log: Log<(u64, &'static str)> = Arc::default();
    // The first panics on event 2; the second only takes group g2; the third takes all.
    unified(&mut handlers, Filter::new(), &log, "a", Some(2));
    unified(&mut handlers, Filter::new().group("g2"), &log, "b", None);
    unified(
        &mut handlers,
        Filter::new().scene(Scene::Group),
        &log,
        "c",
        None,
    );
    let panicked = panics(&mut handlers);
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(input("group.msg", "g1", 1)).await;
    d.dispatch(input("group.msg", "g1", 2)).await;
    d.dispatch(input("group.msg", "g2", 3)).await;
    d.dispatch(input("private.msg", "g2", 4)).await; // not a group: only `a`
    d.idle().await;
    assert_eq!(
        *log.lock().unwrap(),
        [
            (1, "a"),
            (1, "c"),
            (2, "a"),
            (2, "c"),
            (3, "a"),
            (3, "b"),
            (3, "c"),
            (4, "a"),
        ]
    );
    assert_eq!(*panicked.lock().unwrap(), ["group.msg"]);
    let stats = d.stats();
    assert_eq!((stats.handled, stats.panics), (7, 1));
}

#[tokio::test]
async fn a_lone_unified_handler_whose_filter_refuses_runs_nothing_and_the_next_event_runs() {
    let mut handlers = Handlers::<Test>::new();
    let log: Log<(u64, &'static str)> = Arc::default();
    unified(
        &mut handlers,
        Filter::new().group("g1"),
        &log,
        "g1",
        Some(5),
    );
    let panicked = panics(&mut handlers);
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(input("group.msg", "g9", 5)).await; // refused: no panic either
    d.dispatch(input("group.msg", "g1", 6)).await;
    d.dispatch(input("group.msg", "g1", 5)).await; // runs, and panics
    d.dispatch(input("group.msg", "g1", 7)).await;
    d.idle().await;
    assert_eq!(*log.lock().unwrap(), [(6, "g1"), (5, "g1"), (7, "g1")]);
    assert_eq!(*panicked.lock().unwrap(), ["group.msg"]);
}

#[tokio::test]
async fn typed_handlers_run_before_several_unified_ones() {
    let mut handlers = Handlers::<Test>::new();
    let log: Log<(u64, &'static str)> = Arc::default();
    let l = Arc::clone(&log);
    handlers.on("group.msg".to_owned(), move |_ctx, ev| {
        let l = Arc::clone(&l);
        async move {
            l.lock().unwrap().push((ev.n, "typed"));
            Ok(())
        }
    });
    unified(&mut handlers, Filter::new(), &log, "a", None);
    unified(&mut handlers, Filter::new(), &log, "b", None);
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(input("group.msg", "g1", 1)).await;
    d.dispatch(input("group.msg", "g1", 2)).await;
    d.idle().await;
    assert_eq!(
        *log.lock().unwrap(),
        [
            (1, "typed"),
            (1, "a"),
            (1, "b"),
            (2, "typed"),
            (2, "a"),
            (2, "b"),
        ]
    );
}
