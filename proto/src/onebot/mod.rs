//! OneBot v11 events, message segments and the action envelope.
//!
//! Every event payload is the whole event object as sent (`time`, `self_id`, `post_type`, the
//! detail type and `sub_type` included), so a payload serialises back to what came in, under
//! the wire names. Ids are `i64`; numbers sent as strings are accepted; unknown fields are
//! ignored (a segment's data keeps them, in `extra`: decision 0058) and unknown enum values
//! kept.
//!
//! - [`EventKind`] (generated from `proto/schema/onebot.toml`): `message.group`,
//!   `notice.notify.poke`, ...
//! - Payloads: [`PrivateMessage`], [`GroupMessage`], the notices in [`notice`], the requests in
//!   [`request`], the meta events in [`meta`].
//! - [`Message`] and [`Segment`]: a message is a list of segments, read from a segment array or a
//!   CQ string ([`cq`]).
//! - [`action`]: typed action parameters and results ([`action::ActionParams`]).

pub mod action;
pub mod cq;
pub mod enums;
mod message;
mod message_event;
mod message_forms;
pub mod meta;
pub mod notice;
pub mod request;
pub mod segment;

pub use enums::*;
pub use message::Message;
pub use message_event::{Anonymous, GroupMessage, PrivateMessage, Sender};
pub use meta::{HeartbeatMeta, HeartbeatStatus, LifecycleMeta};
pub use notice::*;
pub use request::{FriendRequest, GroupRequest};
pub use segment::Segment;

pub use crate::generated::onebot::*;
