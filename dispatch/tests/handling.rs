//! What handlers see: errors and panics reported, undecoded drops, dedupe, pass-through,
//! dot-prefix routes, unified handlers with filters, and the context.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod support;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use botgate_dispatch::{
    ActionCall, ActionCallError, ActionCallErrorKind, ActionSink, BotError, BotErrorKind, BotInfo,
    DispatchConfig, Dispatcher, Disposition, Filter, HandlerError, Handlers, Scene,
};
use futures_util::future::BoxFuture;
use support::{input, Input, Test, DECODES};

type Log<T> = Arc<Mutex<Vec<T>>>;

fn error_log(handlers: &mut Handlers<Test>) -> Log<BotErrorKind> {
    let log: Log<BotErrorKind> = Arc::default();
    let l = log.clone();
    handlers.on_error(move |e: &BotError| l.lock().unwrap().push(e.kind().clone()));
    log
}

fn recorder(handlers: &mut Handlers<Test>, route: &str) -> Log<(String, u64)> {
    let log: Log<(String, u64)> = Arc::default();
    let l = log.clone();
    handlers.on(route.to_owned(), move |ctx, ev| {
        let l = l.clone();
        async move {
            l.lock().unwrap().push((ctx.event_type().to_owned(), ev.n));
            Ok(())
        }
    });
    log
}

#[tokio::test]
async fn a_panicking_handler_is_reported_and_later_events_still_run() {
    let mut handlers = Handlers::<Test>::new();
    let errors = error_log(&mut handlers);
    let done: Log<u64> = Arc::default();
    let d2 = done.clone();
    handlers.on("msg".to_owned(), move |_ctx, ev| {
        let done = d2.clone();
        async move {
            match ev.n {
                1 => panic!("boom at {}", ev.n),
                2 => Err::<(), HandlerError>("refused".into()),
                n => {
                    done.lock().unwrap().push(n);
                    Ok(())
                }
            }
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    for n in 0..4 {
        assert_eq!(
            d.dispatch(input("msg", "same", n)).await,
            Disposition::Accepted
        );
    }
    d.idle().await;

    assert_eq!(*done.lock().unwrap(), [0, 3]);
    let errors = errors.lock().unwrap();
    assert_eq!(
        *errors,
        [
            BotErrorKind::Panic {
                event_type: "msg".into(),
                message: "boom at 1".into()
            },
            BotErrorKind::Handler {
                event_type: "msg".into()
            },
        ]
    );
    let stats = d.stats();
    assert_eq!(
        (stats.handled, stats.panics, stats.handler_errors),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn a_handler_error_keeps_its_source() {
    let mut handlers = Handlers::<Test>::new();
    let messages: Log<String> = Arc::default();
    let m = messages.clone();
    handlers.on_error(move |e| m.lock().unwrap().push(e.to_string()));
    handlers.on("msg".to_owned(), |_ctx, _ev| async {
        Err::<(), HandlerError>("database down".into())
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(input("msg", "k", 0)).await;
    d.idle().await;
    assert_eq!(
        *messages.lock().unwrap(),
        ["handler for msg failed: database down"]
    );
}

#[tokio::test]
async fn an_unhandled_event_type_is_never_decoded() {
    let mut handlers = Handlers::<Test>::new();
    let log = recorder(&mut handlers, "wanted.unhandled-test");
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let before = DECODES.load(Ordering::SeqCst);

    let mut other = input("other.unhandled-test", "k", 0);
    other.bad = true; // decoding it would fail and be reported
    assert_eq!(d.dispatch(other).await, Disposition::Unhandled);
    let stats = d.stats();
    assert_eq!(
        (stats.unhandled, stats.decoded, stats.decode_errors),
        (1, 0, 0)
    );

    assert_eq!(
        d.dispatch(input("wanted.unhandled-test", "k", 1)).await,
        Disposition::Accepted
    );
    d.idle().await;
    assert_eq!(d.stats().decoded, 1);
    assert_eq!(*log.lock().unwrap(), [("wanted.unhandled-test".into(), 1)]);
    assert!(d.handlers().wants("wanted.unhandled-test"));
    assert!(!d.handlers().wants("other.unhandled-test"));
    // Only the wanted input went through decode (other tests share the counter: count ours).
    assert!(DECODES.load(Ordering::SeqCst) > before);
}

#[tokio::test]
async fn a_resent_event_id_is_dropped() {
    let mut handlers = Handlers::<Test>::new();
    let log = recorder(&mut handlers, "msg");
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let with_id = |n: u64, id: &str| Input {
        id: Some(id.to_owned()),
        ..input("msg", "k", n)
    };
    assert_eq!(d.dispatch(with_id(0, "MSG:1")).await, Disposition::Accepted);
    assert_eq!(
        d.dispatch(with_id(1, "MSG:1")).await,
        Disposition::Duplicate
    );
    assert_eq!(d.dispatch(with_id(2, "MSG:2")).await, Disposition::Accepted);
    // Without an id there is nothing to dedupe on.
    assert_eq!(
        d.dispatch(input("msg", "k", 3)).await,
        Disposition::Accepted
    );
    assert_eq!(
        d.dispatch(input("msg", "k", 3)).await,
        Disposition::Accepted
    );
    d.idle().await;
    let ns: Vec<u64> = log.lock().unwrap().iter().map(|(_, n)| *n).collect();
    assert_eq!(ns, [0, 2, 3, 3]);
    assert_eq!(d.stats().duplicates, 1);
}

#[tokio::test]
async fn on_raw_sees_every_frame_in_arrival_order() {
    let mut handlers = Handlers::<Test>::new();
    let _typed = recorder(&mut handlers, "msg");
    let raw: Log<Vec<u8>> = Arc::default();
    let r = raw.clone();
    handlers.on_raw(move |_ctx, input: Input| {
        let r = r.clone();
        async move {
            r.lock().unwrap().push(input.raw.to_vec());
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let not_event = Input {
        route: None,
        raw: "heartbeat-ack".into(),
        ..Input::default()
    };
    let dup = Input {
        id: Some("X".into()),
        ..input("msg", "k", 1)
    };
    let sent = [
        input("msg", "k", 0),
        input("unhandled", "k", 0),
        not_event,
        dup.clone(),
        dup,
        input("msg", "j", 2),
    ];
    let expected: Vec<Vec<u8>> = sent.iter().map(|i| i.raw.to_vec()).collect();
    let mut outcomes = Vec::new();
    for i in sent {
        outcomes.push(d.dispatch(i).await);
    }
    d.idle().await;
    assert_eq!(
        outcomes,
        [
            Disposition::Accepted,
            Disposition::Unhandled,
            Disposition::NotAnEvent,
            Disposition::Accepted,
            Disposition::Duplicate,
            Disposition::Accepted
        ]
    );
    assert_eq!(*raw.lock().unwrap(), expected);
    assert_eq!(d.stats().raw, 6);
    // The resend is decoded before it is dropped (decision 0089).
    assert_eq!(d.stats().decoded, 4, "on_raw alone never decodes");
}

#[tokio::test]
async fn a_payload_that_fails_to_decode_is_reported_and_still_reaches_on_raw() {
    let mut handlers = Handlers::<Test>::new();
    let errors = error_log(&mut handlers);
    let typed = recorder(&mut handlers, "msg");
    let raw: Log<u64> = Arc::default();
    let r = raw.clone();
    handlers.on_raw(move |_ctx, input: Input| {
        let r = r.clone();
        async move {
            r.lock().unwrap().push(input.n);
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let bad = Input {
        bad: true,
        ..input("msg", "k", 7)
    };
    assert_eq!(d.dispatch(bad).await, Disposition::DecodeFailed);
    assert_eq!(
        d.dispatch(input("msg", "k", 8)).await,
        Disposition::Accepted
    );
    d.idle().await;
    assert_eq!(
        *errors.lock().unwrap(),
        [BotErrorKind::Decode {
            event_type: "msg".into()
        }]
    );
    assert_eq!(*raw.lock().unwrap(), [7, 8]);
    assert_eq!(*typed.lock().unwrap(), [("msg".into(), 8)]);
    assert_eq!(d.stats().decode_errors, 1);
}

#[tokio::test]
async fn handlers_on_a_dot_prefix_receive_the_narrower_routes() {
    let mut handlers = Handlers::<Test>::new();
    let broad = recorder(&mut handlers, "notice");
    let exact = recorder(&mut handlers, "notice.notify.poke");
    assert!(handlers.wants("notice.group_recall"));
    assert!(handlers.wants("notice.notify.poke"));
    assert!(!handlers.wants("message.group"));
    assert!(!handlers.wants("notices"));
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(input("notice.notify.poke", "g", 1)).await;
    d.dispatch(input("notice.group_recall", "g", 2)).await;
    assert_eq!(
        d.dispatch(input("message.group", "g", 3)).await,
        Disposition::Unhandled
    );
    d.idle().await;
    assert_eq!(
        *broad.lock().unwrap(),
        [
            ("notice.notify.poke".into(), 1),
            ("notice.group_recall".into(), 2)
        ]
    );
    assert_eq!(*exact.lock().unwrap(), [("notice.notify.poke".into(), 1)]);
}

#[tokio::test]
async fn handlers_of_one_type_run_in_registration_order_each_with_the_event() {
    let order: Log<(u8, u64)> = Arc::default();
    let mut handlers = Handlers::<Test>::new();
    for tag in 0..3u8 {
        let o = order.clone();
        handlers.on("msg".to_owned(), move |_ctx, ev| {
            let o = o.clone();
            async move {
                o.lock().unwrap().push((tag, ev.n));
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(input("msg", "k", 5)).await;
    d.idle().await;
    assert_eq!(*order.lock().unwrap(), [(0, 5), (1, 5), (2, 5)]);
}

#[tokio::test]
async fn unified_handlers_run_only_when_their_filter_matches() {
    let mut handlers = Handlers::<Test>::new();
    let pings: Log<(u64, Option<String>)> = Arc::default();
    let notices: Log<u64> = Arc::default();
    let p = pings.clone();
    handlers.on_message(
        Filter::new()
            .scene(Scene::Group)
            .group("g1")
            .command("/ping"),
        move |_ctx, u: support::Unified| {
            let p = p.clone();
            async move {
                p.lock().unwrap().push((u.n, u.self_id));
                Ok(())
            }
        },
    );
    let nt = notices.clone();
    handlers.on_notice(Filter::new(), move |_ctx, u: support::Unified| {
        let nt = nt.clone();
        async move {
            nt.lock().unwrap().push(u.n);
            Ok(())
        }
    });
    // Registering a message handler makes the message types wanted (and counted for intents).
    let mut wanted: Vec<&String> = handlers.event_types().collect();
    wanted.sort();
    assert_eq!(wanted, ["group.msg", "group.notice", "private.msg"]);

    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.set_bot(BotInfo::new(botgate_dispatch::PlatformKind::Other("test")).with_self_id("bot-1"));
    let msg = |route: &str, key: &str, n: u64, text: &str| Input {
        text: text.to_owned(),
        ..input(route, key, n)
    };
    d.dispatch(msg("group.msg", "g1", 1, "/ping")).await;
    d.dispatch(msg("group.msg", "g2", 2, "/ping")).await; // other group
    d.dispatch(msg("group.msg", "g1", 3, "/pingx")).await; // not the command
    d.dispatch(msg("private.msg", "g1", 4, "/ping")).await; // private scene
    d.dispatch(msg("group.msg", "g1", 5, "  /ping 3")).await;
    d.dispatch(msg("group.notice", "g1", 6, "")).await;
    d.idle().await;
    assert_eq!(
        *pings.lock().unwrap(),
        [(1, Some("bot-1".into())), (5, Some("bot-1".into()))]
    );
    assert_eq!(*notices.lock().unwrap(), [6]);
}

struct EchoSink;

impl ActionSink for EchoSink {
    fn call(
        &self,
        action: ActionCall,
    ) -> BoxFuture<'static, Result<serde_json::Value, ActionCallError>> {
        Box::pin(async move {
            if action.name == "fail" {
                return Err(ActionCallError::new(ActionCallErrorKind::Rejected {
                    code: 1404,
                    message: "no such action".into(),
                }));
            }
            Ok(serde_json::json!({ "echo": action.name, "params": action.params }))
        })
    }
}

#[tokio::test]
async fn context_carries_bot_identity_event_meta_and_actions() {
    let seen: Log<String> = Arc::default();
    let s = seen.clone();
    let mut handlers = Handlers::<Test>::new();
    handlers.on("msg".to_owned(), move |ctx, _ev| {
        let s = s.clone();
        async move {
            let answer = ctx.call("send", serde_json::json!({"text": "hi"})).await?;
            let failed = ctx.call("fail", serde_json::Value::Null).await.unwrap_err();
            s.lock().unwrap().push(format!(
                "{} {:?} {:?} {:?} {} {} {}",
                ctx.platform(),
                ctx.self_id(),
                ctx.event_id(),
                ctx.seq(),
                ctx.event_type(),
                answer,
                failed
            ));
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.set_bot(
        BotInfo::new(botgate_dispatch::PlatformKind::Other("test"))
            .with_self_id("42")
            .with_actions(Arc::new(EchoSink)),
    );
    d.dispatch(Input {
        id: Some("E1".into()),
        ..input("msg", "k", 9)
    })
    .await;
    d.idle().await;
    assert_eq!(
        *seen.lock().unwrap(),
        [
            r#"test Some("42") Some("E1") Some(9) msg {"echo":"send","params":{"text":"hi"}} action rejected (1404): no such action"#
        ]
    );
}

#[tokio::test]
async fn actions_without_a_sink_are_unavailable() {
    let errors: Log<String> = Arc::default();
    let e = errors.clone();
    let mut handlers = Handlers::<Test>::new();
    handlers.on_error(move |err| e.lock().unwrap().push(err.to_string()));
    handlers.on("msg".to_owned(), |ctx, _ev| async move {
        ctx.call("send", serde_json::Value::Null).await?;
        Ok(())
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(input("msg", "k", 0)).await;
    d.idle().await;
    assert_eq!(
        *errors.lock().unwrap(),
        ["handler for msg failed: no action handle attached to this bot"]
    );
}

#[tokio::test]
async fn connection_incidents_reach_on_error_and_a_panicking_on_error_is_contained() {
    let mut handlers = Handlers::<Test>::new();
    let errors = error_log(&mut handlers);
    handlers.on_error(|_| panic!("on_error itself fails"));
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.report(BotError::new(BotErrorKind::InvalidSession {
        resumable: false,
    }));
    d.report(BotError::new(BotErrorKind::Reconnect {
        reason: "op 7".into(),
    }));
    assert_eq!(
        *errors.lock().unwrap(),
        [
            BotErrorKind::InvalidSession { resumable: false },
            BotErrorKind::Reconnect {
                reason: "op 7".into()
            }
        ]
    );
}

#[tokio::test]
async fn every_input_is_one_frame_and_every_decode_one_decoded() {
    let mut handlers = Handlers::<Test>::new();
    let _typed = recorder(&mut handlers, "counted");
    let _errors = error_log(&mut handlers);
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let dup = Input {
        id: Some("counted-dup".into()),
        ..input("counted", "k", 1)
    };
    let sent = [
        input("counted", "k", 0),
        input("uncounted", "k", 0),
        Input {
            route: None,
            ..Input::default()
        },
        dup.clone(),
        dup,
        Input {
            bad: true,
            ..input("counted", "k", 2)
        },
        input("counted", "j", 3),
    ];
    for i in sent {
        d.dispatch(i).await;
    }
    d.idle().await;
    let s = d.stats();
    assert_eq!(
        (
            s.accepted,
            s.unhandled,
            s.not_events,
            s.duplicates,
            s.decode_errors
        ),
        (3, 1, 1, 1, 1)
    );
    // The resend is decoded before it is dropped (decision 0089).
    assert_eq!((s.frames, s.decoded, s.handled), (7, 5, 3));
}
