//! One unified handler serving QQ, Bubble and OneBot, and the dispatcher's guarantees for
//! unified handlers: order per conversation, typed before unified, errors and panics reported,
//! backpressure.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::{Arc, Mutex};

use botgate_dispatch::bubble::BubbleHandlers;
use botgate_dispatch::onebot::OneBotHandlers;
use botgate_dispatch::qq::QqHandlers;
use botgate_dispatch::{
    BotErrorKind, BotInfo, Context, DispatchConfig, Dispatcher, Disposition, Filter, HandlerError,
    Handlers, Permissions, PlatformKind, Scene, Unified, UnifiedEvent, Unify,
};
use futures_util::future::poll_immediate;
use tokio::sync::Semaphore;

mod samples;
use samples::{feed, frame, onebot_event, Log, BUBBLE_GROUP_MESSAGE};

/// What [`weather`] answered: (platform, scene, city, is_master).
static ANSWERS: Mutex<Vec<(String, String, String, bool)>> = Mutex::new(Vec::new());

/// One handler for every platform: a plain `async fn` over the unified event.
async fn weather(ctx: Context, u: Unified) -> Result<(), HandlerError> {
    let text = u.conversation().text.ok_or("a command without text")?;
    let city = Filter::command_args(text, "/天气").ok_or("not the command")?;
    ANSWERS.lock().unwrap().push((
        ctx.platform().as_str().to_owned(),
        u.contact.scene.as_str().to_owned(),
        city.to_owned(),
        u.is_master,
    ));
    Ok(())
}

/// The same registration for any platform whose unified event is `Unified`.
fn install<P: Unify<Unified = Unified>>(handlers: &mut Handlers<P>) {
    handlers
        .set_permissions(Permissions::new(
            ["1234567890", "5", "42"],
            Vec::<String>::new(),
        ))
        .on_message(Filter::new().command("/天气"), weather);
}

fn onebot_group_message(group: i64, message_id: i64, text: &str) -> String {
    serde_json::json!({
        "time": 1712640000, "self_id": 10001, "post_type": "message", "message_type": "group",
        "sub_type": "normal", "message_id": message_id, "group_id": group, "user_id": 42,
        "message": [{"type": "text", "data": {"text": text}}], "raw_message": text,
        "sender": {"user_id": 42, "nickname": "n", "role": "member"}
    })
    .to_string()
}

#[tokio::test]
async fn one_handler_serves_qq_bubble_and_onebot() {
    let mut qq = QqHandlers::new();
    let mut bubble = BubbleHandlers::new();
    let mut onebot = OneBotHandlers::new();
    install(&mut qq);
    install(&mut bubble);
    install(&mut onebot);

    let qq = Dispatcher::new(qq, DispatchConfig::default());
    qq.set_bot(BotInfo::new(PlatformKind::Qq).with_self_id("6158788878435714165"));
    feed(&qq, samples::qq_frames()).await;
    let bubble = Dispatcher::new(bubble, DispatchConfig::default());
    let mut frames = samples::bubble_frames();
    frames.push(frame(BUBBLE_GROUP_MESSAGE));
    feed(&bubble, frames).await;
    let onebot = Dispatcher::new(onebot, DispatchConfig::default());
    let mut events = samples::onebot_events();
    events.push(onebot_event(&onebot_group_message(5, 1, "/天气 上海")));
    feed(&onebot, events).await;

    let mut answers = ANSWERS.lock().unwrap().clone();
    answers.sort();
    let a = |p: &str, s: &str, c: &str| (p.to_owned(), s.to_owned(), c.to_owned(), true);
    assert_eq!(
        answers,
        [
            a("bubble", "group", "北京"),
            a("onebot", "group", "上海"),
            a("qq", "guild", "深圳"),
        ]
    );
    for d in [qq.stats(), bubble.stats(), onebot.stats()] {
        assert_eq!((d.handled, d.handler_errors, d.panics), (1, 0, 0));
    }
}

#[tokio::test]
async fn unified_handlers_keep_conversation_order_and_survive_errors_and_panics() {
    let order: Log<(i64, i64, &'static str)> = Log::default();
    let errors: Log<String> = Log::default();
    let mut handlers = OneBotHandlers::new();
    let o = Arc::clone(&order);
    handlers.on_group_message(move |_ctx, m| {
        let o = Arc::clone(&o);
        async move {
            o.lock().unwrap().push((m.group_id, m.message_id, "typed"));
            Ok(())
        }
    });
    let o = Arc::clone(&order);
    handlers.on_message(
        Filter::new().scene(Scene::Group),
        move |_ctx, u: Unified| {
            let o = Arc::clone(&o);
            async move {
                let group: i64 = u.contact.peer.parse()?;
                let id: i64 = u.message_id.as_deref().unwrap_or("").parse()?;
                o.lock().unwrap().push((group, id, "unified"));
                match u.raw_message.as_deref() {
                    Some("panic") => panic!("handler bug"),
                    Some("fail") => Err("handler failed".into()),
                    _ => Ok(()),
                }
            }
        },
    );
    let e = Arc::clone(&errors);
    handlers.on_error(move |err| {
        let what = match err.kind() {
            BotErrorKind::Panic { event_type, .. } => format!("panic in {event_type}"),
            BotErrorKind::Handler { event_type } => format!("error in {event_type}"),
            other => format!("{other:?}"),
        };
        e.lock().unwrap().push(what);
    });
    let config = DispatchConfig {
        max_in_flight: 2,
        ..DispatchConfig::default()
    };
    let d = Dispatcher::new(handlers, config);
    let mut events = Vec::new();
    for id in 0..40 {
        let group = 100 + id % 4;
        let text = match id {
            7 => "panic",
            13 => "fail",
            _ => "hi",
        };
        events.push(onebot_event(&onebot_group_message(group, id, text)));
    }
    let dispositions = feed(&d, events).await;
    assert!(dispositions.iter().all(|d| *d == Disposition::Accepted));

    let order = order.lock().unwrap().clone();
    assert_eq!(order.len(), 80);
    for group in 100..104 {
        let got: Vec<(i64, &str)> = order
            .iter()
            .filter(|(g, _, _)| *g == group)
            .map(|(_, id, tag)| (*id, *tag))
            .collect();
        let want: Vec<(i64, &str)> = (0..40)
            .filter(|id| 100 + id % 4 == group)
            .flat_map(|id| [(id, "typed"), (id, "unified")])
            .collect();
        assert_eq!(
            got, want,
            "group {group}: arrival order, typed before unified"
        );
    }
    let mut errors = errors.lock().unwrap().clone();
    errors.sort();
    assert_eq!(errors, ["error in message.group", "panic in message.group"]);
    let stats = d.stats();
    assert_eq!(
        (stats.handled, stats.handler_errors, stats.panics),
        (78, 1, 1)
    );
    assert_eq!(
        stats.decoded, 40,
        "decoded once for the typed and the unified handler"
    );
}

#[tokio::test]
async fn a_slow_unified_handler_makes_dispatch_wait_and_loses_nothing() {
    let gate = Arc::new(Semaphore::new(0));
    let seen: Log<i64> = Log::default();
    let mut handlers = OneBotHandlers::new();
    let (g, s) = (Arc::clone(&gate), Arc::clone(&seen));
    handlers.on_message(Filter::new(), move |_ctx, u: Unified| {
        let (g, s) = (Arc::clone(&g), Arc::clone(&s));
        async move {
            g.acquire().await?.forget();
            s.lock()
                .unwrap()
                .push(u.message_id.as_deref().unwrap_or("").parse()?);
            Ok(())
        }
    });
    let config = DispatchConfig {
        max_in_flight: 4,
        max_pending: 2,
        ..DispatchConfig::default()
    };
    let d = Dispatcher::new(handlers, config);
    for id in 0..2 {
        let ev = onebot_event(&onebot_group_message(100 + id, id, "hi"));
        assert_eq!(d.dispatch(ev).await, Disposition::Accepted);
    }
    assert_eq!(d.pending(), 2);
    let mut third = Box::pin(d.dispatch(onebot_event(&onebot_group_message(102, 2, "hi"))));
    assert!(poll_immediate(&mut third).await.is_none());
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(
        poll_immediate(&mut third).await.is_none(),
        "past max_pending, dispatch waits"
    );
    assert_eq!(d.stats().accepted, 2);

    gate.add_permits(3);
    assert_eq!(third.await, Disposition::Accepted);
    d.idle().await;
    let mut got = seen.lock().unwrap().clone();
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2]);
}
