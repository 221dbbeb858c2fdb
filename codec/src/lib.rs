//! Wire decode and encode for every platform botgate speaks.
//!
//! - [`Frame`]: one scan of a QQ / Bubble frame finds `op`, `s`, `t`, `id` and the raw `d`
//!   without parsing `d`; [`Frame::decode_data`] parses `d` on demand.
//! - [`qq`] / [`bubble`]: command encoders (Identify, Resume, Heartbeat, Subscribe, ...) and the
//!   typed event decode.
//! - [`Intents`]: the QQ intents bitmask and the event → intent table.
//! - [`onebot`]: OneBot v11 event decode, message segments, CQ codes and the action envelope.
//!
//! ```
//! use botgate_codec::{qq, Frame};
//!
//! let bytes = br#"{"op":0,"s":2,"t":"C2C_MESSAGE_CREATE","d":{"id":"m1","content":"help"}}"#;
//! // One scan finds the envelope; `d` stays raw until asked for.
//! let frame = Frame::scan(&bytes[..])?;
//! assert_eq!((frame.op(), frame.seq()), (0, Some(2)));
//! let t = frame.event_type().unwrap_or_default();
//! match qq::decode_event(t, frame.data().unwrap_or(b"null"))? {
//!     qq::Event::C2cMessageCreate(message) => assert_eq!(message.content, "help"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), botgate_codec::Error>(())
//! ```

#![deny(missing_docs)]

pub mod bubble;
pub mod error;
pub mod frame;
#[doc(hidden)]
pub mod fuzzing;
pub mod intents;
mod json;
pub mod onebot;
pub mod qq;
pub mod scan;
pub mod unify;

pub use error::{Error, ErrorKind};
pub use frame::Frame;
pub use intents::Intents;

mod generated;
