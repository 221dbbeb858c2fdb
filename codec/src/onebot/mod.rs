//! OneBot v11: event decode, segments, CQ codes and the action envelope.
//!
//! - [`Incoming::classify`]: one scan of the top-level keys tells an event (`post_type`) from an
//!   action response (`retcode` / `status`); an event comes as a [`RawEvent`] whose kind is
//!   known and whose payload is parsed on demand.
//! - [`decode_event`] / [`Event`]: the typed event, one variant per kind of
//!   `proto/schema/onebot.toml`; unknown kinds are kept as JSON.
//! - [`Message`] / [`Segment`]: messages decode from a segment array or a CQ string alike;
//!   [`cq`] parses and renders CQ codes.
//! - [`ActionRequest`], [`encode_call`], [`ActionResponse`], [`ActionResponseError`]: the action
//!   envelope, typed through `botgate_proto::onebot::action::ActionParams`.
//!
//! ```
//! use botgate_codec::onebot::{Incoming, Event};
//! let frame = br#"{"time":1,"self_id":2,"post_type":"message","message_type":"group","sub_type":"normal",
//!   "message_id":3,"group_id":4,"user_id":5,"message":"hi[CQ:face,id=178]","raw_message":"","font":0,
//!   "sender":{"user_id":5,"nickname":"n","role":"member"}}"#;
//! let Incoming::Event(raw) = Incoming::classify(&frame[..])? else { panic!() };
//! assert_eq!(raw.kind().as_str(), "message.group");
//! let Event::MessageGroup(m) = raw.decode()? else { panic!() };
//! assert_eq!(m.message.plain_text(), "hi");
//! assert_eq!(m.message.len(), 2);
//! # Ok::<(), botgate_codec::Error>(())
//! ```

mod action;
pub mod cq;
mod envelope;
mod event;
#[doc(hidden)]
pub mod fuzzing;
mod header;

pub use action::{
    encode_action, encode_call, ActionRequest, ActionResponse, ActionResponseError, Retcode,
};
pub use envelope::{Incoming, RawEvent, Scanned};
pub use event::{decode_event, Event, KINDS};
pub use header::{IdField, ResponseFields};

pub use botgate_proto::onebot::action::ActionParams;
pub use botgate_proto::onebot::{EventKind, Message, Segment};
