//! Plain data for every platform botgate speaks: QQ Bot gateway payloads, Bubble open-gateway
//! payloads, OneBot v11 events and the unified event model. serde types only: no I/O.
//!
//! Wire names are exact (`#[serde(rename)]`), ids keep their wire type (QQ: strings; Bubble and
//! OneBot: integers), unknown fields are ignored (a few types keep them in `extra`) and unknown enum values are
//! kept. Every field is
//! optional or defaulted: a missing field never loses an event. Decode with [`de::from_slice`]
//! or any serde deserializer, not `Type::deserialize(d)` (the strict derive; see [`de`]).
//!
//! ```
//! use botgate_proto::{onebot, qq};
//!
//! // A QQ message (`d` of AT_MESSAGE_CREATE): `seq` sent as a string still reads as a number.
//! let json = r#"{"id":"m1","content":"hi","seq":"828","author":{"id":"42"},"extra":1}"#;
//! let msg: qq::Message = serde_json::from_str(json)?;
//! assert_eq!((msg.content.as_str(), msg.seq), ("hi", Some(828)));
//!
//! // A OneBot group message whose `message` is a CQ string: read into segments.
//! let json = r#"{"post_type":"message","message_type":"group","group_id":987654321,
//!     "user_id":42,"message":"[CQ:at,qq=123] hello","sender":{"nickname":"alice"}}"#;
//! let group: onebot::GroupMessage = serde_json::from_str(json)?;
//! assert_eq!(group.group_id, 987654321);
//! assert_eq!(group.message.plain_text(), " hello");
//! # Ok::<(), serde_json::Error>(())
//! ```

#![deny(missing_docs)]

pub mod bubble;
pub mod de;
mod generated;
pub mod onebot;
pub mod qq;
pub mod text;
pub mod unified;

pub use text::Text;
