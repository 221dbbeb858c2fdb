//! `ctx.reply(..)` per platform: the [`ReplySink`](botgate_dispatch::ReplySink)s the bot
//! builders attach (decision 0008).
//!
//! Each sink unifies the raw frame of the event being answered
//! (`botgate_codec::unify::unify_frame`) to learn the scene, peer, sub-peer and message id,
//! maps the unified elements to the platform's message, and sends it:
//!
//! | platform / scene | sent with | passive-reply id |
//! |---|---|---|
//! | QQ guild channel | `POST /channels/{sub_peer}/messages` | `msg_id` (else `event_id`) |
//! | QQ guild DM | `POST /dms/{sub_peer = guild}/messages` | `msg_id` |
//! | QQ group | `POST /v2/groups/{peer}/messages` | `msg_id` + `msg_seq` (else `event_id`) |
//! | QQ C2C | `POST /v2/users/{peer}/messages` | `msg_id` + `msg_seq` (else `event_id`) |
//! | Bubble guild / group channel | `POST /channels/{sub_peer}/messages` | `replyToId` |
//! | Bubble DM | `send_to_user(peer)` (DM thread looked up once) | `replyToId` |
//! | OneBot group | `send_group_msg` | leading `reply` segment |
//! | OneBot private | `send_private_msg` | leading `reply` segment |
//! | OneBot group temp chat | `send_private_msg` with `group_id` | leading `reply` segment |

mod bubble;
mod onebot;
mod qq;

pub(crate) use bubble::BubbleReplies;
pub(crate) use onebot::OneBotReplies;
pub(crate) use qq::QqReplies;

use botgate_codec::unify::{unify_frame, Outcome, UnifyContext};
use botgate_dispatch::{ReplyError, ReplyErrorKind};
use botgate_proto::unified::{Platform, Scene};

/// Where the event being answered happened, read from its raw frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answering {
    /// The platform's event type (`AT_MESSAGE_CREATE`, `message.group`, ...).
    pub(crate) kind: String,
    /// The unified scene.
    pub(crate) scene: Scene,
    /// The unified peer (see `docs/unified.md`).
    pub(crate) peer: String,
    /// The unified sub-peer.
    pub(crate) sub_peer: Option<String>,
    /// Who triggered the event (empty when the platform does not say).
    pub(crate) user_id: String,
    /// The message being answered, for messages.
    pub(crate) message_id: Option<String>,
    /// Whether the event is a message (not a notice or request).
    pub(crate) is_message: bool,
}

/// Unifies `raw` (one frame / event of `platform`) into what a reply needs.
pub(crate) fn answering(platform: Platform, raw: &[u8]) -> Result<Answering, ReplyError> {
    let outcome = unify_frame(platform, raw, &UnifyContext::new("")).map_err(|e| {
        ReplyError::with_source(
            ReplyErrorKind::NoTarget {
                reason: format!("the {platform} event does not decode"),
            },
            e,
        )
    })?;
    let u = match outcome {
        Outcome::Unified(u) => u,
        Outcome::Skipped(skipped) => {
            return Err(ReplyError::no_target(format!(
                "{} has no conversation to answer in",
                skipped.kind
            )))
        }
        other => {
            return Err(ReplyError::no_target(format!(
                "unexpected unify outcome {other:?}"
            )))
        }
    };
    let kind = u.original.kind().to_owned();
    if u.contact.peer.is_empty() {
        return Err(ReplyError::no_target(format!("{kind} names no peer")));
    }
    let is_message = u.event.as_str() == "message";
    Ok(Answering {
        scene: u.contact.scene.clone(),
        peer: u.contact.peer.to_string(),
        sub_peer: (u.contact.sub_peer.clone().filter(|s| !s.is_empty())).map(String::from),
        user_id: u.user_id.to_string(),
        message_id: (u.message_id.clone().filter(|s| !s.is_empty())).map(String::from),
        is_message,
        kind,
    })
}

/// A transport failure as a reply error: the platform's refusal keeps its code and message.
pub(crate) fn transport_error(error: botgate_transport::Error) -> ReplyError {
    match error.api() {
        Some(api) => {
            let code = api.code.unwrap_or(i64::from(api.status));
            let message = api.message.clone();
            ReplyError::with_source(ReplyErrorKind::Rejected { code, message }, error)
        }
        None => ReplyError::with_source(ReplyErrorKind::Transport, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answering_reads_scene_peer_and_message_id() {
        let frame = br#"{"op":0,"s":5,"t":"GROUP_AT_MESSAGE_CREATE","id":"GROUP_AT_MESSAGE_CREATE:e1",
            "d":{"id":"ROBOT1.0_x","content":" hi","group_openid":"C9F7","author":{"member_openid":"E4F4"},
            "timestamp":"2023-11-06T13:37:18+08:00"}}"#;
        let a = answering(Platform::Qq, frame).unwrap();
        assert_eq!(a.kind, "GROUP_AT_MESSAGE_CREATE");
        assert_eq!(a.scene, Scene::Group);
        assert_eq!(a.peer, "C9F7");
        assert_eq!(a.sub_peer, None);
        assert_eq!(a.message_id.as_deref(), Some("ROBOT1.0_x"));
        assert_eq!(a.user_id, "E4F4");
        assert!(a.is_message);
    }

    #[test]
    fn frames_without_a_conversation_are_no_target() {
        let e = answering(Platform::Qq, br#"{"op":11}"#).unwrap_err();
        assert!(matches!(e.kind(), ReplyErrorKind::NoTarget { .. }), "{e}");
        let e = answering(Platform::OneBot, b"not json").unwrap_err();
        assert!(matches!(e.kind(), ReplyErrorKind::NoTarget { .. }), "{e}");
    }
}
