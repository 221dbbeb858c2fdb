//! The QQ platform end to end over the sample frames: intents from handlers, undecoded drops,
//! typed handlers, dedupe by event id, lanes read from the payload.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::{Arc, Mutex};

use botgate_codec::{Frame, Intents};
use botgate_dispatch::qq::{Qq, QqHandlers};
use botgate_dispatch::{ConversationKey, DispatchConfig, Dispatcher, Disposition, Platform};

fn frames(file: &str) -> Vec<Frame> {
    let path = format!("{}/../testdata/qq/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Frame::scan(l.as_bytes().to_vec()).unwrap())
        .collect()
}

fn frame_of(t: &str) -> Frame {
    frames("frames.jsonl")
        .into_iter()
        .find(|f| f.event_type() == Some(t))
        .unwrap()
}

fn dispatches() -> Vec<Frame> {
    frames("frames.jsonl")
        .into_iter()
        .filter(|f| f.op() == 0)
        .collect()
}

#[test]
fn intents_are_the_union_of_the_registered_handlers() {
    let mut handlers = QqHandlers::new();
    assert_eq!(handlers.intents(), Intents::empty());
    handlers
        .on_at_message_create(|_ctx, _msg| async { Ok(()) })
        .on_guild_member_add(|_ctx, _member| async { Ok(()) })
        .on_ready(|_ctx, _ready| async { Ok(()) });
    assert_eq!(handlers.intents().bits(), 1073741826);
    assert_eq!(
        handlers.intents(),
        Intents::PUBLIC_GUILD_MESSAGES | Intents::GUILD_MEMBERS
    );
    handlers
        .on_group_at_message_create(|_ctx, _m| async { Ok(()) })
        .on_c2c_message_create(|_ctx, _m| async { Ok(()) });
    assert_eq!(
        handlers.intents(),
        Intents::PUBLIC_GUILD_MESSAGES | Intents::GUILD_MEMBERS | Intents::GROUP_AND_C2C_EVENT
    );
}

#[tokio::test]
async fn only_the_handled_type_is_decoded_and_its_handler_gets_the_typed_message() {
    type Seen = Vec<(String, String, Option<String>)>;
    let got: Arc<Mutex<Seen>> = Arc::default();
    let g = got.clone();
    let mut handlers = QqHandlers::new();
    handlers.on_at_message_create(move |ctx, msg| {
        let g = g.clone();
        async move {
            g.lock().unwrap().push((
                String::from(msg.content),
                String::from(msg.channel_id),
                ctx.event_id().map(str::to_owned),
            ));
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let all = dispatches();
    let mut outcomes = Vec::new();
    for f in all.iter().cloned() {
        outcomes.push(d.dispatch(f).await);
    }
    d.idle().await;

    let at = frame_of("AT_MESSAGE_CREATE");
    let expected: serde_json::Value = serde_json::from_slice(at.data().unwrap()).unwrap();
    assert_eq!(
        *got.lock().unwrap(),
        [(
            expected["content"].as_str().unwrap().to_owned(),
            expected["channel_id"].as_str().unwrap().to_owned(),
            at.id().map(str::to_owned),
        )]
    );
    let accepted = outcomes
        .iter()
        .filter(|o| **o == Disposition::Accepted)
        .count();
    assert_eq!(accepted, 1);
    let stats = d.stats();
    assert_eq!(stats.decoded, 1, "every other type is dropped undecoded");
    assert_eq!(stats.unhandled as usize, all.len() - 1);
}

#[tokio::test]
async fn a_replayed_event_id_reaches_the_handler_once() {
    let count = Arc::new(Mutex::new(0));
    let c = count.clone();
    let mut handlers = QqHandlers::new();
    handlers.on_message_create(move |_ctx, _m| {
        let c = c.clone();
        async move {
            *c.lock().unwrap() += 1;
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let f = frame_of("MESSAGE_CREATE");
    assert_eq!(d.dispatch(f.clone()).await, Disposition::Accepted);
    assert_eq!(d.dispatch(f).await, Disposition::Duplicate);
    // The same type with the key order shuffled and a nested "t" inside `d`: a new id.
    let shuffled = frames("order.jsonl")
        .into_iter()
        .find(|f| f.event_type() == Some("MESSAGE_CREATE"))
        .unwrap();
    assert_eq!(d.dispatch(shuffled).await, Disposition::Accepted);
    d.idle().await;
    assert_eq!(*count.lock().unwrap(), 2);
}

#[tokio::test]
async fn ready_reaches_on_ready_with_the_bot_user() {
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let g = got.clone();
    let mut handlers = QqHandlers::new();
    handlers.on_ready(move |ctx, ready| {
        let g = g.clone();
        async move {
            g.lock().unwrap().push(format!(
                "{} {} {:?}",
                ready.session_id,
                ready.user.id,
                ctx.seq()
            ));
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.dispatch(frame_of("READY")).await;
    d.idle().await;
    assert_eq!(
        *got.lock().unwrap(),
        ["082ee18c-0be3-491b-9d8b-fbd95c51673a 6158788878435714165 Some(1)"]
    );
}

#[test]
fn lanes_are_read_from_the_payload() {
    let key = |t: &str| Qq::conversation_key(&frame_of(t));
    let id = |lane: &'static str, v: &str| ConversationKey::id(lane, v.as_bytes());
    let data = |t: &str| -> serde_json::Value {
        serde_json::from_slice(frame_of(t).data().unwrap()).unwrap()
    };
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();

    let at = data("AT_MESSAGE_CREATE");
    assert_eq!(
        key("AT_MESSAGE_CREATE"),
        id("channel", &s(&at["channel_id"]))
    );
    let del = data("PUBLIC_MESSAGE_DELETE");
    assert_eq!(
        key("PUBLIC_MESSAGE_DELETE"),
        id("channel", &s(&del["message"]["channel_id"]))
    );
    assert_eq!(
        key("AT_MESSAGE_CREATE"),
        key("PUBLIC_MESSAGE_DELETE"),
        "a delete is ordered after the create of its channel"
    );
    let group = data("GROUP_AT_MESSAGE_CREATE");
    assert_eq!(
        key("GROUP_AT_MESSAGE_CREATE"),
        id("group", &s(&group["group_openid"]))
    );
    let c2c = data("C2C_MESSAGE_CREATE");
    assert_eq!(
        key("C2C_MESSAGE_CREATE"),
        id("user", &s(&c2c["author"]["user_openid"]))
    );
    let member = data("GUILD_MEMBER_ADD");
    assert_eq!(
        key("GUILD_MEMBER_ADD"),
        id("guild", &s(&member["guild_id"]))
    );
    assert_eq!(key("READY"), ConversationKey::Global);
    assert_eq!(key("RESUMED"), ConversationKey::Global);
}

#[test]
fn dedupe_keys_are_the_event_ids() {
    let at = frame_of("AT_MESSAGE_CREATE");
    let k = Qq::dedupe_key(&at, "AT_MESSAGE_CREATE").unwrap();
    assert_eq!(k.as_bytes(), at.id().unwrap().as_bytes());
    assert_eq!(Qq::dedupe_key(&frame_of("READY"), "READY"), None);
}

#[test]
fn the_public_types_and_the_dispatch_future_are_send() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Dispatcher<Qq>>();
    send_sync::<QqHandlers>();
    send_sync::<botgate_dispatch::Context>();
    send_sync::<botgate_dispatch::BotError>();
    let d = Dispatcher::new(QqHandlers::new(), DispatchConfig::default());
    // The socket reader task is spawned: the future it awaits must be Send.
    let fut = d.dispatch(frame_of("READY"));
    send(&fut);
    let idle = d.idle();
    send(&idle);
    let shutdown = d.shutdown();
    send(&shutdown);
}
