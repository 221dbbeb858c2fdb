//! The typed OneBot v11 event: one variant per kind of `proto/schema/onebot.toml`.
//!
//! The enum, its kinds and its decode by kind are generated (`codec/src/generated/onebot.rs`):
//! variant names are the [`EventKind`](botgate_proto::onebot::EventKind) variant names,
//! payloads are the whole event object (boxed, so the enum stays small), and a kind botgate
//! does not know is kept as [`Event::Unknown`] with its JSON. Here: the frame-level
//! [`decode_event`] and the helpers that are not per kind.

use super::header::Header;
use crate::Error;
use botgate_proto::onebot::Message;

pub use crate::generated::onebot::{Event, KINDS};

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

#[cfg(test)]
mod tests {
    use super::*;
    use botgate_proto::onebot::EventKind;

    #[test]
    fn every_schema_kind_has_a_variant_in_schema_order() {
        let all: Vec<&str> = EventKind::ALL.iter().map(EventKind::as_str).collect();
        assert_eq!(KINDS, all.as_slice());
    }

    #[test]
    fn strings_share_one_copy_of_the_payload() {
        use botgate_proto::onebot::Segment;
        let data = br#"{"time":1,"self_id":2,"post_type":"message","message_type":"group",
            "sub_type":"normal","message_id":3,"group_id":4,"user_id":5,
            "message":"hi [CQ:face,id=1] a&#91;b","raw_message":"hi [CQ:face,id=1] a&#91;b",
            "sender":{"user_id":5,"nickname":"\u5f20\u4e09","card":"card"}}"#
            .to_vec();
        let event = decode_event(&data).unwrap();
        drop(data);
        let Event::MessageGroup(m) = &event else {
            panic!("{event:?}");
        };
        assert!(m.post_type.is_shared() && m.raw_message.is_shared());
        assert!(m.sender.card.as_ref().unwrap().is_shared());
        assert_eq!(m.sender.nickname, "张三");
        assert!(!m.sender.nickname.is_shared(), "escaped: its own buffer");
        // a CQ string's unescaped text runs are ranges of the payload too
        let Some(Segment::Text(first)) = m.message.first() else {
            panic!("{:?}", m.message);
        };
        assert!(first.text.is_shared() && first.text == "hi ");
        assert_eq!(m.message.plain_text(), "hi  a[b");
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
