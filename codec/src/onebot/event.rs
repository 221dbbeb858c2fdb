//! The typed OneBot v11 event: one variant per kind of `proto/schema/onebot.toml`.
//!
//! Variant names are the [`EventKind`] variant names; payloads are the whole event object
//! (boxed, so the enum stays small). A kind botgate does not know is kept as
//! [`Event::Unknown`] with its JSON.

use super::header::Header;
use crate::Error;
use botgate_proto::onebot::{self as ob, EventKind, Message};
use serde::{Serialize, Serializer};
use serde_json::Value;

macro_rules! events {
    ($( $variant:ident($payload:ident) = $kind:literal ),+ $(,)?) => {
        /// A decoded OneBot v11 event. Serialises as the payload alone, under its wire names.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            $(
                #[doc = concat!("`", $kind, "` (payload [`", stringify!($payload), "`](ob::", stringify!($payload), ")).")]
                $variant(Box<ob::$payload>),
            )+
            /// A kind botgate does not know, with the event as JSON.
            Unknown {
                /// The kind (`post_type.detail[.sub_type]`, as [`EventKind::classify`] builds it).
                kind: String,
                /// The whole event, parsed but not interpreted.
                data: Value,
            },
        }

        /// Every kind with a typed variant, as wire strings, in schema order.
        pub const KINDS: &[&str] = &[$($kind),+];

        impl Event {
            /// The event's kind.
            pub fn kind(&self) -> EventKind {
                match self {
                    $( Event::$variant(_) => EventKind::$variant, )+
                    Event::Unknown { kind, .. } => EventKind::from(kind.as_str()),
                }
            }

            /// The event's kind as its wire string, without allocating.
            pub fn kind_str(&self) -> &str {
                match self {
                    $( Event::$variant(_) => $kind, )+
                    Event::Unknown { kind, .. } => kind,
                }
            }

            /// Decode a whole event object of a kind already known (from [`RawEvent`](super::RawEvent)
            /// or [`EventKind::classify`]).
            ///
            /// # Errors
            /// [`ErrorKind::Payload`](crate::ErrorKind::Payload) naming the kind and the path
            /// of the offending field; [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) /
            /// [`ErrorKind::Payload`](crate::ErrorKind::Payload) if `bytes` is not JSON.
            pub fn decode_as(kind: &EventKind, bytes: &[u8]) -> Result<Event, Error> {
                let name = kind.as_str();
                Ok(match kind {
                    $( EventKind::$variant => Event::$variant(payload(name, bytes)?), )+
                    _ => Event::Unknown {
                        kind: name.to_owned(),
                        data: Error::decode_payload(name, bytes)?,
                    },
                })
            }

            /// The bot account's id (`self_id`); `None` if an unknown event lacks it.
            pub fn self_id(&self) -> Option<i64> {
                match self {
                    $( Event::$variant(p) => Some(p.self_id), )+
                    Event::Unknown { data, .. } => int_field(data, "self_id"),
                }
            }

            /// The event's unix time in seconds (`time`).
            pub fn time(&self) -> Option<i64> {
                match self {
                    $( Event::$variant(p) => Some(p.time), )+
                    Event::Unknown { data, .. } => int_field(data, "time"),
                }
            }
        }

        impl Serialize for Event {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Event::$variant(p) => p.serialize(s), )+
                    Event::Unknown { data, .. } => data.serialize(s),
                }
            }
        }
    };
}

events! {
    MessagePrivate(PrivateMessage) = "message.private",
    MessageGroup(GroupMessage) = "message.group",
    MessageSentPrivate(PrivateMessage) = "message_sent.private",
    MessageSentGroup(GroupMessage) = "message_sent.group",
    NoticeGroupUpload(GroupUploadNotice) = "notice.group_upload",
    NoticeGroupAdmin(GroupAdminNotice) = "notice.group_admin",
    NoticeGroupDecrease(GroupDecreaseNotice) = "notice.group_decrease",
    NoticeGroupIncrease(GroupIncreaseNotice) = "notice.group_increase",
    NoticeGroupBan(GroupBanNotice) = "notice.group_ban",
    NoticeFriendAdd(FriendAddNotice) = "notice.friend_add",
    NoticeGroupRecall(GroupRecallNotice) = "notice.group_recall",
    NoticeFriendRecall(FriendRecallNotice) = "notice.friend_recall",
    NoticeNotifyPoke(PokeNotice) = "notice.notify.poke",
    NoticeNotifyLuckyKing(LuckyKingNotice) = "notice.notify.lucky_king",
    NoticeNotifyHonor(HonorNotice) = "notice.notify.honor",
    NoticeNotifyTitle(TitleNotice) = "notice.notify.title",
    NoticeNotifyInputStatus(InputStatusNotice) = "notice.notify.input_status",
    NoticeNotifyProfileLike(ProfileLikeNotice) = "notice.notify.profile_like",
    NoticeGroupCard(GroupCardNotice) = "notice.group_card",
    NoticeEssence(EssenceNotice) = "notice.essence",
    NoticeOfflineFile(OfflineFileNotice) = "notice.offline_file",
    NoticeClientStatus(ClientStatusNotice) = "notice.client_status",
    NoticeGroupMsgEmojiLike(GroupMsgEmojiLikeNotice) = "notice.group_msg_emoji_like",
    NoticeReaction(ReactionNotice) = "notice.reaction",
    NoticeBotOffline(BotOfflineNotice) = "notice.bot_offline",
    RequestFriend(FriendRequest) = "request.friend",
    RequestGroup(GroupRequest) = "request.group",
    MetaEventLifecycle(LifecycleMeta) = "meta_event.lifecycle",
    MetaEventHeartbeat(HeartbeatMeta) = "meta_event.heartbeat",
}

impl Event {
    /// The message of a message event (`message` / `message_sent`), else `None`.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Event::MessagePrivate(m) | Event::MessageSentPrivate(m) => Some(&m.message),
            Event::MessageGroup(m) | Event::MessageSentGroup(m) => Some(&m.message),
            _ => None,
        }
    }

    /// Whether this is a kind botgate has no typed variant for.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Event::Unknown { .. })
    }
}

/// Decode one OneBot event object: read its type fields, then the payload of its kind.
///
/// ```
/// use botgate_codec::onebot::{decode_event, Event};
/// let e = decode_event(br#"{"post_type":"notice","notice_type":"friend_add","user_id":"42","time":1,"self_id":2}"#)?;
/// assert_eq!(e.kind_str(), "notice.friend_add");
/// let Event::NoticeFriendAdd(n) = &e else { panic!() };
/// assert_eq!(n.user_id, 42);
/// # Ok::<(), botgate_codec::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Envelope`](crate::ErrorKind::Envelope) if `post_type` is missing or not a
/// string (or a type field is not a string); scan errors (syntax, UTF-8, nesting) as
/// [`crate::scan::object_fields`]; [`ErrorKind::Payload`](crate::ErrorKind::Payload) if the
/// payload of a known kind does not fit.
pub fn decode_event(bytes: &[u8]) -> Result<Event, Error> {
    let header = Header::scan(bytes)?;
    let kind = header.event_kind()?;
    Event::decode_as(&kind, bytes)
}

fn payload<T: serde::de::DeserializeOwned>(kind: &str, bytes: &[u8]) -> Result<Box<T>, Error> {
    Error::decode_object::<T>(kind, bytes).map(Box::new)
}

fn int_field(data: &Value, key: &str) -> Option<i64> {
    match data.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_kind_has_a_variant_in_schema_order() {
        let all: Vec<&str> = EventKind::ALL.iter().map(EventKind::as_str).collect();
        assert_eq!(KINDS, all.as_slice());
    }

    #[test]
    fn unknown_kind_keeps_the_json() {
        let e = decode_event(
            br#"{"post_type":"notice","notice_type":"x","sub_type":"y","self_id":"5"}"#,
        )
        .unwrap();
        assert_eq!(e.kind_str(), "notice.x.y");
        assert!(e.kind().is_unknown());
        assert_eq!(e.self_id(), Some(5));
        assert_eq!(e.time(), None);
    }
}
