//! Mapping cases found in the review of stop 29, each against its rule in `docs/unified.md`.
#![allow(clippy::unwrap_used)]

use botgate_codec::unify::{unify_frame, Outcome, Unified, UnifyContext};
use botgate_proto::unified::Platform;

const NOW: i64 = 1_800_000_000;

fn unify(p: Platform, frame: &str) -> Unified {
    let ctx = UnifyContext::new("102074").with_now(NOW);
    match unify_frame(p, frame.as_bytes(), &ctx).unwrap() {
        Outcome::Unified(u) => *u,
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_spellings_of_a_bubble_field_keep_the_event() {
    let e = unify(
        Platform::Bubble,
        r#"{"op":0,"t":"MESSAGE_CREATE","d":{"id":1,"channelId":6,"guildId":10,"guild_id":10,"authorId":1,"content":"x"}}"#,
    );
    assert_eq!((e.user_id.as_str(), e.contact.peer.as_str()), ("1", "10"));
}

#[test]
fn a_temp_chat_whose_top_level_group_id_is_0_takes_the_senders() {
    let e = unify(
        Platform::OneBot,
        r#"{"time":1,"self_id":1,"post_type":"message","message_type":"private","sub_type":"group","message_id":1,"user_id":5,"group_id":0,"message":"hi","sender":{"user_id":5,"group_id":777}}"#,
    );
    assert_eq!(e.contact.sub_peer.as_deref(), Some("777"));
}

#[test]
fn a_qq_deletion_takes_the_time_now_not_the_messages() {
    for t in ["MESSAGE_DELETE", "DIRECT_MESSAGE_DELETE"] {
        let e = unify(
            Platform::Qq,
            &format!(
                r#"{{"op":0,"s":4,"t":"{t}","d":{{"message":{{"author":{{"id":"1"}},"channel_id":"2","guild_id":"3","id":"m","timestamp":"2021-05-20T15:14:58+08:00"}},"op_user":{{"id":"9"}}}}}}"#
            ),
        );
        assert_eq!(e.time, NOW, "{t}");
    }
}

#[test]
fn a_onebot_message_id_0_is_absent() {
    let e = unify(
        Platform::OneBot,
        r#"{"post_type":"notice","notice_type":"group_recall","group_id":9,"user_id":5,"operator_id":5,"message_id":0,"time":1,"self_id":1}"#,
    );
    assert_eq!(
        e.content.as_ref().and_then(|c| c.message_id.as_deref()),
        None
    );
    let e = unify(
        Platform::OneBot,
        r#"{"post_type":"notice","notice_type":"group_recall","group_id":9,"user_id":5,"operator_id":5,"message_id":42,"time":1,"self_id":1}"#,
    );
    assert_eq!(
        e.content.as_ref().and_then(|c| c.message_id.as_deref()),
        Some("42")
    );
}
