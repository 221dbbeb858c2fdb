//! Bubble dedupe keys a *delivery*, not the entity an event is about (decision 0076): a guild
//! left and joined again, a reaction added after its removal, a read state back at an earlier
//! value are new events and are delivered; only a resend of one delivery (same `s`, same
//! payload: a replay after a resume, a worker's redelivery) is dropped. Where nothing tells a
//! resend from a new event (no `s`, no id naming a one-time event) nothing is dropped.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use botgate_codec::Frame;
use botgate_dispatch::bubble::{BubbleHandlers, Event, EventType};
use botgate_dispatch::{DispatchConfig, Dispatcher, Disposition};

/// A dispatch frame of type `t` with payload `d`, with `s` when given.
fn frame(t: &str, s: Option<u64>, d: &str) -> Frame {
    let text = match s {
        Some(s) => format!(r#"{{"op":0,"s":{s},"t":"{t}","d":{d}}}"#),
        None => format!(r#"{{"op":0,"t":"{t}","d":{d}}}"#),
    };
    Frame::scan(text.into_bytes()).unwrap()
}

/// A dispatcher with a no-op handler for each of `types`.
fn dispatcher<const N: usize>(
    types: [EventType; N],
) -> Dispatcher<botgate_dispatch::bubble::Bubble> {
    let mut handlers = BubbleHandlers::new();
    for t in types {
        handlers.on(t, |_ctx, _ev: Event| async { Ok(()) });
    }
    Dispatcher::new(handlers, DispatchConfig::default())
}

const GUILD: &str = r#"{"id":10,"name":"My Server","ownerId":1}"#;
const GONE: &str = r#"{"id":10}"#;

/// The bug: GUILD_CREATE / GUILD_DELETE were keyed by `(t, d.id)`, the guild's id, so a
/// leave and rejoin of one guild inside the window lost the second GUILD_CREATE (and the
/// second GUILD_DELETE).
#[tokio::test]
async fn a_guild_left_and_joined_again_is_delivered_each_time() {
    let d = dispatcher([EventType::GuildCreate, EventType::GuildDelete]);
    let rejoin = frame("GUILD_CREATE", Some(3), GUILD);
    for f in [
        frame("GUILD_CREATE", Some(1), GUILD),
        frame("GUILD_DELETE", Some(2), GONE),
        rejoin.clone(),
        frame("GUILD_DELETE", Some(4), GONE),
    ] {
        assert_eq!(d.dispatch(f).await, Disposition::Accepted);
    }
    // The same delivery again (a replay after a resume): dropped.
    assert_eq!(d.dispatch(rejoin).await, Disposition::Duplicate);
    d.idle().await;
    assert_eq!(d.stats().duplicates, 1);
}

/// Without `s` (the documented strict gateway, webhooks) a repeated guild event cannot be told
/// from a rejoin: it is delivered, never lost.
#[tokio::test]
async fn without_a_sequence_a_guild_event_is_never_dropped() {
    let d = dispatcher([EventType::GuildCreate, EventType::GuildDelete]);
    for f in [
        frame("GUILD_CREATE", None, GUILD),
        frame("GUILD_DELETE", None, GONE),
        frame("GUILD_CREATE", None, GUILD),
        frame("GUILD_DELETE", None, GONE),
    ] {
        assert_eq!(d.dispatch(f).await, Disposition::Accepted);
    }
    d.idle().await;
    assert_eq!(d.stats().duplicates, 0);
}

/// The same flaw in reactions: `(messageId, userId, emoji)` names the reaction, so an add →
/// remove → add lost the second add.
#[tokio::test]
async fn a_reaction_added_again_is_delivered_and_only_its_replay_is_dropped() {
    let d = dispatcher([
        EventType::MessageReactionAdd,
        EventType::MessageReactionRemove,
    ]);
    let r = r#"{"messageId":7,"channelId":5,"userId":8,"emoji":"x"}"#;
    let again = frame("MESSAGE_REACTION_ADD", Some(12), r);
    for f in [
        frame("MESSAGE_REACTION_ADD", Some(10), r),
        frame("MESSAGE_REACTION_REMOVE", Some(11), r),
        again.clone(),
        frame("MESSAGE_REACTION_REMOVE", None, r),
        frame("MESSAGE_REACTION_ADD", None, r),
    ] {
        assert_eq!(d.dispatch(f).await, Disposition::Accepted);
    }
    assert_eq!(d.dispatch(again).await, Disposition::Duplicate);
    d.idle().await;
    assert_eq!(d.stats().duplicates, 1);
}

/// And in the payload key of state changes: a read state back at an earlier value (or a
/// member who left and joins again) repeats an earlier payload and is a new event.
#[tokio::test]
async fn a_state_back_at_an_earlier_value_is_delivered() {
    let d = dispatcher([EventType::ReadStateUpdate, EventType::GuildMemberAdd]);
    for f in [
        frame("READ_STATE_UPDATE", None, r#"{"id":5,"unread":0}"#),
        frame("READ_STATE_UPDATE", None, r#"{"id":5,"unread":1}"#),
        frame("READ_STATE_UPDATE", None, r#"{"id":5,"unread":0}"#),
        frame("GUILD_MEMBER_ADD", None, r#"{"guildId":10,"userId":2}"#),
        frame("GUILD_MEMBER_ADD", None, r#"{"guildId":10,"userId":2}"#),
    ] {
        assert_eq!(d.dispatch(f).await, Disposition::Accepted);
    }
    d.idle().await;
    assert_eq!(d.stats().duplicates, 0);
}

/// What an id does name once is still deduped without `s` (webhook retries): a message, its
/// deletion, the mention of the bot in it.
#[tokio::test]
async fn one_time_events_are_still_deduped_by_their_id() {
    let d = dispatcher([
        EventType::MessageCreate,
        EventType::MessageDelete,
        EventType::MentionCreate,
    ]);
    for (f, expected) in [
        (
            frame("MESSAGE_CREATE", None, r#"{"id":1001,"channelId":5}"#),
            Disposition::Accepted,
        ),
        (
            frame("MESSAGE_CREATE", None, r#"{"id":1001,"channelId":5}"#),
            Disposition::Duplicate,
        ),
        (
            frame("MESSAGE_DELETE", Some(3), r#"{"id":1001}"#),
            Disposition::Accepted,
        ),
        (
            frame("MESSAGE_DELETE", Some(4), r#"{"id":1001}"#),
            Disposition::Duplicate,
        ),
        (
            frame(
                "MENTION_CREATE",
                None,
                r#"{"messageId":1001,"channelId":5}"#,
            ),
            Disposition::Accepted,
        ),
        (
            frame(
                "MENTION_CREATE",
                None,
                r#"{"channelId":5,"messageId":1001}"#,
            ),
            Disposition::Duplicate,
        ),
    ] {
        assert_eq!(d.dispatch(f).await, expected);
    }
    d.idle().await;
    assert_eq!(d.stats().duplicates, 3);
}
