//! The Bubble platform over the sample frames: the subscription set from handlers, dedupe by
//! `(t, d.id)`, lifecycle frames never deduped.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::{Arc, Mutex};

use botgate_codec::Frame;
use botgate_dispatch::bubble::{Bubble, BubbleHandlers, Event, EventType};
use botgate_dispatch::{ConversationKey, DispatchConfig, Dispatcher, Disposition, Platform};

fn frames() -> Vec<Frame> {
    let path = format!(
        "{}/../testdata/bubble/frames.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Frame::scan(l.as_bytes().to_vec()).unwrap())
        .collect()
}

fn all_of(t: &str) -> Vec<Frame> {
    frames()
        .into_iter()
        .filter(|f| f.event_type() == Some(t))
        .collect()
}

#[test]
fn subscriptions_are_the_registered_subscribable_types() {
    let mut handlers = BubbleHandlers::new();
    assert!(handlers.subscriptions().is_empty());
    for t in [
        EventType::MessageCreate,
        EventType::BotReady,
        EventType::DmMessageCreate,
        EventType::EventsSubscribed,
        EventType::MessageCreate,
    ] {
        handlers.on(t, |_ctx, _ev| async { Ok(()) });
    }
    assert_eq!(
        handlers.subscriptions(),
        ["DM_MESSAGE_CREATE", "MESSAGE_CREATE"]
    );
}

#[tokio::test]
async fn a_resent_message_is_dropped_but_a_second_bot_ready_is_not() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut handlers = BubbleHandlers::new();
    for t in [
        EventType::MessageCreate,
        EventType::MessageUpdate,
        EventType::BotReady,
    ] {
        let s = seen.clone();
        handlers.on(t, move |ctx, ev: Event| {
            let s = s.clone();
            async move {
                s.lock()
                    .unwrap()
                    .push(format!("{} {}", ctx.event_type(), ev.name()));
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let messages = all_of("MESSAGE_CREATE");
    let update = all_of("MESSAGE_UPDATE").remove(0);
    let ready = all_of("BOT_READY").remove(0);

    assert_eq!(d.dispatch(messages[0].clone()).await, Disposition::Accepted);
    assert_eq!(
        d.dispatch(messages[0].clone()).await,
        Disposition::Duplicate
    );
    assert_eq!(d.dispatch(messages[1].clone()).await, Disposition::Accepted);
    // Same d.id as the first message, other type: not a resend.
    assert_eq!(d.dispatch(update).await, Disposition::Accepted);
    assert_eq!(d.dispatch(ready.clone()).await, Disposition::Accepted);
    assert_eq!(d.dispatch(ready).await, Disposition::Accepted);
    d.idle().await;
    assert_eq!(seen.lock().unwrap().len(), 5);
    assert_eq!(d.stats().duplicates, 1);
}

#[test]
fn lanes_follow_the_channel() {
    let m = all_of("MESSAGE_CREATE");
    let expected = ConversationKey::id("channel", b"123".as_slice());
    assert_eq!(Bubble::conversation_key(&m[0]), expected);
    assert_eq!(Bubble::conversation_key(&m[1]), expected);
    assert_eq!(
        Bubble::conversation_key(&all_of("GUILD_MEMBER_ADD")[0]),
        ConversationKey::id("guild", b"10".as_slice())
    );
    assert_eq!(
        Bubble::conversation_key(&all_of("BOT_READY")[0]),
        ConversationKey::Global
    );
}

/// An update carries the id of what changed: a second edit of one message (or a second read
/// state of one channel) is an event of its own, and only a resend of the same delivery (same
/// `s`, same payload) is dropped (review of stop 29: keyed by `d.id`, every edit after the
/// first was lost). Without `s` an update is never dropped: its payload alone cannot tell a
/// resend from a state back at an earlier value (decision 0076).
#[tokio::test]
async fn a_second_edit_is_delivered_and_only_a_resend_of_the_same_payload_is_dropped() {
    let mut handlers = BubbleHandlers::new();
    handlers.on(EventType::MessageUpdate, |_ctx, _ev: Event| async {
        Ok(())
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let edit = |s: Option<u64>, at: &str| {
        let s = s.map(|s| format!(r#""s":{s},"#)).unwrap_or_default();
        Frame::scan(
            format!(
                r#"{{"op":0,{s}"t":"MESSAGE_UPDATE","d":{{"id":1001,"channelId":123,"content":"v{at}","editedAt":"{at}"}}}}"#
            )
            .into_bytes(),
        )
        .unwrap()
    };
    assert_eq!(d.dispatch(edit(Some(1), "t1")).await, Disposition::Accepted);
    assert_eq!(d.dispatch(edit(Some(2), "t2")).await, Disposition::Accepted);
    assert_eq!(
        d.dispatch(edit(Some(2), "t2")).await,
        Disposition::Duplicate
    );
    assert_eq!(d.dispatch(edit(None, "t3")).await, Disposition::Accepted);
    assert_eq!(d.dispatch(edit(None, "t3")).await, Disposition::Accepted);
    d.idle().await;
    assert_eq!(d.stats().duplicates, 1);
}
