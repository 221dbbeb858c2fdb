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
