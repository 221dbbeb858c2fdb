//! The OneBot platform over the sample events: kinds and dot-prefix routes, undecoded drops,
//! lanes by group then user.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::{Arc, Mutex};

use botgate_codec::onebot::{Incoming, RawEvent};
use botgate_dispatch::onebot::{EventKind, OneBot, OneBotHandlers};
use botgate_dispatch::{ConversationKey, DispatchConfig, Dispatcher, Disposition, Platform};

fn events() -> Vec<RawEvent> {
    let path = format!(
        "{}/../testdata/onebot/events.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(
            |l| match Incoming::classify(l.as_bytes().to_vec()).unwrap() {
                Incoming::Event(raw) => Some(raw),
                _ => None,
            },
        )
        .collect()
}

#[tokio::test]
async fn kinds_and_their_dot_prefixes_route_and_nothing_else_is_decoded() {
    let all = events();
    let group_messages: Vec<i64> = Vec::new();
    let group_messages = Arc::new(Mutex::new(group_messages));
    let notices: Arc<Mutex<Vec<String>>> = Arc::default();

    let mut handlers = OneBotHandlers::new();
    let g = group_messages.clone();
    handlers.on_group_message(move |_ctx, m| {
        let g = g.clone();
        async move {
            g.lock().unwrap().push(m.message_id);
            Ok(())
        }
    });
    let n = notices.clone();
    handlers.on(EventKind::from("notice"), move |ctx, ev| {
        let n = n.clone();
        async move {
            assert_eq!(ctx.event_type(), ev.kind_str());
            n.lock().unwrap().push(ev.kind_str().to_owned());
            Ok(())
        }
    });
    assert_eq!(handlers.kinds(), ["message.group", "notice"]);
    assert!(handlers.wants("notice.notify.poke"));
    assert!(!handlers.wants("message.private"));

    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let mut accepted = 0;
    for raw in all.iter().cloned() {
        if d.dispatch(raw).await == Disposition::Accepted {
            accepted += 1;
        }
    }
    d.idle().await;

    let expected_groups = all
        .iter()
        .filter(|r| *r.kind() == EventKind::MessageGroup)
        .count();
    let mut expected_notices: Vec<&str> = all
        .iter()
        .map(|r| r.kind().as_str())
        .filter(|k| k.starts_with("notice."))
        .collect();
    expected_notices.sort_unstable();
    // Lanes (group vs user) run concurrently: compare as sets with multiplicity.
    notices.lock().unwrap().sort_unstable();
    assert_eq!(group_messages.lock().unwrap().len(), expected_groups);
    assert_eq!(expected_groups, 2);
    assert_eq!(*notices.lock().unwrap(), expected_notices);
    assert!(notices
        .lock()
        .unwrap()
        .contains(&"notice.some_new_notice".to_owned()));
    assert_eq!(accepted, expected_groups + expected_notices.len());
    let stats = d.stats();
    assert_eq!(stats.decoded as usize, accepted);
    assert_eq!(stats.unhandled as usize, all.len() - accepted);
}

#[test]
fn lanes_are_the_group_then_the_user() {
    let all = events();
    let first = |kind: &str| all.iter().find(|r| r.kind().as_str() == kind).unwrap();
    assert_eq!(
        OneBot::conversation_key(first("message.group")),
        ConversationKey::id("group", b"987654321".as_slice())
    );
    assert_eq!(
        OneBot::conversation_key(first("notice.friend_recall")),
        ConversationKey::id("user", b"111222333".as_slice())
    );
    assert_eq!(
        OneBot::conversation_key(first("meta_event.lifecycle")),
        ConversationKey::Global
    );
}

/// A message resent with the same `(self_id, message_id)` is handled once; another id, or
/// another account's message with the same id, is not a duplicate; notices carry no id.
#[tokio::test]
async fn a_resent_message_is_handled_once_and_notices_pass() {
    let raw = |json: &str| match Incoming::classify(json.as_bytes().to_vec()).unwrap() {
        Incoming::Event(raw) => raw,
        _ => unreachable!("an event"),
    };
    let msg = |self_id: u64, id: u64| {
        raw(&format!(
            r#"{{"post_type":"message","message_type":"group","sub_type":"normal","message_id":{id},"group_id":5,"user_id":7,"self_id":{self_id},"time":1,"message":"hi","raw_message":"hi","font":0,"sender":{{"user_id":7}}}}"#
        ))
    };
    let poke = || {
        raw(
            r#"{"post_type":"notice","notice_type":"notify","sub_type":"poke","group_id":5,"user_id":7,"target_id":8,"self_id":10,"time":1}"#,
        )
    };
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut handlers = OneBotHandlers::new();
    let s = seen.clone();
    handlers.on(EventKind::from("message"), move |ctx, _| {
        let s = s.clone();
        async move {
            s.lock().unwrap().push(ctx.event_type().to_owned());
            Ok(())
        }
    });
    let s = seen.clone();
    handlers.on(EventKind::from("notice"), move |ctx, _| {
        let s = s.clone();
        async move {
            s.lock().unwrap().push(ctx.event_type().to_owned());
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let mut outcomes = Vec::new();
    for input in [
        msg(10, 1),
        msg(10, 1),
        msg(10, 2),
        msg(11, 1),
        poke(),
        poke(),
    ] {
        outcomes.push(d.dispatch(input).await);
    }
    d.idle().await;
    assert_eq!(outcomes[1], Disposition::Duplicate, "{outcomes:?}");
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == Disposition::Accepted)
            .count(),
        5
    );
    assert_eq!(seen.lock().unwrap().len(), 5);
}

/// Review of OneBot support (decision 0055): Waylay's `message_id` is a short in-memory id
/// that starts again at 1 when it restarts, and the dispatcher's window outlives reconnects.
/// A message that reuses an id at another `time`, or in another conversation, is a new
/// message; only the same frame again is a resend. (Before, the key was `(self_id,
/// message_id)` and the restarted implementation's messages 1, 2, 3 were dropped.)
#[tokio::test]
async fn a_message_id_reused_at_another_time_or_place_is_not_a_resend() {
    let raw = |json: String| match Incoming::classify(json.into_bytes()).unwrap() {
        Incoming::Event(raw) => raw,
        _ => unreachable!("an event"),
    };
    let group = |id: u64, time: i64, group: u64, text: &str| {
        raw(format!(
            r#"{{"time":{time},"self_id":10,"post_type":"message","message_type":"group","sub_type":"normal","message_id":{id},"group_id":{group},"user_id":7,"message":[{{"type":"text","data":{{"text":"{text}"}}}}],"raw_message":"{text}","font":0,"sender":{{"user_id":7}}}}"#
        ))
    };
    let private = |id: u64, time: i64, user: u64| {
        raw(format!(
            r#"{{"time":{time},"self_id":10,"post_type":"message","message_type":"private","sub_type":"friend","message_id":{id},"user_id":{user},"message":"p","raw_message":"p","font":0,"sender":{{"user_id":{user}}}}}"#
        ))
    };
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut handlers = OneBotHandlers::new();
    let s = seen.clone();
    handlers.on(EventKind::from("message"), move |ctx, _| {
        let s = s.clone();
        async move {
            s.lock().unwrap().push(ctx.event_type().to_owned());
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let inputs = [
        // Before the restart: messages 1 and 2, and a true resend of 2.
        (group(1, 1_000, 5, "a"), Disposition::Accepted),
        (group(2, 1_001, 5, "b"), Disposition::Accepted),
        (group(2, 1_001, 5, "b"), Disposition::Duplicate),
        // After the restart the ids start again at 1, later.
        (group(1, 1_060, 5, "c"), Disposition::Accepted),
        (group(2, 1_061, 5, "d"), Disposition::Accepted),
        (group(2, 1_061, 5, "d"), Disposition::Duplicate),
        // The same id in the same second, in another group or from another friend.
        (group(1, 1_060, 6, "e"), Disposition::Accepted),
        (private(1, 1_060, 8), Disposition::Accepted),
        (private(1, 1_060, 9), Disposition::Accepted),
        (private(1, 1_060, 9), Disposition::Duplicate),
    ];
    let mut got = Vec::new();
    let want: Vec<Disposition> = inputs.iter().map(|(_, d)| *d).collect();
    for (input, _) in inputs {
        got.push(d.dispatch(input).await);
    }
    d.idle().await;
    assert_eq!(got, want);
    assert_eq!(seen.lock().unwrap().len(), 7);
    assert_eq!(d.stats().duplicates, 3);
}
